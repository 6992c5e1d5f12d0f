"""Statistical process control: Shewhart charts, run rules, baseline limits, limit versions.

Charts (Montgomery, *Introduction to Statistical Quality Control*, 6th ed., Wiley 2009,
chapters 6 and 7; the formulas are the textbook's):

* :func:`p_chart` — fraction nonconforming, limits ``p ± 3 sqrt(p(1-p)/n_i)`` (per sample
  when sample sizes vary), LCL floored at 0;
* :func:`np_chart` — number nonconforming for a constant sample size, ``np ± 3 sqrt(np(1-p))``;
* :func:`c_chart` — nonconformities per inspection unit, ``c ± 3 sqrt(c)``;
* :func:`u_chart` — nonconformities per unit, ``u ± 3 sqrt(u / n_i)``;
* :func:`imr_chart` — individuals and moving range (span 2), ``x ± 3 MR/d2`` and
  ``D4 MR``;
* :func:`xbar_r_chart` — subgroup means and ranges, ``x ± A2 R`` and ``D3 R … D4 R``.

Phase I / phase II: limits are estimated from a *baseline* (by default the first
``baseline_n`` points of each version; points with assignable causes can be excluded, as
Montgomery does when revising limits) and then applied to every later point.  When the
process changes (a line upgrade, a new modernisation tier) a new *version* of the limits
starts at that point, with its own baseline: :func:`versioned_chart`.

Run rules (:data:`RULES`): the Western Electric rules (*Statistical Quality Control
Handbook*, Western Electric Co., 1956; Montgomery table 5.1) and Nelson's eight tests
(L. S. Nelson, "The Shewhart control chart — tests for special causes", *Journal of
Quality Technology* 16 (1984) 237-239).  A signal is reported at the point that completes
the pattern; the zone rules need that point itself to lie in the zone (as Minitab's tests
do).  Zones use ``sigma = (UCL - CL) / 3`` of each point, so they follow varying limits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from regdev.errors import ConfigError, DataValidationError
from regdev.i18n import N_

__all__ = [
    "CHART_KINDS",
    "RULES",
    "RULE_SETS",
    "SPC_CONSTANTS",
    "ChartResult",
    "LimitVersion",
    "Signal",
    "c_chart",
    "imr_chart",
    "np_chart",
    "p_chart",
    "run_rules",
    "u_chart",
    "versioned_chart",
    "xbar_r_chart",
]

FloatArray = npt.NDArray[np.float64]

#: Factors for subgroup sizes 2-10 as tabulated in Montgomery, appendix table VI:
#: ``n: (d2, A2, D3, D4)``; ``A2 = 3 / (d2 sqrt n)``, ``D3, D4 = 1 -+ 3 d3 / d2`` (D3 >= 0).
SPC_CONSTANTS: dict[int, tuple[float, float, float, float]] = {
    2: (1.128, 1.880, 0.0, 3.267),
    3: (1.693, 1.023, 0.0, 2.574),
    4: (2.059, 0.729, 0.0, 2.282),
    5: (2.326, 0.577, 0.0, 2.114),
    6: (2.534, 0.483, 0.0, 2.004),
    7: (2.704, 0.419, 0.076, 1.924),
    8: (2.847, 0.373, 0.136, 1.864),
    9: (2.970, 0.337, 0.184, 1.816),
    10: (3.078, 0.308, 0.223, 1.777),
}

#: Chart kinds: p, np, c, u, individuals (I) with moving range (MR), X-bar with range (R).
CHART_KINDS: tuple[str, ...] = ("p", "np", "c", "u", "imr", "xbar_r")

#: Run rules: id -> description (marked for translation).
RULES: dict[str, str] = {
    "WE1": N_("One point beyond the 3-sigma limits"),
    "WE2": N_("Two of three consecutive points beyond 2 sigma on the same side"),
    "WE3": N_("Four of five consecutive points beyond 1 sigma on the same side"),
    "WE4": N_("Eight consecutive points on the same side of the centre line"),
    "N1": N_("One point beyond the 3-sigma limits"),
    "N2": N_("Nine points in a row on the same side of the centre line"),
    "N3": N_("Six points in a row steadily increasing or decreasing"),
    "N4": N_("Fourteen points in a row alternating up and down"),
    "N5": N_("Two of three consecutive points beyond 2 sigma on the same side"),
    "N6": N_("Four of five consecutive points beyond 1 sigma on the same side"),
    "N7": N_("Fifteen points in a row within 1 sigma of the centre line"),
    "N8": N_("Eight points in a row beyond 1 sigma on either side"),
}
#: Named rule sets.
RULE_SETS: dict[str, tuple[str, ...]] = {
    "western_electric": ("WE1", "WE2", "WE3", "WE4"),
    "nelson": ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"),
    "limits": ("WE1",),
}


@dataclass(frozen=True)
class Signal:
    """An out-of-control signal: the point (0-based index), the rule that fired, the chart."""

    index: int
    rule: str
    chart: str = ""

    @property
    def description(self) -> str:
        """The rule in words (English; translate with ``regdev.i18n._``)."""
        return RULES.get(self.rule, self.rule)


@dataclass(frozen=True)
class LimitVersion:
    """Control limits of one process version, estimated from its baseline points."""

    version: int
    start: int
    baseline: tuple[int, ...]
    centre: float
    reason: str = ""


@dataclass(frozen=True)
class ChartResult:
    """One control chart: statistic, limits per point, signals, limit versions.

    Attributes
    ----------
    kind : str
        ``p``, ``np``, ``c``, ``u``, ``I``, ``MR``, ``xbar`` or ``R``.
    values : ndarray
        The plotted statistic.
    centre, lcl, ucl : ndarray
        Centre line and limits of each point.
    signals : list of Signal
    versions : list of LimitVersion
    version : ndarray of int
        Limit version of each point.
    """

    kind: str
    values: FloatArray
    centre: FloatArray
    lcl: FloatArray
    ucl: FloatArray
    signals: list[Signal] = field(default_factory=list)
    versions: list[LimitVersion] = field(default_factory=list)
    version: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def sigma(self) -> FloatArray:
        """One standard error of each point, ``(UCL - CL) / 3``."""
        return (self.ucl - self.centre) / 3.0

    @property
    def out_of_control(self) -> list[int]:
        """Indices of points with at least one signal."""
        return sorted({s.index for s in self.signals})

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per point (``rules`` lists the rules that fired there)."""
        fired: dict[int, list[str]] = {}
        for s in self.signals:
            fired.setdefault(s.index, []).append(s.rule)
        return [
            {
                "index": i,
                "value": _num(self.values[i]),
                "centre": _num(self.centre[i]),
                "lcl": _num(self.lcl[i]),
                "ucl": _num(self.ucl[i]),
                "version": int(self.version[i]) if self.version.size else 0,
                "rules": fired.get(i, []),
            }
            for i in range(len(self.values))
        ]


