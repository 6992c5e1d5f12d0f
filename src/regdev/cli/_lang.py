"""Choose the language before the Typer app is built, so its help texts follow ``--lang``.

Typer reads ``help=`` texts when the command modules are imported, before the root
callback sees ``--lang``.  When the process is the ``regdev`` program (console script or
``python -m regdev``), this module reads a ``--lang X`` / ``--lang=X`` given before the
command group and sets the language at import time.  Otherwise (the CLI imported by a
library or a test runner) nothing happens here and help texts follow ``REGDEV_LANG``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from regdev.errors import ConfigError
from regdev.i18n import set_language


def language_from_argv(argv: list[str]) -> str | None:
    """The ``--lang`` value among the root options of ``argv`` (program name first), if any.

    Examples
    --------
    >>> language_from_argv(["regdev", "--lang", "ko", "data", "list"])
    'ko'
    >>> language_from_argv(["regdev", "--lang=en", "plan"])
    'en'
    >>> language_from_argv(["regdev", "data", "list", "--lang", "ko"]) is None
    True
    """
    args = argv[1:]
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--lang":
            return args[i + 1] if i + 1 < len(args) else None
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if not arg.startswith("-"):
            return None  # the command group: root options end here
        i += 1
    return None


def _is_regdev_program(argv: list[str]) -> bool:
    if not argv:
        return False
    prog = Path(argv[0])
    return prog.name == "regdev" or (prog.name == "__main__.py" and prog.parent.name == "regdev")


def apply_early_language(argv: list[str] | None = None) -> None:
    """Set the language from ``--lang`` when the process is the ``regdev`` program."""
    argv = sys.argv if argv is None else argv
    if not _is_regdev_program(argv):
        return
    lang = language_from_argv(argv)
    if lang is None:
        return
    try:
        set_language(lang)
    except ConfigError:
        return  # the root callback reports the bad value as usual


apply_early_language()
