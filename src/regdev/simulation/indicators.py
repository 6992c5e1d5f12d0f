"""Disparity indicators over regions, population-weighted, vectorised over leading axes.

Every function takes incomes ``y`` of shape (..., C) and population weights ``w`` of
shape (C,) or (..., C) and returns shape (...).  Each region counts as ``w`` people with
the same income (the usual treatment of grouped data).

References: Cowell, *Measuring Inequality* (3rd ed., 2011), ch. 2-3 and technical
appendix (Gini, Theil T and L and their decompositions by subgroup); Shorrocks (1980),
"The class of additively decomposable inequality measures", Econometrica 48(3).

Examples
--------
Two regions of equal population with incomes 1 and 3 (mean 2):

>>> y = np.array([1.0, 3.0]); w = np.array([1.0, 1.0])
>>> float(gini(y, w))                       # Σ Σ w_i w_j |y_i - y_j| / (2 μ) = 0.5·2/(2·2)
0.25
>>> round(float(theil_t(y, w)), 6)          # ½(½ ln ½) + ½(1.5 ln 1.5)
0.130812
>>> round(float(theil_l(y, w)), 6)          # ½ ln 2 + ½ ln(2/3)
0.143841
>>> float(cv(y, w))                         # σ = 1
0.5
"""

from __future__ import annotations

import numpy as np


def _w(w: np.ndarray, y: np.ndarray) -> np.ndarray:
    w = np.broadcast_to(np.asarray(w, dtype=float), y.shape)
    return np.asarray(w / w.sum(axis=-1, keepdims=True))


