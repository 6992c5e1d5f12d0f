"""Settlement layer and travel times."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

from regdev.errors import DataValidationError
from regdev.health.settlements import is_synthetic, read_settlements, synthetic_settlements
from regdev.health.travel import (
    TravelParameters,
    crow_minutes,
    edge_graph,
    great_circle_km,
    network_minutes,
    read_network,
)
from regdev.registry import load_default, toy_region


@pytest.mark.parametrize(
    "name",
    ["regdev.health.settlements", "regdev.health.travel", "regdev.health.pmedian"],
)
def test_docstring_examples(name):
    res = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0 and res.failed == 0


def test_synthetic_settlements_cover_every_region_and_sum_to_population():
    reg = load_default()
    s = synthetic_settlements(reg, seed=3)
    assert is_synthetic(s)
    assert set(s["region_id"]) == set(reg.ids)
    per = s.groupby("region_id")["population"].sum()
    pop = reg.frame["population"]
    # rounding of village shares only: within 0.1 % + a few people per village
    rel = (per - pop.loc[per.index]).abs() / pop.loc[per.index]
    assert float(rel.max()) < 0.01
    assert s["settlement_id"].is_unique
    again = synthetic_settlements(reg, seed=3)
    assert again.equals(s)


def test_read_settlements_reports_file_row_column(tmp_path):
    f = tmp_path / "v.csv"
    f.write_text(
        "settlement_id,region_id,lat,lon,population\n"
        "a,KP-X,39.0,125.0,100\n"
        "a,KP-X,95.0,125.0,-3\n"
        "c,,39.0,abc,10\n"
    )
    with pytest.raises(DataValidationError) as err:
        read_settlements(f)
    text = str(err.value)
    assert f"{f}:3:settlement_id:" in text
    assert f"{f}:3:lat:" in text
    assert f"{f}:3:population:" in text
    assert f"{f}:4:region_id:" in text
    assert f"{f}:4:lon:" in text
    assert f"{f}:2:" not in text


def test_read_settlements_checks_region_ids_and_reads_good_files(tmp_path):
    reg = toy_region()
    rid = reg.ids[0]
    f = tmp_path / "v.csv"
    f.write_text(f"settlement_id,region_id,lat,lon,population\nv1,{rid},39.1,125.2,250\n")
    out = read_settlements(f, regions=reg)
    assert out.loc[0, "population"] == 250.0 and not is_synthetic(out)
    f.write_text("settlement_id,region_id,lat,lon,population\nv1,NOPE,39.1,125.2,250\n")
    with pytest.raises(DataValidationError, match=r":2:region_id: expected a known region id"):
        read_settlements(f, regions=reg)


def test_missing_column_is_named(tmp_path):
    f = tmp_path / "v.csv"
    f.write_text("settlement_id,region_id,lat,population\nv,r,39,1\n")
    with pytest.raises(DataValidationError, match=r"v.csv::lon: expected this column"):
        read_settlements(f)


def test_great_circle_one_degree_of_latitude():
    km = great_circle_km([39.0], [125.0], [40.0], [125.0])
    assert km[0, 0] == pytest.approx(111.19, abs=0.05)


def test_mountains_are_slower():
    p = TravelParameters()
    lat, lon = np.array([39.0, 39.0]), np.array([125.0, 125.0])
    m = crow_minutes(lat, lon, np.array([39.05]), np.array([125.0]), ["lowland", "mountainous"], p)
    assert m[1, 0] == pytest.approx(m[0, 0] * 5.0 / 2.5)


def test_edge_graph_last_repeat_wins_and_is_symmetric():
    g = edge_graph(3, [0, 1, 0], [1, 2, 1], [4.0, 1.0, 9.0])
    assert g[0, 1] == 9.0 and g[1, 0] == 9.0 and g[1, 2] == 1.0


def test_network_travel_uses_shortest_paths(tmp_path):
    # a square 0-1-2-3 with a slow diagonal 0-2: 0→2 is 0-1-2 (20 min), not the 50-min edge
    (tmp_path / "nodes.csv").write_text(
        "node_id,lat,lon\nn0,39.0,125.0\nn1,39.0,125.1\nn2,39.1,125.1\nn3,39.1,125.0\n"
    )
    (tmp_path / "edges.csv").write_text(
        "from,to,minutes\nn0,n1,10\nn1,n2,10\nn2,n3,10\nn3,n0,10\nn0,n2,50\n"
    )
    net = read_network(tmp_path / "nodes.csv", tmp_path / "edges.csv")
    m = network_minutes(net, [39.0], [125.0], [39.1], [125.1], ["lowland"])
    assert m[0, 0] == pytest.approx(20.0, abs=1e-6)


def test_network_errors_name_row_and_column(tmp_path):
    (tmp_path / "nodes.csv").write_text("node_id,lat,lon\nn0,39.0,125.0\n")
    (tmp_path / "edges.csv").write_text("from,to,minutes\nn0,zz,x\n")
    with pytest.raises(DataValidationError) as err:
        read_network(tmp_path / "nodes.csv", tmp_path / "edges.csv")
    assert "edges.csv:2:to:" in str(err.value)
    assert "edges.csv:2:minutes:" in str(err.value)