def _num(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


# ------------------------------------------------------------------------- run rules


def _same_side_count(above: FloatArray, below: FloatArray, i: int, n: int, need: int) -> bool:
    lo = max(i - n + 1, 0)  # at the start of a chart the window is the points so far
    if above[i] and above[lo : i + 1].sum() >= need:
        return True
    return bool(below[i] and below[lo : i + 1].sum() >= need)


def run_rules(
    values: Sequence[float] | FloatArray,
    centre: Sequence[float] | FloatArray,
    sigma: Sequence[float] | FloatArray,
    rules: Sequence[str] | str = "western_electric",
    *,
    lcl: Sequence[float] | FloatArray | None = None,
    ucl: Sequence[float] | FloatArray | None = None,
    chart: str = "",
) -> list[Signal]:
    """Apply run rules to a sequence of points.

    Parameters
    ----------
    values, centre, sigma : array-like
        The statistic, centre line and one standard error of each point.
    rules : str or sequence of str
        A key of :data:`RULE_SETS` or rule ids of :data:`RULES`.
    lcl, ucl : array-like, optional
        The actual limits (an attribute chart's LCL floored at 0); default ``CL ± 3 sigma``.
    chart : str
        Name recorded in the signals.

    Returns
    -------
    list of Signal
        Sorted by point, then rule.
    """
    ids = RULE_SETS[rules] if isinstance(rules, str) and rules in RULE_SETS else rules
    if isinstance(ids, str):
        ids = (ids,)
    unknown = [r for r in ids if r not in RULES]
    if unknown:
        msg = f"unknown run rules {unknown}; expected ids of {sorted(RULES)} or a set of {sorted(RULE_SETS)}"
        raise ConfigError(msg)
    x = np.asarray(values, dtype=float)
    cl = np.broadcast_to(np.asarray(centre, dtype=float), x.shape)
    sd = np.broadcast_to(np.asarray(sigma, dtype=float), x.shape)
    lo = cl - 3 * sd if lcl is None else np.broadcast_to(np.asarray(lcl, dtype=float), x.shape)
    hi = cl + 3 * sd if ucl is None else np.broadcast_to(np.asarray(ucl, dtype=float), x.shape)
    ok = np.isfinite(x) & np.isfinite(cl) & np.isfinite(sd)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(ok & (sd > 0), (x - cl) / np.where(sd > 0, sd, 1.0), 0.0)
    eps = 1e-12
    above = {0: ok & (x > cl), 1: ok & (z > 1), 2: ok & (z > 2)}
    below = {0: ok & (x < cl), 1: ok & (z < -1), 2: ok & (z < -2)}
    out: list[Signal] = []
    n = len(x)
    diff = np.diff(x)
    for i in range(n):
        if not ok[i]:
            continue
        for r in ids:
            hit = False
            if r in ("WE1", "N1"):
                hit = bool(x[i] > hi[i] + eps or x[i] < lo[i] - eps)
            elif r in ("WE2", "N5"):
                hit = _same_side_count(above[2], below[2], i, 3, 2)
            elif r in ("WE3", "N6"):
                hit = _same_side_count(above[1], below[1], i, 5, 4)
            elif r in ("WE4", "N2"):
                m = 8 if r == "WE4" else 9
                hit = i >= m - 1 and (
                    bool(above[0][i - m + 1 : i + 1].all())
                    or bool(below[0][i - m + 1 : i + 1].all())
                )
            elif r == "N3":  # six points in a row increasing or decreasing: five steps
                if i >= 5:
                    d = diff[i - 5 : i]
                    hit = bool((d > 0).all() or (d < 0).all())
            elif r == "N4":  # fourteen points alternating: 13 steps changing sign
                if i >= 13:
                    d = np.sign(diff[i - 13 : i])
                    hit = bool((d != 0).all() and (d[1:] * d[:-1] < 0).all())
            elif r == "N7":
                hit = i >= 14 and bool((ok[i - 14 : i + 1] & (np.abs(z[i - 14 : i + 1]) < 1)).all())
            elif r == "N8":
                hit = i >= 7 and bool((ok[i - 7 : i + 1] & (np.abs(z[i - 7 : i + 1]) > 1)).all())
            if hit:
                out.append(Signal(i, r, chart))
    return out


# ------------------------------------------------------------------------ baselines


def _as_array(values: Sequence[float] | FloatArray, name: str) -> FloatArray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        msg = f"{name} must be a non-empty 1-D sequence; got shape {arr.shape}"
        raise DataValidationError([msg])
    if not np.all(np.isfinite(arr)):
        msg = f"{name} must be finite numbers"
        raise DataValidationError([msg])
    return arr


def _baseline_mask(
    n: int, baseline: Sequence[int] | slice | None, exclude: Sequence[int] | None
) -> npt.NDArray[np.bool_]:
    mask = np.zeros(n, dtype=bool)
    if baseline is None:
        mask[:] = True
    elif isinstance(baseline, slice):
        mask[baseline] = True
    else:
        idx = np.asarray(list(baseline), dtype=int)
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            msg = f"baseline indices must be within 0 … {n - 1}"
            raise ConfigError(msg)
        mask[idx] = True
    for i in exclude or ():
        if 0 <= i < n:
            mask[i] = False
    if not mask.any():
        msg = "the baseline has no points left to estimate limits from"
        raise ConfigError(msg)
    return mask


def _finish(
    kind: str,
    values: FloatArray,
    centre: FloatArray,
    lcl: FloatArray,
    ucl: FloatArray,
    rules: Sequence[str] | str,
    *,
    base_idx: npt.NDArray[np.bool_],
    floor_zero: bool,
) -> ChartResult:
    lo = np.maximum(lcl, 0.0) if floor_zero else lcl
    sigma = (ucl - centre) / 3.0
    signals = run_rules(values, centre, sigma, rules, lcl=lo, ucl=ucl, chart=kind)
    version = LimitVersion(0, 0, tuple(int(i) for i in np.nonzero(base_idx)[0]), float(centre[0]))
    return ChartResult(
        kind,
        values,
        centre,
        lo,
        ucl,
        signals,
        [version],
        np.zeros(len(values), dtype=np.int64),
    )


def p_chart(
    defectives: Sequence[float],
    sizes: Sequence[float] | float,
    *,
    baseline: Sequence[int] | slice | None = None,
    exclude: Sequence[int] | None = None,
    rules: Sequence[str] | str = "western_electric",
) -> ChartResult:
    """Fraction-nonconforming chart (Montgomery section 7.2).

    ``p-bar = sum D_i / sum n_i`` over the baseline; limits ``p-bar ± 3 sqrt(p-bar (1 - p-bar) / n_i)``.
    """
    d = _as_array(defectives, "defectives")
    n = np.broadcast_to(np.asarray(sizes, dtype=float), d.shape).astype(float)
    if np.any(n <= 0) or np.any(d < 0) or np.any(d > n):
        msg = "p chart: sample sizes must be > 0 and 0 <= defectives <= size"
        raise DataValidationError([msg])
    base = _baseline_mask(len(d), baseline, exclude)
    pbar = d[base].sum() / n[base].sum()
    se = np.sqrt(pbar * (1 - pbar) / n)
    centre = np.full(len(d), pbar)
    return _finish(
        "p", d / n, centre, centre - 3 * se, centre + 3 * se, rules, base_idx=base, floor_zero=True
    )


def np_chart(
    defectives: Sequence[float],
    size: float,
    *,
    baseline: Sequence[int] | slice | None = None,
    exclude: Sequence[int] | None = None,
    rules: Sequence[str] | str = "western_electric",
) -> ChartResult:
    """Number-nonconforming chart for a constant sample size (Montgomery section 7.2.2)."""
    d = _as_array(defectives, "defectives")
    if size <= 0 or np.any(d < 0) or np.any(d > size):
        msg = "np chart: the sample size must be > 0 and 0 <= defectives <= size"
        raise DataValidationError([msg])
    base = _baseline_mask(len(d), baseline, exclude)
    pbar = d[base].mean() / size
    c = size * pbar
    se = np.sqrt(size * pbar * (1 - pbar))
    centre = np.full(len(d), c)
    return _finish(
        "np", d, centre, centre - 3 * se, centre + 3 * se, rules, base_idx=base, floor_zero=True
    )


def c_chart(
    counts: Sequence[float],
    *,
    baseline: Sequence[int] | slice | None = None,
    exclude: Sequence[int] | None = None,
    rules: Sequence[str] | str = "western_electric",
) -> ChartResult:
    """Nonconformities per inspection unit (Montgomery section 7.3.1): ``c-bar ± 3 sqrt(c-bar)``."""
    c = _as_array(counts, "counts")
    if np.any(c < 0):
        msg = "c chart: counts must be >= 0"
        raise DataValidationError([msg])
    base = _baseline_mask(len(c), baseline, exclude)
    cbar = c[base].mean()
    centre = np.full(len(c), cbar)
    se = np.sqrt(cbar)
    return _finish(
        "c", c, centre, centre - 3 * se, centre + 3 * se, rules, base_idx=base, floor_zero=True
    )


def u_chart(
    counts: Sequence[float],
    units: Sequence[float] | float,
    *,
    baseline: Sequence[int] | slice | None = None,
    exclude: Sequence[int] | None = None,
    rules: Sequence[str] | str = "western_electric",
) -> ChartResult:
    """Nonconformities per unit (Montgomery section 7.3.1): ``u-bar ± 3 sqrt(u-bar / n_i)``."""
    c = _as_array(counts, "counts")
    n = np.broadcast_to(np.asarray(units, dtype=float), c.shape).astype(float)
    if np.any(n <= 0) or np.any(c < 0):
        msg = "u chart: inspection units must be > 0 and counts >= 0"
        raise DataValidationError([msg])
    base = _baseline_mask(len(c), baseline, exclude)
    ubar = c[base].sum() / n[base].sum()
    se = np.sqrt(ubar / n)
    centre = np.full(len(c), ubar)
    return _finish(
        "u", c / n, centre, centre - 3 * se, centre + 3 * se, rules, base_idx=base, floor_zero=True
    )


def _factors(n: int) -> tuple[float, float, float, float]:
    if n not in SPC_CONSTANTS:
        msg = (
            f"subgroup size must be 2 … 10 for a range chart; got {n} "
            "(use an individuals chart for single values)"
        )
        raise ConfigError(msg)
    d2, a2, d3f, d4f = SPC_CONSTANTS[n]
    return d2, a2, d3f, d4f


def imr_chart(
    values: Sequence[float],
    *,
    baseline: Sequence[int] | slice | None = None,
    exclude: Sequence[int] | None = None,
    rules: Sequence[str] | str = "western_electric",
) -> tuple[ChartResult, ChartResult]:
    """Individuals and moving-range charts (Montgomery section 6.4), moving ranges of span 2.

    ``x-bar ± 3 MR-bar / d2`` with ``d2 = 1.128``; MR chart ``0 … D4 MR-bar``
    (``D4 = 3.267``).  The moving range of point ``i`` is ``|x_i - x_(i-1)|`` (none for
    the first point); MR-bar is taken over baseline points whose predecessor is in the
    baseline too.
    """
    x = _as_array(values, "values")
    if len(x) < 2:
        msg = "an individuals chart needs at least two values"
        raise DataValidationError([msg])
    base = _baseline_mask(len(x), baseline, exclude)
    mr = np.concatenate([[np.nan], np.abs(np.diff(x))])
    pair = base & np.concatenate([[False], base[:-1]])
    if not pair.any():
        msg = "the baseline needs two consecutive points for the moving range"
        raise ConfigError(msg)
    mrbar = float(np.nanmean(mr[pair]))
    d2, _, d3f, d4f = _factors(2)
    xbar = float(x[base].mean())
    centre = np.full(len(x), xbar)
    i_chart = _finish(
        "I",
        x,
        centre,
        centre - 3 * mrbar / d2,
        centre + 3 * mrbar / d2,
        rules,
        base_idx=base,
        floor_zero=False,
    )
    mcentre = np.full(len(x), mrbar)
    mr_signals = run_rules(
        mr,
        mcentre,
        np.full(len(x), (d4f * mrbar - mrbar) / 3.0),
        ("WE1",),
        lcl=np.full(len(x), d3f * mrbar),
        ucl=np.full(len(x), d4f * mrbar),
        chart="MR",
    )
    mr_chart = ChartResult(
        "MR",
        mr,
        mcentre,
        np.full(len(x), d3f * mrbar),
        np.full(len(x), d4f * mrbar),
        mr_signals,
        [LimitVersion(0, 0, tuple(int(i) for i in np.nonzero(pair)[0]), mrbar)],
        np.zeros(len(x), dtype=np.int64),
    )
    return i_chart, mr_chart


def xbar_r_chart(
    samples: Sequence[Sequence[float]] | FloatArray,
    *,
    baseline: Sequence[int] | slice | None = None,
    exclude: Sequence[int] | None = None,
    rules: Sequence[str] | str = "western_electric",
) -> tuple[ChartResult, ChartResult]:
    """X-bar and R charts for subgroups of equal size 2-10 (Montgomery section 6.2).

    ``x-double-bar ± A2 R-bar``; R chart ``D3 R-bar … D4 R-bar``.  Run rules apply to the
    X-bar chart; the R chart gets the limits rule.
    """
    arr = np.asarray(samples, dtype=float)
    if arr.ndim != 2 or arr.shape[0] == 0 or not np.all(np.isfinite(arr)):
        msg = f"samples must be a finite 2-D array (subgroups × size); got shape {arr.shape}"
        raise DataValidationError([msg])
    _, a2, d3f, d4f = _factors(arr.shape[1])
    base = _baseline_mask(arr.shape[0], baseline, exclude)
    means = arr.mean(axis=1)
    ranges = arr.max(axis=1) - arr.min(axis=1)
    xbb, rbar = float(means[base].mean()), float(ranges[base].mean())
    m = len(means)
    centre = np.full(m, xbb)
    xbar = _finish(
        "xbar",
        means,
        centre,
        centre - a2 * rbar,
        centre + a2 * rbar,
        rules,
        base_idx=base,
        floor_zero=False,
    )
    rc = np.full(m, rbar)
    r = _finish(
        "R",
        ranges,
        rc,
        np.full(m, d3f * rbar),
        np.full(m, d4f * rbar),
        ("WE1",),
        base_idx=base,
        floor_zero=True,
    )
    return xbar, r


# ------------------------------------------------------------------------- versions

ChartFn = Callable[..., ChartResult]


def versioned_chart(
    chart: ChartFn,
    data: dict[str, Any],
    *,
    changes: Sequence[tuple[int, str]] = (),
    baseline_n: int = 20,
    rules: Sequence[str] | str = "western_electric",
) -> ChartResult:
    """A chart whose limits are re-estimated after each process change.

    Parameters
    ----------
    chart : callable
        :func:`p_chart`, :func:`np_chart`, :func:`c_chart` or :func:`u_chart` (single-chart
        functions; for I-MR and X-bar-R call them per version).
    data : dict
        The chart's array arguments by name (e.g. ``{"defectives": d, "sizes": n}``); scalar
        arguments (``size`` of the np chart) are passed through unchanged.
    changes : sequence of (index, reason)
        First point of each new process version (a line upgrade, a new tier).
    baseline_n : int, default 20
        Points at the start of each version that estimate its limits (phase I).  Montgomery
        recommends 20-25 subgroups; a version with fewer points uses all it has.
    rules : str or sequence of str
        Run rules; runs do not cross a version boundary.

    Returns
    -------
    ChartResult
        With one :class:`LimitVersion` per version and the version of each point.
    """
    arrays = {k: np.asarray(v, dtype=float) for k, v in data.items() if np.ndim(v) == 1}
    scalars = {k: v for k, v in data.items() if np.ndim(v) == 0}
    if not arrays:
        msg = "versioned_chart needs at least one per-point array"
        raise ConfigError(msg)
    n = len(next(iter(arrays.values())))
    if baseline_n < 1:
        msg = f"baseline_n must be >= 1; got {baseline_n}"
        raise ConfigError(msg)
    starts = sorted({0, *(int(i) for i, _ in changes if 0 < int(i) < n)})
    reasons = {int(i): r for i, r in changes}
    bounds = [*starts, n]
    parts: list[ChartResult] = []
    for v, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        seg = {k: arr[a:b] for k, arr in arrays.items()}
        res = chart(**seg, **scalars, baseline=slice(0, min(baseline_n, b - a)), rules=rules)
        parts.append(res)
        del v
    values = np.concatenate([p.values for p in parts])
    signals: list[Signal] = []
    versions: list[LimitVersion] = []
    for v, (a, p) in enumerate(zip(starts, parts, strict=True)):
        signals += [Signal(s.index + a, s.rule, s.chart) for s in p.signals]
        base = p.versions[0]
        versions.append(
            LimitVersion(v, a, tuple(i + a for i in base.baseline), base.centre, reasons.get(a, ""))
        )
    version = np.concatenate(
        [np.full(len(p.values), v, dtype=np.int64) for v, p in enumerate(parts)]
    )
    return ChartResult(
        parts[0].kind,
        values,
        np.concatenate([p.centre for p in parts]),
        np.concatenate([p.lcl for p in parts]),
        np.concatenate([p.ucl for p in parts]),
        signals,
        versions,
        version,
    )
