"""Pilot appraisal: cost-effectiveness, profitability and practicality of factory lines.

The policy confirmed the regional factories by building them in Kimhwa County first and
"reviewing their cost-effectiveness, profitability and practicality".  This module does
that review for any county or cohort:

* **ex ante** (:func:`appraise_design`) from a plan folder's ``factories.csv`` (the factory
  designer's lines: capital cost, annual cost, production, jobs) and, when given, a
  simulation outcome table (:data:`OUTCOME_COLUMNS`) that replaces the steady production;
* **ex post** (:func:`appraise_records`) from monitoring records: recorded monthly output,
  capacity and raw material received, quality samples; the recorded performance of the
  last twelve months is extrapolated over the horizon.

Valuation (one place, :func:`line_values`): local output is valued at the cost of the
supply it displaces — the full unit cost of a fully used central factory of the designer's
central tier plus the delivery to the county — the "avoided cost" valuation of
import-substituting output in ADB (2017) *Guidelines for the Economic Analysis of
Projects* and EU DG REGIO (2014) *Guide to Cost-Benefit Analysis of Investment Projects*.
Every coefficient comes from the designer's catalogue (``regdev/design/data``) and
options (:class:`regdev.design.DesignOptions`), so the appraisal and the design price
things the same way.  Cash flows (kUSD): year 0 the investment; years 1 … H the net
operating margin ``ramp_t × (value - variable cost) - fixed (labour) cost``; residual
value in year H.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regdev.errors import DataValidationError, NotFoundError, Problem
from regdev.evaluation import finance
from regdev.evaluation.scenario import AppraisalScenario, data_path, load_scenario
from regdev.units import KUSD_SUFFIX, UnitOfAccount, convert_kusd

__all__ = [
    "FACTORY_INPUT_COLUMNS",
    "LINE_COLUMNS",
    "OUTCOME_COLUMNS",
    "Appraisal",
    "LineValues",
    "appraise_design",
    "appraise_records",
    "cash_flows",
    "line_values",
    "read_factories",
    "read_outcomes",
]

#: Columns of ``factories.csv`` the ex-ante appraisal needs (money in kUSD).
FACTORY_INPUT_COLUMNS: tuple[str, ...] = (
    "region_id",
    "line",
    "unit",
    "capacity",
    "production",
    "jobs",
    "capital_cost",
    "annual_cost",
)
#: Columns of the optional simulation outcome table ``factory_outcomes.csv``: the production
#: of a line in each operating year (1 = the first year after the investment).
OUTCOME_COLUMNS: tuple[str, ...] = ("region_id", "line", "operating_year", "production")
#: Columns of :attr:`Appraisal.lines`.
LINE_COLUMNS: tuple[str, ...] = (
    "region_id",
    "line",
    "unit",
    "capacity",
    "production",
    "utilisation",
    "jobs",
    "capex_kusd",
    "value_kusd",
    "variable_kusd",
    "fixed_kusd",
    "npv_kusd",
    "irr",
    "payback_years",
    "discounted_payback_years",
    "cost_per_tonne_usd",
    "self_sufficiency",
    "defect_share",
)


@dataclass(frozen=True)
class LineValues:
    """Unit value and cost of every catalogue line and how names map to lines.

    Attributes
    ----------
    table : pandas.DataFrame
        Indexed by ``line_id``: ``name``, ``group``, ``unit``, ``tonnes_per_unit``,
        ``module_size``, ``value_usd`` (per output unit), ``variable_usd`` (operating cost
        and raw materials per unit), ``labour_t1`` … ``labour_t3`` (workers per module),
        ``capex_t1`` … ``capex_t3`` (kUSD per module).
    aliases : dict
        Lower-case name -> list of line ids (from ``line_aliases.csv``, the catalogue's
        line names and ids, and its groups).
    crf : float
        The designer's capital-recovery factor (capital charge per kUSD invested).
    wage_kusd : float
        Annual cost of one worker, kUSD.
    """

    table: pd.DataFrame
    aliases: dict[str, list[str]]
    crf: float
    wage_kusd: float

    def resolve(self, name: str) -> list[str]:
        """Catalogue line ids a recorded line name stands for (empty when unknown)."""
        return self.aliases.get(str(name).strip().lower(), [])

    def per_unit(self, name: str, column: str) -> float:
        """Mean of ``column`` over the lines ``name`` stands for (``nan`` when unknown)."""
        ids = self.resolve(name)
        if not ids:
            return float("nan")
        return float(self.table.loc[ids, column].astype(float).mean())


def line_values(catalogue: Any = None, options: Any = None) -> LineValues:
    """Value and cost per output unit of each catalogue line (see the module docstring).

    ``value_usd = central full unit cost + delivery``, where the central full unit cost is
    ``(capex_tc × crf + labour_tc × wage) / module_size + variable`` at the designer's
    ``central_tier`` times its ``central_cost_factor``, and the delivery is
    ``default_import_km × circuity × cost_per_tkm × tonnes_per_unit``.  The value of a
    *category* is the cheapest line's, as in the designer's baseline.
    """
    from regdev.design import DesignOptions, load_catalogue

    cat = catalogue if catalogue is not None else load_catalogue()
    opts = options if options is not None else DesignOptions()
    lines = cat.lines
    price = cat.supply["price_usd_per_t"].astype(float)
    inputs = cat.inputs.reindex(columns=price.index, fill_value=0.0).astype(float)
    variable = lines["opex_per_unit"].astype(float) + inputs.to_numpy() @ price.to_numpy()
    size = lines["module_size"].astype(float)
    ct = opts.central_tier
    full = (cat.capex(ct) * 1000.0 * opts.crf + cat.labour(ct) * opts.wage_usd) / size + variable
    full = full * opts.central_cost_factor
    by_cat = full.groupby(lines["category"]).transform("min")
    delivery = (
        opts.default_import_km
        * opts.circuity
        * opts.cost_per_tkm_usd
        * lines["tonnes_per_unit"].astype(float)
    )
    table = pd.DataFrame(
        {
            "name": lines["name"],
            "group": lines["group"],
            "category": lines["category"],
            "unit": lines["unit"],
            "tonnes_per_unit": lines["tonnes_per_unit"].astype(float),
            "module_size": size,
            "value_usd": by_cat + delivery,
            "variable_usd": variable,
            **{f"labour_t{t}": cat.labour(t) for t in (1, 2, 3)},
            **{f"capex_t{t}": cat.capex(t) for t in (1, 2, 3)},
        }
    )
    aliases: dict[str, list[str]] = {}
    for lid, row in table.iterrows():
        aliases.setdefault(str(lid).lower(), [str(lid)])
        aliases.setdefault(str(row["name"]).lower(), [str(lid)])
    for group, ids in table.groupby("group").groups.items():
        aliases.setdefault(str(group).lower(), [str(i) for i in ids])
    path = data_path("line_aliases.csv")
    with path.open(encoding="utf-8") as fh:
        for row_no, rec in enumerate(csv.DictReader(fh), start=2):
            lid, group = (rec.get("line_id") or "").strip(), (rec.get("group") or "").strip()
            if lid:
                if lid not in table.index:
                    raise DataValidationError(
                        [Problem(str(path), row_no, "line_id", f"unknown catalogue line {lid!r}")]
                    )
                aliases[rec["name"].strip().lower()] = [lid]
            elif group:
                ids = [str(i) for i in table.index[table["group"] == group]]
                if not ids:
                    raise DataValidationError(
                        [Problem(str(path), row_no, "group", f"unknown catalogue group {group!r}")]
                    )
                aliases[rec["name"].strip().lower()] = ids
    return LineValues(table, aliases, float(opts.crf), float(opts.wage_usd) / 1000.0)


def cash_flows(
    capex: float,
    value: float,
    variable: float,
    fixed: float,
    scenario: AppraisalScenario,
    *,
    production_path: Sequence[float] | None = None,
    steady_production: float | None = None,
    ramp: bool = True,
) -> np.ndarray:
    """Yearly net cash flows (kUSD) of one line, year 0 first.

    ``value`` and ``variable`` are per year at steady production; with
    ``production_path`` (production in operating years 1 … H) they scale with
    ``path_t / steady_production``; otherwise with the scenario's ramp-up.
    """
    h = scenario.horizon_years
    flows = np.zeros(h + 1)
    flows[0] = -capex
    margin = value - variable
    for t in range(1, h + 1):
        if production_path is not None and steady_production:
            k = production_path[t - 1] / steady_production if t - 1 < len(production_path) else 1.0
        elif ramp and t - 1 < len(scenario.ramp_up):
            k = scenario.ramp_up[t - 1]
        else:
            k = 1.0
        flows[t] = k * margin - fixed
    flows[h] += scenario.residual_share * capex
    return flows


@dataclass(frozen=True)
class Appraisal:
    """Result of an appraisal.

    Attributes
    ----------
    mode : str
        ``ex-ante`` or ``ex-post``.
    lines : pandas.DataFrame
        One row per line (:data:`LINE_COLUMNS`).
    counties : pandas.DataFrame
        Per county: capex, NPV, IRR, payback, jobs, cost per beneficiary / job / tonne,
        capacity use, self-sufficiency, staffing, reports on time.
    sensitivity : pandas.DataFrame
        ``parameter, change, npv_kusd, irr`` for the whole appraised set.
    flows : pandas.DataFrame
        Yearly net cash flow of each county (columns = years 0 … H).
    scenario : AppraisalScenario
    notes : list of str
        What the figures rest on (valuation, demo data, missing records).
    unit : UnitOfAccount or None
        The plan's unit of account (issue 10) when the appraised design came from a plan
        folder that names one.  The ``*_kusd`` columns stay in thousand USD (the
        designer's catalogue unit); :meth:`money` and :meth:`to_dict` give them in this
        unit as well.
    """

    mode: str
    lines: pd.DataFrame
    counties: pd.DataFrame
    sensitivity: pd.DataFrame
    flows: pd.DataFrame
    scenario: AppraisalScenario
    notes: list[str] = field(default_factory=list)
    unit: UnitOfAccount | None = None

    @property
    def unit_name(self) -> str:
        """What the money figures are called (the plan's unit of account, else ``kUSD``)."""
        return self.unit.name if self.unit is not None else "kUSD"

    def money(self, value_kusd: float) -> float:
        """A ``*_kusd`` figure in the unit of account (unchanged without a unit)."""
        return self.unit.from_kusd(value_kusd) if self.unit is not None else float(value_kusd)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form.

        With a unit of account, every ``*_kusd`` figure also appears without the suffix,
        converted (e.g. ``npv_kusd`` and ``npv``), and ``unit_of_account`` names the unit.
        """

        def recs(frame: pd.DataFrame) -> list[dict[str, Any]]:
            out = (
                frame.reset_index().to_dict("records")
                if frame.index.name
                else frame.to_dict("records")
            )
            rows = [{k: _clean(v) for k, v in r.items()} for r in out]
            if self.unit is not None:
                for r in rows:
                    money = {k: v for k, v in r.items() if k.endswith(KUSD_SUFFIX)}
                    r.update(convert_kusd(money, self.unit))
            return rows

        return {
            "mode": self.mode,
            "unit_of_account": self.unit.to_dict() if self.unit is not None else None,
            "scenario": {
                "discount_rate": self.scenario.discount_rate,
                "horizon_years": self.scenario.horizon_years,
                "source": self.scenario.source,
            },
            "counties": recs(self.counties),
            "lines": recs(self.lines),
            "sensitivity": recs(self.sensitivity),
            "notes": list(self.notes),
        }


def _clean(v: Any) -> Any:
    if isinstance(v, float | np.floating):
        return float(v) if math.isfinite(float(v)) else None
    if isinstance(v, np.integer):
        return int(v)
    return v


def _measures(flows: np.ndarray, rate: float) -> tuple[float, float, float, float]:
    return (
        finance.npv(rate, flows),
        finance.irr(flows),
        finance.payback(flows),
        finance.discounted_payback(rate, flows),
    )


def _finish(
    mode: str,
    lines: pd.DataFrame,
    flows: dict[tuple[str, str], np.ndarray],
    parts: dict[
        tuple[str, str], tuple[float, float, float, float, list[float] | None, float, bool]
    ],
    scenario: AppraisalScenario,
    population: dict[str, float],
    practicality: pd.DataFrame,
    notes: list[str],
) -> Appraisal:
    r = scenario.discount_rate
    h = scenario.horizon_years
    county_rows = []
    county_flows: dict[str, np.ndarray] = {}
    for (rid, _), f in flows.items():
        county_flows[rid] = county_flows.get(rid, np.zeros(h + 1)) + f
    for rid, f in sorted(county_flows.items()):
        sub = lines[lines["region_id"] == rid]
        npv_, irr_, pb, dpb = _measures(f, r)
        capex = float(sub["capex_kusd"].sum())
        jobs = float(sub["jobs"].sum())
        tonnes = float(sub["production_t"].sum())
        annual_full = float(
            (sub["capex_kusd"] * _crf(r, h) + sub["variable_kusd"] + sub["fixed_kusd"]).sum()
        )
        pop = population.get(rid, float("nan"))
        prac = practicality.loc[rid] if rid in practicality.index else None
        county_rows.append(
            {
                "region_id": rid,
                "n_lines": len(sub),
                "capex_kusd": capex,
                "npv_kusd": npv_,
                "irr": irr_,
                "payback_years": pb,
                "discounted_payback_years": dpb,
                "jobs": jobs,
                "population": pop,
                "cost_per_beneficiary_usd": capex * 1000.0 / pop
                if pop and pop > 0
                else float("nan"),
                "cost_per_job_kusd": capex / jobs if jobs > 0 else float("nan"),
                "cost_per_tonne_usd": annual_full * 1000.0 / tonnes if tonnes > 0 else float("nan"),
                "capacity_use": float(sub["production"].sum() / sub["capacity"].sum())
                if sub["capacity"].sum() > 0
                else float("nan"),
                "self_sufficiency": float(prac["self_sufficiency"])
                if prac is not None
                else float("nan"),
                "staffing_filled": float(prac["staffing_filled"])
                if prac is not None
                else float("nan"),
                "reports_on_time": float(prac["reports_on_time"])
                if prac is not None
                else float("nan"),
            }
        )
    counties = pd.DataFrame(county_rows).set_index("region_id") if county_rows else pd.DataFrame()
    total = np.zeros(h + 1)
    for f in county_flows.values():
        total = total + f
    sens = _sensitivity(parts, scenario, total)
    flows_frame = pd.DataFrame(
        {rid: f for rid, f in sorted(county_flows.items())}, index=range(h + 1)
    ).T
    flows_frame.index.name = "region_id"
    flows_frame.columns = [f"year_{t}" for t in range(h + 1)]
    return Appraisal(
        mode,
        lines.drop(columns=["production_t"]).reset_index(drop=True),
        counties,
        sens,
        flows_frame,
        scenario,
        notes,
    )


def _crf(rate: float, years: int) -> float:
    return 1.0 / finance.annuity_factor(rate, years)


def _sensitivity(
    parts: dict[
        tuple[str, str], tuple[float, float, float, float, list[float] | None, float, bool]
    ],
    scenario: AppraisalScenario,
    base_total: np.ndarray,
) -> pd.DataFrame:
    def total(price: float = 0.0, util: float = 0.0) -> np.ndarray:
        acc = np.zeros(scenario.horizon_years + 1)
        for capex, value, variable, fixed, path, steady, ramp in parts.values():
            k = 1.0 + util
            acc += cash_flows(
                capex,
                value * (1 + price) * k,
                variable * k,
                fixed,
                scenario,
                production_path=path,
                steady_production=steady,
                ramp=ramp,
            )
        return acc

    rows = []
    for rate in scenario.discount_rates:
        rows.append(("discount_rate", rate, *_npv_irr(rate, base_total)))
    for c in scenario.price_changes:
        rows.append(("price", c, *_npv_irr(scenario.discount_rate, total(price=c))))
    for c in scenario.utilisation_changes:
        rows.append(("utilisation", c, *_npv_irr(scenario.discount_rate, total(util=c))))
    return pd.DataFrame(rows, columns=["parameter", "value", "npv_kusd", "irr"])


def _npv_irr(rate: float, flows: np.ndarray) -> tuple[float, float]:
    if not np.any(flows):
        return 0.0, float("nan")
    return finance.npv(rate, flows), finance.irr(flows)


# ---------------------------------------------------------------------------- ex ante


def read_factories(path: str | Path) -> pd.DataFrame:
    """Read ``factories.csv`` (a plan folder's, or a file) and check its columns and numbers.

    Raises
    ------
    DataValidationError
        ``FILE:ROW:COLUMN`` for a missing column or a value that is not a number >= 0.
    NotFoundError
        When the file does not exist.
    """
    p = Path(path)
    if p.is_dir():
        p = p / "factories.csv"
    if not p.exists():
        msg = f"{p}: no factories.csv (run `regdev plan` with the factory designer first)"
        raise NotFoundError(msg)
    frame = pd.read_csv(p, dtype={"region_id": str, "line": str})
    missing = [c for c in FACTORY_INPUT_COLUMNS if c not in frame.columns]
    if missing:
        raise DataValidationError(
            [
                Problem(str(p), 1, c, "expected this column (factories.csv of the designer)")
                for c in missing
            ]
        )
    problems: list[Problem | str] = []
    for col in ("capacity", "production", "jobs", "capital_cost", "annual_cost"):
        vals = pd.to_numeric(frame[col], errors="coerce")
        for i in np.flatnonzero(~(vals >= 0).to_numpy()):
            problems.append(
                Problem(
                    str(p), int(i) + 2, col, f"expected a number >= 0; got {frame[col].iloc[i]!r}"
                )
            )
        frame[col] = vals
    if problems:
        raise DataValidationError(problems)
    # issue 10: a plan folder writes money in its unit of account; the appraisal works in kUSD
    meta_path = p.parent / "plan.json"
    if meta_path.is_file():
        import json

        unit_data = json.loads(meta_path.read_text("utf-8")).get("unit_of_account")
        if unit_data:
            to_kusd = 1.0 / UnitOfAccount.from_dict(unit_data).from_kusd(1.0)
            for col in ("capital_cost", "annual_cost"):
                frame[col] = frame[col] * to_kusd
            # appraise_design reports in the plan's unit again
            frame.attrs["unit_of_account"] = dict(unit_data)
    return frame


def read_outcomes(path: str | Path) -> pd.DataFrame:
    """Read a simulation outcome table (:data:`OUTCOME_COLUMNS`; a folder means its ``factory_outcomes.csv``)."""
    p = Path(path)
    if p.is_dir():
        p = p / "factory_outcomes.csv"
    if not p.exists():
        msg = f"{p}: no simulation outcome table (expected columns {', '.join(OUTCOME_COLUMNS)})"
        raise NotFoundError(msg)
    frame = pd.read_csv(p, dtype={"region_id": str, "line": str})
    missing = [c for c in OUTCOME_COLUMNS if c not in frame.columns]
    if missing:
        raise DataValidationError([Problem(str(p), 1, c, "expected this column") for c in missing])
    problems: list[Problem | str] = []
    year = pd.to_numeric(frame["operating_year"], errors="coerce")
    prod = pd.to_numeric(frame["production"], errors="coerce")
    for i in np.flatnonzero(~((year >= 1) & (year == year.round())).to_numpy()):
        problems.append(
            Problem(
                str(p),
                int(i) + 2,
                "operating_year",
                f"expected an integer >= 1; got {frame['operating_year'].iloc[i]!r}",
            )
        )
    for i in np.flatnonzero(~(prod >= 0).to_numpy()):
        problems.append(
            Problem(
                str(p),
                int(i) + 2,
                "production",
                f"expected a number >= 0; got {frame['production'].iloc[i]!r}",
            )
        )
    if problems:
        raise DataValidationError(problems)
    frame["operating_year"] = year.astype(int)
    frame["production"] = prod
    return frame


def appraise_design(
    factories: pd.DataFrame,
    *,
    regions: Sequence[str] | None = None,
    population: dict[str, float] | None = None,
    outcomes: pd.DataFrame | None = None,
    scenario: AppraisalScenario | None = None,
    values: LineValues | None = None,
    unit: UnitOfAccount | None = None,
) -> Appraisal:
    """Ex-ante appraisal of designed lines (``factories.csv``; money in kUSD).

    ``unit`` (default: the plan's, remembered by :func:`read_factories`) is the unit of
    account the result also reports its money in (:attr:`Appraisal.unit`).

    Capital is the design's ``capital_cost``; the yearly fixed cost is the design's
    ``annual_cost`` less its capital charge (``capital_cost × crf``) and the variable
    cost of its production; the value of output is :func:`line_values`.  With
    ``outcomes`` (a simulation's production per operating year) the path replaces the
    steady production and the ramp-up.

    Raises
    ------
    NotFoundError
        When none of ``regions`` has designed lines.
    """
    scenario = scenario or load_scenario()
    values = values or line_values()
    fac = factories
    if regions is not None:
        fac = fac[fac["region_id"].isin(list(regions))]
        if fac.empty:
            msg = f"no designed factory lines for {', '.join(regions)} in factories.csv"
            raise NotFoundError(msg)
    paths: dict[tuple[str, str], list[float]] = {}
    if outcomes is not None:
        for (rid, line), grp in outcomes.groupby(["region_id", "line"]):
            g = grp.sort_values("operating_year")
            sim = [0.0] * int(g["operating_year"].max())
            for y, prod in zip(g["operating_year"], g["production"], strict=True):
                sim[int(y) - 1] = float(prod)
            paths[(str(rid), str(line))] = sim
    rows = []
    flows: dict[tuple[str, str], np.ndarray] = {}
    parts: dict[
        tuple[str, str], tuple[float, float, float, float, list[float] | None, float, bool]
    ] = {}
    unknown: list[str] = []
    for rec in fac.to_dict("records"):
        rid, line = str(rec["region_id"]), str(rec["line"])
        unit_value = values.per_unit(line, "value_usd")
        unit_var = values.per_unit(line, "variable_usd")
        if not math.isfinite(unit_value):
            unknown.append(line)
            continue
        prod = float(rec["production"])
        capex = float(rec["capital_cost"])
        value = prod * unit_value / 1000.0
        variable = prod * unit_var / 1000.0
        fixed = max(float(rec["annual_cost"]) - capex * values.crf - variable, 0.0)
        path: list[float] | None = paths.get((rid, line))
        f = cash_flows(
            capex, value, variable, fixed, scenario, production_path=path, steady_production=prod
        )
        flows[(rid, line)] = f
        parts[(rid, line)] = (capex, value, variable, fixed, path, prod, True)
        npv_, irr_, pb, dpb = _measures(f, scenario.discount_rate)
        tpu = values.per_unit(line, "tonnes_per_unit")
        annual_full = (
            capex * _crf(scenario.discount_rate, scenario.horizon_years) + variable + fixed
        )
        rows.append(
            {
                "region_id": rid,
                "line": line,
                "unit": rec["unit"],
                "capacity": float(rec["capacity"]),
                "production": prod,
                "utilisation": prod / float(rec["capacity"]) if rec["capacity"] else float("nan"),
                "jobs": float(rec["jobs"]),
                "capex_kusd": capex,
                "value_kusd": value,
                "variable_kusd": variable,
                "fixed_kusd": fixed,
                "npv_kusd": npv_,
                "irr": irr_,
                "payback_years": pb,
                "discounted_payback_years": dpb,
                "cost_per_tonne_usd": annual_full * 1000.0 / (prod * tpu)
                if prod * tpu > 0
                else float("nan"),
                "self_sufficiency": float("nan"),
                "defect_share": float("nan"),
                "production_t": prod * tpu,
            }
        )
    lines = pd.DataFrame(rows, columns=[*LINE_COLUMNS, "production_t"])
    if lines.empty:
        msg = "no appraisable lines (none of the lines is in the catalogue or line_aliases.csv)"
        raise NotFoundError(msg)
    notes = [
        "ex ante: lines, capital and annual cost from the factory design (factories.csv)",
        "output valued at the avoided cost of central supply (see docs/evaluation.md)",
    ]
    if outcomes is not None:
        notes.append("production path from the simulation outcome table")
    if unknown:
        notes.append(f"not valued (unknown line names): {', '.join(sorted(set(unknown)))}")
    prac = pd.DataFrame(
        {
            "self_sufficiency": float("nan"),
            "staffing_filled": 1.0,
            "reports_on_time": float("nan"),
        },
        index=sorted(set(lines["region_id"])),
    )
    notes.append("ex ante: staffing is the design's (100 % filled by construction)")
    result = _finish("ex-ante", lines, flows, parts, scenario, population or {}, prac, notes)
    if unit is None and factories.attrs.get("unit_of_account"):
        unit = UnitOfAccount.from_dict(factories.attrs["unit_of_account"])
    return replace(result, unit=unit) if unit is not None else result


# ---------------------------------------------------------------------------- ex post


def appraise_records(
    operations: pd.DataFrame,
    *,
    sites: pd.DataFrame,
    quality: pd.DataFrame | None = None,
    population: dict[str, float] | None = None,
    tiers: dict[int, int] | None = None,
    scenario: AppraisalScenario | None = None,
    values: LineValues | None = None,
    until: tuple[int, int] | None = None,
    demo: bool = False,
) -> Appraisal:
    """Ex-post appraisal from monitoring records.

    Parameters
    ----------
    operations : pandas.DataFrame
        ``site_id, region_id, line, year, month, output, capacity, raw_local, raw_imported``.
    sites : pandas.DataFrame
        ``site_id, region_id, operating_since`` (date).
    quality : pandas.DataFrame, optional
        ``site_id, line, sample_size, n_defective``.
    population : dict, optional
        Inhabitants per region (the beneficiaries).
    tiers : dict, optional
        Modernisation tier per site (default: the scenario's ``default_tier``).
    until : (year, month), optional
        Last month of the appraisal (default: the last month with records).
    demo : bool
        The records are demo data (``regdev db seed-demo``); says so in the notes.

    Notes
    -----
    Per site and line, the last twelve recorded months give the annual output and
    capacity; capital is the catalogue's at that capacity and tier (modules =
    capacity / module size); the fixed cost is the catalogue's labour at the designer's
    wage.  Monitoring has no staffing records, so ``staffing_filled`` is unknown.

    Raises
    ------
    NotFoundError
        When there are no operation records.
    """
    scenario = scenario or load_scenario()
    values = values or line_values()
    if operations.empty:
        msg = "no production records to appraise"
        raise NotFoundError(msg)
    ops = operations.copy()
    ops["ym"] = ops["year"].astype(int) * 12 + ops["month"].astype(int) - 1
    last = int(ops["ym"].max()) if until is None else until[0] * 12 + until[1] - 1
    window = ops[(ops["ym"] > last - 12) & (ops["ym"] <= last)]
    rows = []
    flows: dict[tuple[str, str], np.ndarray] = {}
    parts: dict[
        tuple[str, str], tuple[float, float, float, float, list[float] | None, float, bool]
    ] = {}
    unknown: list[str] = []
    qual = (
        quality
        if quality is not None
        else pd.DataFrame(columns=["site_id", "line", "sample_size", "n_defective"])
    )
    qsum = (
        qual.groupby(["site_id", "line"])[["sample_size", "n_defective"]].sum()
        if not qual.empty
        else None
    )
    for (site_id, line), grp in window.groupby(["site_id", "line"]):
        rid = str(grp["region_id"].iloc[0])
        n_months = grp["ym"].nunique()
        output = float(grp["output"].sum()) * 12.0 / n_months
        capacity = float(grp["capacity"].mean()) * 12.0
        ids = values.resolve(str(line))
        if not ids:
            unknown.append(str(line))
            continue
        tier = (tiers or {}).get(int(site_id), scenario.default_tier)
        tab = values.table.loc[ids]
        modules = capacity / float(tab["module_size"].mean()) if capacity > 0 else 0.0
        capex = modules * float(tab[f"capex_t{tier}"].mean())
        jobs = modules * float(tab[f"labour_t{tier}"].mean())
        value = output * float(tab["value_usd"].mean()) / 1000.0
        variable = output * float(tab["variable_usd"].mean()) / 1000.0
        fixed = jobs * values.wage_kusd
        f = cash_flows(capex, value, variable, fixed, scenario, ramp=False)
        flows[(rid, f"{site_id}:{line}")] = f
        parts[(rid, f"{site_id}:{line}")] = (capex, value, variable, fixed, None, output, False)
        npv_, irr_, pb, dpb = _measures(f, scenario.discount_rate)
        raw_l, raw_i = float(grp["raw_local"].sum()), float(grp["raw_imported"].sum())
        tpu = float(tab["tonnes_per_unit"].mean())
        annual_full = (
            capex * _crf(scenario.discount_rate, scenario.horizon_years) + variable + fixed
        )
        defect = float("nan")
        if qsum is not None and (site_id, line) in qsum.index:
            q = qsum.loc[(site_id, line)]
            defect = (
                float(q["n_defective"]) / float(q["sample_size"])
                if q["sample_size"]
                else float("nan")
            )
        rows.append(
            {
                "region_id": rid,
                "line": str(line),
                "unit": "t",
                "capacity": capacity,
                "production": output,
                "utilisation": output / capacity if capacity > 0 else float("nan"),
                "jobs": jobs,
                "capex_kusd": capex,
                "value_kusd": value,
                "variable_kusd": variable,
                "fixed_kusd": fixed,
                "npv_kusd": npv_,
                "irr": irr_,
                "payback_years": pb,
                "discounted_payback_years": dpb,
                "cost_per_tonne_usd": annual_full * 1000.0 / (output * tpu)
                if output * tpu > 0
                else float("nan"),
                "self_sufficiency": raw_l / (raw_l + raw_i) if raw_l + raw_i > 0 else float("nan"),
                "defect_share": defect,
                "production_t": output * tpu,
            }
        )
    lines = pd.DataFrame(rows, columns=[*LINE_COLUMNS, "production_t"])
    if lines.empty:
        msg = "no appraisable lines in the records (no line name maps to the catalogue)"
        raise NotFoundError(msg)
    prac = _practicality(ops, sites, last)
    notes = [
        "ex post: the last twelve recorded months, extrapolated over the horizon",
        "capital and labour from the catalogue at the recorded capacity and tier",
        "output valued at the avoided cost of central supply (see docs/evaluation.md)",
        "staffing is not recorded by the monitoring service",
    ]
    if demo:
        notes.insert(0, "DEMO DATA: simulated records from `regdev db seed-demo`, not observations")
    if unknown:
        notes.append(f"not valued (unknown line names): {', '.join(sorted(set(unknown)))}")
    return _finish("ex-post", lines, flows, parts, scenario, population or {}, prac, notes)


def _practicality(ops: pd.DataFrame, sites: pd.DataFrame, last: int) -> pd.DataFrame:
    """Per region: self-sufficiency, staffing (unknown) and reports on time."""
    out = {}
    since = {
        int(s): pd.Timestamp(d).year * 12 + pd.Timestamp(d).month - 1
        for s, d in zip(sites["site_id"], sites["operating_since"], strict=True)
    }
    for rid, grp in ops.groupby("region_id"):
        raw_l, raw_i = float(grp["raw_local"].sum()), float(grp["raw_imported"].sum())
        due = 0
        for (sid, _), g in grp.groupby(["site_id", "line"]):
            start = max(since.get(int(sid), int(g["ym"].min())), int(g["ym"].min()))
            due += max(last - start + 1, 0)
        reported = grp[grp["ym"] <= last].groupby(["site_id", "line"])["ym"].nunique().sum()
        out[str(rid)] = {
            "self_sufficiency": raw_l / (raw_l + raw_i) if raw_l + raw_i > 0 else float("nan"),
            "staffing_filled": float("nan"),
            "reports_on_time": min(float(reported) / due, 1.0) if due else float("nan"),
        }
    return pd.DataFrame.from_dict(out, orient="index")


def with_changes(scenario: AppraisalScenario, **changes: Any) -> AppraisalScenario:
    """A copy of ``scenario`` with some fields changed (checked)."""
    new = replace(scenario, **changes)
    new.check()
    return new
