"""The exception hierarchy of regdev.

Every exception subclasses a builtin too, so callers may catch either
(``except ValueError`` still works for bad input).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


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


class DataValidationError(RegdevError, ValueError):
    """Bad input tables or schema violations.

    Parameters
    ----------
    problems : iterable of Problem or str
        Every problem found; all are reported at once.
    """

    def __init__(self, problems: Iterable[Problem | str]) -> None:
        self.problems: list[Problem | str] = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found in the input:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


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
