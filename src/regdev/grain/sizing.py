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

``per_capita_kg_per_year`` defaults to 180 kg (an assumption: cereal food use
in East Asia is 150-210 kg per person and year; set the local ration norm).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from regdev.errors import ConfigError
from regdev.grain import plant
from regdev.grain import properties as props

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
    per_capita_kg_per_year: float = 180.0,
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
        Grain consumption, kg per person and year.
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
    4500.0
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
    by_months = consumption * MONTHS_NORM[norm] / 12.0
    harvest = (production_t or 0.0) * production_share
    capacity = math.ceil(max(by_months, harvest) / 10.0) * 10.0
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
