"""The exception hierarchy of regdev.

Every exception subclasses a builtin too, so callers may catch either
(``except ValueError`` still works for bad input).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


class RegdevError(Exception):
    """Base class of every error regdev raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input table.

    Parameters
    ----------
    file : str
        The file (or table name) the problem is in.
    row : int or None
        1-based data row number as a person counts it in a spreadsheet
        (the header is row 1, the first data row is row 2); ``None`` for
        whole-table problems such as a missing column.
    column : str or None
        The column name, ``None`` for whole-row problems.
    message : str
        What was expected and what was given.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        row = "" if self.row is None else str(self.row)
        col = "" if self.column is None else self.column
        return f"{self.file}:{row}:{col}: {self.message}"


def _fill(text: str, params: dict[str, Any]) -> str:
    return text.format(**params) if params else text


#: Translation functions; :mod:`regdev.i18n` installs its own when imported (this module
#: cannot import it: ``regdev.i18n`` imports ``regdev.errors``).  Until then, English.
_HOOKS: dict[str, Callable[..., str]] = {
    "gettext": lambda message, **params: _fill(message, params),
    "ngettext": lambda singular, plural, count, **params: _fill(
        singular if count == 1 else plural, params
    ),
}


def gettext(message: str, **params: Any) -> str:
    """``message`` in the current language (via :mod:`regdev.i18n`), placeholders filled."""
    return _HOOKS["gettext"](message, **params)


def ngettext(singular: str, plural: str, count: int, **params: Any) -> str:
    """Plural-aware :func:`gettext`."""
    return _HOOKS["ngettext"](singular, plural, count, **params)


def got_marker() -> str:
    """The separator of ``expected …, got …`` in the current language (``", got "``)."""
    return gettext(", got ")


def summarise_problems(problems: Iterable[Problem | str], *, min_rows: int = 5) -> list[str]:
    """One summary line per kind of problem that many rows share.

    Problems are grouped by column and by the message without its ``got …``
    part (``kind: expected one of city, county, …``); a group of at least
    ``min_rows`` rows gets a line with its size, the first rows and the most
    frequent values given, e.g. ``kind: 362 rows expected one of city,
    county, district, capital; got 'township' (329), 'village' (33) (rows 2,
    3, 5, …)``.

    Parameters
    ----------
    problems : list of Problem or str
        As found by a validator (plain strings are skipped).
    min_rows : int, default 5
        Smallest group that gets a summary line.

    Returns
    -------
    list of str
        The summary lines, largest group first.
    """
    marker = got_marker()
    groups: dict[tuple[str, str], list[Problem]] = {}
    for prob in problems:
        if not isinstance(prob, Problem) or prob.row is None:
            continue
        head, _, _got = prob.message.partition(marker)
        groups.setdefault((prob.column or "", head), []).append(prob)
    lines = []
    for (column, head), probs in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        if len(probs) < min_rows:
            continue
        values: dict[str, int] = {}
        for prob in probs:
            _, sep, got = prob.message.partition(marker)
            if sep:
                values[got] = values.get(got, 0) + 1
        shown = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
        got_text = ", ".join(f"{v} ({n})" for v, n in shown[:8])
        if len(shown) > 8:
            got_text += gettext(", … ({n} more values)", n=len(shown) - 8)
        rows = ", ".join(str(p.row) for p in probs[:5]) + (", …" if len(probs) > 5 else "")
        where = f"{column}: " if column else ""
        got_part = gettext("; got {values}", values=got_text) if got_text else ""
        lines.append(
            gettext(
                "{where}{n} rows {head}{got} (rows {rows})",
                where=where,
                n=len(probs),
                head=head,
                got=got_part,
                rows=rows,
            )
        )
    return lines


class DataValidationError(RegdevError, ValueError):
    """Bad input tables or schema violations.

    Parameters
    ----------
    problems : iterable of Problem or str
        Every problem found; all are reported at once.

    Attributes
    ----------
    problems : list of Problem or str
        The problems, in order.
    summary : list of str
        One line per kind of problem that many rows share
        (:func:`summarise_problems`); they end the message.
    """

    def __init__(self, problems: Iterable[Problem | str]) -> None:
        self.problems: list[Problem | str] = list(problems)
        self.summary = summarise_problems(self.problems)
        n = len(self.problems)
        head = ngettext(
            "{n} problem found in the input:", "{n} problems found in the input:", n, n=n
        )
        tail = [gettext("summary: {line}", line=line) for line in self.summary]
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems), *tail]))


class InfeasibleSpecificationError(RegdevError, ValueError):
    """The specification is provably infeasible before solving.

    Parameters
    ----------
    message : str
        Names the constraint family and the numbers that clash.
    constraint : str, optional
        Name of the constraint family (e.g. ``"capacity-annual"``).
    """

    def __init__(self, message: str, constraint: str | None = None) -> None:
        self.constraint = constraint
        super().__init__(message)


class NotSolvedError(RegdevError, RuntimeError):
    """A solution was asked for that does not exist (not optimal / not solved)."""


class NotFoundError(RegdevError, LookupError):
    """An unknown region, plan, bin or other identifier."""


class ConfigError(RegdevError, ValueError):
    """Invalid configuration or scenario settings."""


class InternalError(RegdevError, AssertionError):
    """A broken internal invariant; please report it as a bug."""
