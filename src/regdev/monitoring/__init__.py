"""Monitoring service: database, REST API, roles, audit and the offline dashboard."""
