"""Central-supply baseline: the same goods made in the capital and the province seats.

In the baseline every county's whole demand is supplied centrally: goods of
the basic categories (those made by standard lines) from its province seat,
characteristic goods from the capital.  The central factories bring their
raw materials from the nearest region that has them.  Per unit of category
``c`` delivered to county ``i`` the baseline moves::

    baseline_tkm[i, c] = t[c] · km(centre(i, c), i) + Σ_r A[l*(c), r] · km_source(centre, r)

tonne-km (``l*(c)`` is the cheapest line making ``c``; distances are road
distances = great circle × circuity), costing ``cost_per_tkm`` each.  The
array is computed once in :func:`regdev.design.problem.build_design_problem`;
this module aggregates it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from regdev.design.problem import DesignProblem


def central_baseline(problem: DesignProblem) -> pd.DataFrame:
    """Tonne-km and transport cost of central supply, per region.

    Parameters
    ----------
    problem : DesignProblem

    Returns
    -------
    pandas.DataFrame
        Indexed by ``region_id``: ``baseline_tkm`` (t·km/yr) and
        ``baseline_transport_kusd`` (thousand USD/yr).

    Examples
    --------
    >>> from regdev.registry import toy_region
    >>> from regdev.design.problem import build_design_problem
    >>> b = central_baseline(build_design_problem(toy_region()))
    >>> bool((b["baseline_tkm"] > 0).all())
    True
    """
    tkm = (problem.demand * problem.baseline_tkm).sum(axis=1)
    return pd.DataFrame(
        {
            "baseline_tkm": tkm,
            "baseline_transport_kusd": tkm * problem.cost_per_tkm,
        },
        index=pd.Index(problem.region_ids, name="region_id"),
    )


def baseline_tkm_by_category(problem: DesignProblem) -> np.ndarray:
    """Baseline tonne-km per region and category (n × C)."""
    return np.asarray(problem.demand * problem.baseline_tkm)
