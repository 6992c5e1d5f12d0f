"""Discounted cash-flow measures: NPV, IRR, simple and discounted payback.

NPV and IRR come from `numpy-financial <https://numpy.org/numpy-financial/>`_
(``npf.npv`` discounts the first flow too, i.e. flows are at the *end* of periods
0, 1, 2, …, with period 0 undiscounted, which is the convention of cost-benefit
guides: EU DG REGIO, *Guide to Cost-Benefit Analysis of Investment Projects* (2014),
Annex on discounting).  Payback is computed here because ``numpy-financial`` has
none: the period in which the cumulative (discounted) flow turns non-negative, with
linear interpolation inside that period, as in Brealey, Myers and Allen,
*Principles of Corporate Finance*, ch. 5 ("payback").

All functions take plain sequences (one flow per year, year 0 first) and return
floats; ``nan`` means "does not exist" (no sign change for IRR, never paid back).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import numpy_financial as npf

from regdev.errors import ConfigError

Flows: TypeAlias = Sequence[float] | np.ndarray

__all__ = ["annuity_factor", "discounted_payback", "irr", "npv", "payback"]


def _flows(cash_flows: Flows) -> np.ndarray:
    arr = np.asarray(cash_flows, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        msg = f"cash flows must be a non-empty 1-D sequence; got shape {arr.shape}"
        raise ConfigError(msg)
    if not np.all(np.isfinite(arr)):
        msg = "cash flows must be finite numbers"
        raise ConfigError(msg)
    return arr


def _check_rate(rate: float) -> None:
    if not (math.isfinite(rate) and rate > -1.0):
        msg = f"discount rate must be a number greater than -1; got {rate!r}"
        raise ConfigError(msg)


def npv(rate: float, cash_flows: Flows) -> float:
    """Net present value ``sum_t CF_t / (1 + r)^t`` with ``t = 0, 1, …``.

    Examples
    --------
    >>> round(npv(0.10, [-100, 60, 60]), 4)
    4.1322
    """
    _check_rate(rate)
    return float(npf.npv(rate, _flows(cash_flows)))


def irr(cash_flows: Flows) -> float:
    """Internal rate of return (``nan`` when the flows never change sign).

    ``numpy_financial.irr`` returns the root closest to zero when there are several
    (non-conventional flows); see its documentation.

    Examples
    --------
    >>> round(irr([-100, 60, 60]), 6)
    0.130662
    """
    flows = _flows(cash_flows)
    if not (np.any(flows > 0) and np.any(flows < 0)):
        return float("nan")
    return float(npf.irr(flows))


def _payback(cum: np.ndarray, flows: np.ndarray) -> float:
    if cum[0] >= 0:
        return 0.0
    for t in range(1, len(cum)):
        if cum[t] >= 0 > cum[t - 1]:
            return float((t - 1) + (-cum[t - 1]) / flows[t])
    return float("nan")


def payback(cash_flows: Flows) -> float:
    """Years until the cumulative undiscounted flow turns non-negative (``nan``: never).

    Examples
    --------
    >>> payback([-100, 30, 30, 30, 30])
    3.3333333333333335
    """
    flows = _flows(cash_flows)
    return _payback(np.cumsum(flows), flows)


def discounted_payback(rate: float, cash_flows: Flows) -> float:
    """Years until the cumulative *discounted* flow turns non-negative (``nan``: never)."""
    _check_rate(rate)
    flows = _flows(cash_flows)
    disc = flows / (1.0 + rate) ** np.arange(flows.size)
    return _payback(np.cumsum(disc), disc)


def annuity_factor(rate: float, years: int) -> float:
    """Present value of 1 a year for ``years`` years, first at the end of year 1.

    ``(1 - (1 + r)^-n) / r`` (``n`` when ``r = 0``); the inverse is the capital-recovery
    factor the factory designer uses to annualise capital.
    """
    _check_rate(rate)
    if years < 0:
        msg = f"years must be >= 0; got {years}"
        raise ConfigError(msg)
    if rate == 0:
        return float(years)
    return float((1.0 - (1.0 + rate) ** (-years)) / rate)
