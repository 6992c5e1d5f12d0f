from __future__ import annotations

import numpy as np
import pytest

from regdev.planning.scenario import FACILITY_TYPES, Sizing
from regdev.planning.sizing import FACILITY_COLUMNS, size_facilities


def test_hospital_norms_by_hand():
    t = size_facilities(["A"], np.array([100_000.0]), ["hospital"], Sizing())
    row = t.iloc[0]
    assert row["size"] == 250  # 2.5 beds per 1,000
    assert row["doctors"] == 90  # 0.9 per 1,000
    assert row["first_aid_posts"] == 13  # ceil(100,000 / 8,000)
    assert row["base_cost"] == pytest.approx(2.0 + 0.045 * 250 + 0.08 * 13)


def test_factory_workers_are_clipped_and_area_follows():
    t = size_facilities(["S", "L"], np.array([10_000.0, 2_000_000.0]), ["factories"], Sizing())
    assert t["workers"].tolist() == [120, 1500]
    assert t["size"].tolist() == [120 * 45.0, 1500 * 45.0]


def test_grain_storage_months_of_consumption_and_dryer():
    t = size_facilities(["A"], np.array([120_000.0]), ["grain_storage"], Sizing())
    # 120,000 people × 167 kg / 1000 × 6/12 = 10,020 t (regdev.grain's one tonnage function)
    assert t.loc[0, "size"] == 10_020
    assert t.loc[0, "dryer_t_per_h"] == pytest.approx(round(10_020 * 0.6 / (30 * 20), 1))


def test_planner_and_grain_size_a_store_with_the_same_function():
    from regdev.grain.sizing import county_store_tonnage, size_county_store

    pops = np.array([8_000.0, 73_310.0, 120_000.0, 654_321.0])
    t = size_facilities(["A", "B", "C", "D"], pops, ["grain_storage"], Sizing())
    grain = county_store_tonnage(pops, months_of_consumption=6.0, min_capacity_t=1000.0)
    assert t["size"].tolist() == grain.tolist()
    one = size_county_store(73_310, norm="cn-consuming")
    assert one.capacity_t == pytest.approx(float(county_store_tonnage(73_310, norm="cn-consuming")))


def test_leisure_library_scales_with_population():
    t = size_facilities(["S", "L"], np.array([20_000.0, 400_000.0]), ["leisure_complex"], Sizing())
    assert t["library_seats"].tolist() == [60, 800]
    assert t["computers"].tolist() == [30, 400]
    assert (t["server_cores"] >= 4).all()
    assert t.loc[1, "cinema_seats"] == 800  # clipped at the maximum


def test_table_shape_and_order():
    t = size_facilities(["A", "B"], np.array([1e5, 5e4]), list(FACILITY_TYPES), Sizing())
    assert list(t.columns) == FACILITY_COLUMNS
    assert t["region_id"].tolist() == ["A"] * 5 + ["B"] * 5
    assert t["facility"].tolist()[:5] == list(FACILITY_TYPES)
    assert (t["base_cost"] > 0).all()
