"""Insect-development risk per layer from grain temperature and moisture (degree-days).

Each pest develops at a rate proportional to the degrees above its lower
threshold (capped at its upper limit) when the grain is moist enough; the
accumulated degree-days divided by the degree-days of one generation give the
number of generations the grain has allowed since filling.  Thresholds come
from ``data/storage_thresholds.csv`` (topic ``insects``).

References
----------
Omar et al. (2014), *Sitophilus granarius* lower threshold 9.97 degC, 562 DD.
storedgrain.com.au (GRDC), rice weevil stops developing below 15 degC; life
cycle 4 weeks at 30-35 degC -> about (32.5 - 15) * 28 = 490 DD (derived).
*Cryptolestes ferrugineus* r_m = 0 at 17.5 and 42.5 degC (intrinsic-rate study);
DD per generation about 330 (derived from max r_m 1.0/week at 35 degC: a
generation in ~2.5 weeks at 17.5 K above threshold -> ~300; rounded up).
Stejskal et al. (2019): average lower threshold of 121 stored-product beetles 14 degC.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Pest:
    """Development parameters of one stored-grain pest.

    Parameters
    ----------
    name : str
        Species name.
    t_low_c, t_high_c : float
        Lower and upper development thresholds, degC.
    dd_generation : float
        Degree-days (above ``t_low_c``) for one generation, egg to adult.
    m_min_wb_pct : float
        Minimum grain moisture for development, % w.b.
    """

    name: str
    t_low_c: float
    t_high_c: float
    dd_generation: float
    m_min_wb_pct: float = 10.0


PESTS: tuple[Pest, ...] = (
    Pest("Sitophilus granarius", 9.97, 35.0, 562.0, 10.0),
    Pest("Sitophilus oryzae", 15.0, 35.0, 490.0, 10.0),
    Pest("Cryptolestes ferrugineus", 17.5, 42.5, 330.0, 8.0),
)


def degree_days_per_hour(temp_c: npt.ArrayLike, m_wb_pct: npt.ArrayLike, pest: Pest) -> FloatArray:
    """Degree-days accumulated in one hour (``max(0, min(T, Th) - Tl) / 24`` if moist enough)."""
    t = np.asarray(temp_c, dtype=np.float64)
    m = np.asarray(m_wb_pct, dtype=np.float64)
    dd = np.clip(np.minimum(t, pest.t_high_c) - pest.t_low_c, 0.0, None) / 24.0
    return np.where((m >= pest.m_min_wb_pct) & (t < pest.t_high_c + 5.0), dd, 0.0)


def generations(
    temp_c_hourly: npt.ArrayLike, m_wb_pct_hourly: npt.ArrayLike, pest: Pest
) -> FloatArray:
    """Generations possible per layer over an hourly history (arrays ``(n_hours, n_layers)``)."""
    dd = degree_days_per_hour(temp_c_hourly, m_wb_pct_hourly, pest)
    return np.asarray(np.sum(dd, axis=0) / pest.dd_generation, dtype=np.float64)


def insect_risk(temp_c: npt.ArrayLike, m_wb_pct: npt.ArrayLike) -> FloatArray:
    """Instantaneous risk index per layer in [0, 1]: the fastest pest's relative development rate.

    1.0 means the fastest pest completes a generation in about 3 weeks
    (the optimum of the species above); 0 means no development (cold or dry).
    """
    rates = [
        degree_days_per_hour(temp_c, m_wb_pct, p) * 24.0 * 21.0 / p.dd_generation for p in PESTS
    ]
    return np.asarray(np.clip(np.max(np.stack(rates), axis=0), 0.0, 1.0), dtype=np.float64)
