"""One chunk of Monte Carlo scenarios: draw, simulate, reduce (runs in any process).

:func:`run_chunk` is what a Dask worker executes.  It depends only on the model arrays,
the chunk's seed and its size, so serial and distributed runs give identical numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from regdev.simulation.dynamics import as_dtype, run_kernel
from regdev.simulation.indicators import INDICATORS, all_indicators, weighted_median
from regdev.simulation.model import ModelArrays
from regdev.simulation.scenario import draw_params

NEVER_REACHED = 9999
"""Year-reached value of a region that never reaches its target."""


@dataclass(frozen=True)
class Thresholds:
    """Fixed real-income thresholds (USD per capita), set from the first year's incomes."""

    target: float
    poverty_line: float


def thresholds(m: ModelArrays) -> Thresholds:
    """Target and poverty line from the coefficients ``[targets]`` and the baseline incomes.

    Examples
    --------
    >>> # target = ratio × population-weighted mean income of the first year
    >>> # poverty line = ratio × population-weighted median income of the first year
    """
    tg = m.coef["targets"]
    mean = float(np.average(m.y0, weights=m.pop0))
    med = weighted_median(m.y0, m.pop0)
    return Thresholds(
        float(tg["income_target_ratio"]) * mean, float(tg["poverty_line_ratio"]) * med
    )


@dataclass(frozen=True, eq=False)
class ChunkResult:
    """What one chunk sends back (compact: float32 per scenario, float64 sums).

    Attributes
    ----------
    income_real : (S, C, Y) float32
    growth : (S,) float64
        The scenarios' counterfactual growth: the counterfactual income is
        ``y0 (1 + g)^t`` (capital: ``+ premium``), so its quantiles follow from these
        (a positive factor per region commutes with quantiles) and the chunk need not
        send a second (S, C, Y) array.
    indicators, indicators_cf : (S, Y, I) float64, I = len(INDICATORS)
    year_reached, year_reached_cf : (S, C) int16 (``NEVER_REACHED`` = never)
    sums : dict of (C, Y) float64 sums over the chunk's scenarios
        ``access``, ``jobs_direct``, ``jobs_indirect``, ``sales``, ``price_index``.
    """

    index: int
    income_real: np.ndarray
    growth: np.ndarray
    indicators: np.ndarray
    indicators_cf: np.ndarray
    year_reached: np.ndarray
    year_reached_cf: np.ndarray
    sums: dict[str, np.ndarray]


def _year_reached(y: np.ndarray, years: np.ndarray, target: float) -> np.ndarray:
    ok = y >= target
    first = np.argmax(ok, axis=-1)
    return np.where(ok.any(axis=-1), years[first], NEVER_REACHED).astype(np.int16)


def reduce_indicators(y: np.ndarray, m: ModelArrays, pop: np.ndarray, th: Thresholds) -> np.ndarray:
    """Indicators of incomes ``y`` (S, C, Y) → (S, Y, I)."""
    yt = np.moveaxis(y, 1, 2)  # (S, Y, C)
    ind = all_indicators(yt, pop.T, m.province_index, m.capital, th.poverty_line)
    return np.stack([ind[k] for k in INDICATORS], axis=-1)


def run_chunk(m: ModelArrays, index: int, seed: np.random.SeedSequence, n: int) -> ChunkResult:
    """Draw ``n`` scenarios from ``seed``, simulate them (in float32) and reduce."""
    params64 = draw_params(m, n, seed)
    m32, params = as_dtype(m, params64, np.float32)
    out = run_kernel(m32, params)
    th = thresholds(m)
    years = m.years
    return ChunkResult(
        index=index,
        income_real=out.income_real,
        growth=params64.growth,
        indicators=reduce_indicators(out.income_real, m, out.population, th).astype(np.float64),
        indicators_cf=reduce_indicators(out.counterfactual, m, out.population, th).astype(
            np.float64
        ),
        year_reached=_year_reached(out.income_real, years, th.target),
        year_reached_cf=_year_reached(out.counterfactual, years, th.target),
        sums={
            "access": out.access.sum(axis=0, dtype=np.float64),
            "jobs_direct": out.jobs_direct.sum(axis=0, dtype=np.float64),
            "jobs_indirect": out.jobs_indirect.sum(axis=0, dtype=np.float64),
            "sales": out.sales.sum(axis=0, dtype=np.float64),
            "price_index": out.price_index.sum(axis=0, dtype=np.float64),
        },
    )
