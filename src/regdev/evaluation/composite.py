"""Composite indicators after the OECD/JRC *Handbook on Constructing Composite Indicators* (2008).

The handbook's steps, each a documented, configurable choice here:

1. **Indicator set** — :class:`Indicator` (key, label, direction, nominal weight, what it
   measures); :data:`EMULATION_INDICATORS` is the emulation drive's set.
2. **Normalisation** — :data:`NORMALISATIONS`: ``minmax`` (rescaling to 0-1), ``zscore``
   (standardisation), ``rank`` (ranking, scaled to 0-1) and ``target`` (distance to the best
   value: value / best).  Normalisation is *pooled over all periods* (one minimum and maximum
   per indicator for the whole panel, handbook section 5), so scores of different years are
   comparable and a change in score is a change in performance, not in the reference.
3. **Weighting** — nominal weights of the indicators (equal by default, handbook 6.1).
4. **Aggregation** — ``linear`` (weighted arithmetic mean, fully compensatory) or
   ``geometric`` (weighted geometric mean, less compensatory; values are first rescaled to
   1-100 because it needs positive values, handbook 6.2).  A missing indicator value is left
   out of a unit's aggregate and the remaining weights are rescaled to sum to one
   (handbook 4, "case deletion" at indicator level), so a county without surveys is not
   scored zero on satisfaction.

Ranks are never shown bare: :func:`rank_intervals` runs the handbook's uncertainty analysis
(section 7; Saisana, Saltelli and Tarantola, *J. R. Stat. Soc. A* 168 (2005) 307-323):
Monte Carlo draws of the weights (each nominal weight perturbed uniformly within
+-``weight_spread``, 25 % by default as in the JRC statistical audits of composite indices),
of the normalisation and of the aggregation rule; the result is each unit's median rank and
its 5th-95th percentile rank interval.  Draws come from one ``numpy.random.Generator`` seeded
once: the same seed gives the same intervals.

Also: delta ranking (most improved between two periods, as India's Aspirational Districts
programme ranks districts on incremental progress), peer groups, "learn from" pairing and the
contribution of each indicator to a change of score.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from regdev.errors import ConfigError, DataValidationError
from regdev.i18n import N_

__all__ = [
    "AGGREGATIONS",
    "EMULATION_INDICATORS",
    "NORMALISATIONS",
    "CompositeMethod",
    "Indicator",
    "RankIntervals",
    "composite_scores",
    "delta_ranking",
    "draw_plan",
    "learn_from",
    "normalise",
    "rank_intervals",
]

FloatArray = npt.NDArray[np.float64]

#: Normalisation methods (handbook section 5).
NORMALISATIONS: tuple[str, ...] = ("minmax", "zscore", "rank", "target")
#: Aggregation rules (handbook section 6.2).
AGGREGATIONS: tuple[str, ...] = ("linear", "geometric")


@dataclass(frozen=True)
class Indicator:
    """One indicator of a composite.

    Parameters
    ----------
    key : str
        Column name in the panel.
    label : str
        Human name (marked for translation).
    direction : int
        ``+1`` when more is better, ``-1`` when less is better.
    weight : float
        Nominal weight (any positive scale; rescaled to sum to one).
    description : str
        What it measures and from which records.
    """

    key: str
    label: str
    direction: int = 1
    weight: float = 1.0
    description: str = ""

    def __post_init__(self) -> None:
        """Check the direction and weight."""
        if self.direction not in (1, -1):
            msg = f"indicator {self.key!r}: direction must be +1 or -1; got {self.direction!r}"
            raise ConfigError(msg)
        if not (self.weight > 0 and np.isfinite(self.weight)):
            msg = f"indicator {self.key!r}: weight must be a positive number; got {self.weight!r}"
            raise ConfigError(msg)


#: The emulation drive's indicators (equal nominal weights; see docs/evaluation.md).
EMULATION_INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "output_vs_plan",
        N_("Output against plan"),
        1,
        1.0,
        N_("Recorded output / recorded capacity of the lines (the planned capacity)"),
    ),
    Indicator(
        "quality",
        N_("Quality"),
        1,
        1.0,
        N_("1 - share of defective items in quality samples"),
    ),
    Indicator(
        "satisfaction",
        N_("Customer satisfaction"),
        1,
        1.0,
        N_("Mean survey score (0-10)"),
    ),
    Indicator(
        "range_growth",
        N_("Product-range growth"),
        1,
        1.0,
        N_("Distinct lines reported in the period / in the previous period"),
    ),
    Indicator(
        "self_sufficiency",
        N_("Raw-material self-sufficiency"),
        1,
        1.0,
        N_("Local raw material / all raw material received"),
    ),
    Indicator(
        "timeliness",
        N_("Timeliness of reports"),
        1,
        1.0,
        N_("Line-months with a production report / line-months due"),
    ),
)


@dataclass(frozen=True)
class CompositeMethod:
    """The nominal choices of a composite (handbook steps 2-4).

    Parameters
    ----------
    normalisation : str, default ``"minmax"``
        One of :data:`NORMALISATIONS`.
    aggregation : str, default ``"linear"``
        One of :data:`AGGREGATIONS`.
    weights : mapping, optional
        Nominal weight per indicator key (overrides :attr:`Indicator.weight`).
    """

    normalisation: str = "minmax"
    aggregation: str = "linear"
    weights: Mapping[str, float] = field(default_factory=dict)

    def check(self) -> None:
        """Raise :class:`ConfigError` for an unknown normalisation or aggregation."""
        if self.normalisation not in NORMALISATIONS:
            msg = f"normalisation must be one of {', '.join(NORMALISATIONS)}; got {self.normalisation!r}"
            raise ConfigError(msg)
        if self.aggregation not in AGGREGATIONS:
            msg = f"aggregation must be one of {', '.join(AGGREGATIONS)}; got {self.aggregation!r}"
            raise ConfigError(msg)


# ----------------------------------------------------------------------------- panel


def _panel_array(
    panel: pd.DataFrame, indicators: Sequence[Indicator]
) -> tuple[FloatArray, list[str], list[object]]:
    """``(T, N, K)`` array of a panel indexed by ``(unit, period)``; NaN where missing."""
    if not isinstance(panel.index, pd.MultiIndex) or panel.index.nlevels != 2:
        msg = "the panel must be indexed by (unit, period)"
        raise DataValidationError([msg])
    keys = [ind.key for ind in indicators]
    missing = [k for k in keys if k not in panel.columns]
    if missing:
        msg = f"the panel lacks indicator columns {missing}; it has {list(panel.columns)}"
        raise DataValidationError([msg])
    if panel.index.has_duplicates:
        msg = "the panel has duplicate (unit, period) rows"
        raise DataValidationError([msg])
    units = sorted({str(u) for u in panel.index.get_level_values(0)})
    periods = sorted(set(panel.index.get_level_values(1)))
    full = pd.MultiIndex.from_product([units, periods])
    frame = panel[keys].copy()
    frame.index = pd.MultiIndex.from_arrays(
        [frame.index.get_level_values(0).astype(str), frame.index.get_level_values(1)]
    )
    arr = frame.reindex(full).to_numpy(dtype=float)
    arr = arr.reshape(len(units), len(periods), len(keys)).transpose(1, 0, 2).copy()
    arr[~np.isfinite(arr)] = np.nan
    return np.ascontiguousarray(arr), units, periods


def normalise(values: FloatArray, directions: Sequence[int], method: str) -> FloatArray:
    """Normalise a ``(T, N, K)`` array per indicator, pooled over periods and units.

    Parameters
    ----------
    values : ndarray, shape (T, N, K)
        Raw indicator values (NaN where missing).
    directions : sequence of int
        ``+1`` / ``-1`` per indicator; after normalisation more is always better.
    method : str
        One of :data:`NORMALISATIONS`.

    Returns
    -------
    ndarray, shape (T, N, K)
        ``minmax``, ``rank`` and ``target`` give values in 0-1; ``zscore`` has mean 0 and
        standard deviation 1.  An indicator that does not vary gives 0.5 (0 for ``zscore``).
    """
    if method not in NORMALISATIONS:
        msg = f"normalisation must be one of {', '.join(NORMALISATIONS)}; got {method!r}"
        raise ConfigError(msg)
    x = values * np.asarray(directions, dtype=float)
    flat = x.reshape(-1, x.shape[-1])
    out = np.full_like(flat, np.nan)
    for k in range(flat.shape[1]):
        col = flat[:, k]
        ok = np.isfinite(col)
        if not ok.any():
            continue
        v = col[ok]
        lo, hi = float(v.min()), float(v.max())
        if method == "minmax":
            out[ok, k] = (v - lo) / (hi - lo) if hi > lo else 0.5
        elif method == "zscore":
            sd = float(v.std())
            out[ok, k] = (v - v.mean()) / sd if sd > 0 else 0.0
        elif method == "rank":
            r = pd.Series(v).rank(method="average").to_numpy()
            out[ok, k] = (r - 1) / (len(v) - 1) if len(v) > 1 else 0.5
        else:  # target: share of the best value (after shifting so the worst is 0)
            out[ok, k] = (v - lo) / (hi - lo) if hi > lo else 1.0
    result: FloatArray = out.reshape(x.shape)
    return result


def _weights(indicators: Sequence[Indicator], method: CompositeMethod) -> FloatArray:
    unknown = sorted(set(method.weights) - {i.key for i in indicators})
    if unknown:
        msg = f"weights given for unknown indicators {unknown}"
        raise ConfigError(msg)
    w = np.array([float(method.weights.get(i.key, i.weight)) for i in indicators])
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        msg = f"weights must be non-negative numbers with a positive sum; got {w.tolist()}"
        raise ConfigError(msg)
    result: FloatArray = w / w.sum()
    return result


def _positive(norm: FloatArray) -> FloatArray:
    """Rescale each indicator to 1-100 (pooled) for the geometric mean."""
    flat = norm.reshape(-1, norm.shape[-1])
    lo = np.nanmin(np.where(np.isfinite(flat), flat, np.inf), axis=0)
    hi = np.nanmax(np.where(np.isfinite(flat), flat, -np.inf), axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    result: FloatArray = 1.0 + 99.0 * (norm - lo) / span
    return result


def _aggregate(norm: FloatArray, weights: FloatArray, aggregation: str) -> FloatArray:
    """Scores ``(D, T, N)`` for weight draws ``(D, K)`` (missing values renormalised away)."""
    mask = np.isfinite(norm)
    filled = np.where(mask, norm, 0.0)
    den = np.einsum("tnk,dk->dtn", mask.astype(float), weights)
    if aggregation == "linear":
        num = np.einsum("tnk,dk->dtn", filled, weights)
        with np.errstate(invalid="ignore", divide="ignore"):
            lin: FloatArray = np.where(den > 0, num / den, np.nan)
        return lin
    logs = np.where(mask, np.log(np.where(mask, _positive(norm), 1.0)), 0.0)
    num = np.einsum("tnk,dk->dtn", logs, weights)
    with np.errstate(invalid="ignore", divide="ignore"):
        geo: FloatArray = np.where(den > 0, np.exp(num / den), np.nan)
    return geo


def composite_scores(
    panel: pd.DataFrame,
    indicators: Sequence[Indicator] = EMULATION_INDICATORS,
    method: CompositeMethod | None = None,
) -> pd.DataFrame:
    """Composite score per ``(unit, period)`` with the nominal method.

    Returns
    -------
    pandas.DataFrame
        Indexed like the panel (all unit × period combinations), columns ``score`` (0-1
        for min-max/rank/target with linear aggregation), ``rank`` (1 = best within the
        period, ordinal), and ``norm_<key>`` per indicator (the normalised values).
    """
    method = method or CompositeMethod()
    method.check()
    arr, units, periods = _panel_array(panel, indicators)
    norm = normalise(arr, [i.direction for i in indicators], method.normalisation)
    w = _weights(indicators, method)
    score = _aggregate(norm, w[None, :], method.aggregation)[0]
    ranks = _ranks(score[None])[0]
    idx = pd.MultiIndex.from_product([units, periods], names=["unit", "period"])
    out = pd.DataFrame(
        {
            "score": score.T.reshape(-1),
            "rank": ranks.T.reshape(-1),
        },
        index=idx,
    )
    for k, ind in enumerate(indicators):
        out[f"norm_{ind.key}"] = norm[:, :, k].T.reshape(-1)
    return out


def _ranks(scores: FloatArray) -> FloatArray:
    """Ordinal ranks (1 = highest score) along the last axis; NaN scores rank last, NaN."""
    filled = np.where(np.isfinite(scores), scores, -np.inf)
    order = np.argsort(-filled, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, scores.shape[-1] + 1), axis=-1)
    out = ranks.astype(float)
    out[~np.isfinite(scores)] = np.nan
    return out


@dataclass(frozen=True)
class RankIntervals:
    """Result of :func:`rank_intervals`.

    Attributes
    ----------
    table : pandas.DataFrame
        Indexed by ``(unit, period)``: ``score`` and ``rank`` (nominal method),
        ``rank_median``, ``rank_p05``, ``rank_p95`` (Monte Carlo), ``n_ranked``.
    n_draws : int
    seed : int or None
    """

    table: pd.DataFrame
    n_draws: int
    seed: int | None


def draw_plan(
    nominal: FloatArray,
    *,
    n_draws: int,
    weight_spread: float,
    n_normalisations: int,
    n_aggregations: int,
    seed: int | None,
) -> tuple[FloatArray, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The Monte Carlo draws of :func:`rank_intervals`.

    Weights ``(D, K)`` (rows sum to one) and the index of the normalisation and of the
    aggregation of each draw, all from one generator seeded with ``seed``.
    """
    rng = np.random.default_rng(seed)
    k = len(nominal)
    draws = nominal[None, :] * rng.uniform(1 - weight_spread, 1 + weight_spread, size=(n_draws, k))
    draws /= draws.sum(axis=1, keepdims=True)
    pick_n = rng.integers(0, n_normalisations, size=n_draws)
    pick_a = rng.integers(0, n_aggregations, size=n_draws)
    return draws, pick_n, pick_a


