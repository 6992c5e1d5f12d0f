"""How a factory design appears in a rollout plan's folder, dossiers and ``plan.json``.

The pipeline (:func:`regdev.plan`) designs the factory group of every county
the plan schedules (:func:`regdev.design.design_for_plan`, with the registry
it planned with) and uses these functions to put the design into the plan:

* :func:`plan_tables` — ``factories.csv`` (:data:`regdev.design.result.FACTORY_COLUMNS`),
  ``factory_claims.csv`` (per-county transport saved, jobs, local shares) and
  ``factory_raw_materials.csv`` (``region_id, resource, need_t, local_supply_t, imported_t``);
* :func:`plan_dossier_entries` — ``factory_design`` in each county's dossier
  (lines with modules and why, jobs, capital, shares);
* :func:`plan_summary` — the design's status, objective, bound, gap,
  certificate and national claims for ``plan.json["extensions"]["factory-design"]``
  (without run times, so the file stays byte-identical across runs).

This module knows nothing of the planner: it reads a :class:`DesignResult` only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from regdev.units import KUSD_SUFFIX, UnitOfAccount, convert_kusd

if TYPE_CHECKING:
    from regdev.design.result import DesignResult

EXTENSION_NAME = "factory-design"
"""Key of the design's summary under ``plan.json["extensions"]``."""

MAX_PLAN_REGIONS = 600
"""Largest number of factory groups the pipeline designs in one national model."""

TABLE_FILES: tuple[str, ...] = (
    "factories.csv",
    "factory_claims.csv",
    "factory_raw_materials.csv",
)
"""The plan-folder files of a design."""


MONEY_COLUMNS: tuple[str, ...] = ("capital_cost", "annual_cost")
"""Money columns of ``factories.csv`` (in the plan's unit of account)."""


def plan_tables(result: DesignResult, unit: UnitOfAccount | None = None) -> dict[str, pd.DataFrame]:
    """The design's tables by plan-folder file name (see :data:`TABLE_FILES`).

    Money is in the plan's unit of account (``unit``, default million USD):
    ``factories.csv`` ``capital_cost`` and ``annual_cost``; ``factory_claims.csv``
    ``capital_cost`` and ``transport_saved`` (the designer's ``*_kusd`` columns).
    """
    u = unit or UnitOfAccount()
    fac = result.factories_frame().copy()
    for col in MONEY_COLUMNS:
        fac[col] = fac[col].astype(float) * u.from_kusd(1.0)
    claims = result.claims_frame().reset_index()
    claims = claims.rename(
        columns={c: c[: -len(KUSD_SUFFIX)] for c in claims.columns if c.endswith(KUSD_SUFFIX)}
    )
    for col in ("capital_cost", "transport_saved"):
        claims[col] = claims[col].astype(float) * u.from_kusd(1.0)
    return {
        "factories.csv": fac,
        "factory_claims.csv": claims,
        "factory_raw_materials.csv": result.raw_material_base(),
    }


def _short_why(line: dict[str, Any]) -> str:
    return str(line.get("why", "")).split(";")[0]


LINE_FIELDS: tuple[str, ...] = ("line", "modules", "capacity", "unit", "jobs")
"""What identifies a county's production line everywhere (factories.csv, dossiers, tracking)."""


def line_record(line: dict[str, Any]) -> dict[str, Any]:
    """One production line as the plan stores it: line, modules, capacity, unit, jobs."""
    return {
        "line": str(line["line"]),
        "modules": int(line["modules"]),
        # as factories.csv writes it (6 significant digits), so the two read back identical
        "capacity": float(f"{float(line['capacity']):.6g}"),
        "unit": str(line["unit"]),
        "jobs": int(line["jobs"]),
    }


def plan_dossier_entries(
    result: DesignResult, unit: UnitOfAccount | None = None
) -> dict[str, dict[str, Any]]:
    """``region_id -> {"factory_design": {...}}`` to merge into the plan's dossiers (money in ``unit``)."""
    u = unit or UnitOfAccount()
    entries: dict[str, dict[str, Any]] = {}
    for rid, d in result.dossiers().items():
        entries[rid] = {
            "factory_design": {
                "lines": [
                    f"{ln['line']} x{ln['modules']} ({ln['capacity']:,.0f} {ln['unit']}/yr): "
                    f"{_short_why(ln)}"
                    for ln in d["lines"]
                ],
                # issue 10: the lines as data, identical to factories.csv and `plan design`
                "production_lines": [line_record(ln) for ln in d["lines"]],
                "catalogue_tier": d["tier"],
                "jobs": d["jobs"],
                "capital_cost_kusd": d["capital_cost_kusd"],
                "local_share": d["local_share"],
                "nearby_share": d["nearby_share"],
                "tkm_saved": d["tkm_saved"],
            }
        }
    return {rid: convert_kusd(e, u) for rid, e in entries.items()}


def plan_summary(result: DesignResult, unit: UnitOfAccount | None = None) -> dict[str, Any]:
    """The design's entry in ``plan.json["extensions"]`` (no run times: reproducible; money in ``unit``)."""
    summary = {
        k: v for k, v in result.summary().items() if k not in ("wall_time_s", "solve_time_s")
    }
    # issue 17: what the designer assumed for missing data (e.g. no coordinates: no trade)
    summary["assumptions"] = list(result.problem.metadata.get("assumptions", []))
    out: dict[str, Any] = convert_kusd(summary, unit or UnitOfAccount())
    return out


def skipped_summary(reason: str) -> dict[str, Any]:
    """The ``plan.json`` entry when the plan's factories are not designed, and why."""
    return {"status": "skipped", "reason": reason}


def facilities_with_design(facilities: pd.DataFrame, result: DesignResult) -> pd.DataFrame:
    """``facilities.csv`` with the factory rows taken from the design (issue 10: one design).

    For every designed county the ``factories`` row gets ``workers`` = the
    design's jobs, ``n_lines`` and ``lines`` (``line:capacity unit`` joined by
    ``"; "``, the capacities of ``factories.csv``); ``size`` and ``base_cost``
    stay the planner's sizing norms the schedule was optimised with.
    """
    out = facilities.copy()
    by_region: dict[str, list[dict[str, Any]]] = {}
    for row in result.factories_frame().to_dict("records"):
        by_region.setdefault(str(row["region_id"]), []).append(line_record(row))
    jobs = result.claims_frame()["jobs"].to_dict()
    out["n_lines"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["lines"] = ""
    for k, row in out.iterrows():
        recs = by_region.get(str(row["region_id"]))
        if row["facility"] != "factories" or recs is None:
            continue
        out.at[k, "workers"] = float(jobs[str(row["region_id"])])
        out.at[k, "n_lines"] = len(recs)
        out.at[k, "lines"] = lines_text(recs)
    return out


def lines_text(lines: list[dict[str, Any]]) -> str:
    """``line:capacity unit; …`` (capacities with 6 significant digits, as in factories.csv).

    Examples
    --------
    >>> lines_text([{"line": "dairy", "capacity": 500.0, "unit": "t"}])
    'dairy:500 t'
    """
    return "; ".join(f"{ln['line']}:{ln['capacity']:.6g} {ln['unit']}" for ln in lines)
