"""The planner's part of the plan-folder contract: ``plan.json``, the CSV and JSON text, ``model.mps``.

These are serialisers (a plan in, text out); the folder itself is written by
:func:`regdev.pipeline.write_plan`, which also adds the design tables and
``report.html``.

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

from regdev._milp import write_mps as _write_milp_mps
from regdev.errors import InternalError
from regdev.planning.plan import Plan

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


def csv_text(frame: pd.DataFrame, *, float_format: str | None = None) -> str:
    """CSV text with LF line ends, no index, booleans as true/false.

    ``float_format`` (e.g. ``"%.6g"``) formats float columns; default: full precision.
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = out[col].map({True: "true", False: "false"})
    return str(out.to_csv(index=False, lineterminator="\n", float_format=float_format))


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


def cohort_records(plan: Plan) -> list[dict[str, Any]]:
    """The cohort profile (:func:`~regdev.planning.cohorts.cohort_profile`) as JSON records."""
    from regdev.planning.cohorts import cohort_profile

    frame = cohort_profile(plan).astype(object)
    frame = frame.where(frame.notna(), None)
    return list(frame.to_dict(orient="records"))


def _units(plan: Plan) -> dict[str, Any] | None:
    """The relocation the factory schedule implies (measured, not optimised)."""
    from regdev.planning.units import plan_relocation

    out = plan_relocation(plan)
    if out is None:
        return None
    out["km_per_year"] = [round(v, 1) for v in out["km_per_year"]]
    out["total_km"] = round(out["total_km"], 1)
    out["max_move_km"] = round(out["max_move_km"], 1)
    return out


def _materials(plan: Plan) -> dict[str, Any] | None:
    """Tonnes used and imported per material and year, and the import bill (issue 9)."""
    p = plan.problem
    if p.material_need is None or p.material_supply is None or not plan.has_solution:
        return None
    x = plan.solution(allow_feasible=True)
    used, imports = p.materials_used(x), p.material_imports(x)
    per_t = float(p.metadata.get("material_import_cost_per_t", 0.0))
    return {
        "import_cost_per_t": per_t,
        "import_cost_total": round(float(imports.sum()) * per_t, 6),
        "by_material": {
            mat: {
                "used_t": [round(float(v), 1) for v in used[m].sum(axis=0)],
                "imported_t": [round(float(v), 1) for v in imports[m].sum(axis=0)],
                "national_supply_t": round(float(p.material_supply[:, m].sum()), 1),
            }
            for m, mat in enumerate(p.materials)
        },
    }


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
            # issue 10: what the data fixed (events, actuals), conflicts, the Kimhwa assumption
            "history": p.metadata.get("history"),
            # issue 10: the one unit of account of every money figure of the plan folder
            "unit_of_account": p.metadata.get("unit_of_account"),
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
            # issue 9: the welfare function and who each cohort reaches
            "welfare": p.metadata.get("welfare"),
            "cohorts": cohort_records(plan),
            "construction_units": _units(plan),
            "materials": _materials(plan),
            "left_out": plan.left_out(allow_feasible=True).to_dict(orient="records"),
            "schedule": schedule.to_dict(orient="records"),
        }
    )
    return data


def write_mps(plan: Plan, path: str | os.PathLike[str]) -> Path:
    """Write the plan's model as free MPS, atomically (:func:`regdev._milp.write_mps`).

    The file keeps the objective sense in an ``OBJSENSE MAX`` section and has
    no constant offset, so re-solving it gives the plan's objective.
    """
    if plan.model is None:
        msg = "the plan carries no model to write"
        raise InternalError(msg)
    return _write_milp_mps(plan.model.milp, path)