def rank_intervals(
    panel: pd.DataFrame,
    indicators: Sequence[Indicator] = EMULATION_INDICATORS,
    method: CompositeMethod | None = None,
    *,
    n_draws: int = 1000,
    weight_spread: float = 0.25,
    normalisations: Sequence[str] = ("minmax", "zscore", "rank"),
    aggregations: Sequence[str] = ("linear", "geometric"),
    seed: int | None = 0,
    quantiles: tuple[float, float] = (0.05, 0.95),
) -> RankIntervals:
    """Ranks with uncertainty: Monte Carlo over weights, normalisation and aggregation.

    Parameters
    ----------
    panel : pandas.DataFrame
        Indexed by ``(unit, period)`` with one column per indicator.
    indicators : sequence of Indicator
        The indicator set (nominal weights and directions).
    method : CompositeMethod, optional
        The nominal method (the ``score`` and ``rank`` columns).
    n_draws : int, default 1000
        Monte Carlo draws.
    weight_spread : float, default 0.25
        Each weight is drawn uniformly within nominal × (1 ± spread), then rescaled.
    normalisations, aggregations : sequence of str
        The alternatives drawn with equal probability.
    seed : int or None, default 0
        Seed of the one generator of the draws.
    quantiles : (float, float)
        Lower and upper quantile of the rank interval.

    Returns
    -------
    RankIntervals
    """
    method = method or CompositeMethod()
    method.check()
    if n_draws < 1:
        msg = f"n_draws must be >= 1; got {n_draws}"
        raise ConfigError(msg)
    if not 0 <= weight_spread < 1:
        msg = f"weight_spread must be in [0, 1); got {weight_spread}"
        raise ConfigError(msg)
    for n in normalisations:
        CompositeMethod(normalisation=n).check()
    for a in aggregations:
        CompositeMethod(aggregation=a).check()
    if not normalisations or not aggregations:
        msg = "at least one normalisation and one aggregation are needed"
        raise ConfigError(msg)
    arr, units, periods = _panel_array(panel, indicators)
    dirs = [i.direction for i in indicators]
    draws, pick_n, pick_a = draw_plan(
        _weights(indicators, method),
        n_draws=n_draws,
        weight_spread=weight_spread,
        n_normalisations=len(normalisations),
        n_aggregations=len(aggregations),
        seed=seed,
    )
    scores = np.empty((n_draws, len(periods), len(units)))
    for i, norm_name in enumerate(normalisations):
        norm = normalise(arr, dirs, norm_name)
        for j, agg in enumerate(aggregations):
            sel = np.nonzero((pick_n == i) & (pick_a == j))[0]
            if sel.size:
                scores[sel] = _aggregate(norm, draws[sel], agg)
    ranks = _ranks(scores)
    lo_q, hi_q = quantiles
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # units without a score: all-NaN slices
        med = np.nanmedian(ranks, axis=0)
        lo = np.nanquantile(ranks, lo_q, axis=0, method="inverted_cdf")
        hi = np.nanquantile(ranks, hi_q, axis=0, method="inverted_cdf")
    nominal = composite_scores(panel, indicators, method)
    n_ranked = np.isfinite(nominal["score"].to_numpy().reshape(len(units), len(periods))).sum(
        axis=0
    )
    table = nominal[["score", "rank"]].copy()
    table["rank_median"] = med.T.reshape(-1)
    table["rank_p05"] = lo.T.reshape(-1)
    table["rank_p95"] = hi.T.reshape(-1)
    table["n_ranked"] = np.tile(n_ranked, len(units))
    return RankIntervals(table=table, n_draws=n_draws, seed=seed)


