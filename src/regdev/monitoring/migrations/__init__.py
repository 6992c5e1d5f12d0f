"""Alembic migrations of the monitoring database (run with ``regdev db upgrade``)."""
