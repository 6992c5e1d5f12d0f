"""The customer loop: satisfaction trends, complaints, demand signals, recommendations, signals.

Factories "learn about the customers' opinions on a regular basis to adjust the production
lines accordingly" and widen their product range.  From survey answers (linked to a line by
their product category) and monthly production records this module derives, per site and
line:

* the **satisfaction trend**: monthly mean score and its least-squares slope per year with
  its p-value (``scipy.stats.linregress``);
* **complaint categories**: comments matched against the keyword taxonomy
  ``data/complaint_categories.csv`` (a user-replaceable table);
* the **demand signal**: recent capacity use (output / capacity) and survey volume;
* **recommendations** — ``expand``, ``adjust``, ``redesign``, ``drop`` or ``add`` — by the
  rules of ``data/customer_rules.toml`` (planning assumptions, labelled as such), each with
  its evidence.

Accepted recommendations become **designer signals** (:func:`signals_from_recommendations`,
:func:`write_signals`, :func:`read_signals`, :func:`design_inputs`): forced or forbidden
catalogue lines and demand multipliers per category, the inputs the factory designer takes
(``regdev.design.what_if(force=..., forbid=...)`` and its demand table).
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regdev._atomic import atomic_write_bytes
from regdev.errors import ConfigError, DataValidationError, Problem
from regdev.evaluation.scenario import data_path
from regdev.i18n import N_

__all__ = [
    "RECOMMENDATION_KINDS",
    "SIGNAL_ACTIONS",
    "SIGNAL_COLUMNS",
    "CustomerRules",
    "DesignSignals",
    "Recommendation",
    "complaint_categories",
    "design_inputs",
    "design_with_signals",
    "line_summary",
    "load_rules",
    "read_signals",
    "recommend",
    "satisfaction_trend",
    "scale_demand",
    "signals_from_recommendations",
    "signals_to_csv",
    "write_signals",
]

#: Kinds of recommendation (marked for translation).
RECOMMENDATION_KINDS: dict[str, str] = {
    "expand": N_("Expand the line"),
    "adjust": N_("Adjust the product"),
    "redesign": N_("Redesign the product"),
    "drop": N_("Drop the line"),
    "add": N_("Add a product"),
}
#: Actions of a signals file: a line forced open, a line forbidden, a demand multiplier.
SIGNAL_ACTIONS: tuple[str, ...] = ("force", "forbid", "demand")
#: Columns of a signals file (CSV, UTF-8, one signal per row).
SIGNAL_COLUMNS: tuple[str, ...] = (
    "region_id",
    "action",
    "line",
    "category",
    "multiplier",
    "recommendation",
    "kind",
    "evidence",
)


@dataclass(frozen=True)
class CustomerRules:
    """Thresholds of the recommendation rules (see ``customer_rules.toml``)."""

    months: int = 6
    min_answers: int = 5
    expand_utilisation: float = 0.90
    expand_score: float = 7.0
    demand_multiplier: float = 1.2
    adjust_share: float = 0.30
    adjust_score: float = 5.0
    redesign_score: float = 5.0
    redesign_declining_score: float = 6.0
    drop_utilisation: float = 0.40
    drop_score: float = 5.0
    add_min_answers: int = 3


def load_rules(path: str | Path | None = None) -> CustomerRules:
    """Read the rules (the packaged ``customer_rules.toml`` when ``path`` is ``None``)."""
    src = data_path("customer_rules.toml") if path is None else Path(path)
    try:
        doc = tomllib.loads(src.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        msg = f"{src}: cannot read customer rules ({exc})"
        raise ConfigError(msg) from exc
    try:
        return CustomerRules(
            months=int(doc["window"]["months"]),
            min_answers=int(doc["window"]["min_answers"]),
            expand_utilisation=float(doc["expand"]["utilisation_at_least"]),
            expand_score=float(doc["expand"]["score_at_least"]),
            demand_multiplier=float(doc["expand"]["demand_multiplier"]),
            adjust_share=float(doc["adjust"]["complaint_share_at_least"]),
            adjust_score=float(doc["adjust"]["score_at_least"]),
            redesign_score=float(doc["redesign"]["score_below"]),
            redesign_declining_score=float(doc["redesign"]["declining_score_below"]),
            drop_utilisation=float(doc["drop"]["utilisation_below"]),
            drop_score=float(doc["drop"]["score_below"]),
            add_min_answers=int(doc["add"]["min_answers"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        msg = f"{src}: missing or invalid key {exc}"
        raise ConfigError(msg) from exc


def _taxonomy() -> list[tuple[str, list[str]]]:
    with data_path("complaint_categories.csv").open(encoding="utf-8") as fh:
        return [
            (r["category"], [k.strip().lower() for k in r["keywords"].split(";") if k.strip()])
            for r in csv.DictReader(fh)
        ]


def complaint_categories(comment: str) -> list[str]:
    """Complaint categories a comment mentions (keyword taxonomy, case-insensitive).

    Examples
    --------
    >>> complaint_categories("good quality, packaging could be better")
    ['packaging']
    >>> complaint_categories("acceptable; taste/size uneven")
    ['taste', 'size']
    """
    text = str(comment or "").lower()
    return [cat for cat, words in _taxonomy() if any(w in text for w in words)]


def _month_index(dates: pd.Series) -> pd.Series:
    d = pd.to_datetime(dates)
    return d.dt.year * 12 + d.dt.month - 1


def satisfaction_trend(surveys: pd.DataFrame) -> pd.DataFrame:
    """Monthly mean score per ``(site_id, line)`` and its slope per year.

    Parameters
    ----------
    surveys : pandas.DataFrame
        ``site_id, product_category, date, score``.

    Returns
    -------
    pandas.DataFrame
        ``site_id, line, n_answers, n_months, mean_score, slope_per_year, p_value,
        trend`` (``improving`` / ``declining`` when p < 0.10, else ``stable``; ``-`` with
        fewer than three months).
    """
    rows = []
    if surveys.empty:
        return pd.DataFrame(
            columns=[
                "site_id",
                "line",
                "n_answers",
                "n_months",
                "mean_score",
                "slope_per_year",
                "p_value",
                "trend",
            ]
        )
    sv = surveys.assign(m=_month_index(surveys["date"]))
    for (sid, line), grp in sv.groupby(["site_id", "product_category"]):
        monthly = grp.groupby("m")["score"].mean()
        slope, p = float("nan"), float("nan")
        trend = "-"
        if len(monthly) >= 3:
            from scipy import stats  # imported here: it costs a second at start-up

            res = stats.linregress(
                monthly.index.to_numpy(dtype=float), monthly.to_numpy(dtype=float)
            )
            slope, p = float(res.slope) * 12.0, float(res.pvalue)
            trend = "stable"
            if np.isfinite(p) and p < 0.10:
                trend = "improving" if slope > 0 else "declining"
        rows.append(
            {
                "site_id": int(sid),
                "line": str(line),
                "n_answers": len(grp),
                "n_months": len(monthly),
                "mean_score": float(grp["score"].mean()),
                "slope_per_year": slope,
                "p_value": p,
                "trend": trend,
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Recommendation:
    """A recommendation for one line of one site, with its evidence."""

    key: str
    region_id: str
    site_id: int
    line: str
    kind: str
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """The kind in words (English; translate with ``regdev.i18n._``)."""
        return RECOMMENDATION_KINDS[self.kind]

    def evidence_text(self) -> str:
        """The evidence as ``name=value`` pairs."""
        return "; ".join(f"{k}={_fmt(v)}" for k, v in self.evidence.items())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "key": self.key,
            "region_id": self.region_id,
            "site_id": self.site_id,
            "line": self.line,
            "kind": self.kind,
            "evidence": dict(self.evidence),
        }


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}" if np.isfinite(v) else "n/a"
    if isinstance(v, list | tuple):
        return ",".join(str(x) for x in v)
    return str(v)


def line_summary(
    operations: pd.DataFrame,
    surveys: pd.DataFrame,
    *,
    months: int = 6,
    until: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Per ``(site_id, line)``: recent capacity use, survey volume, score, complaints, trend.

    Parameters
    ----------
    operations : pandas.DataFrame
        ``site_id, region_id, line, year, month, output, capacity``.
    surveys : pandas.DataFrame
        ``site_id, region_id, date, product_category, score, comment``.
    months : int
        Recent window (months up to ``until``).
    until : (year, month), optional
        End of the window (default: the latest month of either table).

    Returns
    -------
    pandas.DataFrame
        ``site_id, region_id, line, produced, utilisation, n_answers, mean_score,
        complaint_<category>`` shares, ``top_complaint``, ``top_share``, ``trend``,
        ``slope_per_year``, ``demand_signal``.
    """
    ops = operations.assign(
        m=operations["year"].astype(int) * 12 + operations["month"].astype(int) - 1
    )
    sv = (
        surveys.assign(m=_month_index(surveys["date"]))
        if not surveys.empty
        else surveys.assign(m=[])
    )
    if until is not None:
        last = until[0] * 12 + until[1] - 1
    else:
        cands = [int(ops["m"].max())] if not ops.empty else []
        cands += [int(sv["m"].max())] if not sv.empty else []
        if not cands:
            return pd.DataFrame()
        last = max(cands)
    recent_ops = ops[(ops["m"] > last - months) & (ops["m"] <= last)]
    recent_sv = sv[(sv["m"] > last - months) & (sv["m"] <= last)] if not sv.empty else sv
    cats = [c for c, _ in _taxonomy()]
    trend = satisfaction_trend(sv[sv["m"] <= last] if not sv.empty else sv)
    trend_idx = {(int(r.site_id), str(r.line)): r for r in trend.itertuples()}
    keys: set[tuple[int, str]] = set()
    region: dict[int, str] = {}
    for r in recent_ops[["site_id", "line", "region_id"]].itertuples(index=False):
        keys.add((int(r.site_id), str(r.line)))
        region[int(r.site_id)] = str(r.region_id)
    for r in (
        recent_sv[["site_id", "product_category", "region_id"]].itertuples(index=False)
        if not recent_sv.empty
        else []
    ):
        keys.add((int(r.site_id), str(r.product_category)))
        region[int(r.site_id)] = str(r.region_id)
    op_groups = dict(tuple(recent_ops.groupby(["site_id", "line"]))) if not recent_ops.empty else {}
    sv_groups = (
        dict(tuple(recent_sv.groupby(["site_id", "product_category"])))
        if not recent_sv.empty
        else {}
    )
    rows = []
    for sid, line in sorted(keys):
        og = op_groups.get((sid, line))
        sg = sv_groups.get((sid, line))
        cap = float(og["capacity"].sum()) if og is not None else 0.0
        row: dict[str, Any] = {
            "site_id": sid,
            "region_id": region.get(sid, ""),
            "line": line,
            "produced": og is not None,
            "utilisation": float(og["output"].sum()) / cap
            if og is not None and cap > 0
            else float("nan"),
            "n_answers": 0 if sg is None else len(sg),
            "mean_score": float("nan") if sg is None else float(sg["score"].mean()),
        }
        counts = dict.fromkeys(cats, 0)
        if sg is not None:
            for comment in sg["comment"].fillna(""):
                for c in complaint_categories(comment):
                    counts[c] += 1
        n = max(row["n_answers"], 1)
        for c in cats:
            row[f"complaint_{c}"] = counts[c] / n if row["n_answers"] else float("nan")
        top = max(cats, key=lambda c: counts[c]) if any(counts.values()) else ""
        row["top_complaint"] = top
        row["top_share"] = counts[top] / n if top else 0.0
        t = trend_idx.get((sid, line))
        row["trend"] = t.trend if t is not None else "-"
        row["slope_per_year"] = float(t.slope_per_year) if t is not None else float("nan")
        u = row["utilisation"]
        row["demand_signal"] = (
            "-" if not np.isfinite(u) else "strong" if u >= 0.9 else "weak" if u < 0.5 else "steady"
        )
        rows.append(row)
    return pd.DataFrame(rows)


