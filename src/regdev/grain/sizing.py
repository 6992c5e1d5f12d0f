"""Sizing a county grain store: capacity, dryer throughput, fans and wet holding.

Norms (``data/storage_thresholds.csv``, topic ``sizing`` and ``aeration``)
-------------------------------------------------------------------------
* Capacity by consumption months: Chinese local-reserve practice keeps 3
  months of market supply in producing regions, 4.5 in balanced and 6 in
  consuming regions (``cn-producing``, ``cn-balanced``, ``cn-consuming``); the
  FAO minimum safe world stock is 17-18 % of annual utilisation, about 2.2
  months (``fao-minimum``).
* Capacity by production share: the share of the local harvest the store takes in.
* Dryer: the wet share of the harvest must be dried within the harvest
  window; a peak factor (default 1.5) covers the uneven daily intake.
* Fans: cooling 0.12-0.24 m3/min/t (GRDC 2-4 L/s/t), drying 0.9-1.5 m3/min/t;
  power from Shedd's pressure drop (:func:`regdev.grain.plant.shedd_pressure_drop`).
* Wet holding: wet grain waiting for the dryer can be held 3-6 weeks under
  2-4 L/s/t continuous aeration (GRDC, P. Burrill); the bin must hold the
  intake that exceeds dryer capacity at the peak.

``per_capita_kg_per_year`` defaults to 167 kg: the cereal utilisation per person
and year the FAO/WFP Crop and Food Security Assessment Mission to the DPRK used
(special report, 8 December 2008, fao.org/3/ai475e).  It is a planning
assumption: set the local ration norm.

One truth for the tonnage
-------------------------
:func:`county_store_tonnage` is the one function that turns population into a
county store's capacity; :func:`size_county_store` and the planner's facility
sizing call it (the planner passes its scenario's norms).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from regdev.errors import ConfigError
from regdev.grain import plant
from regdev.grain import properties as props

FloatArray = npt.NDArray[np.float64]

#: Cereal utilisation per person and year, kg (FAO/WFP CFSAM to the DPRK, 8 December 2008:
#: "a cereal utilization of 167 kg/capita/year").
PER_CAPITA_KG_PER_YEAR = 167.0

#: Months of consumption a store holds, by norm (``data/storage_thresholds.csv``, topic sizing).
MONTHS_NORM: dict[str, float] = {
    "cn-producing": 3.0,
    "cn-balanced": 4.5,
    "cn-consuming": 6.0,
    "fao-minimum": 0.175 * 12.0,
}


@dataclass(frozen=True)
class SizingResult:
    """Sizing of one county's grain store (all quantities rounded up where they are capacities)."""

    population: int
    norm: str
    consumption_t_per_year: float
    capacity_t: float
    capacity_m3: float
    harvest_t: float
    dryer_t_per_h: float
    wet_holding_t: float
    cooling_fan_kw: float
    drying_fan_kw: float
    cooling_airflow_m3_min: float

    def to_dict(self) -> dict[str, float | int | str]:
        """Plain dict (for JSON output)."""
        return asdict(self)


def _positive(name: str, value: float, *, allow_zero: bool = False) -> None:
    ok = math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        msg = f"{name} must be {bound}; got {value!r}"
        raise ConfigError(msg)


