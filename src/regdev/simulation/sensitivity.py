"""Sobol sensitivity indices of the main uncertain parameters, with SALib.

The problem (:func:`regdev.simulation.scenario.sobol_problem`) varies growth, demand,
price, raw-material yields, the construction-duration scale and the pass-through share
uniformly between their 2.5 % and 97.5 % quantiles; samples are Saltelli's
(``SALib.sample.sobol``, ``N (2D + 2)`` model runs), indices from
``SALib.analyze.sobol`` (Saltelli et al. 2010).  Outputs, averaged over the years of the horizon (so that timing counts), are the
programme's effects (plan minus counterfactual under the same parameters): the fall of
the Gini of real income across regions, the fall of the capital–region ratio and the
gain in mean real income.
The kernel runs once on the whole sample matrix (vectorised).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from regdev.simulation.chunks import reduce_indicators, thresholds
from regdev.simulation.dynamics import run_kernel
from regdev.simulation.indicators import INDICATORS
from regdev.simulation.model import ModelArrays
from regdev.simulation.scenario import params_from_matrix, sobol_problem

OUTPUTS: tuple[str, ...] = ("gini_reduction", "capital_ratio_reduction", "mean_income_gain")
_SOURCE = {
    "gini_reduction": ("gini", -1.0),
    "capital_ratio_reduction": ("capital_ratio", -1.0),
    "mean_income_gain": ("mean_income", 1.0),
}


def sobol_indices(m: ModelArrays, n_base: int = 128, seed: int = 0) -> pd.DataFrame:
    """First-order and total Sobol indices (rows: output × parameter).

    Parameters
    ----------
    n_base : int
        Base sample size N (a power of two); the model runs ``N (2D + 2)`` times.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    problem = sobol_problem(m)
    x = sobol_sample.sample(problem, n_base, calc_second_order=True, seed=seed)
    th = thresholds(m)
    rows = []
    ys: dict[str, list[np.ndarray]] = {k: [] for k in OUTPUTS}
    step = 1024
    for start in range(0, x.shape[0], step):  # memory bound, not a per-scenario loop
        out = run_kernel(m, params_from_matrix(m, x[start : start + step]))
        ind = reduce_indicators(out.income_real, m, out.population, th)
        cf = reduce_indicators(out.counterfactual, m, out.population, th)
        for k in OUTPUTS:
            name, sign = _SOURCE[k]
            j = INDICATORS.index(name)
            ys[k].append(sign * (ind[:, :, j] - cf[:, :, j]).mean(axis=1))
    for k in OUTPUTS:
        y = np.concatenate(ys[k])
        res = sobol_analyze.analyze(problem, y, calc_second_order=True, seed=seed)
        names: list[str] = list(problem["names"])  # type: ignore[call-overload]
        for j, name in enumerate(names):
            rows.append(
                {
                    "output": k,
                    "parameter": name,
                    "S1": float(res["S1"][j]),
                    "S1_conf": float(res["S1_conf"][j]),
                    "ST": float(res["ST"][j]),
                    "ST_conf": float(res["ST_conf"][j]),
                }
            )
    return pd.DataFrame(rows)