def recommend(summary: pd.DataFrame, rules: CustomerRules | None = None) -> list[Recommendation]:
    """Recommendations from a :func:`line_summary` (at most one per line, strongest first).

    Order of the rules: ``add`` (customers ask about a product the site does not make),
    ``drop``, ``redesign``, ``expand``, ``adjust``.
    """
    rules = rules or load_rules()
    out: list[Recommendation] = []
    for r in summary.to_dict("records") if not summary.empty else []:
        sid, line, rid = int(r["site_id"]), str(r["line"]), str(r["region_id"])
        u, s, n = r["utilisation"], r["mean_score"], int(r["n_answers"])
        ev: dict[str, Any] = {
            "utilisation": u,
            "mean_score": s,
            "n_answers": n,
            "trend": r["trend"],
        }
        kind = None
        if not r["produced"]:
            if n >= rules.add_min_answers:
                kind = "add"
        elif (
            np.isfinite(u)
            and u < rules.drop_utilisation
            and n >= rules.min_answers
            and s < rules.drop_score
        ):
            kind = "drop"
        elif n >= rules.min_answers and (
            s < rules.redesign_score
            or (r["trend"] == "declining" and s < rules.redesign_declining_score)
        ):
            kind = "redesign"
        elif (
            np.isfinite(u)
            and u >= rules.expand_utilisation
            and n >= rules.min_answers
            and s >= rules.expand_score
        ):
            kind = "expand"
            ev["demand_multiplier"] = rules.demand_multiplier
        elif (
            n >= rules.min_answers
            and r["top_share"] >= rules.adjust_share
            and s >= rules.adjust_score
        ):
            kind = "adjust"
        if kind is None:
            continue
        if r["top_complaint"]:
            ev["top_complaint"] = r["top_complaint"]
            ev["top_share"] = float(r["top_share"])
        out.append(Recommendation(f"{sid}:{_slug(line)}:{kind}", rid, sid, line, kind, ev))
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# ---------------------------------------------------------------------------- signals


