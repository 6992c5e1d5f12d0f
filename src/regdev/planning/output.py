"""Write a plan folder atomically.

Files: plan.json, schedule.csv, facilities.csv, dossiers.json, model.mps and
report.html (plus whatever plan hooks add).

Reproducibility: every file is a pure function of the inputs (sorted rows,
key-sorted JSON, no timestamps).  The single exception is ``solve_time_s``
in ``plan.json`` (listed in its ``nondeterministic_fields``); ``content_hash``
in ``plan.json`` is the SHA-256 of the file with those fields removed.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regdev._atomic import atomic_directory
from regdev.errors import InternalError
from regdev.planning.hooks import PlanExtension, PlanHook, ReportSection, plan_hooks
from regdev.planning.plan import Plan
from regdev.planning.solve import new_highs

NONDETERMINISTIC_FIELDS: tuple[str, ...] = ("solve_time_s",)


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.generic):
        return _clean(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def dumps(obj: Any) -> str:
    """Deterministic JSON text (sorted keys, NaN/inf → null, trailing newline)."""
    return json.dumps(_clean(obj), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def content_hash(plan_json: dict[str, Any]) -> str:
    """SHA-256 of ``plan.json`` without its non-deterministic fields and the hash itself."""
    data = {
        k: v
        for k, v in plan_json.items()
        if k not in NONDETERMINISTIC_FIELDS and k != "content_hash"
    }
    return hashlib.sha256(dumps(data).encode("utf-8")).hexdigest()


def csv_text(frame: pd.DataFrame) -> str:
    """CSV text with LF line ends, no index, booleans as true/false."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = out[col].map({True: "true", False: "false"})
    return str(out.to_csv(index=False, lineterminator="\n"))


def province_progress(plan: Plan) -> pd.DataFrame:
    """Cumulative factory count per province and year, with the balance floor.

    Returns
    -------
    pandas.DataFrame
        Columns ``province``, ``year``, ``cumulative``, ``floor``, ``candidates``.
    """
    p = plan.problem
    x = plan.solution(allow_feasible=True)[:, p.factory_index, :]
    n_prov = len(p.provinces)
    per_year = np.zeros((n_prov, p.n_years))
    np.add.at(per_year, p.province_of, x.astype(float))
    cum = np.cumsum(per_year, axis=1).astype(int)
    floor = p.balance_floor if p.balance_floor is not None else np.zeros_like(cum)
    cands = np.bincount(
        p.province_of, weights=p.eligible[:, p.factory_index].astype(float), minlength=n_prov
    )
    rows = [
        {
            "province": p.provinces[k],
            "year": int(p.years[t]),
            "cumulative": int(cum[k, t]),
            "floor": int(floor[k, t]),
            "candidates": int(cands[k]),
        }
        for k in range(n_prov)
        for t in range(p.n_years)
    ]
    return pd.DataFrame(rows)


def build_plan_json(plan: Plan, schedule: pd.DataFrame) -> dict[str, Any]:
    """The content of ``plan.json`` (contract in COMMON.md; see docs/planning.md)."""
    p = plan.problem
    model = plan.model
    data = plan.summary()
    counts = schedule.groupby(["facility", "year"]).size()
    data.update(
        {
            "scenario": p.metadata.get("scenario"),
            "registry": {
                "source": p.metadata.get("registry_source"),
                "content_hash": p.metadata.get("registry_hash"),
                # issue 17: what the region table lacked and what was assumed instead
                "assumptions": list(p.metadata.get("registry_assumptions", [])),
            },
            "nondeterministic_fields": list(NONDETERMINISTIC_FIELDS),
            "model": {
                "n_variables": None if model is None else model.n_cols,
                "n_constraints": None if model is None else model.n_rows,
                "n_nonzeros": None if model is None else model.nnz,
                "families": ["coverage", "capacity", "workload", "balance", "budget"],
                "file": "model.mps",
            },
            "years": [int(y) for y in p.years],
            "tiers": [int(t) for t in p.tiers],
            "capacity": {
                fac: [int(c) for c in p.capacity[f]] for f, fac in enumerate(p.facilities)
            },
            "coverage_exact": {
                fac: bool(p.coverage_exact[f]) for f, fac in enumerate(p.facilities)
            },
            "projects_per_year": {
                fac: {str(int(y)): int(counts.get((fac, y), 0)) for y in p.years}
                for fac in p.facilities
            },
            "total_cost": round(float(schedule["cost"].sum()), 6),
            "left_out": plan.left_out(allow_feasible=True).to_dict(orient="records"),
            "schedule": schedule.to_dict(orient="records"),
        }
    )
    return data