def county_store_tonnage(
    population: npt.ArrayLike,
    *,
    per_capita_kg_per_year: float = PER_CAPITA_KG_PER_YEAR,
    months_of_consumption: float | None = None,
    norm: str = "cn-balanced",
    min_capacity_t: float = 0.0,
    step_t: float = 10.0,
    rounding: Literal["up", "nearest"] = "up",
) -> FloatArray:
    """Storage capacity of county grain stores from their population, t (vectorised).

    ``capacity = max(round_step(population * per_capita / 1000 * months / 12), min_capacity_t)``

    Parameters
    ----------
    population : array_like
        People served, one value or one per county (>= 0).
    per_capita_kg_per_year : float
        Cereal use per person and year, kg (default 167, FAO/WFP CFSAM DPRK 2008).
    months_of_consumption : float, optional
        Months of that use the store holds; when omitted, the months of ``norm``.
    norm : str
        One of :data:`MONTHS_NORM` (China's local reserve practice: 3 / 4.5 / 6
        months in producing / balanced / consuming regions; FAO minimum 2.1 months).
    min_capacity_t : float
        Smallest store built, t.
    step_t : float
        Capacities are multiples of this, t.
    rounding : {"up", "nearest"}
        ``"up"`` (default): the store holds at least the norm; ``"nearest"``: the
        nearest multiple of ``step_t`` (at most ``step_t / 2`` short).

    Returns
    -------
    numpy.ndarray
        Capacity, t, with the shape of ``population`` (0-d for a scalar).

    Raises
    ------
    ConfigError
        For a negative or non-finite population, non-positive norms or an unknown ``norm``.

    Examples
    --------
    >>> float(county_store_tonnage(100_000, norm="cn-producing"))
    4180.0
    >>> county_store_tonnage([50_000, 8_000], per_capita_kg_per_year=170.0,
    ...                      months_of_consumption=6.0, min_capacity_t=1000.0).tolist()
    [4250.0, 1000.0]
    """
    pop = np.asarray(population, dtype=np.float64)
    if not np.all(np.isfinite(pop)) or np.any(pop < 0):
        msg = "population must be finite and >= 0 for every county"
        raise ConfigError(msg)
    if months_of_consumption is None:
        if norm not in MONTHS_NORM:
            msg = f"norm must be one of {', '.join(MONTHS_NORM)}; got {norm!r}"
            raise ConfigError(msg)
        months = MONTHS_NORM[norm]
    else:
        months = float(months_of_consumption)
    for name, value in (
        ("per_capita_kg_per_year", per_capita_kg_per_year),
        ("months_of_consumption", months),
        ("step_t", step_t),
    ):
        _positive(name, float(value))
    _positive("min_capacity_t", float(min_capacity_t), allow_zero=True)
    if rounding not in ("up", "nearest"):
        msg = f"rounding must be 'up' or 'nearest'; got {rounding!r}"
        raise ConfigError(msg)
    tonnes = pop * per_capita_kg_per_year / 1000.0 * months / 12.0
    units = np.round(tonnes / step_t, 9)  # float noise must not add a step
    stepped = (np.ceil(units) if rounding == "up" else np.round(units)) * step_t
    return np.asarray(np.maximum(stepped, min_capacity_t), dtype=np.float64)


def fan_power_kw(
    grain: str,
    tonnes: float,
    airflow_m3_min_t: float,
    depth_m: float = 15.0,
    *,
    efficiency: float = 0.6,
    packing_factor: float = 1.5,
    duct_loss_pa: float = 150.0,
) -> float:
    """Electric fan power (kW) for an airflow through a store of given mass and depth."""
    spec = plant.StoreSpec(
        grain=grain,
        tonnes=tonnes,
        depth_m=depth_m,
        airflow_m3_min_t=airflow_m3_min_t,
        fan_efficiency=efficiency,
        packing_factor=packing_factor,
        duct_loss_pa=duct_loss_pa,
    )
    return plant.build_params(spec).fan_kw