@dataclass(frozen=True)
class DesignSignals:
    """Designer inputs from accepted recommendations.

    Attributes
    ----------
    force, forbid : list of (region_id, line_id)
        Catalogue lines to force open or forbid (``regdev.design.what_if`` arguments).
    demand : dict
        ``(region_id, category) -> multiplier`` of the designer's demand.
    """

    force: list[tuple[str, str]]
    forbid: list[tuple[str, str]]
    demand: dict[tuple[str, str], float]

    def force_map(self, regions: Iterable[str] | None = None) -> dict[tuple[str, str], bool]:
        """``{(region_id, line_id): True/False}`` for ``regdev.design.design(force=...)``.

        Only pairs of ``regions`` (all when ``None``): the designer refuses pairs of regions
        outside the design.
        """
        keep = None if regions is None else set(regions)
        out = {p: True for p in self.force if keep is None or p[0] in keep}
        out.update({p: False for p in self.forbid if keep is None or p[0] in keep})
        return out


def signals_from_recommendations(
    recommendations: Iterable[Recommendation], values: Any = None
) -> list[dict[str, Any]]:
    """Signals (rows of :data:`SIGNAL_COLUMNS`) for accepted recommendations.

    ``expand`` → force the line(s) and multiply the demand of their categories;
    ``adjust`` and ``redesign`` → force (keep) the line while the product changes;
    ``drop`` → forbid; ``add`` → force.  Recorded names map to catalogue lines through
    :func:`regdev.evaluation.appraisal.line_values` (one alias table for the appraisal and
    the signals); a name that maps to no catalogue line gives no signal (the decision and
    its evidence are still kept by the caller).
    """
    from regdev.evaluation.appraisal import line_values

    values = values or line_values()
    rows: list[dict[str, Any]] = []
    for rec in recommendations:
        ids = values.resolve(rec.line)
        action = "forbid" if rec.kind == "drop" else "force"
        base = {
            "region_id": rec.region_id,
            "recommendation": rec.key,
            "kind": rec.kind,
            "evidence": rec.evidence_text(),
        }
        if not ids:  # a product the catalogue does not know: nothing the designer can take
            continue
        for lid in ids:
            rows.append({**base, "action": action, "line": lid, "category": "", "multiplier": ""})
        if rec.kind == "expand":
            mult = float(rec.evidence.get("demand_multiplier", 1.2))
            for cat in sorted({str(values.table.loc[i, "category"]) for i in ids}):
                rows.append(
                    {**base, "action": "demand", "line": "", "category": cat, "multiplier": mult}
                )
    return rows


