"""Compare two plan folders: what moved, what was added or dropped, cost and coverage.

:func:`compare_plans` reads the ``schedule.csv`` of two plan folders (A, the reference, and
B, the alternative) and returns a :class:`PlanComparison` of DataFrames:

``moved``
    Projects (region × facility) in both plans but in different years: ``year_a``,
    ``year_b`` and ``shift`` (B − A, years; negative = earlier in B).
``added`` / ``dropped``
    Projects only in B / only in A.
``cost_per_year``
    Total cost per year in A and B and the difference B − A (the units of the plans'
    ``cost`` column, million cost units in the shipped scenario).
``coverage``
    Per facility type: regions served, the year by which half of them and all of them have
    it (``half_year_*``, ``full_year_*``), in A and B.

:meth:`PlanComparison.to_html` renders it as an HTML fragment (headings and column names in
the current language, no script, no URL) for a report section or a page.

Examples
--------
>>> import pandas as pd
>>> from regdev.reporting.compare import compare_schedules
>>> a = pd.DataFrame({"region_id": ["R1", "R2"], "facility": ["hospital"] * 2,
...                   "year": [2026, 2027], "cost": [1.0, 2.0]})
>>> b = a.assign(year=[2026, 2029])
>>> compare_schedules(a, b).moved[["region_id", "year_a", "year_b", "shift"]].to_dict("records")
[{'region_id': 'R2', 'year_a': 2027, 'year_b': 2029, 'shift': 2}]
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from regdev.errors import DataValidationError, NotFoundError, Problem
from regdev.i18n import N_, _, current_language, use_language

if TYPE_CHECKING:
    from regdev.registry import RegionRegistry

__all__ = ["PlanComparison", "compare_plans", "compare_schedules", "read_schedule"]

REQUIRED = ("region_id", "facility", "year", "cost")
_KEY = ["region_id", "facility"]

_H_TITLE = N_("Plan A and plan B compared")
_H_SUMMARY = N_(
    "{moved} projects move, {added} are only in B, {dropped} only in A; "
    "total cost {cost_a} in A and {cost_b} in B."
)
_H_MOVED = N_("Projects that move")
_H_ADDED = N_("Only in plan B")
_H_DROPPED = N_("Only in plan A")
_H_COST = N_("Cost per year")
_H_COVERAGE = N_("Coverage per facility type")
_H_NONE = N_("None.")
_H_MORE = N_("… and {n} more rows.")
_C_REGION = N_("Region ID")
_C_NAME = N_("Name")
_C_PROVINCE = N_("Province")
_C_FACILITY = N_("Facility")
_C_YEAR = N_("Year")
_C_YEAR_A = N_("Year in A")
_C_YEAR_B = N_("Year in B")
_C_SHIFT = N_("Shift (years)")
_C_COST_A = N_("Cost in A")
_C_COST_B = N_("Cost in B")
_C_DIFF = N_("Difference (B – A)")
_C_REGIONS_A = N_("Regions in A")
_C_REGIONS_B = N_("Regions in B")
_C_HALF_A = N_("Half covered in A")
_C_HALF_B = N_("Half covered in B")
_C_FULL_A = N_("All covered in A")
_C_FULL_B = N_("All covered in B")
_C_EARLIER = N_("{n} year earlier")
_C_EARLIER_PL = N_("{n} years earlier")
_C_LATER = N_("{n} year later")
_C_LATER_PL = N_("{n} years later")


def read_schedule(plan_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """The ``schedule.csv`` of a plan folder, checked.

    Raises
    ------
    NotFoundError
        No ``schedule.csv`` in the folder.
    DataValidationError
        A required column is missing or a year/cost is not a number (FILE:ROW:COLUMN).
    """
    path = Path(plan_dir) / "schedule.csv"
    if not path.is_file():
        msg = f"{path}: no schedule here; run `regdev plan --out {Path(plan_dir)}` first"
        raise NotFoundError(msg)
    frame = pd.read_csv(path, dtype={"region_id": str, "facility": str})
    problems: list[Problem | str] = [
        Problem(str(path), 1, col, f"expected a column {col!r}; got {list(frame.columns)}")
        for col in REQUIRED
        if col not in frame.columns
    ]
    if problems:
        raise DataValidationError(problems)
    for col in ("year", "cost"):
        values = pd.to_numeric(frame[col], errors="coerce")
        for k in frame.index[values.isna()][:20]:
            problems.append(
                Problem(str(path), int(k) + 2, col, f"expected a number; got {frame.at[k, col]!r}")
            )
        frame[col] = values
    if problems:
        raise DataValidationError(problems)
    frame["year"] = frame["year"].astype(int)
    dup = frame.duplicated(_KEY, keep="first")
    for k in frame.index[dup][:20]:
        problems.append(
            Problem(
                str(path),
                int(k) + 2,
                "facility",
                "expected one row per region and facility; got a repeat",
            )
        )
    if problems:
        raise DataValidationError(problems)
    return frame


def _quantile_year(years: pd.Series, share: float) -> int | None:
    if years.empty:
        return None
    ordered = years.sort_values().to_numpy()
    k = max(int(-(-share * len(ordered) // 1)) - 1, 0)  # ceil(share * n) - 1
    return int(ordered[k])


@dataclass(frozen=True)
class PlanComparison:
    """Differences between plan A (reference) and plan B; see the module docstring."""

    label_a: str
    label_b: str
    moved: pd.DataFrame
    added: pd.DataFrame
    dropped: pd.DataFrame
    cost_per_year: pd.DataFrame
    coverage: pd.DataFrame
    total_cost_a: float
    total_cost_b: float

    def summary(self, lang: str | None = None) -> str:
        """One sentence: how many projects move, are added or dropped; total costs."""
        with use_language(lang or current_language()) as code:
            return _(
                _H_SUMMARY,
                moved=len(self.moved),
                added=len(self.added),
                dropped=len(self.dropped),
                cost_a=_fmt(self.total_cost_a, code),
                cost_b=_fmt(self.total_cost_b, code),
            )

    def to_html(
        self, *, lang: str | None = None, max_rows: int = 60, heading_level: int = 3
    ) -> str:
        """An HTML fragment: summary, cost, coverage, moved/added/dropped tables."""
        with use_language(lang or current_language()) as code:
            return _html(self, code, max_rows, heading_level)


def _fmt(value: object, lang: str) -> str:
    from babel.numbers import format_decimal

    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if isinstance(value, int | float):
        locale = "ko_KR" if lang == "ko" else "en_US"
        if float(value).is_integer() and abs(float(value)) >= 1000:
            return str(format_decimal(value, format="#,##0", locale=locale))
        if float(value).is_integer():
            return str(int(value))
        return str(format_decimal(value, format="#,##0.##", locale=locale))
    return str(value)


def _with_names(frame: pd.DataFrame, registry: RegionRegistry | None) -> pd.DataFrame:
    if registry is None or frame.empty:
        return frame
    reg = registry.frame
    out = frame.copy()
    known = out["region_id"].isin(reg.index)
    out.insert(1, "name", out["region_id"].map(reg["name"]).where(known, ""))
    at = 2
    if "name_ko" in reg:
        out.insert(at, "name_ko", out["region_id"].map(reg["name_ko"]).where(known, ""))
        at += 1
    out.insert(at, "province", out["region_id"].map(reg["province"]).where(known, ""))
    return out


def compare_schedules(
    a: pd.DataFrame,
    b: pd.DataFrame,
    *,
    label_a: str = "A",
    label_b: str = "B",
    registry: RegionRegistry | None = None,
) -> PlanComparison:
    """Compare two schedules (``region_id``, ``facility``, ``year``, ``cost`` columns)."""
    cols = list(REQUIRED)
    sa, sb = a[cols], b[cols]
    both = sa.merge(sb, on=_KEY, how="outer", suffixes=("_a", "_b"), indicator=True)
    in_both = both[both["_merge"] == "both"]
    moved = in_both[in_both["year_a"] != in_both["year_b"]].copy()
    moved["year_a"] = moved["year_a"].astype(int)
    moved["year_b"] = moved["year_b"].astype(int)
    moved["shift"] = moved["year_b"] - moved["year_a"]
    moved = moved[[*_KEY, "year_a", "year_b", "shift"]].sort_values(
        ["shift", "facility", "region_id"], kind="stable"
    )
    added = both[both["_merge"] == "right_only"][[*_KEY, "year_b", "cost_b"]]
    added = added.rename(columns={"year_b": "year", "cost_b": "cost"}).astype({"year": int})
    dropped = both[both["_merge"] == "left_only"][[*_KEY, "year_a", "cost_a"]]
    dropped = dropped.rename(columns={"year_a": "year", "cost_a": "cost"}).astype({"year": int})

    years = sorted(set(sa["year"]) | set(sb["year"]))
    ca = sa.groupby("year")["cost"].sum().reindex(years, fill_value=0.0)
    cb = sb.groupby("year")["cost"].sum().reindex(years, fill_value=0.0)
    cost = pd.DataFrame({"year": years, "cost_a": ca.to_numpy(), "cost_b": cb.to_numpy()})
    cost["difference"] = cost["cost_b"] - cost["cost_a"]

    rows = []
    for fac in sorted(set(sa["facility"]) | set(sb["facility"])):
        ya, yb = sa.loc[sa["facility"] == fac, "year"], sb.loc[sb["facility"] == fac, "year"]
        rows.append(
            {
                "facility": fac,
                "regions_a": len(ya),
                "regions_b": len(yb),
                "half_year_a": _quantile_year(ya, 0.5),
                "half_year_b": _quantile_year(yb, 0.5),
                "full_year_a": _quantile_year(ya, 1.0),
                "full_year_b": _quantile_year(yb, 1.0),
            }
        )
    coverage = pd.DataFrame(rows)
    return PlanComparison(
        label_a=label_a,
        label_b=label_b,
        moved=_with_names(moved.reset_index(drop=True), registry),
        added=_with_names(added.sort_values(_KEY).reset_index(drop=True), registry),
        dropped=_with_names(dropped.sort_values(_KEY).reset_index(drop=True), registry),
        cost_per_year=cost,
        coverage=coverage,
        total_cost_a=float(sa["cost"].sum()),
        total_cost_b=float(sb["cost"].sum()),
    )


def compare_plans(
    plan_a: str | os.PathLike[str],
    plan_b: str | os.PathLike[str],
    *,
    registry: RegionRegistry | None = None,
) -> PlanComparison:
    """Compare the plan folders ``plan_a`` (reference) and ``plan_b``.

    Parameters
    ----------
    plan_a, plan_b : path-like
        Plan folders written by ``regdev plan --out``.
    registry : RegionRegistry, optional
        Adds region names and provinces to the tables (default: the embedded country when
        it has the plans' regions).

    Returns
    -------
    PlanComparison

    Raises
    ------
    NotFoundError, DataValidationError
        From :func:`read_schedule`.
    """
    a, b = read_schedule(plan_a), read_schedule(plan_b)
    if registry is None:
        from regdev.registry import load_default

        default = load_default()
        ids = set(a["region_id"]) | set(b["region_id"])
        registry = default if ids <= set(default.ids) else None
    return compare_schedules(
        a, b, label_a=Path(plan_a).name, label_b=Path(plan_b).name, registry=registry
    )


# --- HTML -------------------------------------------------------------------------------------


def _esc(v: object) -> str:
    return html.escape(str(v), quote=True)


def _table(frame: pd.DataFrame, headers: dict[str, str], lang: str, max_rows: int) -> str:
    if frame.empty:
        return f"<p>{_esc(_(_H_NONE))}</p>"
    cols = [c for c in headers if c in frame.columns]
    head = "".join(f'<th scope="col">{_esc(headers[c])}</th>' for c in cols)
    body = []
    for _k, row in frame.head(max_rows).iterrows():
        cells = []
        for c in cols:
            v = row[c]
            num = isinstance(v, int | float) and not isinstance(v, bool)
            cls = ' class="num"' if num else ""
            cells.append(f"<td{cls}>{_esc(_fmt(v, lang))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if len(frame) > max_rows:
        more = f"<p>{_esc(_(_H_MORE, n=len(frame) - max_rows))}</p>"
    return (
        f'<table class="rd-compare"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>{more}"
    )


def _html(c: PlanComparison, lang: str, max_rows: int, level: int) -> str:
    h, h2 = f"h{level}", f"h{level + 1}"
    name_col = "name_ko" if lang == "ko" else "name"
    region_cols = {"region_id": _(_C_REGION), name_col: _(_C_NAME), "province": _(_C_PROVINCE)}
    moved = c.moved.copy()
    if not moved.empty:
        moved["shift_text"] = [
            _(_C_EARLIER if s == -1 else _C_EARLIER_PL, n=-s)
            if s < 0
            else _(_C_LATER if s == 1 else _C_LATER_PL, n=s)
            for s in moved["shift"]
        ]
    parts = [
        f'<section class="rd-comparison" lang="{lang}">',
        f"<{h}>{_esc(_(_H_TITLE))}: {_esc(c.label_a)} / {_esc(c.label_b)}</{h}>",
        f"<p>{_esc(c.summary(lang))}</p>",
        f"<{h2}>{_esc(_(_H_COST))}</{h2}>",
        _table(
            c.cost_per_year,
            {
                "year": _(_C_YEAR),
                "cost_a": _(_C_COST_A),
                "cost_b": _(_C_COST_B),
                "difference": _(_C_DIFF),
            },
            lang,
            max_rows,
        ),
        f"<{h2}>{_esc(_(_H_COVERAGE))}</{h2}>",
        _table(
            c.coverage,
            {
                "facility": _(_C_FACILITY),
                "regions_a": _(_C_REGIONS_A),
                "regions_b": _(_C_REGIONS_B),
                "half_year_a": _(_C_HALF_A),
                "half_year_b": _(_C_HALF_B),
                "full_year_a": _(_C_FULL_A),
                "full_year_b": _(_C_FULL_B),
            },
            lang,
            max_rows,
        ),
        f"<{h2}>{_esc(_(_H_MOVED))} ({len(c.moved)})</{h2}>",
        _table(
            moved,
            {
                **region_cols,
                "facility": _(_C_FACILITY),
                "year_a": _(_C_YEAR_A),
                "year_b": _(_C_YEAR_B),
                "shift_text": _(_C_SHIFT),
            },
            lang,
            max_rows,
        ),
        f"<{h2}>{_esc(_(_H_ADDED))} ({len(c.added)})</{h2}>",
        _table(
            c.added, {**region_cols, "facility": _(_C_FACILITY), "year": _(_C_YEAR)}, lang, max_rows
        ),
        f"<{h2}>{_esc(_(_H_DROPPED))} ({len(c.dropped)})</{h2}>",
        _table(
            c.dropped,
            {**region_cols, "facility": _(_C_FACILITY), "year": _(_C_YEAR)},
            lang,
            max_rows,
        ),
        "</section>",
    ]
    return "".join(parts)
