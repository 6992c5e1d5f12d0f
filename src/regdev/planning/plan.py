"""The :class:`Plan`: a frozen result of one rollout solve.

A plan always says what happened (``status``, ``objective``, ``bound``,
``gap``, ``solve_time_s``).  Its solution is read with :meth:`Plan.solution`
/ :attr:`Plan.schedule`, which raise :class:`~regdev.errors.NotSolvedError`
unless the plan is proven optimal (pass ``allow_feasible=True`` to read the
incumbent of a plan stopped at its time limit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from regdev._milp import Certificate, SolveStatus
from regdev.errors import NotSolvedError
from regdev.planning.model import OBJECTIVE_SCALE, RolloutModel
from regdev.planning.problem import PlanningProblem

SCHEDULE_COLUMNS: list[str] = [
    "region_id",
    "facility",
    "year",
    "tier",
    "size",
    "cost",
    "benefit",
    "equity_weight",
    "locked",
]
"""Columns of ``schedule.csv`` (the plan-folder contract)."""

OBJECTIVE_UNIT = "million equity-weighted benefit-years"


@dataclass(frozen=True, eq=False)
class Plan:
    """Result of :func:`~regdev.planning.plan_rollout`.

    Attributes
    ----------
    problem : PlanningProblem
    status : regdev._milp.SolveStatus
        ``optimal``, ``feasible`` (time limit with an incumbent), ``infeasible``,
        ``no_solution``, ``unbounded`` or ``error`` (a ``str``; a plain string
        given here is converted).
    objective, bound, gap : float
        Incumbent, best bound and relative gap (objective in :data:`OBJECTIVE_UNIT`,
        maximised; NaN when unknown).
    solve_time_s, build_time_s : float
    method : str
        ``mip`` or ``lp (integral)``.
    solver : dict
        ``name``, ``version``, ``time_limit``, ``mip_rel_gap``, ``threads``.
    model : RolloutModel or None
        The model that was solved (for ``model.mps`` and explanations).
    greedy_objective : float or None
        The greedy baseline's objective, same units.
    certificate : regdev._milp.Certificate or None
        The solution re-checked against the model (``None`` without a solution).
    """

    problem: PlanningProblem
    status: SolveStatus
    objective: float
    bound: float
    gap: float
    solve_time_s: float
    build_time_s: float
    method: str
    solver: dict[str, Any]
    model: RolloutModel | None = field(default=None, repr=False)
    greedy_objective: float | None = None
    x_: np.ndarray | None = field(default=None, repr=False)
    certificate: Certificate | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", SolveStatus(str(self.status)))

    # ---------------------------------------------------------------- status
    @property
    def is_optimal(self) -> bool:
        """Whether the plan is proven optimal (within the solver's relative gap)."""
        return self.status == "optimal"

    @property
    def has_solution(self) -> bool:
        """Whether an integer-feasible schedule exists (optimal or time-limited)."""
        return self.x_ is not None and self.status in ("optimal", "feasible")

    def solution(self, *, allow_feasible: bool = False) -> np.ndarray:
        """The 0/1 schedule ``x[i, f, t]`` (bool array, shape (n, F, Y)).

        Parameters
        ----------
        allow_feasible : bool, default False
            Also return the incumbent of a plan stopped before proving optimality.

        Raises
        ------
        NotSolvedError
            When there is no (optimal) solution.
        """
        if self.x_ is None or not (self.is_optimal or (allow_feasible and self.has_solution)):
            msg = (
                f"the plan has no {'feasible' if allow_feasible else 'optimal'} solution "
                f"(status {self.status!r}, gap {self.gap:.3g}); "
                + (
                    "raise the time limit"
                    if self.status in ("feasible", "no_solution")
                    else "check the scenario"
                )
            )
            raise NotSolvedError(msg)
        return self.x_.copy()

    @property
    def schedule(self) -> pd.DataFrame:
        """The optimal schedule as a table (see :meth:`schedule_frame`)."""
        return self.schedule_frame()

    def schedule_frame(self, *, allow_feasible: bool = False) -> pd.DataFrame:
        """The schedule: one row per project, columns :data:`SCHEDULE_COLUMNS`.

        ``benefit`` is the yearly benefit (population × benefit per person ×
        the year's tier factor, unweighted); the project's contribution to
        the objective is ``benefit × equity_weight × (last_year − year + 1)``
        (× 1e-6, the objective's unit).  Sorted by year, facility order, region id.
        """
        x = self.solution(allow_feasible=allow_feasible)
        p = self.problem
        ii, ff, tt = np.nonzero(x)
        years = np.asarray(p.years)[tt]
        frame = pd.DataFrame(
            {
                "region_id": np.asarray(p.region_ids, dtype=object)[ii],
                "facility": np.asarray(p.facilities, dtype=object)[ff],
                "year": years.astype(np.int64),
                "tier": p.tiers[tt].astype(np.int64),
                "size": p.size[ii, ff],
                "cost": np.round(p.cost()[ii, ff, tt], 6),
                "benefit": np.round(p.benefit[ii, ff] * p.tier_benefit[tt], 3),
                "equity_weight": np.round(p.equity_weight[ii], 6),
                "locked": p.lock_year[ii, ff] == tt,
                "_f": ff,
            }
        )
        frame = frame.sort_values(["year", "_f", "region_id"], kind="stable").drop(columns="_f")
        return frame.reset_index(drop=True)[SCHEDULE_COLUMNS]

    def year_index(self, *, allow_feasible: bool = False) -> np.ndarray:
        """Year index of every (region, type) project, ``-1`` where none (shape (n, F))."""
        x = self.solution(allow_feasible=allow_feasible)
        has = x.any(axis=2)
        return np.where(has, x.argmax(axis=2), -1)

    def left_out(self, *, allow_feasible: bool = False) -> pd.DataFrame:
        """Candidates that get no project of a type within the horizon, and why.

        Returns
        -------
        pandas.DataFrame
            Columns ``region_id``, ``facility``, ``reason``.
        """
        p = self.problem
        yi = self.year_index(allow_feasible=allow_feasible)
        rows = []
        weight = p.benefit * p.equity_weight[:, None]
        for f, fac in enumerate(p.facilities):
            miss = np.flatnonzero(p.eligible[:, f] & (yi[:, f] < 0))
            if miss.size == 0:
                continue
            n_elig = int(p.eligible[:, f].sum())
            total = int(p.capacity[f].sum())
            rank = (-weight[:, f]).argsort(kind="stable").argsort(kind="stable") + 1
            for i in miss.tolist():
                reason = (
                    f"capacity: {total} {fac} projects fit {p.years[0]}–{p.years[-1]} for "
                    f"{n_elig} candidates; weighted-benefit rank {rank[i]} of {n_elig}"
                )
                rows.append({"region_id": p.region_ids[i], "facility": fac, "reason": reason})
        return pd.DataFrame(rows, columns=["region_id", "facility", "reason"])

    # -------------------------------------------------------------- metadata
    def summary(self) -> dict[str, Any]:
        """The plan's status block (the head of ``plan.json``)."""
        p = self.problem

        def num(v: float | None) -> float | None:
            return None if v is None or not np.isfinite(v) else float(v)

        return {
            "regdev_version": p.metadata.get("regdev_version"),
            "input_hash": p.input_hash,
            "solver": dict(self.solver),
            "status": self.status,
            "method": self.method,
            "objective": num(self.objective),
            "objective_sense": "maximize",
            "objective_offset": 0.0,
            "objective_unit": OBJECTIVE_UNIT,
            "objective_scale": OBJECTIVE_SCALE,
            "bound": num(self.bound),
            "gap": num(self.gap),
            "greedy_objective": num(self.greedy_objective),
            "certificate": None if self.certificate is None else self.certificate.to_dict(),
            "solve_time_s": round(float(self.solve_time_s), 3),
            "horizon": [int(p.years[0]), int(p.years[-1])],
            "n_regions": p.n_regions,
            "facilities": list(p.facilities),
        }