def write_plan(
    plan: Plan,
    out_dir: str | os.PathLike[str],
    *,
    dossiers: list[dict[str, Any]] | None = None,
    hooks: list[tuple[str, PlanHook]] | None = None,
    report: bool = True,
    explain_last: int = 20,
) -> Path:
    """Write the plan folder ``out_dir`` atomically (all files or none).

    Parameters
    ----------
    plan : Plan
        A plan with a solution (optimal, or ``feasible`` at a time limit: its
        status and gap are recorded in ``plan.json``).
    out_dir : path-like
        Destination folder; replaced as a whole.
    dossiers : list of dict, optional
        From :func:`~regdev.planning.explain.build_dossiers`; computed when
        omitted, with ``explain_last`` move-earlier re-solves.
    hooks : list of (name, hook), optional
        Plan hooks; default :func:`~regdev.planning.hooks.plan_hooks`.
    report : bool, default True
        Also write ``report.html``.
    explain_last : int, default 20
        When ``dossiers`` is omitted: for how many of the lowest-ranked regions
        scheduled last the cost of moving the factories one year earlier is
        computed (0 = none; fast).

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    NotSolvedError
        When the plan has no solution.
    """
    from regdev.planning.explain import build_dossiers

    schedule = plan.schedule_frame(allow_feasible=True)
    if dossiers is None:
        from regdev.planning.explain import last_scheduled

        dossiers = build_dossiers(plan, move_earlier=last_scheduled(plan, explain_last))
    dossiers = [dict(d) for d in dossiers]
    extensions: list[tuple[str, PlanExtension]] = []
    for name, hook in plan_hooks() if hooks is None else hooks:
        extensions.append((name, hook(plan, dossiers)))
    by_id = {d["region_id"]: d for d in dossiers}
    sections: list[ReportSection] = []
    extra_files: dict[str, str | bytes] = {}
    plan_json = build_plan_json(plan, schedule)
    for name, ext in extensions:
        for rid, entry in sorted(ext.dossier_entries.items()):
            if rid in by_id:
                by_id[rid].update(entry)
        sections.extend(ext.sections)
        for fname, content in ext.files.items():
            if "/" in fname or fname in _RESERVED:
                msg = f"plan hook {name!r} may not write {fname!r}"
                raise InternalError(msg)
            extra_files[fname] = content
        if ext.plan_json:
            plan_json.setdefault("extensions", {})[name] = ext.plan_json
    plan_json["content_hash"] = content_hash(plan_json)

    with atomic_directory(out_dir) as tmp:
        (tmp / "plan.json").write_text(dumps(plan_json), encoding="utf-8")
        (tmp / "schedule.csv").write_text(csv_text(schedule), encoding="utf-8")
        (tmp / "facilities.csv").write_text(
            csv_text(plan.problem.facilities_table), encoding="utf-8"
        )
        (tmp / "dossiers.json").write_text(dumps(dossiers), encoding="utf-8")
        write_mps(plan, tmp / "model.mps")
        for fname, content in sorted(extra_files.items()):
            target = tmp / fname
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        if report:
            from regdev.reporting.plan_report import build_plan_report

            html = build_plan_report(plan, dossiers, schedule=schedule, extra_sections=sections)
            (tmp / "report.html").write_text(html, encoding="utf-8")
    return Path(out_dir)


_RESERVED = {
    "plan.json",
    "schedule.csv",
    "facilities.csv",
    "dossiers.json",
    "model.mps",
    "report.html",
}


def write_mps(plan: Plan, path: str | os.PathLike[str]) -> Path:
    """Write the plan's model as free MPS (HiGHS ``writeModel``).

    The file keeps the objective sense in an ``OBJSENSE MAX`` section and has
    no constant offset, so re-solving it gives the plan's objective.
    """
    if plan.model is None:
        msg = "the plan carries no model to write"
        raise InternalError(msg)
    h = new_highs()
    h.passModel(plan.model.lp)
    target = Path(path)
    h.writeModel(str(target))
    return target