def delta_ranking(
    panel: pd.DataFrame,
    start: object,
    end: object,
    indicators: Sequence[Indicator] = EMULATION_INDICATORS,
    method: CompositeMethod | None = None,
) -> pd.DataFrame:
    """Most improved units between two periods, with the contribution of each indicator.

    The score is the nominal composite (pooled normalisation, so the two periods share one
    scale).  With weights ``w~`` rescaled over each unit's available indicators, the score is
    ``sum_k w~_k x_k``; ``contrib_<key> = w~_k,end x_k,end - w~_k,start x_k,start`` for linear
    aggregation, and the contributions add up to ``delta_score`` exactly.  For geometric
    aggregation the contributions are those of the log-score, scaled to add up to the change.

    Returns
    -------
    pandas.DataFrame
        Indexed by unit, sorted by ``delta_score`` (most improved first): ``score_start``,
        ``score_end``, ``delta_score``, ``rank_start``, ``rank_end``, ``rank_change``
        (positive = moved up), ``delta_rank`` (1 = most improved) and ``contrib_<key>``.
    """
    method = method or CompositeMethod()
    method.check()
    scores = composite_scores(panel, indicators, method)
    periods = scores.index.get_level_values("period")
    for p in (start, end):
        if p not in set(periods):
            msg = f"period {p!r} is not in the panel (periods: {sorted(set(periods))})"
            raise ConfigError(msg)
    a = scores.xs(start, level="period")
    b = scores.xs(end, level="period")
    w = _weights(indicators, method)
    keys = [i.key for i in indicators]
    na = a[[f"norm_{k}" for k in keys]].to_numpy()
    nb = b[[f"norm_{k}" for k in keys]].to_numpy()

    def parts(n: FloatArray) -> FloatArray:
        m = np.isfinite(n)
        ww = np.where(m, w[None, :], 0.0)
        s = ww.sum(axis=1, keepdims=True)
        ww = np.divide(ww, s, out=np.zeros_like(ww), where=s > 0)
        if method.aggregation == "linear":
            return np.where(m, ww * np.where(m, n, 0.0), 0.0)
        return np.where(m, ww * np.log(np.where(m, _positive(n[None])[0], 1.0)), 0.0)

    pa, pb = parts(na), parts(nb)
    out = pd.DataFrame(index=a.index)
    out["score_start"] = a["score"]
    out["score_end"] = b["score"]
    out["delta_score"] = b["score"] - a["score"]
    out["rank_start"] = a["rank"]
    out["rank_end"] = b["rank"]
    out["rank_change"] = a["rank"] - b["rank"]
    diff = pb - pa
    if method.aggregation == "geometric":
        total = diff.sum(axis=1, keepdims=True)
        scale = np.divide(
            out["delta_score"].to_numpy()[:, None],
            total,
            out=np.zeros_like(total),
            where=total != 0,
        )
        diff = diff * scale
    for j, key in enumerate(keys):
        out[f"contrib_{key}"] = diff[:, j]
    both = np.isfinite(out["delta_score"].to_numpy())
    for key in keys:
        out.loc[~both, f"contrib_{key}"] = np.nan
    out["delta_rank"] = out["delta_score"].rank(ascending=False, method="min")
    out.index.name = "unit"
    return out.sort_values(["delta_score"], ascending=False, na_position="last")


