"""Why each county got each line: one sentence per opened line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from regdev.design.claims import main_input_local_share

if TYPE_CHECKING:
    from regdev.design.result import DesignResult


def line_reasons(result: DesignResult, region_id: str) -> dict[str, str]:
    """One sentence per opened line of ``region_id`` saying why it is there.

    Characteristic lines name the local resource that enabled them (supply
    and need in t/yr, whether the supply is inferred from terrain and area, the
    share drawn locally and whether that meets the local-share rule); standard lines name their group and the demand they
    serve locally and in neighbouring counties.
    """
    p, sol = result.problem, result.solution
    i = p.region_pos(region_id)
    out: dict[str, str] = {}
    exports = np.zeros(len(p.categories))
    for a in np.flatnonzero(p.arc_from == i):
        exports += sol.s[a]
    for k in np.flatnonzero(sol.y[i]):
        c = int(p.line_category[k])
        cat = p.categories[c]
        served = float(sol.x[i, k])
        local_d = float(p.demand[i, c])
        parts: list[str] = []
        r = int(p.line_requires[k])
        if p.line_kinds[k] == "characteristic" and r >= 0:
            need = float(p.inputs[k, r] * sol.x[i, k])
            inferred = p.supply_basis is not None and p.supply_basis[i, r] == "inferred"
            share = main_input_local_share(result, i, int(k))
            counts = share >= p.options.min_local_share - 1e-9
            parts.append(
                f"enabled by local {p.resources[r]}"
                + (" (inferred from terrain and area)" if inferred else "")
                + f": {p.supply[i, r]:.0f} t/yr available, {need:.0f} t/yr needed, "
                f"{share:.0%} drawn locally"
                + (
                    ""
                    if counts
                    else " (below the local-share minimum: not counted as characteristic)"
                )
            )
            if p.bonus[i, k] > 0:
                parts.append(f"local-specialty bonus {p.bonus[i, k]:.0f} kUSD/yr")
        else:
            group_open = [
                p.line_ids[j]
                for j in np.flatnonzero(sol.y[i])
                if p.line_groups[j] == p.line_groups[k]
            ]
            only = len(group_open) == 1
            parts.append(
                f"standard group {p.line_groups[k]}"
                + (" (its only line here: every factory group needs one)" if only else "")
            )
        parts.append(
            f"makes {served:.0f} {cat} a year for a local demand of {local_d:.0f}"
            + (f" and ships {exports[c]:.0f} to neighbours" if exports[c] > 0.5 else "")
        )
        out[p.line_ids[k]] = "; ".join(parts)
    return out
