"""`regdev plan design` command (factory designer; being built)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the factory-design commands to the ``plan`` sub-app."""