def learn_from(
    scores: pd.DataFrame,
    indicators: Sequence[Indicator] = EMULATION_INDICATORS,
    *,
    peer_group: Mapping[str, str] | None = None,
    context: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """For each unit and indicator: the most similar peer that does better, and what differs.

    Similarity is the Euclidean distance between units over the standardised columns of
    ``context`` (structural facts such as population, months operating, number of lines);
    without context, over the unit's normalised indicator values (units alike overall).
    Candidates are the units of the same peer group (all units when ``peer_group`` is not
    given) with a higher normalised value of that indicator.

    Parameters
    ----------
    scores : pandas.DataFrame
        One period of :func:`composite_scores` (indexed by unit, ``norm_<key>`` columns).
    indicators : sequence of Indicator
    peer_group : mapping, optional
        Peer group per unit.
    context : pandas.DataFrame, optional
        Numeric facts per unit (index: unit).

    Returns
    -------
    pandas.DataFrame
        Columns ``unit``, ``indicator``, ``partner``, ``own``, ``partner_value``, ``gap``,
        ``distance``, ``differs`` (the two context facts or indicators that differ most,
        as ``name: own -> partner``).  Units already best in their group on an
        indicator get no row for it.
    """
    units = [str(u) for u in scores.index]
    norm_cols = [f"norm_{i.key}" for i in indicators]
    vals = scores[norm_cols].to_numpy(dtype=float)
    if context is not None:
        ctx = context.reindex(units).astype(float)
        names = [str(c) for c in ctx.columns]
        raw = ctx.to_numpy()
    else:
        names = [i.key for i in indicators]
        raw = vals
    has = np.isfinite(raw).any(axis=0)
    safe = np.where(has[None, :], raw, 0.0)
    sd = np.nanstd(safe, axis=0)
    sd[~(sd > 0)] = 1.0
    z = (raw - np.nanmean(safe, axis=0)) / sd
    z = np.where(np.isfinite(z), z, 0.0)
    dist = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(axis=2))
    groups = np.array([(peer_group or {}).get(u, "") for u in units])
    rows = []
    for i, unit in enumerate(units):
        same = groups == groups[i]
        same[i] = False
        for k, ind in enumerate(indicators):
            own = vals[i, k]
            if not np.isfinite(own):
                continue
            better = same & np.isfinite(vals[:, k]) & (vals[:, k] > own + 1e-12)
            if not better.any():
                continue
            cand = np.nonzero(better)[0]
            j = int(cand[np.argmin(dist[i, cand])])
            delta = np.abs(z[j] - z[i])
            top = np.argsort(-delta)[:2]
            differs = "; ".join(
                f"{names[t]}: {_fmt(raw[i, t])} -> {_fmt(raw[j, t])}" for t in top if delta[t] > 0
            )
            rows.append(
                {
                    "unit": unit,
                    "indicator": ind.key,
                    "partner": units[j],
                    "own": float(own),
                    "partner_value": float(vals[j, k]),
                    "gap": float(vals[j, k] - own),
                    "distance": float(dist[i, j]),
                    "differs": differs,
                }
            )
    cols = ["unit", "indicator", "partner", "own", "partner_value", "gap", "distance", "differs"]
    return pd.DataFrame(rows, columns=cols)


def _fmt(v: float) -> str:
    if not np.isfinite(v):
        return "n/a"
    return f"{v:.3g}"
