"""Workbook I/O: the only layer that imports Excel libraries."""
