"""Building and installing the Excel ribbon add-in (.xlam) from xlwings' own template."""