def signals_to_csv(rows: Sequence[dict[str, Any]]) -> str:
    """The signals as CSV text (header :data:`SIGNAL_COLUMNS`)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(SIGNAL_COLUMNS), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: r.get(k, "") for k in SIGNAL_COLUMNS})
    return buf.getvalue()


def write_signals(path: str | Path, rows: Sequence[dict[str, Any]]) -> Path:
    """Write a signals file atomically."""
    p = Path(path)
    atomic_write_bytes(p, signals_to_csv(rows).encode("utf-8"))
    return p


def read_signals(path: str | Path) -> list[dict[str, Any]]:
    """Read and validate a signals file.

    Raises
    ------
    DataValidationError
        Every problem as ``FILE:ROW:COLUMN``: missing columns, an unknown action, a
        ``force``/``forbid`` row without a line, a ``demand`` row without a category or
        with a multiplier that is not a number > 0.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"{p}: cannot read the signals file ({exc})"
        raise ConfigError(msg) from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [
        c
        for c in ("region_id", "action", "line", "category", "multiplier")
        if c not in (reader.fieldnames or [])
    ]
    if missing:
        raise DataValidationError([Problem(str(p), 1, c, "expected this column") for c in missing])
    rows: list[dict[str, Any]] = []
    problems: list[Problem | str] = []
    for i, r in enumerate(reader, start=2):
        action = (r.get("action") or "").strip()
        if not (r.get("region_id") or "").strip():
            problems.append(Problem(str(p), i, "region_id", "expected a region id"))
        if action not in SIGNAL_ACTIONS:
            problems.append(
                Problem(
                    str(p),
                    i,
                    "action",
                    f"expected one of {', '.join(SIGNAL_ACTIONS)}; got {action!r}",
                )
            )
        elif action in ("force", "forbid") and not (r.get("line") or "").strip():
            problems.append(
                Problem(str(p), i, "line", f"a {action} signal needs a catalogue line id")
            )
        elif action == "demand":
            if not (r.get("category") or "").strip():
                problems.append(
                    Problem(str(p), i, "category", "a demand signal needs a product category")
                )
            try:
                m = float(r.get("multiplier") or "")
            except ValueError:
                m = float("nan")
            if not (m > 0 and np.isfinite(m)):
                problems.append(
                    Problem(
                        str(p),
                        i,
                        "multiplier",
                        f"expected a number > 0; got {r.get('multiplier')!r}",
                    )
                )
        rows.append({k: (r.get(k) or "").strip() for k in SIGNAL_COLUMNS})
    if problems:
        raise DataValidationError(problems)
    return rows