def weighted_mean(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Population-weighted mean over the last axis."""
    return np.asarray((_w(w, y) * y).sum(axis=-1))


def gini(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Population-weighted Gini: ``1 - Σ_i p_i (L_i + L_{i-1})`` over regions sorted by income.

    ``p_i`` population shares, ``L_i`` cumulative income shares (Lorenz curve); this equals
    the mean-difference form ``Σ_i Σ_j p_i p_j |y_i - y_j| / (2 μ)`` exactly.
    """
    y = np.asarray(y, dtype=float)
    p = _w(w, y)
    order = np.argsort(y, axis=-1, kind="stable")
    ys = np.take_along_axis(y, order, axis=-1)
    ps = np.take_along_axis(p, order, axis=-1)
    share = ps * ys
    total = share.sum(axis=-1, keepdims=True)
    lorenz = np.cumsum(share, axis=-1) / total
    prev = lorenz - share / total
    return np.asarray(1.0 - (ps * (lorenz + prev)).sum(axis=-1))


def theil_t(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Theil T (GE(1)): ``Σ p_i (y_i/μ) ln(y_i/μ)``; needs y > 0."""
    y = np.asarray(y, dtype=float)
    p = _w(w, y)
    r = y / (p * y).sum(axis=-1, keepdims=True)
    return np.asarray((p * r * np.log(r)).sum(axis=-1))


def theil_l(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Theil L (GE(0), mean log deviation): ``Σ p_i ln(μ/y_i)``; needs y > 0."""
    y = np.asarray(y, dtype=float)
    p = _w(w, y)
    mu = (p * y).sum(axis=-1, keepdims=True)
    return np.asarray((p * np.log(mu / y)).sum(axis=-1))


def cv(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Population-weighted coefficient of variation ``σ / μ``."""
    y = np.asarray(y, dtype=float)
    p = _w(w, y)
    mu = (p * y).sum(axis=-1, keepdims=True)
    return np.asarray(np.sqrt((p * (y - mu) ** 2).sum(axis=-1)) / mu[..., 0])


def _group_matrix(groups: np.ndarray) -> np.ndarray:
    labels, inv = np.unique(np.asarray(groups), return_inverse=True)
    mat = np.zeros((len(inv), len(labels)))
    mat[np.arange(len(inv)), inv] = 1.0
    return mat


def theil_decomposition(y: np.ndarray, w: np.ndarray, groups: np.ndarray) -> dict[str, np.ndarray]:
    """Between- and within-group parts of Theil T and L (groups: a label per region).

    ``T = Σ_g s_g T_g + Σ_g s_g ln(μ_g/μ)`` with ``s_g`` the income share of group g;
    ``L = Σ_g p_g L_g + Σ_g p_g ln(μ/μ_g)`` with ``p_g`` its population share.
    The within parts are sums over regions of their group's terms,
    ``Σ_g s_g T_g = Σ_i p_i (y_i/μ) ln(y_i/μ_g(i))`` and
    ``Σ_g p_g L_g = Σ_i p_i ln(μ_g(i)/y_i)``, computed from the group means — not as
    total − between, so that ``between + within == total`` is a real check.
    """
    y = np.asarray(y, dtype=float)
    p = _w(w, y)
    mat = _group_matrix(groups)
    py = p * y
    mu = py.sum(axis=-1)
    pg = p @ mat
    mug = (py @ mat) / pg
    sg = pg * mug / mu[..., None]
    ln_ratio = np.log(mug / mu[..., None])
    mu_i = mug @ mat.T
    ln_i = np.log(y / mu_i)
    return {
        "theil_t_between": (sg * ln_ratio).sum(axis=-1),
        "theil_t_within": (py * ln_i).sum(axis=-1) / mu,
        "theil_l_between": -(pg * ln_ratio).sum(axis=-1),
        "theil_l_within": -(p * ln_i).sum(axis=-1),
    }


def capital_ratio(y: np.ndarray, w: np.ndarray, capital: int) -> np.ndarray:
    """Capital's income / population-weighted mean income of the other regions."""
    y = np.asarray(y, dtype=float)
    mask = np.ones(y.shape[-1], dtype=bool)
    mask[capital] = False
    wb = np.broadcast_to(np.asarray(w, dtype=float), y.shape)
    return np.asarray(y[..., capital] / weighted_mean(y[..., mask], wb[..., mask]))


def share_below(y: np.ndarray, w: np.ndarray, threshold: float | np.ndarray) -> np.ndarray:
    """Population share living in regions with income below ``threshold``."""
    y = np.asarray(y, dtype=float)
    p = _w(w, y)
    return np.asarray((p * (y < threshold)).sum(axis=-1))


def weighted_median(y: np.ndarray, w: np.ndarray) -> float:
    """Population-weighted median of a 1-D income vector (lower median)."""
    order = np.argsort(y)
    cum = np.cumsum(np.asarray(w, dtype=float)[order])
    return float(np.asarray(y)[order][np.searchsorted(cum, 0.5 * cum[-1])])


INDICATORS: tuple[str, ...] = (
    "gini",
    "theil_t",
    "theil_l",
    "theil_t_between",
    "theil_t_within",
    "theil_l_between",
    "theil_l_within",
    "cv",
    "capital_ratio",
    "share_below",
    "mean_income",
)


def all_indicators(
    y: np.ndarray,
    w: np.ndarray,
    groups: np.ndarray,
    capital: int,
    threshold: float,
) -> dict[str, np.ndarray]:
    """Every indicator of :data:`INDICATORS` for incomes ``y`` (..., C), in one pass.

    The same formulas as the single functions above, sharing the weights, means and
    logarithms (the Monte Carlo's hot path); a test checks both give the same numbers.
    ``w`` may have fewer leading axes than ``y`` (e.g. (Y, C) for y of shape (S, Y, C)).
    """
    y = np.asarray(y)
    w = np.asarray(w, dtype=y.dtype)
    p = w / w.sum(axis=-1, keepdims=True)  # broadcasts against y; never materialised
    py = p * y
    mu = py.sum(axis=-1)
    r = y / mu[..., None]
    ln_r = np.log(r)
    theil_t_ = (py * ln_r).sum(axis=-1) / mu
    theil_l_ = -(p * ln_r).sum(axis=-1)
    dev = r - 1.0
    cv_ = np.sqrt((p * dev * dev).sum(axis=-1))
    below = (p * (y < threshold)).sum(axis=-1)
    # Gini via the Lorenz curve of regions sorted by income
    order = np.argsort(y, axis=-1)
    ys = np.take_along_axis(y, order, axis=-1)
    ps = np.take_along_axis(np.broadcast_to(p, y.shape), order, axis=-1)
    share = ps * ys / mu[..., None]
    lorenz = np.cumsum(share, axis=-1)
    gini_ = 1.0 - (ps * (2.0 * lorenz - share)).sum(axis=-1)
    # decomposition by group
    mat = _group_matrix(groups).astype(y.dtype)
    pg = p @ mat
    mug = (py @ mat) / pg
    ln_g = np.log(mug / mu[..., None])
    ln_i = ln_r - ln_g @ mat.T  # ln(y_i / mu_g(i))
    out = {
        "gini": gini_,
        "theil_t": theil_t_,
        "theil_l": theil_l_,
        "theil_t_between": (pg * mug * ln_g).sum(axis=-1) / mu,
        "theil_t_within": (py * ln_i).sum(axis=-1) / mu,
        "theil_l_between": -(pg * ln_g).sum(axis=-1),
        "theil_l_within": -(p * ln_i).sum(axis=-1),
        "cv": cv_,
        "share_below": below,
        "mean_income": mu,
    }
    if capital >= 0:
        mask = np.ones(y.shape[-1], dtype=bool)
        mask[capital] = False
        # the other regions' mean summed directly: (mu - p_cap y_cap) / (1 - p_cap)
        # cancels badly when the capital dominates total income
        rest = (py[..., mask]).sum(axis=-1) / p[..., mask].sum(axis=-1)
        out["capital_ratio"] = y[..., capital] / rest
    else:
        out["capital_ratio"] = np.full(mu.shape, np.nan)
    return {k: np.broadcast_to(out[k], mu.shape) for k in INDICATORS}
