"""What every report section reads: the plan, its schedule, dossiers, names and tables.

A section is a function ``section(ctx) -> ReportSection | None`` (one module each under
:mod:`regdev.reporting.parts`); it returns ``None`` when its data is absent (no design, no
coordinates, a table the plan folder does not have), so new tables from the planner or the
pipeline only need a new part, and an old plan renders without them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from regdev.design.result import DesignResult
    from regdev.planning.plan import Plan
    from regdev.registry import RegionRegistry


@dataclass(frozen=True, eq=False)
class ReportContext:
    """The inputs of the report's sections.

    Attributes
    ----------
    plan : Plan
        A plan with a solution.
    schedule : pandas.DataFrame
        ``plan.schedule_frame(allow_feasible=True)``.
    dossiers : list of dict
        One per programme region (:func:`regdev.planning.build_dossiers`).
    lang : str
        ``ko`` or ``en``.
    design : DesignResult, optional
        The factory design, when there is one.
    registry : RegionRegistry, optional
        The regions planned with (Korean names, province codes for the map); the
        embedded country is used when it holds the plan's regions.
    tables : mapping of str to DataFrame
        Further plan-folder tables by file name (e.g. ``factories.csv``); sections that
        know a table render it, the rest are listed generically.
    """

    plan: Plan
    schedule: pd.DataFrame
    dossiers: list[dict[str, Any]]
    lang: str
    design: DesignResult | None = None
    registry: RegionRegistry | None = None
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    @cached_property
    def year_idx(self) -> np.ndarray:
        """Year index per region × facility (−1: none)."""
        return self.plan.year_index(allow_feasible=True)

    @cached_property
    def regions(self) -> pd.DataFrame:
        """The programme regions indexed by ``region_id`` with names, province, lat/lon."""
        p = self.plan.problem
        frame = pd.DataFrame(
            {
                "name": list(p.names),
                "province": [p.provinces[k] for k in p.province_of],
                "population": p.population.astype(float),
            },
            index=pd.Index(list(p.region_ids), name="region_id"),
        )
        if p.lat is not None and p.lon is not None:
            frame["lat"] = p.lat
            frame["lon"] = p.lon
        reg = self.registry
        if reg is None:
            try:
                from regdev.registry import load_default

                default = load_default()
            except Exception:  # noqa: BLE001 - names are a nicety; the plan carries English ones
                default = None
            if default is not None and set(frame.index) <= set(default.frame.index):
                reg = default
        if reg is not None:
            extra = reg.frame.reindex(frame.index)
            for col in extra.columns:
                if col not in frame.columns:
                    frame[col] = extra[col]
        return frame

    def name(self, region_id: str) -> str:
        """The region's name in the report's language."""
        row = self.regions.loc[region_id]
        if self.lang == "ko" and isinstance(row.get("name_ko"), str) and row["name_ko"]:
            return str(row["name_ko"])
        return str(row["name"])

    @cached_property
    def province_names(self) -> dict[str, str]:
        """English province name → name in the report's language."""
        names = {str(p): str(p) for p in self.plan.problem.provinces}
        if self.lang != "ko" or "province_iso" not in self.regions.columns:
            return names
        try:
            from regdev.registry.boundaries import province_shapes

            shapes = province_shapes()
        except Exception:  # noqa: BLE001 - fall back to the registry's names
            return names
        iso = (
            self.regions.dropna(subset=["province_iso"]).groupby("province")["province_iso"].first()
        )
        for prov, code in iso.items():
            feat = shapes.features.get(str(code))
            if feat is not None:
                names[str(prov)] = feat.local_name("ko")
        return names

    def province(self, name: str) -> str:
        """A province's name in the report's language."""
        return self.province_names.get(str(name), str(name))

    @cached_property
    def units(self) -> dict[str, str]:
        """Facility type → size unit (``m2``, ``beds`` …) from the facilities table."""
        ft = self.plan.problem.facilities_table
        if "size_unit" not in ft.columns or "facility" not in ft.columns:
            return {}
        return {str(k): str(v) for k, v in ft.groupby("facility")["size_unit"].first().items()}

    @cached_property
    def design_lines(self) -> dict[str, list[str]]:
        """Region id → its production lines in words (``Furniture, 2 modules, 300 t a year``)."""
        if self.design is None:
            return {}
        from regdev.i18n import _

        fac = self.design.factories_frame()
        out: dict[str, list[str]] = {}
        for r in fac.itertuples():
            text = _(
                "{line}, {modules} modules, {capacity} {unit} a year",
                line=r.line_name,
                modules=int(r.modules),
                capacity=format(float(r.capacity), ",.0f"),
                unit=_unit_words(str(r.unit)),
            )
            out.setdefault(str(r.region_id), []).append(text)
        return out


def left_out_reason(ctx: ReportContext, region_id: str, facility: str) -> str:
    """Why a candidate gets no project of ``facility``, in words.

    The planner's reason: the type's capacity over the horizon is short of its
    candidates; the county's rank by weighted benefit decides who is left out.
    """
    from regdev.i18n import _

    p = ctx.plan.problem
    f = p.facilities.index(facility)
    i = p.region_ids.index(region_id)
    weight = p.benefit[:, f] * p.equity_weight
    rank = int((-weight).argsort(kind="stable").argsort(kind="stable")[i]) + 1
    return _(
        "only {total} can be built in {y0}–{y1} for {n} candidate counties, and this county "
        "ranks {rank} of {n} by weighted benefit",
        total=int(p.capacity[f].sum()),
        y0=p.years[0],
        y1=p.years[-1],
        n=int(p.eligible[:, f].sum()),
        rank=rank,
    )


def _unit_words(unit: str) -> str:
    """A catalogue unit in words: ``k_pieces`` → ``thousand pieces``."""
    from regdev.i18n import _

    if unit.startswith("k_"):
        return _("thousand {unit}", unit=unit[2:].replace("_", " "))
    return unit.replace("_", " ")
