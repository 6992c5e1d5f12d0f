"""One status vocabulary, one gap formula and one result type for every solve."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

import highspy
import numpy as np

if TYPE_CHECKING:
    from regdev._milp.certificate import Certificate

Sense = Literal["minimize", "maximize"]


class SolveStatus(StrEnum):
    """What a solve ended with (a ``str``: compares equal to its value, prints as it).

    ``optimal``
        Proven optimal within the relative gap asked for.
    ``feasible``
        A solution exists but optimality is not proven (a time limit, or a
        heuristic whose certified gap is above the one asked for).
    ``infeasible``
        Proven infeasible (also HiGHS's "unbounded or infeasible").
    ``no_solution``
        A limit was reached before any solution was found.
    ``unbounded``
        The objective is unbounded.
    ``error``
        Anything else HiGHS reports.
    """

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    NO_SOLUTION = "no_solution"
    UNBOUNDED = "unbounded"
    ERROR = "error"

    def __repr__(self) -> str:
        return repr(self.value)

    @property
    def has_solution(self) -> bool:
        """Whether a status of this kind comes with a solution (optimal or feasible)."""
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


_LIMITS = (
    highspy.HighsModelStatus.kTimeLimit,
    highspy.HighsModelStatus.kIterationLimit,
    highspy.HighsModelStatus.kSolutionLimit,
    highspy.HighsModelStatus.kInterrupt,
)


def status_of(h: highspy.Highs, *, has_solution: bool) -> tuple[SolveStatus, str]:
    """Map the model status of a HiGHS run onto :class:`SolveStatus`.

    Parameters
    ----------
    h : highspy.Highs
        An instance after ``run()``.
    has_solution : bool
        Whether HiGHS holds a primal feasible solution (``primal_solution_status == 2``).

    Returns
    -------
    (SolveStatus, str)
        The status and HiGHS's own text for it (for logs).
    """
    ms = h.getModelStatus()
    raw = str(h.modelStatusToString(ms))
    if ms == highspy.HighsModelStatus.kOptimal:
        return SolveStatus.OPTIMAL, raw
    if ms in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        return SolveStatus.INFEASIBLE, raw
    if ms == highspy.HighsModelStatus.kUnbounded:
        return SolveStatus.UNBOUNDED, raw
    if has_solution:
        return SolveStatus.FEASIBLE, raw
    if ms in _LIMITS:
        return SolveStatus.NO_SOLUTION, raw
    return SolveStatus.ERROR, raw


def relative_gap(objective: float, bound: float, sense: Sense) -> float:
    """The relative gap between an objective value and a bound on the optimum.

    ``max(bound − objective, 0) / max(|objective|, 1e-9)`` when maximising,
    ``max(objective − bound, 0) / max(|objective|, 1e-9)`` when minimising:
    the optimum lies within this share of the objective.  ``inf`` when the
    bound is unknown (not finite), ``nan`` when the objective is.

    Examples
    --------
    >>> relative_gap(99.0, 100.0, "maximize")
    0.010101010101010102
    >>> relative_gap(249.0, 249.0, "minimize")
    0.0
    >>> relative_gap(1.0, float("-inf"), "minimize")
    inf
    """
    if not math.isfinite(objective):
        return math.nan
    if not math.isfinite(bound):
        return math.inf
    diff = bound - objective if sense == "maximize" else objective - bound
    return max(diff, 0.0) / max(abs(objective), 1e-9)


@dataclass(frozen=True)
class SolveResult:
    """What one solve of a :class:`~regdev._milp.MilpModel` gave.

    Attributes
    ----------
    status : SolveStatus
    objective : float
        Objective of ``x`` (NaN without a solution), in the model's units.
    bound : float
        Best proven bound on the optimum (NaN when unknown).
    gap : float
        :func:`relative_gap` of ``objective`` and ``bound`` (NaN without a solution).
    solve_time_s : float
        Wall-clock seconds of the solve.
    x : numpy.ndarray or None
        Column values, integer columns snapped to integers (``None`` without a solution).
    method : str
        How the solution was found (e.g. ``"mip"``, ``"lp (integral)"``,
        ``"LP diving; LP-relaxation bound"``).
    solver_version : str
        HiGHS version, e.g. ``"1.16.0"``.
    raw_status : str
        HiGHS's own status text of the last run.
    certificate : Certificate or None
        The re-check of ``x`` against the model (see :func:`~regdev._milp.certify`).
    """

    status: SolveStatus
    objective: float
    bound: float
    gap: float
    solve_time_s: float
    x: np.ndarray | None = field(default=None, repr=False)
    method: str = "mip"
    solver_version: str = ""
    raw_status: str = ""
    certificate: Certificate | None = None

    @property
    def has_solution(self) -> bool:
        """Whether the result carries a solution (optimal or feasible)."""
        return self.x is not None and self.status.has_solution

    @property
    def optimal(self) -> bool:
        """Whether optimality is proven within the gap asked for."""
        return self.status == SolveStatus.OPTIMAL