def design_inputs(rows: Iterable[dict[str, Any]]) -> DesignSignals:
    """Designer inputs from signal rows (a pair both forced and forbidden is forbidden).

    Demand multipliers of the same region and category multiply.
    """
    force: list[tuple[str, str]] = []
    forbid: list[tuple[str, str]] = []
    demand: dict[tuple[str, str], float] = {}
    for r in rows:
        rid, action = str(r["region_id"]), str(r["action"])
        line = str(r.get("line") or "")
        if action == "force" and (rid, line) not in force:
            force.append((rid, line))
        elif action == "forbid" and (rid, line) not in forbid:
            forbid.append((rid, line))
        elif action == "demand":
            key = (rid, str(r["category"]))
            demand[key] = demand.get(key, 1.0) * float(r["multiplier"])
    force = [pair for pair in force if pair not in forbid]
    return DesignSignals(force, forbid, demand)


def scale_demand(problem: Any, demand: dict[tuple[str, str], float]) -> Any:
    """A copy of a :class:`regdev.design.DesignProblem` with some demands multiplied.

    ``demand`` maps ``(region_id, category)`` to a multiplier; pairs outside the problem
    are ignored.
    """
    from dataclasses import replace

    if not demand:
        return problem
    scaled = np.array(problem.demand, dtype=float, copy=True)
    rows = {r: i for i, r in enumerate(problem.region_ids)}
    cols = {c: j for j, c in enumerate(problem.categories)}
    for (rid, cat), mult in demand.items():
        if rid in rows and cat in cols:
            scaled[rows[rid], cols[cat]] *= float(mult)
    return replace(problem, demand=scaled)


def design_with_signals(
    registry: Any,
    signals: DesignSignals,
    *,
    regions: list[str] | None = None,
    options: Any = None,
    tiers: Any = 2,
) -> Any:
    """Design ``regions`` with the designer inputs of accepted recommendations.

    Forced and forbidden lines go to the designer's ``force`` argument; demand multipliers
    scale the problem's demand (:func:`scale_demand`) before solving.  This is what
    ``regdev plan design REGION --signals FILE|DB`` runs.

    Returns
    -------
    regdev.design.DesignResult
    """
    from regdev.design import build_design_problem
    from regdev.design.solve import solve_design

    ids = regions if regions is not None else None
    problem = build_design_problem(
        registry,
        regions=ids,
        options=options,
        tiers=tiers,
        force=signals.force_map(ids) or None,
    )
    return solve_design(scale_demand(problem, signals.demand))
