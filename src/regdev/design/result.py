"""The frozen result of a design: tables, claims, per-county dossiers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from regdev.errors import NotFoundError

if TYPE_CHECKING:
    from pathlib import Path

    from regdev._milp import SolveResult, SolveStatus
    from regdev.design.model import DesignModel, DesignSolution
    from regdev.design.problem import DesignProblem
    from regdev.units import UnitOfAccount

FACTORY_COLUMNS = [
    "region_id",
    "county",
    "province",
    "line",
    "line_name",
    "group",
    "kind",
    "category",
    "unit",
    "modules",
    "capacity",
    "production",
    "utilisation",
    "jobs",
    "capital_cost",
    "annual_cost",
    "raw_materials_needed",
    "enabled_by",
    "main_input",
    "main_input_basis",
    "main_input_local_share",
    "counts_as_characteristic",
]
"""Columns of :meth:`DesignResult.factories_frame` (money in thousand USD).

``main_input`` is a characteristic line's required resource, ``main_input_basis``
where the county's supply of it comes from (``listed``, ``given`` or ``inferred``
from terrain and area: :data:`regdev.design.supply.SUPPLY_BASES`),
``main_input_local_share`` the share of the line's use of it drawn from local
supply, and ``counts_as_characteristic`` whether that share reaches
``DesignOptions.min_local_share`` (issue 17: characteristic means local).
Standard lines leave the first three empty and ``counts_as_characteristic`` false."""


@dataclass(frozen=True, eq=False)
class DesignResult:
    """A solved design.

    Attributes
    ----------
    problem : DesignProblem
    solution : DesignSolution
    info : regdev._milp.SolveResult
        ``status``, ``objective`` (kUSD/yr), ``bound``, ``gap``, ``solve_time_s``,
        ``method`` (how it was found), ``solver_version`` and ``certificate``.
    method : str
        The method asked for: ``auto``, ``milp`` or ``dive``.
    model : DesignModel or None
        The (national) MILP, for MPS export.
    wall_time_s : float
        Build + solve time.
    sub_statuses : tuple of str
        Solver status of each province when solved by province.
    """

    problem: DesignProblem
    solution: DesignSolution
    info: SolveResult
    method: str
    model: DesignModel | None = None
    wall_time_s: float = 0.0
    sub_statuses: tuple[str, ...] = ()
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    # ----------------------------------------------------------- solver facts
    @property
    def status(self) -> SolveStatus:
        """Solver status (``optimal``: within the gap asked for; ``feasible`` otherwise)."""
        return self.info.status

    @property
    def objective(self) -> float:
        """Total annual cost, thousand USD per year."""
        return self.info.objective

    @property
    def gap(self) -> float:
        """Relative gap between the objective and the best bound."""
        return self.info.gap

    @property
    def solver(self) -> str:
        """Solver and how it was used, e.g. ``"highs 1.16.0 (LP diving; LP-relaxation bound)"``."""
        return f"highs {self.info.solver_version} ({self.info.method})"

    def summary(self) -> dict[str, Any]:
        """Solver facts, the feasibility certificate and national claims as a JSON-ready dict."""
        from regdev.design.claims import national_claims

        cert = self.info.certificate
        return {
            "status": self.info.status,
            "objective_kusd": self.info.objective,
            "objective_sense": "minimize",
            "bound": self.info.bound,
            "gap": self.info.gap,
            "certificate": None if cert is None else cert.to_dict(),
            "solve_time_s": self.info.solve_time_s,
            "wall_time_s": self.wall_time_s,
            "solver": self.solver,
            "method": self.method,
            "n_regions": self.problem.n_regions,
            "claims": national_claims(self),
        }

    def write_mps(self, path: str | Path) -> Path:
        """Export the MILP in MPS format."""
        from regdev.design.model import build_model

        model = self.model if self.model is not None else build_model(self.problem)
        return model.write_mps(path)

    # ----------------------------------------------------------------- tables
    def _raw_text(self, i: int, k: int, need_total: np.ndarray) -> str:
        p, sol = self.problem, self.solution
        parts = []
        for r in np.flatnonzero(p.inputs[k] > 0):
            need = p.inputs[k, r] * sol.x[i, k]
            imp_share = sol.u[i, r] / need_total[r] if need_total[r] > 0 else 0.0
            imported = need * imp_share
            txt = f"{p.resources[r]}:{need:.0f}t"
            if imported > 0.5:
                txt += f" ({imported:.0f}t imported)"
            parts.append(txt)
        return "; ".join(parts)

    def _enabled_by(self, i: int, k: int) -> str:
        p = self.problem
        r = int(p.line_requires[k])
        if p.line_kinds[k] == "characteristic" and r >= 0:
            basis = self._basis(i, r)
            note = ", inferred from terrain and area" if basis == "inferred" else ""
            return f"local {p.resources[r]} ({p.supply[i, r]:.0f} t/yr{note})"
        return f"standard group {p.line_groups[k]}"

    def _basis(self, i: int, r: int) -> str:
        b = self.problem.supply_basis
        return "" if b is None else str(b[i, r])

    def _main_input(self, i: int, k: int) -> dict[str, Any]:
        """The characteristic line's required resource, its basis and local share."""
        from regdev.design.claims import main_input_local_share

        p = self.problem
        r = int(p.line_requires[k])
        if p.line_kinds[k] != "characteristic" or r < 0:
            return {
                "main_input": "",
                "main_input_basis": "",
                "main_input_local_share": float("nan"),
                "counts_as_characteristic": False,
            }
        share = main_input_local_share(self, i, k)
        return {
            "main_input": p.resources[r],
            "main_input_basis": self._basis(i, r),
            "main_input_local_share": share,
            "counts_as_characteristic": bool(share >= p.options.min_local_share - 1e-9),
        }

    def factories_frame(self) -> pd.DataFrame:
        """One row per opened line (columns :data:`FACTORY_COLUMNS`; money in kUSD).

        Computed once per result (the pipeline, the dossiers and the report all
        read it); every call returns a fresh copy.
        """
        if "factories" not in self._memo:
            self._memo["factories"] = self._factories_frame()
        out: pd.DataFrame = self._memo["factories"].copy()
        return out

    def _factories_frame(self) -> pd.DataFrame:
        from regdev.design.catalogue import load_catalogue

        p, sol = self.problem, self.solution
        if "line_names" in p.metadata and "line_units" in p.metadata:
            names = dict(zip(p.line_ids, p.metadata["line_names"], strict=True))
            units = dict(zip(p.line_ids, p.metadata["line_units"], strict=True))
        else:
            catalogue = load_catalogue()
            names = _line_names(p.line_ids, catalogue)
            units = _line_units(p.line_ids, catalogue)
        rows = []
        for i, k in zip(*np.nonzero(sol.y), strict=True):
            i, k = int(i), int(k)
            need_total = sol.x[i] @ p.inputs
            mods = int(sol.m[i, k])
            cap = mods * float(p.module_size[k])
            prod = float(sol.x[i, k])
            rows.append(
                {
                    "region_id": p.region_ids[i],
                    "county": p.region_names[i],
                    "province": p.provinces[i],
                    "line": p.line_ids[k],
                    "line_name": names.get(p.line_ids[k], p.line_ids[k]),
                    "group": p.line_groups[k],
                    "kind": p.line_kinds[k],
                    "category": p.categories[p.line_category[k]],
                    "unit": units.get(p.line_ids[k], ""),
                    "modules": mods,
                    "capacity": cap,
                    "production": prod,
                    "utilisation": prod / cap if cap > 0 else 0.0,
                    "jobs": int(round(mods * float(p.labour_per_module[i, k]))),
                    "capital_cost": mods * float(p.capex_per_module[i, k]),
                    "annual_cost": mods * float(p.module_cost[i, k]) + prod * float(p.unit_cost[k]),
                    "raw_materials_needed": self._raw_text(i, k, need_total),
                    "enabled_by": self._enabled_by(i, k),
                    **self._main_input(i, k),
                }
            )
        return pd.DataFrame(rows, columns=FACTORY_COLUMNS)

    def shipments_frame(self) -> pd.DataFrame:
        """Inter-county shipments: ``from, to, category, quantity, tonnes, km``."""
        p, sol = self.problem, self.solution
        a, c = np.nonzero(sol.s > 1e-6)
        return pd.DataFrame(
            {
                "from": [p.region_ids[p.arc_from[j]] for j in a],
                "to": [p.region_ids[p.arc_to[j]] for j in a],
                "category": [p.categories[j] for j in c],
                "quantity": sol.s[a, c],
                "tonnes": sol.s[a, c] * p.tonnes_per_unit[c],
                "km": p.arc_km[a],
            }
        )

    def claims_frame(self) -> pd.DataFrame:
        """Per-county claims (see :mod:`regdev.design.claims`)."""
        from regdev.design.claims import county_claims

        return county_claims(self)

    def raw_material_base(self) -> pd.DataFrame:
        """Raw material each county's design needs.

        Columns ``region_id, resource, need_t, local_supply_t, imported_t,
        local_supply_basis`` (``listed``, ``given``, ``inferred`` from terrain and
        area, or ``none``: :data:`regdev.design.supply.SUPPLY_BASES`).
        """
        p, sol = self.problem, self.solution
        need = sol.x @ p.inputs
        i, r = np.nonzero(need > 1e-6)
        return pd.DataFrame(
            {
                "region_id": [p.region_ids[j] for j in i],
                "resource": [p.resources[j] for j in r],
                "need_t": need[i, r],
                "local_supply_t": p.supply[i, r],
                "imported_t": sol.u[i, r],
                "local_supply_basis": [
                    self._basis(int(a), int(b)) for a, b in zip(i, r, strict=True)
                ],
            }
        )

    # ---------------------------------------------------------------- dossier
    def dossier(self, region_id: str) -> dict[str, Any]:
        """One county's design and why (JSON-ready).

        Raises
        ------
        NotFoundError
            When the region is not part of this design.
        """
        p = self.problem
        if region_id not in p.region_ids:
            msg = f"region {region_id!r} is not part of this design ({p.n_regions} regions)"
            raise NotFoundError(msg)
        rows = [r for r in self.factories_frame().to_dict("records") if r["region_id"] == region_id]
        return self._dossier(region_id, rows, self.claims_frame().loc[region_id].to_dict())

    def dossiers(self) -> dict[str, dict[str, Any]]:
        """Every design region's dossier (see :meth:`dossier`), by region id."""
        by_region: dict[str, list[dict[str, Any]]] = {}
        for row in self.factories_frame().to_dict("records"):
            by_region.setdefault(str(row["region_id"]), []).append(row)
        claims = self.claims_frame().to_dict("index")
        return {
            rid: self._dossier(rid, by_region.get(rid, []), claims[rid])
            for rid in self.problem.region_ids
        }

    def _dossier(
        self, region_id: str, rows: list[dict[str, Any]], claims: dict[str, Any]
    ) -> dict[str, Any]:
        from regdev.design.reasons import line_reasons

        p = self.problem
        i = p.region_pos(region_id)
        reasons = line_reasons(self, region_id)
        lines = []
        for row in rows:
            lines.append(
                {
                    "line": row["line"],
                    "name": row["line_name"],
                    "group": row["group"],
                    "kind": row["kind"],
                    "modules": int(row["modules"]),
                    "capacity": float(row["capacity"]),
                    "unit": row["unit"],
                    "utilisation": round(float(row["utilisation"]), 4),
                    "jobs": int(row["jobs"]),
                    "capital_cost_kusd": round(float(row["capital_cost"]), 1),
                    "raw_materials_needed": row["raw_materials_needed"],
                    "enabled_by": row["enabled_by"],
                    "counts_as_characteristic": bool(row["counts_as_characteristic"]),
                    "why": reasons.get(row["line"], ""),
                }
            )
        local = sorted(
            (p.resources[r], round(float(p.supply[i, r]), 1))
            for r in np.flatnonzero(p.supply[i] > 0)
        )
        return {
            "region_id": region_id,
            "name": p.region_names[i],
            "province": p.provinces[i],
            "tier": int(p.tiers[i]),
            "lines": lines,
            "raw_material_base": dict(local),
            "raw_material_inferred": sorted(
                p.resources[r]
                for r in np.flatnonzero(p.supply[i] > 0)
                if self._basis(i, int(r)) == "inferred"
            ),
            "jobs": int(claims["jobs"]),
            "capital_cost_kusd": round(float(claims["capital_cost_kusd"]), 1),
            "local_share": round(float(claims["local_share"]), 4),
            "nearby_share": round(float(claims["nearby_share"]), 4),
            "tkm_saved": round(float(claims["tkm_saved"]), 1),
            "transport_saved_kusd": round(float(claims["transport_saved_kusd"]), 2),
            "status": self.info.status,
        }

    def report_section_html(self, unit: UnitOfAccount | None = None) -> str:
        """A self-contained HTML section (inline SVG, no external URL) for the plan report.

        Money in ``unit`` (a plan's unit of account) when given, else in USD.
        """
        from regdev.design.report import section_body

        return (
            '<section id="factory-design"><h2>Factory design: production lines by county</h2>'
            + section_body(self, unit)
            + "</section>"
        )


def _line_names(line_ids: list[str], catalogue: Any) -> dict[str, str]:
    names = catalogue.lines["name"].astype(str).to_dict()
    return {lid: names.get(lid, lid) for lid in line_ids}


def _line_units(line_ids: list[str], catalogue: Any) -> dict[str, str]:
    units = catalogue.lines["unit"].astype(str).to_dict()
    return {lid: units.get(lid, "") for lid in line_ids}
