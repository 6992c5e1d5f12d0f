"""Monitoring-service commands: serve, db, users, audit, backup, restore (being built)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the service commands to the root ``app``."""
