"""Control charts of a factory's quality records, per production line, and their alerts.

Every quality sample records its size, the defective items and the defects by type.  Per
site and line, in date order:

* a **p chart** of the share of defective items (sample sizes may vary), and
* a **u chart** of defects per inspected item (all defect types together),

with limits estimated from the first ``baseline_n`` samples of each process version
(:func:`regdev.evaluation.spc.versioned_chart`): a process change (a line upgrade, a new
modernisation tier; dated records kept by the monitoring service) starts a new version
whose limits come from its own baseline.  Every signal becomes an :class:`Alert` naming
the rule that fired.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from regdev.evaluation import spc

__all__ = ["Alert", "LineCharts", "alerts", "line_charts"]


@dataclass(frozen=True)
class LineCharts:
    """The p and u charts of one site and line.

    Attributes
    ----------
    site_id : int
    region_id : str
    line : str
    dates : list of datetime.date
        Date of each sample (the charts' x axis).
    lots : list of str
    p, u : ChartResult
    changes : list of (date, reason)
        Process changes that started a new limit version.
    """

    site_id: int
    region_id: str
    line: str
    dates: list[dt.date]
    lots: list[str]
    p: spc.ChartResult
    u: spc.ChartResult
    changes: list[tuple[dt.date, str]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (points with limits, versions and the rules fired)."""

        def chart(c: spc.ChartResult) -> dict[str, Any]:
            pts = c.to_records()
            for p, d, lot in zip(pts, self.dates, self.lots, strict=True):
                p["date"] = d.isoformat()
                p["lot_code"] = lot
            return {
                "kind": c.kind,
                "points": pts,
                "versions": [
                    {
                        "version": v.version,
                        "start": self.dates[v.start].isoformat(),
                        "baseline_points": len(v.baseline),
                        "centre": v.centre,
                        "reason": v.reason,
                    }
                    for v in c.versions
                ],
            }

        return {
            "site_id": self.site_id,
            "region_id": self.region_id,
            "line": self.line,
            "p": chart(self.p),
            "u": chart(self.u),
        }


@dataclass(frozen=True)
class Alert:
    """An out-of-control signal on a line's chart."""

    site_id: int
    region_id: str
    line: str
    chart: str
    date: dt.date
    lot_code: str
    rule: str
    value: float

    @property
    def description(self) -> str:
        """The rule in words (English; translate with ``regdev.i18n._``)."""
        return spc.RULES.get(self.rule, self.rule)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "site_id": self.site_id,
            "region_id": self.region_id,
            "line": self.line,
            "chart": self.chart,
            "date": self.date.isoformat(),
            "lot_code": self.lot_code,
            "rule": self.rule,
            "description": self.description,
            "value": self.value,
        }


def _defect_count(d: Any) -> float:
    if isinstance(d, dict):
        return float(sum(float(v) for v in d.values() if isinstance(v, int | float)))
    return 0.0


def line_charts(
    quality: pd.DataFrame,
    *,
    changes: pd.DataFrame | None = None,
    baseline_n: int = 20,
    rules: Sequence[str] | str = "western_electric",
) -> list[LineCharts]:
    """P and u charts per site and line.

    Parameters
    ----------
    quality : pandas.DataFrame
        ``site_id, region_id, line, date, lot_code, sample_size, n_defective, defects``
        (``defects``: dict of counts by type).
    changes : pandas.DataFrame, optional
        Process changes ``site_id, line, date, reason``; a sample on or after ``date``
        belongs to the new version.
    baseline_n : int
        Samples that estimate each version's limits.
    rules : str or sequence of str
        Run rules (:data:`regdev.evaluation.spc.RULE_SETS`).
    """
    out: list[LineCharts] = []
    if quality.empty:
        return out
    q = quality.copy()
    q["date"] = pd.to_datetime(q["date"]).dt.date
    q = q[q["sample_size"] > 0]
    for (sid, line), grp in q.sort_values(["date", "lot_code"]).groupby(
        ["site_id", "line"], sort=True
    ):
        grp = grp.reset_index(drop=True)
        dates = list(grp["date"])
        ch: list[tuple[int, str]] = []
        ch_dates: list[tuple[dt.date, str]] = []
        if changes is not None and not changes.empty:
            mine = changes[(changes["site_id"] == sid) & (changes["line"] == line)]
            for d, reason in zip(pd.to_datetime(mine["date"]).dt.date, mine["reason"], strict=True):
                idx = int(np.searchsorted(np.array(dates, dtype="datetime64[D]"), np.datetime64(d)))
                if 0 < idx < len(dates):
                    ch.append((idx, str(reason)))
                    ch_dates.append((d, str(reason)))
        size = grp["sample_size"].to_numpy(dtype=float)
        ndef = np.minimum(grp["n_defective"].to_numpy(dtype=float), size)
        counts = np.array([_defect_count(d) for d in grp["defects"]])
        p = spc.versioned_chart(
            spc.p_chart,
            {"defectives": ndef, "sizes": size},
            changes=ch,
            baseline_n=baseline_n,
            rules=rules,
        )
        u = spc.versioned_chart(
            spc.u_chart,
            {"counts": counts, "units": size},
            changes=ch,
            baseline_n=baseline_n,
            rules=rules,
        )
        out.append(
            LineCharts(
                int(sid),
                str(grp["region_id"].iloc[0]),
                str(line),
                dates,
                [str(x) for x in grp["lot_code"]],
                p,
                u,
                ch_dates,
            )
        )
    return out


def alerts(charts: Sequence[LineCharts]) -> list[Alert]:
    """Every signal of every chart as an alert, newest first."""
    out = []
    for c in charts:
        for chart in (c.p, c.u):
            for s in chart.signals:
                out.append(
                    Alert(
                        c.site_id,
                        c.region_id,
                        c.line,
                        chart.kind,
                        c.dates[s.index],
                        c.lots[s.index],
                        s.rule,
                        float(chart.values[s.index]),
                    )
                )
    out.sort(key=lambda a: (a.date, a.site_id, a.line, a.chart, a.rule), reverse=True)
    return out
