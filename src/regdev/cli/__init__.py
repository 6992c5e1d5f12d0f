"""The ``regdev`` command line: one Typer app joining one sub-app per command group.

Each group lives in its own module and imports the library lazily inside its
commands, so ``regdev --help`` stays fast.  Errors derived from
:class:`regdev.errors.RegdevError` are printed as one line to stderr and
exit with code 1; usage errors exit with code 2 (Typer's default).
"""

from __future__ import annotations

import sys

import typer

from regdev._version import __version__
from regdev.cli import data as _data  # noqa: I001
from regdev.cli import evaluation as _evaluation
from regdev.cli import grain as _grain
from regdev.cli import health as _health
from regdev.cli import plan as _plan
from regdev.cli import service as _service
from regdev.cli import simulate as _simulate
from regdev.cli._common import run_guarded

app = typer.Typer(
    name="regdev",
    help="Plan, simulate and track a national regional-development programme.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)
app.add_typer(_data.app, name="data", help="Region registry: list, show, validate, synthesise.")
app.add_typer(_plan.app, name="plan", help="Ten-year rollout plan, explanations, factory design.")
app.add_typer(
    _grain.app, name="grain", help="Grain storage: simulate strategies, run the live loop."
)
app.add_typer(
    _health.app, name="health", help="Health network: site first-aid posts, coverage, staffing."
)
_service.register(app)
_evaluation.register(app)
_simulate.register(app)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"regdev {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Print the version."
    ),
    lang: str | None = typer.Option(
        None,
        "--lang",
        help="Language of messages and outputs: ko or en (default: $REGDEV_LANG, then en).",
    ),
) -> None:
    """Plan, simulate and track a national regional-development programme."""
    if lang is not None:
        from regdev.i18n import set_language

        set_language(lang)


def main() -> None:
    """Console-script entry point."""
    sys.exit(run_guarded(app))
