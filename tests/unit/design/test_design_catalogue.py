from __future__ import annotations

import pandas as pd
import pytest

from regdev.design.catalogue import STANDARD_GROUPS, load_catalogue
from regdev.design.demand import build_demand
from regdev.design.supply import build_supply
from regdev.errors import ConfigError, DataValidationError
from regdev.registry import resource_vocabulary, toy_region


def test_design_catalogue_has_enough_lines_and_every_standard_group():
    cat = load_catalogue()
    assert len(cat.lines) >= 25
    assert cat.standard_groups[: len(STANDARD_GROUPS)] == list(STANDARD_GROUPS)
    kinds = set(cat.lines["kind"])
    assert kinds == {"standard", "characteristic"}
    # characteristic lines require a resource of the registry vocabulary among their inputs
    vocab = set(resource_vocabulary())
    for lid, row in cat.lines[cat.lines["kind"] == "characteristic"].iterrows():
        assert row["requires"] in vocab
        assert cat.inputs.loc[lid, row["requires"]] > 0
    for needed in (
        "fish",
        "seaweed",
        "wild_fruit",
        "medicinal_herbs",
        "livestock",
        "silk",
        "timber",
        "building_stone",
    ):
        assert needed in set(cat.lines["requires"])
    assert set(cat.lines["category"]) <= set(cat.demand.index)


def _write(tmp_path, name, frame):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_design_catalogue_bad_rows_name_file_row_and_column(tmp_path):
    cat = load_catalogue()
    lines = cat.lines.reset_index().astype(object)
    lines.loc[2, "mes"] = "lots"
    lines.loc[4, "inputs"] = "unobtainium:1"
    lines.loc[6, "kind"] = "special"
    path = _write(tmp_path, "lines.csv", lines)
    with pytest.raises(DataValidationError) as info:
        load_catalogue(lines=path)
    text = str(info.value)
    assert f"{path}:4:mes: expected a number >= 0; got 'lots'" in text
    assert f"{path}:6:inputs:" in text and "unobtainium" in text
    assert f"{path}:8:kind:" in text


def test_design_catalogue_missing_column_and_missing_file(tmp_path):
    lines = load_catalogue().lines.reset_index().drop(columns=["capex_t2"])
    path = _write(tmp_path, "lines.csv", lines)
    with pytest.raises(DataValidationError, match="capex_t2"):
        load_catalogue(lines=path)
    with pytest.raises(DataValidationError, match="file not found"):
        load_catalogue(demand=tmp_path / "nope.csv")


def test_design_demand_scales_with_population_and_growth():
    reg = toy_region()
    cat = load_catalogue()
    d0 = build_demand(reg, cat, year=2008)
    d1 = build_demand(reg, cat, year=2018, growth=0.01)
    pop = reg.frame["population"]
    assert d0.loc["T-A1", "pickles"] == pytest.approx(
        pop["T-A1"] * cat.demand.at["pickles", "per_capita"]
    )
    assert (d1 / d0).stack().to_numpy() == pytest.approx(1.01**10)
    custom = build_demand(reg, cat, year=2008, per_capita=pd.Series({"pickles": 0.0}))
    assert (custom["pickles"] == 0).all() and (custom["noodles"] == d0["noodles"]).all()
    with pytest.raises(ConfigError, match="unknown categories"):
        build_demand(reg, cat, per_capita=pd.Series({"caviar": 1.0}))
    with pytest.raises(ConfigError, match="growth"):
        build_demand(reg, cat, growth=0.5)


def test_design_supply_follows_physiography_coast_and_listing():
    reg = toy_region()
    s = build_supply(reg, load_catalogue())
    assert s.loc["T-A2", "fish"] > 0 and s.loc["T-B2", "fish"] > 0  # coastal
    assert s.loc["T-A1", "fish"] == 0 and s.loc["T-B1", "fish"] == 0  # inland
    assert s.loc["T-A2", "fish"] > s.loc["T-B2", "fish"]  # fish listed at T-A2
    assert s.loc["T-B1", "wild_fruit"] > s.loc["T-A1", "wild_fruit"]  # mountainous vs lowland
    assert s.loc["T-B3", "livestock"] > s.loc["T-B1", "livestock"]  # listed
    assert (s >= 0).all().all()


def test_design_supply_override_and_user_columns():
    reg = toy_region()
    cat = load_catalogue()
    over = pd.DataFrame({"silk": [123.0]}, index=["T-A1"])
    s = build_supply(reg, cat, override=over)
    assert s.loc["T-A1", "silk"] == 123.0
    assert s.loc["T-A2", "silk"] == 0.0
    with pytest.raises(DataValidationError, match="unknown resource"):
        build_supply(reg, cat, override=pd.DataFrame({"dragonfruit": [1.0]}, index=["T-A1"]))
    f = reg.frame
    f["supply_fish"] = [None, None, 5.0, None, None, None]
    from regdev.registry import RegionRegistry

    reg2 = RegionRegistry(f, source="t")
    assert build_supply(reg2, cat).loc["T-A2", "fish"] == 5.0