def size_county_store(
    population: int,
    *,
    grain: str = "maize",
    norm: str = "cn-balanced",
    per_capita_kg_per_year: float = PER_CAPITA_KG_PER_YEAR,
    production_t: float | None = None,
    production_share: float = 0.0,
    harvest_days: float = 30.0,
    wet_share: float = 0.6,
    dryer_hours_per_day: float = 20.0,
    peak_factor: float = 1.5,
    cooling_airflow_m3_min_t: float = 0.15,
    drying_airflow_m3_min_t: float = 1.0,
    depth_m: float = 15.0,
) -> SizingResult:
    """Size a county store.

    Parameters
    ----------
    population : int
        People served.
    grain : str
        Main grain (density, airflow resistance).
    norm : str
        Months-of-consumption norm, one of :data:`MONTHS_NORM`.
    per_capita_kg_per_year : float
        Grain consumption, kg per person and year (default 167, FAO/WFP CFSAM DPRK 2008).
    production_t : float, optional
        Local harvest, t; with ``production_share`` the store also takes in that
        share of the harvest, and capacity is the larger of the two rules.
    production_share : float
        Share of the harvest taken in, 0-1.
    harvest_days : float
        Length of the harvest intake window, d.
    wet_share : float
        Share of intake that arrives wetter than safe and must be dried, 0-1.
    dryer_hours_per_day : float
        Dryer operating hours per day.
    peak_factor : float
        Peak-day intake over average-day intake.
    cooling_airflow_m3_min_t, drying_airflow_m3_min_t : float
        Design airflows, m3/min per tonne.
    depth_m : float
        Grain depth of the bins, m.

    Returns
    -------
    SizingResult

    Raises
    ------
    ConfigError
        For an unknown norm or out-of-range inputs.

    Examples
    --------
    >>> r = size_county_store(100_000, norm="cn-producing")
    >>> r.capacity_t
    4180.0
    """
    if norm not in MONTHS_NORM:
        msg = f"norm must be one of {', '.join(MONTHS_NORM)}; got {norm!r}"
        raise ConfigError(msg)
    if population <= 0:
        msg = f"population must be > 0; got {population}"
        raise ConfigError(msg)
    for name, value in (
        ("per_capita_kg_per_year", per_capita_kg_per_year),
        ("harvest_days", harvest_days),
        ("dryer_hours_per_day", dryer_hours_per_day),
        ("peak_factor", peak_factor),
        ("depth_m", depth_m),
    ):
        _positive(name, value)
    if not 0 <= production_share <= 1 or not 0 <= wet_share <= 1:
        msg = f"shares must be within 0..1; got production_share={production_share}, wet_share={wet_share}"
        raise ConfigError(msg)
    g = props.canonical_grain(grain)
    consumption = population * per_capita_kg_per_year / 1000.0
    by_months = float(
        county_store_tonnage(population, per_capita_kg_per_year=per_capita_kg_per_year, norm=norm)
    )
    harvest = (production_t or 0.0) * production_share
    capacity = max(by_months, math.ceil(round(harvest / 10.0, 9)) * 10.0)
    intake = harvest if harvest > 0 else capacity
    wet = intake * wet_share
    dryer = wet / harvest_days * peak_factor / dryer_hours_per_day
    dryer = math.ceil(dryer * 10.0) / 10.0
    # Peak intake runs at peak_factor x average for the middle third of the window;
    # what the dryer cannot take in that time waits in wet-holding bins.
    peak_days = harvest_days / 3.0
    excess = (wet / harvest_days * peak_factor - dryer * dryer_hours_per_day) * peak_days
    wet_holding = math.ceil(max(excess, wet / harvest_days * 2.0) / 10.0) * 10.0
    density = plant.GRAIN_PHYSICAL[g]["density"]
    return SizingResult(
        population=population,
        norm=norm,
        consumption_t_per_year=consumption,
        capacity_t=capacity,
        capacity_m3=capacity * 1000.0 / density,
        harvest_t=harvest,
        dryer_t_per_h=dryer,
        wet_holding_t=wet_holding,
        cooling_fan_kw=fan_power_kw(g, capacity, cooling_airflow_m3_min_t, depth_m),
        drying_fan_kw=fan_power_kw(g, wet_holding, drying_airflow_m3_min_t, min(depth_m, 6.0)),
        cooling_airflow_m3_min=capacity * cooling_airflow_m3_min_t,
    )
