"""Helpers shared by the CLI modules: consoles, error guard, JSON output."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console

from regdev.errors import RegdevError
from regdev.i18n import _

console = Console()
err_console = Console(stderr=True)


def run_guarded(app: typer.Typer) -> int:
    """Run a Typer app, turning :class:`RegdevError` into one stderr line and exit 1.

    Parameters
    ----------
    app : typer.Typer
        The application to run.

    Returns
    -------
    int
        The process exit code.
    """
    try:
        # without standalone mode, click returns (not raises) the code of a ``typer.Exit``
        code = app(standalone_mode=False)
    except RegdevError as exc:
        _error(str(exc))
        return 1
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        err_console.print(_("Aborted."))
        return 1
    except (OSError, EOFError) as exc:
        # a file that cannot be read or written (missing, a directory, no permission,
        # truncated): one line, not a traceback
        what = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        where = getattr(exc, "filename", None)
        msg = f"{where}: {what}" if where else (what or type(exc).__name__)
        _error(msg)
        return 1
    except Exception as exc:
        # Usage errors (unknown command or option, bad value) come from the click that Typer
        # uses, which may be its vendored copy: recognise them by their interface.
        show = getattr(exc, "show", None)
        code = getattr(exc, "exit_code", None)
        if callable(show) and isinstance(code, int):
            show()
            return code
        raise
    return code if isinstance(code, int) else 0


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` to stderr and return a :class:`typer.Exit` to raise."""
    _error(message)
    return typer.Exit(code=code)


def _error(message: str) -> None:
    """One ``error: …`` line on stderr (the prefix in the current language)."""
    label = _("error:")
    err_console.print(
        f"[bold red]{label}[/] {message}", markup=True, highlight=False, soft_wrap=True
    )


def echo_json(obj: Any) -> None:
    """Print ``obj`` as indented, key-sorted JSON (machine-readable output)."""
    typer.echo(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=str))
