"""Facility sizing norms: population (and area) → facility sizes and base costs.

Every function here is vectorised over regions and pure: it takes arrays of
population and returns a table.  :func:`size_facilities` joins them into
the ``facilities`` table (one row per region and facility type) that feeds
the model's costs and ``facilities.csv``.

Size measures (the ``size`` column) and units:

=================  ==========================  =========================================
facility           ``size``                    other columns
=================  ==========================  =========================================
factories          floor area, m²              workers
hospital           beds                        doctors, first_aid_posts
leisure_complex    floor area, m²              library_seats, computers, server_cores,
                                               server_storage_tb, cinema_seats,
                                               bath_visits_per_day, shops
grain_storage      storage capacity, t         dryer_t_per_h
offshore_farm      farmed area, ha             output_t_per_year
=================  ==========================  =========================================

``base_cost`` (cost-norm units; the plan converts them into its unit of account) is ``cost_fixed + unit cost × size`` (+ first-aid posts
for hospitals); the model multiplies it by the year's tier cost factor.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from regdev.planning.scenario import Sizing

SIZE_UNIT: dict[str, str] = {
    "factories": "m2",
    "hospital": "beds",
    "leisure_complex": "m2",
    "grain_storage": "t",
    "offshore_farm": "ha",
}

FACILITY_COLUMNS: list[str] = [
    "region_id",
    "facility",
    "size",
    "size_unit",
    "base_cost",
    "workers",
    "doctors",
    "first_aid_posts",
    "library_seats",
    "computers",
    "server_cores",
    "server_storage_tb",
    "cinema_seats",
    "bath_visits_per_day",
    "shops",
    "dryer_t_per_h",
    "output_t_per_year",
]
"""Columns of ``facilities.csv`` in order."""


def _ceil(x: np.ndarray) -> np.ndarray:
    return np.ceil(np.round(x, 9))


def size_factories(population: np.ndarray, norms: Sizing) -> pd.DataFrame:
    """Workers and floor area of the regional-industry factory group."""
    n = norms.factories
    workers = np.clip(_ceil(population * n.workers_per_1000 / 1000.0), n.min_workers, n.max_workers)
    area = workers * n.floor_m2_per_worker
    return pd.DataFrame(
        {"size": area, "base_cost": n.cost_fixed + n.cost_per_m2 * area, "workers": workers}
    )


def size_hospital(population: np.ndarray, norms: Sizing) -> pd.DataFrame:
    """Beds, doctors and first-aid posts of a county hospital."""
    n = norms.hospital
    beds = np.maximum(_ceil(population * n.beds_per_1000 / 1000.0), n.min_beds)
    doctors = _ceil(population * n.doctors_per_1000 / 1000.0)
    posts = np.maximum(_ceil(population / n.people_per_first_aid_post), 1.0)
    cost = n.cost_fixed + n.cost_per_bed * beds + n.cost_per_first_aid_post * posts
    return pd.DataFrame(
        {"size": beds, "base_cost": cost, "doctors": doctors, "first_aid_posts": posts}
    )


def size_leisure(population: np.ndarray, norms: Sizing) -> pd.DataFrame:
    """Library core (seats, computers, server), cinema, bathhouse and shops."""
    n = norms.leisure_complex
    seats = np.maximum(_ceil(population * n.library_seats_per_1000 / 1000.0), n.min_library_seats)
    computers = _ceil(seats * n.computers_per_seat)
    cores = np.maximum(_ceil(computers / n.users_per_server_core), 4.0)
    storage = np.maximum(
        np.round(population * n.storage_tb_per_1000_people / 1000.0, 1), n.min_storage_tb
    )
    cinema = np.clip(
        _ceil(population * n.cinema_seats_per_1000 / 1000.0), n.min_cinema_seats, n.max_cinema_seats
    )
    bath = _ceil(population * n.bath_visits_per_1000_per_day / 1000.0)
    shops = np.maximum(_ceil(population / n.people_per_shop), 1.0)
    area = seats * n.floor_m2_per_library_seat + cinema * n.floor_m2_per_cinema_seat
    return pd.DataFrame(
        {
            "size": area,
            "base_cost": n.cost_fixed + n.cost_per_m2 * area,
            "library_seats": seats,
            "computers": computers,
            "server_cores": cores,
            "server_storage_tb": storage,
            "cinema_seats": cinema,
            "bath_visits_per_day": bath,
            "shops": shops,
        }
    )


def size_grain(population: np.ndarray, norms: Sizing) -> pd.DataFrame:
    """Storage capacity (months of consumption) and dryer throughput (harvest window)."""
    from regdev.grain.sizing import county_store_tonnage

    n = norms.grain_storage
    # issue 10: one tonnage function for the planner and regdev.grain
    cap = county_store_tonnage(
        population,
        per_capita_kg_per_year=n.grain_kg_per_person_year,
        months_of_consumption=n.months_of_consumption,
        min_capacity_t=n.min_capacity_t,
        step_t=10.0,
        rounding="up",
    )
    dryer = np.round(cap * n.share_dried / (n.harvest_window_days * n.dryer_hours_per_day), 1)
    return pd.DataFrame(
        {"size": cap, "base_cost": n.cost_fixed + n.cost_per_t * cap, "dryer_t_per_h": dryer}
    )


def size_offshore(population: np.ndarray, norms: Sizing) -> pd.DataFrame:
    """Farmed area and yearly output of an offshore farm."""
    n = norms.offshore_farm
    area = np.clip(
        np.round(population * n.ha_per_1000_people / 1000.0), n.min_area_ha, n.max_area_ha
    )
    return pd.DataFrame(
        {
            "size": area,
            "base_cost": n.cost_fixed + n.cost_per_ha * area,
            "output_t_per_year": area * n.yield_t_per_ha_year,
        }
    )


_SIZERS = {
    "factories": size_factories,
    "hospital": size_hospital,
    "leisure_complex": size_leisure,
    "grain_storage": size_grain,
    "offshore_farm": size_offshore,
}


def size_facilities(
    region_ids: list[str], population: np.ndarray, facilities: list[str], norms: Sizing
) -> pd.DataFrame:
    """The facilities table: one row per region and facility type.

    Parameters
    ----------
    region_ids : list of str
        Region ids (rows of ``population``).
    population : numpy.ndarray
        Residents of every region.
    facilities : list of str
        Facility types to size.
    norms : Sizing
        The scenario's sizing norms.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FACILITY_COLUMNS`; rows ordered by region (as given)
        then facility (as given).  Cells that do not apply are empty (NaN).

    Examples
    --------
    >>> from regdev.planning.scenario import Sizing
    >>> t = size_facilities(["A"], np.array([100_000.0]), ["hospital"], Sizing())
    >>> int(t.loc[0, "size"]), int(t.loc[0, "first_aid_posts"])
    (250, 13)
    """
    pop = np.asarray(population, dtype=float)
    parts = []
    for order, fac in enumerate(facilities):
        part = _SIZERS[fac](pop, norms)
        part.insert(0, "facility", fac)
        part.insert(0, "region_id", list(region_ids))
        part["size_unit"] = SIZE_UNIT[fac]
        part["_row"] = np.arange(len(pop)) * len(facilities) + order
        parts.append(part)
    table = pd.concat(parts, ignore_index=True).sort_values("_row", kind="stable")
    table = table.drop(columns="_row").reset_index(drop=True)
    table["base_cost"] = table["base_cost"].round(6)
    return table.reindex(columns=FACILITY_COLUMNS)
