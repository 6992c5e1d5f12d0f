"""REST API routers (``/api/v1``)."""
