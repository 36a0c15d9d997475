"""The township and county web service (``xl-pension serve``): an ASGI front end."""
