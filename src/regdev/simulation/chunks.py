"""One chunk of Monte Carlo scenarios: draw, simulate, reduce (runs in any process).

:func:`run_chunk` is what a Dask worker executes.  It depends only on the model arrays,
the chunk's seed and its size, so serial and distributed runs give identical numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from regdev.simulation.dynamics import Params, as_dtype, run_kernel
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


BLOCK = 50
"""Scenarios simulated at once inside a chunk: arrays of 50 × C × Y stay in the CPU cache
(measured: 0.40 s of CPU per 1000 scenarios against 0.66 s in blocks of 500)."""


def _block(params: Params, lo: int, hi: int) -> Params:
    return Params(
        growth=params.growth[lo:hi],
        demand=params.demand[lo:hi],
        price=params.price[lo:hi],
        yields=params.yields[lo:hi],
        duration=params.duration[lo:hi],
        pass_through=params.pass_through[lo:hi],
    )


def run_chunk(m: ModelArrays, index: int, seed: np.random.SeedSequence, n: int) -> ChunkResult:
    """Draw ``n`` scenarios from ``seed``, simulate them (float32, in blocks) and reduce."""
    params64 = draw_params(m, n, seed)
    m32, params = as_dtype(m, params64, np.float32)
    th = thresholds(m)
    years = m.years
    n_c, n_y = m.n_regions, m.n_years
    income = np.empty((n, n_c, n_y), np.float32)
    ind = np.empty((n, n_y, len(INDICATORS)))
    ind_cf = np.empty_like(ind)
    reached = np.empty((n, n_c), np.int16)
    reached_cf = np.empty_like(reached)
    sums = {
        k: np.zeros((n_c, n_y))
        for k in ("access", "jobs_direct", "jobs_indirect", "sales", "price_index")
    }
    for lo in range(0, n, BLOCK):  # blocks of scenarios, vectorised inside
        hi = min(lo + BLOCK, n)
        out = run_kernel(m32, _block(params, lo, hi))
        income[lo:hi] = out.income_real
        ind[lo:hi] = reduce_indicators(out.income_real, m, out.population, th)
        ind_cf[lo:hi] = reduce_indicators(out.counterfactual, m, out.population, th)
        reached[lo:hi] = _year_reached(out.income_real, years, th.target)
        reached_cf[lo:hi] = _year_reached(out.counterfactual, years, th.target)
        for k in sums:
            sums[k] += getattr(out, k).sum(axis=0, dtype=np.float64)
    return ChunkResult(
        index=index,
        income_real=income,
        growth=params64.growth,
        indicators=ind,
        indicators_cf=ind_cf,
        year_reached=reached,
        year_reached_cf=reached_cf,
        sums=sums,
    )
