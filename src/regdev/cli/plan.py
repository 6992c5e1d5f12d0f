"""`regdev plan` commands (being built; see the issue tracker)."""

from __future__ import annotations

import typer

from regdev.cli import design as _design

app = typer.Typer(no_args_is_help=False)
_design.register(app)
