"""Hand-written inline-SVG charts for the dashboard (no chart library, no script).

Every function is pure: numbers in, :class:`markupsafe.Markup` SVG out.  Each data
mark carries ``data-*`` attributes (category, series, value) and a ``<title>``
tooltip, so the charts are accessible and the browser tests can read them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["Series", "monthly_output_chart", "nice_ticks", "stacked_bars"]

_PALETTE = ("#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363", "#9ecae1", "#fd8d3c")


@dataclass(frozen=True)
class Series:
    """One named data series.

    Parameters
    ----------
    name : str
        Legend label.
    values : sequence of float
        One value per category (``NaN`` or ``None`` are drawn as gaps/zero).
    colour : str or None
        Fill colour; ``None`` picks from the palette by position.
    """

    name: str
    values: Sequence[float | None]
    colour: str | None = None


def nice_ticks(vmax: float, n: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``vmax`` (about ``n`` intervals).

    Examples
    --------
    >>> nice_ticks(87)
    [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
    >>> nice_ticks(0)
    [0.0, 1.0]
    """
    if not math.isfinite(vmax) or vmax <= 0:
        return [0.0, 1.0]
    raw = vmax / max(n, 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * mag >= raw)
    count = math.ceil(vmax / step - 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]


def _num(v: float | None) -> float:
    if v is None or not math.isfinite(v):
        return 0.0
    return float(v)


def _fmt(v: float) -> str:
    if abs(v - round(v)) < 1e-9:
        return f"{round(v):,}"
    return f"{v:,.1f}"


def _legend(series: Sequence[Series], x0: float, y: float, width: float) -> list[str]:
    out: list[str] = []
    x = x0
    for i, s in enumerate(series):
        colour = s.colour or _PALETTE[i % len(_PALETTE)]
        w = 22.0 + 6.2 * len(s.name)
        if x + w > width:
            break
        out.append(
            f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="10" height="10" fill="{colour}"/>'
            f'<text class="legend" x="{x + 14:.1f}" y="{y + 1:.1f}">{escape(s.name)}</text>'
        )
        x += w
    return out


def stacked_bars(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    width: float = 520.0,
    height: float = 240.0,
    horizontal: bool = False,
    y_max: float | None = None,
    unit: str = "",
) -> Markup:
    """Stacked bar chart, vertical (categories on x) or horizontal (on y).

    Parameters
    ----------
    categories : sequence of str
        Category labels (years, provinces, cohorts).
    series : sequence of Series
        Stacked from the first to the last; every ``values`` has ``len(categories)`` items.
    title : str
        Accessible title.
    width, height : float
        Canvas size in SVG units (the SVG scales with its container).
    horizontal : bool
        Draw horizontal bars (better for long labels such as province names).
    y_max : float or None
        Fixed value-axis maximum (e.g. 100 for percentages); default from the data.
    unit : str
        Suffix for tooltip values, e.g. ``"%"``.

    Raises
    ------
    ValueError
        If a series has a different length from ``categories``.
    """
    n = len(categories)
    for s in series:
        if len(s.values) != n:
            msg = f"series {s.name!r} has {len(s.values)} values; expected {n} (one per category)"
            raise ValueError(msg)
    totals = [sum(_num(s.values[i]) for s in series) for i in range(n)]
    ticks = nice_ticks(y_max if y_max is not None else max(totals, default=0.0))
    vmax = ticks[-1]
    label_w = max((len(c) for c in categories), default=4) * 6.5 + 8 if horizontal else 40.0
    left, right, top, bottom = label_w, 10.0, 26.0, 24.0 if not horizontal else 20.0
    pw, ph = width - left - right, height - top - bottom
    out = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}"'
        f' role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    out += _legend(series, left, 12.0, width)
    for t in ticks:
        frac = t / vmax
        if horizontal:
            x = left + frac * pw
            out.append(
                f'<line class="grid" x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{top + ph:.1f}"/>'
                f'<text class="tick" x="{x:.1f}" y="{height - 6:.1f}" text-anchor="middle">{_fmt(t)}</text>'
            )
        else:
            y = top + ph - frac * ph
            out.append(
                f'<line class="grid" x1="{left:.1f}" y1="{y:.1f}" x2="{left + pw:.1f}" y2="{y:.1f}"/>'
                f'<text class="tick" x="{left - 4:.1f}" y="{y + 4:.1f}" text-anchor="end">{_fmt(t)}</text>'
            )
    band = (ph if horizontal else pw) / max(n, 1)
    bar = band * 0.7
    for i, cat in enumerate(categories):
        acc = 0.0
        c0 = (top if horizontal else left) + i * band + (band - bar) / 2
        for j, s in enumerate(series):
            v = _num(s.values[i])
            colour = s.colour or _PALETTE[j % len(_PALETTE)]
            if v > 0:
                a0, a1 = acc / vmax, (acc + v) / vmax
                if horizontal:
                    geom = f'x="{left + a0 * pw:.1f}" y="{c0:.1f}" width="{(a1 - a0) * pw:.1f}" height="{bar:.1f}"'
                else:
                    geom = f'x="{c0:.1f}" y="{top + ph - a1 * ph:.1f}" width="{bar:.1f}" height="{(a1 - a0) * ph:.1f}"'
                out.append(
                    f'<rect {geom} fill="{colour}" data-category="{escape(cat)}"'
                    f' data-series="{escape(s.name)}" data-value="{v:g}">'
                    f"<title>{escape(cat)} · {escape(s.name)}: {_fmt(v)}{escape(unit)}</title></rect>"
                )
            acc += v
        if horizontal:
            out.append(
                f'<text class="tick" x="{left - 4:.1f}" y="{c0 + bar / 2 + 4:.1f}" text-anchor="end">{escape(cat)}</text>'
            )
        else:
            out.append(
                f'<text class="tick" x="{c0 + bar / 2:.1f}" y="{height - 8:.1f}" text-anchor="middle">{escape(cat)}</text>'
            )
    out.append("</svg>")
    return Markup("".join(out))


