"""From a plan, a region table and the coefficients to the simulator's arrays.

:func:`build_model` is the only place where tables become numbers: everything after it
(:mod:`regdev.simulation.dynamics`) works on the numpy arrays of :class:`ModelArrays`,
vectorised over scenarios × counties × years.

Modelling choices (each documented in ``docs/simulation.md``):

* every region of the table is simulated, the capital too (the capital–region gap needs it);
  a region outside the plan gets nothing from the programme;
* a region's factory lines are grouped into two raw-material classes, *land* (crops,
  forest, livestock, salt, everything not from the sea) and *sea* (fish, shellfish,
  seaweed, aquaculture); lines of the groups ``seafood`` and ``seaweed`` are *sea* lines;
* the raw-material limit of a class is the Leontief (scarcest-input) limit of its
  resources: for a yield factor ``z``, ``min_r (z · local_r + flex · imported_r) / need_r``,
  tabulated on a grid of ``z`` and capped at the class's capacity / design production;
* baseline income per capita: national mean × (development index / mean)^elasticity,
  the capital at ``capital_ratio`` × national mean, rescaled so that the
  population-weighted mean equals the national mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from regdev.simulation.coefficients import Coefficients
from regdev.simulation.grainloss import GrainLossRates, grain_loss_rates
from regdev.simulation.leontief import IOModel, io_model
from regdev.simulation.planfolder import FACTORIES, PlanInputs
from regdev.simulation.slip import SlipModel

if TYPE_CHECKING:
    from regdev.registry import RegionRegistry

CLASSES: tuple[str, ...] = ("land", "sea")
SEA_GROUPS = frozenset({"seafood", "seaweed"})
Z_GRID = np.linspace(0.0, 3.0, 121)
"""Yield-factor grid of the raw-material tables (step 0.025)."""
NEVER = 0.0
"""Plan year of a facility that is not built (any value below the horizon works; 0 = none)."""


@dataclass(frozen=True, eq=False)
class ModelArrays:
    """Everything the vectorised kernel needs (numpy only; cheap to pickle for Dask).

    Shapes: C regions, K raw-material classes, Y years, G provinces, Z grid points.
    Money in thousand USD (kUSD) per year unless "per capita" (USD).
    """

    region_ids: tuple[str, ...]
    names: tuple[str, ...]
    provinces: tuple[str, ...]
    years: np.ndarray  # (Y,) int
    pop0: np.ndarray  # (C,)
    pop_growth: float
    province_index: np.ndarray  # (C,) int into provinces
    capital: int  # index of the capital, -1 when none
    y0: np.ndarray  # (C,) baseline income per capita, USD
    access0: np.ndarray  # (C,) baseline service access in [0, 1]
    # factories
    fac_year: np.ndarray  # (C,) plan year (NEVER = none)
    ramp_years: np.ndarray  # (C,)
    q_value: np.ndarray  # (C, K) design sales value, kUSD/yr
    cap_ratio: np.ndarray  # (C, K) capacity / design production
    fac_jobs: np.ndarray  # (C,)
    local_mat: np.ndarray  # (C, K) local raw-material purchases at design output, kUSD/yr
    transport_saved: np.ndarray  # (C,) kUSD/yr at full design output
    rm_table: np.ndarray  # (C, K, Z) supportable production / design at yield factor z
    sea_local_t: np.ndarray  # (C,) local sea raw material supply of the design, t/yr
    # other facilities
    hosp_year: np.ndarray
    hosp_staff: np.ndarray
    health_score: np.ndarray  # (C,) in [0, 1] when open
    leis_year: np.ndarray
    leis_staff: np.ndarray
    leisure_score: np.ndarray
    grain_year: np.ndarray
    grain_staff: np.ndarray
    grain_saved_t: np.ndarray  # (C,) grain saved per year when open, t
    off_year: np.ndarray
    off_t: np.ndarray  # (C,) offshore farm output, t/yr
    off_jobs: np.ndarray
    # coefficients
    io: IOModel
    slip: SlipModel
    grain_loss: GrainLossRates
    coef: dict[str, dict[str, float]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    opened: dict[str, np.ndarray] = field(default_factory=dict)
    """Real opening times (fractional years, NaN = not yet) by facility key
    (``fac``, ``hosp``, ``leis``, ``grain``, ``off``); they replace the simulated ones."""

    @property
    def n_regions(self) -> int:
        """Number of regions C."""
        return len(self.region_ids)

    @property
    def n_years(self) -> int:
        """Number of years Y."""
        return len(self.years)


def _first_year_and_sum(
    schedule: pd.DataFrame, facility: str, index: pd.Index, column: str = "size"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = schedule[schedule["facility"] == facility]
    year = pd.Series(NEVER, index=index, dtype=float)
    tier = pd.Series(1, index=index, dtype=float)
    size = pd.Series(0.0, index=index)
    if len(rows):
        rows = rows[rows["region_id"].isin(index)]
        g = rows.groupby("region_id")
        year.loc[g["year"].min().index] = g["year"].min().astype(float)
        tier.loc[g["tier"].min().index] = g["tier"].min().astype(float)
        size.loc[g[column].sum().index] = g[column].sum().fillna(0.0)
    return year.to_numpy(), tier.to_numpy(), size.to_numpy()


def _facility_column(
    facilities: pd.DataFrame, facility: str, column: str, index: pd.Index
) -> np.ndarray:
    rows = facilities[(facilities["facility"] == facility) & facilities["region_id"].isin(index)]
    out = pd.Series(0.0, index=index)
    if len(rows):
        s = rows.groupby("region_id")[column].sum()
        out.loc[s.index] = s
    return np.asarray(out.to_numpy(dtype=float))


def baseline_income(
    development_index: np.ndarray,
    population: np.ndarray,
    capital: int,
    *,
    national_mean: float,
    elasticity: float,
    capital_ratio: float,
) -> np.ndarray:
    """Baseline income per capita by region (USD), population-weighted mean = ``national_mean``.

    Examples
    --------
    >>> y = baseline_income(np.array([0.5, 0.5, 0.8]), np.array([1.0, 1.0, 2.0]), 2,
    ...     national_mean=100.0, elasticity=1.0, capital_ratio=2.0)
    >>> y.round(6).tolist()  # capital 200, others 0; mean 100 -> others rescaled to 0
    [0.0, 0.0, 200.0]
    >>> y = baseline_income(np.array([0.4, 0.8]), np.array([1.0, 1.0]), -1,
    ...     national_mean=90.0, elasticity=1.0, capital_ratio=2.0)
    >>> y.round(6).tolist()
    [60.0, 120.0]
    """
    dev = np.asarray(development_index, dtype=float)
    pop = np.asarray(population, dtype=float)
    rel = (dev / np.average(dev, weights=pop)) ** elasticity
    y = rel.copy()
    total = national_mean * pop.sum()
    if capital >= 0:
        cap_income = capital_ratio * national_mean
        others = np.ones(len(dev), dtype=bool)
        others[capital] = False
        rest = total - cap_income * pop[capital]
        y[others] = rel[others] * rest / float((rel[others] * pop[others]).sum())
        y[capital] = cap_income
    else:
        y = rel * total / float((rel * pop).sum())
    return np.asarray(y)


def _rm_tables(
    raw: pd.DataFrame,
    index: pd.Index,
    cap_ratio: np.ndarray,
    sea_resources: set[str],
    import_flex: float,
) -> tuple[np.ndarray, np.ndarray]:
    n = len(index)
    table = np.repeat(cap_ratio[:, :, None], len(Z_GRID), axis=2).copy()
    sea_local = np.zeros(n)
    pos = {rid: i for i, rid in enumerate(index)}
    raw = raw[raw["region_id"].isin(index) & (raw["need_t"] > 0)]
    for row in raw.itertuples(index=False):
        i = pos[row.region_id]
        k = 1 if row.resource in sea_resources else 0
        local_used = max(float(row.need_t) - float(row.imported_t), 0.0)
        local = max(float(row.local_supply_t), local_used)
        if k == 1:
            sea_local[i] += local
        f = (Z_GRID * local + import_flex * float(row.imported_t)) / float(row.need_t)
        table[i, k] = np.minimum(table[i, k], f)
    return table, sea_local


OPENED_KEYS: dict[str, str] = {
    "factories": "fac",
    "hospital": "hosp",
    "leisure_complex": "leis",
    "grain_storage": "grain",
    "offshore_farm": "off",
}
"""Schedule facility → key of :attr:`ModelArrays.opened`."""


def _opened_arrays(
    openings: pd.DataFrame | None, schedule: pd.DataFrame, index: pd.Index
) -> tuple[dict[str, np.ndarray], int]:
    out: dict[str, np.ndarray] = {}
    used = 0
    if openings is None or not len(openings):
        return out, used
    planned = set(zip(schedule["region_id"], schedule["facility"], strict=True))
    for facility, key in OPENED_KEYS.items():
        rows = openings[(openings["facility"] == facility) & openings["region_id"].isin(index)]
        rows = rows[[(r, facility) in planned for r in rows["region_id"]]]
        if not len(rows):
            continue
        arr = pd.Series(np.nan, index=index)
        s = rows.groupby("region_id")["opened"].max()
        arr.loc[s.index] = s.astype(float)
        out[key] = arr.to_numpy()
        used += len(s)
    return out, used


def build_model(
    plan: PlanInputs,
    registry: RegionRegistry,
    coefficients: Coefficients,
    slip: SlipModel,
    openings: pd.DataFrame | None = None,
) -> ModelArrays:
    """Turn a plan, its regions and the coefficients into :class:`ModelArrays`.

    ``openings`` (``region_id, facility, opened``: fractional year of the real
    inauguration) fixes the opening of facilities that have opened; a facility the plan
    does not schedule in that region is ignored.
    """
    from regdev.design import load_catalogue
    from regdev.registry import resource_vocabulary

    c = coefficients
    frame = registry.frame
    index = frame.index
    n = len(index)
    notes = list(plan.notes)
    unknown = sorted(set(plan.schedule["region_id"]) - set(index))
    if unknown:
        notes.append(
            f"{len(unknown)} planned region(s) not in the region table, left out: "
            + ", ".join(unknown[:5])
        )
    pop0 = frame["population"].astype(float).fillna(0.0).to_numpy()
    pop0 = np.where(pop0 > 0, pop0, 1.0)
    dev = registry.development_index().reindex(index).astype(float).to_numpy()
    capital = -1
    if registry.capital_id is not None and registry.capital_id in index:
        capital = int(index.get_loc(registry.capital_id))
    inc = c["income"]
    y0 = baseline_income(
        dev,
        pop0,
        capital,
        national_mean=float(inc["national_per_capita_usd"]),
        elasticity=float(inc["development_elasticity"]),
        capital_ratio=float(inc["capital_ratio"]),
    )
    acc = c["access"]
    access0 = np.clip(float(acc["base_floor"]) + float(acc["base_slope"]) * dev, 0.0, 1.0)
    provinces = tuple(sorted(frame["province"].astype(str).unique()))
    pidx = {p: i for i, p in enumerate(provinces)}
    province_index = np.array([pidx[str(p)] for p in frame["province"]], dtype=int)

    sched = plan.schedule
    fac_year, fac_tier, _ = _first_year_and_sum(sched, FACTORIES, index)
    ramp_by_tier = np.asarray(c["factories"]["ramp_years_by_tier"], dtype=float)
    tiers = np.clip(fac_tier.astype(int), 1, len(ramp_by_tier)) - 1
    ramp_years = ramp_by_tier[tiers]

    # factory design by class
    fx = plan.factories[plan.factories["region_id"].isin(index)].copy()
    fx["k"] = fx["group"].isin(SEA_GROUPS).astype(int)
    markup = float(c["factories"]["markup"])
    q_value = np.zeros((n, 2))
    prod = np.zeros((n, 2))
    cap = np.zeros((n, 2))
    fac_jobs = np.zeros(n)
    pos = pd.Series(np.arange(n), index=index)
    if len(fx):
        ii = pos.loc[fx["region_id"]].to_numpy()
        kk = fx["k"].to_numpy()
        np.add.at(q_value, (ii, kk), fx["annual_cost"].to_numpy() * (1.0 + markup))
        np.add.at(prod, (ii, kk), fx["production"].to_numpy())
        capacity = fx["capacity"].fillna(fx["production"]).to_numpy()
        np.add.at(cap, (ii, kk), np.maximum(capacity, fx["production"].to_numpy()))
        np.add.at(fac_jobs, ii, fx["jobs"].to_numpy())
    cap_ratio = np.where(prod > 0, cap / np.where(prod > 0, prod, 1.0), 1.0)
    # regions with a factory in the schedule but no design: no effect (noted)
    no_design = int(((fac_year > NEVER) & (q_value.sum(axis=1) == 0)).sum())
    if no_design:
        notes.append(f"{no_design} scheduled factory group(s) without a design: no output")

    vocab = resource_vocabulary()
    sea_resources = {r for r, v in vocab.items() if v.group == "sea" and r != "salt"}
    raw = plan.raw_materials
    rm_table, sea_local = _rm_tables(
        raw, index, cap_ratio, sea_resources, float(c["factories"]["import_flex"])
    )
    prices = load_catalogue().supply["price_usd_per_t"].astype(float)
    local_mat = np.zeros((n, 2))
    if len(raw):
        r = raw[raw["region_id"].isin(index)]
        used = (r["need_t"] - r["imported_t"]).clip(lower=0.0)
        price = r["resource"].map(prices).fillna(float(prices.median())).to_numpy()
        ii = pos.loc[r["region_id"]].to_numpy()
        kk = r["resource"].isin(sea_resources).astype(int).to_numpy()
        np.add.at(local_mat, (ii, kk), used.to_numpy() * price / 1000.0)
    transport = pd.Series(0.0, index=index)
    cl = plan.claims[plan.claims["region_id"].isin(index)]
    if len(cl):
        s = cl.groupby("region_id")["transport_saved_kusd"].sum()
        transport.loc[s.index] = s

    fac = plan.facilities
    hosp_year, _, _ = _first_year_and_sum(sched, "hospital", index)
    doctors = _facility_column(fac, "hospital", "doctors", index)
    hosp_staff = doctors * (1.0 + float(c["hospital"]["staff_per_doctor"]))
    health_score = np.minimum(
        1.0, doctors * 1000.0 / pop0 / float(c["hospital"]["norm_doctors_per_1000"])
    )
    leis_year, _, _ = _first_year_and_sum(sched, "leisure_complex", index)
    leis_m2 = _facility_column(fac, "leisure_complex", "size", index)
    seats = _facility_column(fac, "leisure_complex", "library_seats", index)
    leis_staff = leis_m2 / 1000.0 * float(c["leisure"]["staff_per_1000_m2"])
    leisure_score = np.minimum(
        1.0, seats * 1000.0 / pop0 / float(c["leisure"]["norm_library_seats_per_1000"])
    )
    g = c["grain"]
    loss = grain_loss_rates(g)
    grain_year, _, _ = _first_year_and_sum(sched, "grain_storage", index)
    store_t = _facility_column(fac, "grain_storage", "size", index)
    rural = (
        frame["population"].astype(float).fillna(0.0)
        - frame["urban_population"].astype(float).fillna(0.0)
    ).clip(lower=0.0)
    if float(rural.sum()) <= 0:
        rural = frame["population"].astype(float).fillna(0.0)
    grain_out = float(g["national_output_t"]) * (rural / float(rural.sum())).to_numpy()
    if "grain_output_t" in frame.columns:
        given = frame["grain_output_t"].astype(float).to_numpy()
        grain_out = np.where(np.isfinite(given), given, grain_out)
    protected = np.minimum(float(g["stored_fraction"]) * grain_out, store_t)
    grain_saved_t = loss.saved * protected
    grain_staff = store_t / 1000.0 * float(g["staff_per_1000_t"])
    off_year, _, off_ha = _first_year_and_sum(sched, "offshore_farm", index)
    off_t = _facility_column(fac, "offshore_farm", "output_t_per_year", index)
    off_jobs = _facility_column(fac, "offshore_farm", "size", index) * float(
        c["offshore"]["jobs_per_ha"]
    )
    if capital >= 0:
        notes.append(f"capital (reference): {index[capital]}")
    opened, n_opened = _opened_arrays(openings, sched, index)
    if n_opened:
        notes.append(f"{n_opened} facilities opened at their real inauguration dates")
    return ModelArrays(
        region_ids=tuple(str(x) for x in index),
        names=tuple(str(x) for x in frame["name"]),
        provinces=provinces,
        years=c.years,
        pop0=pop0,
        pop_growth=float(inc["population_growth"]),
        province_index=province_index,
        capital=capital,
        y0=y0,
        access0=access0,
        fac_year=fac_year,
        ramp_years=ramp_years,
        q_value=q_value,
        cap_ratio=cap_ratio,
        fac_jobs=fac_jobs,
        local_mat=local_mat,
        transport_saved=transport.to_numpy(dtype=float),
        rm_table=rm_table,
        sea_local_t=sea_local,
        hosp_year=hosp_year,
        hosp_staff=hosp_staff,
        health_score=health_score,
        leis_year=leis_year,
        leis_staff=leis_staff,
        leisure_score=leisure_score,
        grain_year=grain_year,
        grain_staff=grain_staff,
        grain_saved_t=grain_saved_t,
        off_year=off_year,
        off_t=off_t,
        off_jobs=off_jobs,
        io=io_model(c.io_table),
        slip=slip,
        grain_loss=loss,
        coef={k: dict(v) for k, v in c.values.items()},
        notes=tuple(notes),
        opened=opened,
    )
