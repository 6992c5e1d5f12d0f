"""What forcing or forbidding a line would cost (:func:`what_if`); why each line is there.

:func:`line_reasons` lives in :mod:`regdev.design.reasons` (the result's
dossiers need it, and this module needs the solver) and is re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from regdev.design.reasons import line_reasons
from regdev.errors import ConfigError, NotFoundError

if TYPE_CHECKING:
    from regdev.design.result import DesignResult

__all__ = ["WhatIf", "line_reasons", "what_if"]


@dataclass(frozen=True, eq=False)
class WhatIf:
    """The difference a forced or forbidden line makes.

    Attributes
    ----------
    base, alternative : DesignResult
    changes : dict of (str, str) to bool
        The forced (True) / forbidden (False) ``(region_id, line_id)`` pairs.
    local : bool
        Whether the other counties' modules were held at the base design.
    """

    base: DesignResult
    alternative: DesignResult
    changes: dict[tuple[str, str], bool]
    local: bool = True

    @property
    def cost_difference_kusd(self) -> float:
        """Alternative objective − base objective, thousand USD per year (> 0: costlier)."""
        return float(self.alternative.objective - self.base.objective)

    @property
    def cost_difference_range_kusd(self) -> tuple[float, float]:
        """Certified range of the true difference of the optima.

        ``[alt.bound − base.objective, alt.objective − base.bound]``: both
        designs are within their gaps of their optima, so the difference of
        the optima lies in this interval.
        """
        lo = self.alternative.info.bound - self.base.objective
        hi = self.alternative.objective - self.base.info.bound
        return float(lo), float(hi)

    def line_changes(self) -> pd.DataFrame:
        """Lines whose modules differ: ``region_id, line, modules_before, modules_after``."""
        b, a = self.base.solution, self.alternative.solution
        p = self.base.problem
        i, k = np.nonzero(b.m != a.m)
        return pd.DataFrame(
            {
                "region_id": [p.region_ids[j] for j in i],
                "line": [p.line_ids[j] for j in k],
                "modules_before": b.m[i, k],
                "modules_after": a.m[i, k],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "changes": [
                {"region_id": r, "line": ln, "action": "force" if v else "forbid"}
                for (r, ln), v in self.changes.items()
            ],
            "base_objective_kusd": self.base.objective,
            "alternative_objective_kusd": self.alternative.objective,
            "cost_difference_kusd": self.cost_difference_kusd,
            "cost_difference_range_kusd": list(self.cost_difference_range_kusd),
            "base_gap": self.base.gap,
            "alternative_gap": self.alternative.gap,
            "line_changes": self.line_changes().to_dict("records"),
            "local": self.local,
        }


def what_if(
    result: DesignResult,
    *,
    force: list[tuple[str, str]] | None = None,
    forbid: list[tuple[str, str]] | None = None,
    local: bool = True,
    mip_rel_gap: float = 0.001,
    time_limit: float = 30.0,
) -> WhatIf:
    """Re-solve with lines forced open or forbidden and report the difference.

    Parameters
    ----------
    result : DesignResult
        The base design.
    force, forbid : list of (region_id, line_id)
        Lines to force open (even without local raw material: it is then
        imported and paid for) or to forbid.
    local : bool, default True
        Hold the modules of every other county at the base design and
        re-optimise the changed counties' lines and all flows (shipments,
        central supply, imports) exactly, for the base and the alternative
        alike: the difference is then the exact cost of the change with the
        rest of the country's lines unchanged (small MILPs, solved to
        optimality).  ``False`` re-solves the whole
        design to ``mip_rel_gap`` (slower; the difference is known within
        :attr:`WhatIf.cost_difference_range_kusd`).
    mip_rel_gap, time_limit : float
        For ``local=False``: both designs are solved to this gap (the base is
        re-solved when its own gap is larger).

    Returns
    -------
    WhatIf

    Raises
    ------
    ConfigError
        When nothing is forced or forbidden, or a pair is both.
    NotFoundError
        For an unknown region or line.
    """
    from dataclasses import replace

    from regdev.design.solve import MILP_MAX_REGIONS, solve_design

    p = result.problem
    changes: dict[tuple[str, str], bool] = {}
    for pair in force or []:
        changes[pair] = True
    for pair in forbid or []:
        if pair in changes:
            msg = f"line {pair[1]!r} in {pair[0]!r} cannot be both forced and forbidden"
            raise ConfigError(msg)
        changes[pair] = False
    if not changes:
        msg = "what-if needs at least one --force-line or --forbid-line"
        raise ConfigError(msg)
    for rid, lid in changes:
        if rid not in p.region_ids:
            msg = f"region {rid!r} is not part of this design"
            raise NotFoundError(msg)
        if lid not in p.line_ids:
            msg = f"unknown line {lid!r}; expected one of {', '.join(p.line_ids)}"
            raise NotFoundError(msg)
    meta = dict(p.metadata)
    if local:
        free = np.zeros(p.n_regions, dtype=bool)
        for rid, _ in changes:
            free[p.region_pos(rid)] = True
        hold = np.where(free[:, None], -1, result.solution.m).astype(np.int64)
        meta["hold_modules"] = hold
        base_problem = replace(p, metadata=meta)
        base = solve_design(base_problem, method="milp", mip_rel_gap=1e-6, time_limit=time_limit)
    else:
        base_problem = p
        base = result
        method: Literal["auto", "milp", "dive"] = (
            "milp" if p.n_regions <= MILP_MAX_REGIONS else "auto"
        )
        if not result.gap <= mip_rel_gap:
            base = solve_design(p, method=method, mip_rel_gap=mip_rel_gap, time_limit=time_limit)
    alt_meta = dict(base_problem.metadata)
    alt_meta["force"] = {**p.metadata.get("force", {}), **changes}
    alt_problem = replace(p, metadata=alt_meta)
    if local:
        alt = solve_design(alt_problem, method="milp", mip_rel_gap=1e-6, time_limit=time_limit)
    else:
        alt = solve_design(
            alt_problem, method=method, mip_rel_gap=mip_rel_gap, time_limit=time_limit
        )
    return WhatIf(base=base, alternative=alt, changes=changes, local=local)