def monthly_output_chart(
    months: Sequence[str],
    output: Sequence[float | None],
    capacity: Sequence[float | None],
    *,
    title: str,
    unit: str = "t",
    width: float = 560.0,
    height: float = 220.0,
) -> Markup:
    """Monthly output (bars) against capacity (step line), with capacity use in tooltips.

    Parameters
    ----------
    months : sequence of str
        Month labels ``"YYYY-MM"`` in order.
    output, capacity : sequence of float or None
        Output and capacity per month in ``unit``; ``None`` for no report.
    title : str
        Accessible title.
    unit : str
        Unit label for tooltips and the axis.
    width, height : float
        Canvas size in SVG units.

    Raises
    ------
    ValueError
        If the three sequences differ in length.
    """
    n = len(months)
    if len(output) != n or len(capacity) != n:
        msg = f"months, output and capacity must have equal length; got {n}, {len(output)}, {len(capacity)}"
        raise ValueError(msg)
    vmax = max([_num(v) for v in output] + [_num(v) for v in capacity] + [0.0])
    ticks = nice_ticks(vmax)
    top_v = ticks[-1]
    left, right, top, bottom = 52.0, 10.0, 26.0, 30.0
    pw, ph = width - left - right, height - top - bottom
    out = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}"'
        f' role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    out += _legend(
        [Series(f"output ({unit})", [], _PALETTE[0]), Series("capacity", [], "#222")],
        left,
        12.0,
        width,
    )
    for t in ticks:
        y = top + ph - t / top_v * ph
        out.append(
            f'<line class="grid" x1="{left:.1f}" y1="{y:.1f}" x2="{left + pw:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{left - 4:.1f}" y="{y + 4:.1f}" text-anchor="end">{_fmt(t)}</text>'
        )
    band = pw / max(n, 1)
    bar = band * 0.7
    step = max(1, math.ceil(n / 12))
    cap_pts: list[str] = []
    for i, month in enumerate(months):
        x0 = left + i * band
        out_v, cap_v = output[i], capacity[i]
        if out_v is not None and math.isfinite(out_v):
            h = _num(out_v) / top_v * ph
            use = f", capacity use {100 * out_v / cap_v:.0f}%" if cap_v else ""
            out.append(
                f'<rect class="output" x="{x0 + (band - bar) / 2:.1f}" y="{top + ph - h:.1f}"'
                f' width="{bar:.1f}" height="{h:.1f}" fill="{_PALETTE[0]}"'
                f' data-month="{escape(month)}" data-value="{out_v:g}">'
                f"<title>{escape(month)}: {_fmt(out_v)} {escape(unit)}{use}</title></rect>"
            )
        if cap_v is not None and math.isfinite(cap_v):
            y = top + ph - _num(cap_v) / top_v * ph
            cap_pts.append(f"{x0:.1f},{y:.1f} {x0 + band:.1f},{y:.1f}")
        elif cap_pts:
            out.append(f'<polyline class="capacity" points="{" ".join(cap_pts)}"/>')
            cap_pts = []
        if i % step == 0:
            out.append(
                f'<text class="tick" x="{x0 + band / 2:.1f}" y="{height - 12:.1f}" text-anchor="middle">{escape(month)}</text>'
            )
    if cap_pts:
        out.append(f'<polyline class="capacity" points="{" ".join(cap_pts)}"/>')
    if n == 0:
        out.append(
            f'<text class="empty" x="{width / 2:.1f}" y="{height / 2:.1f}" text-anchor="middle">no reports yet</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))
