"""Issue 17, item 1: every optional column is optional everywhere in the registry."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from regdev.errors import DataValidationError, Problem, summarise_problems
from regdev.registry import RegionRegistry, load_default, read_regions, region_schema
from regdev.registry.default import default_raw_table
from regdev.registry.imputation import population_default
from regdev.registry.io import imputation_message, read_raw_table

REQUIRED = ["region_id", "name", "province", "kind"]


def registry_without(*columns: str) -> RegionRegistry:
    raw = default_raw_table().drop(columns=list(columns))
    return RegionRegistry.from_frame(raw, source="test")


def test_every_schema_column_is_present_even_when_the_input_lacks_it():
    reg = RegionRegistry.from_frame(default_raw_table()[REQUIRED], source="req")
    names = {s.name for s in region_schema()} - {"region_id"}
    assert names <= set(reg.frame.columns)
    assert reg.frame["urban_population"].isna().all()
    assert reg.frame["physiography"].isna().all()
    assert (reg.frame["resources"] == "").all()
    assert not reg.frame["coastal"].any()


def test_without_coordinates_nothing_is_invented_and_it_is_said():
    reg = registry_without("lat", "lon")
    f = reg.frame
    assert f["lat"].isna().all() and f["lon"].isna().all()
    assert (f["lat_source"] == "missing:no_known_coordinates").all()
    assert not reg.has_coordinates()
    assert "lat" not in reg.imputed  # the old code claimed "imputed 180 lat values"
    assert reg.unfilled == {"lat": 180}
    assert "could not impute 180 lat" in imputation_message(reg)
    assert any(a.startswith("coordinates: no row has lat/lon") for a in reg.assumptions())
    assert reg.nearest(5).empty
    assert reg.distance_to_capital_km().isna().all()
    d = reg.development_index()
    assert np.isfinite(d).all() and d.between(0.1, 1.0).all()


def test_one_province_without_coordinates_takes_the_national_mean():
    raw = default_raw_table()
    raw.loc[raw["province"] == "Rason", ["lat", "lon"]] = None
    reg = RegionRegistry.from_frame(raw, source="test")
    assert reg.has_coordinates()
    assert reg.frame.at["KP-RAS-RASON", "lat_source"] == "imputed:national_mean"
    assert reg.imputed["lat"] == 2  # Rason and Sungho (no centroid in the sources)


def test_without_population_every_region_gets_the_documented_default():
    reg = registry_without("population", "urban_population")
    f = reg.frame
    assert population_default() == 100_000.0
    assert (f["population"] == 100_000.0).all()
    assert (f["population_source"] == "imputed:schema_default").all()
    assert reg.imputed["population"] == 180
    assert any("schema default" in a for a in reg.assumptions())
    # without populations there is no density: the 42 missing areas take the province median
    assert f["area_km2_source"].value_counts().to_dict() == {
        "census": 138,
        "imputed:province_median": 42,
    }


def test_without_area_and_population_the_area_stays_missing():
    reg = registry_without("population", "urban_population", "area_km2")
    assert reg.frame["area_km2"].isna().all()
    assert (reg.frame["area_km2_source"] == "missing:no_known_area").all()
    assert reg.unfilled["area_km2"] == 180


@pytest.mark.parametrize(
    ("drop", "left_out"),
    [
        (["urban_population"], ["urban"]),
        (["physiography"], ["physiography"]),
        (["lat", "lon"], ["access"]),
        (["area_km2", "population"], ["density"]),
    ],
)
def test_development_index_leaves_out_what_the_table_cannot_support(drop, left_out):
    reg = registry_without(*drop)
    d = reg.development_index()
    assert np.isfinite(d).all() and d.between(0.1, 1.0).all()
    notes = [a for a in reg.assumptions() if a.startswith("development index")]
    assert notes and all(k in notes[0] for k in left_out)
    # the index still separates regions (not everything is left out)
    assert d.std() > 0


def test_development_index_without_any_component_is_equal_for_all():
    reg = RegionRegistry.from_frame(default_raw_table()[REQUIRED], source="req")
    d = reg.development_index()
    assert d.nunique() == 1 and math.isclose(float(d.iloc[0]), 0.55)
    assert any("equity weights are equal" in a for a in reg.assumptions())


def test_default_country_keeps_its_index_and_lists_its_imputations():
    reg = load_default()
    notes = reg.assumptions()
    assert notes[0].startswith("population: 25 of 180 values imputed")
    assert notes[1].startswith("area_km2: 42 of 180 values imputed")
    assert notes[2] == "coordinates: 1 of 180 centroids imputed (province mean)"
    assert not any(a.startswith("development index") for a in notes)


def test_header_only_file_is_an_error(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_text("region_id,name,province,kind\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"expected at least one data row, got none"):
        read_regions(p)


def test_many_rows_failing_the_same_way_get_one_summary_line(tmp_path):
    rows = [f"R{i},N{i},P,{'township' if i % 3 else 'village'}" for i in range(30)]
    p = tmp_path / "kinds.csv"
    p.write_text("region_id,name,province,kind\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        read_regions(p)
    assert len(info.value.problems) == 30
    assert info.value.summary == [
        "kind: 30 rows expected one of city, county, district, capital; "
        "got 'township' (20), 'village' (10) (rows 2, 3, 4, 5, 6, …)"
    ]
    assert str(info.value).endswith(info.value.summary[0])


def test_summary_needs_several_rows_and_skips_whole_table_problems():
    probs = [Problem("f", 2, "population", "expected a number, got 'x'")] * 4 + [
        Problem("f", None, "kind", "expected a required column, got none")
    ]
    assert summarise_problems(probs) == []
    assert summarise_problems(probs, min_rows=4) == [
        "population: 4 rows expected a number; got 'x' (4) (rows 2, 2, 2, 2)"
    ]


def test_reader_skips_licence_lines_and_finds_the_separator(tmp_path):
    p = tmp_path / "tabs.txt"
    p.write_text(
        "# Data from somewhere - CC-BY-4.0\n"
        "region_id\tname\tprovince\tkind\tpopulation   \n"
        "R1\tOne\tP\tcounty\t  12   \n"
        "R2\tTwo\tP\tcounty\tlots\n",
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as info:
        read_regions(p)
    # the comment line counts: the bad cell is on line 4 of the file
    assert [str(x) for x in info.value.problems] == [
        f"{p}:4:population: expected a number, got 'lots'"
    ]
    p.write_text("region_id;name;province;kind\nR1;One;P;county\n", encoding="utf-8")
    assert read_regions(p, warn=False).ids == ["R1"]


def test_raw_reader_takes_another_encoding(tmp_path):
    p = tmp_path / "latin.csv"
    p.write_bytes("region_id,name,province,kind\nR1,Doña Ana,NM,county\n".encode("latin-1"))
    with pytest.raises(DataValidationError, match="--encoding latin-1"):
        read_raw_table(p)
    raw, first = read_raw_table(p, encoding="latin-1")
    assert first == 2 and raw.at[0, "name"] == "Doña Ana"
    with pytest.raises(DataValidationError, match="known text encoding"):
        read_raw_table(p, encoding="klingon")


def test_written_and_reread_table_without_columns_is_the_same(tmp_path):
    from regdev.registry import write_regions

    reg = registry_without("lat", "lon", "physiography", "urban_population")
    out = write_regions(reg, tmp_path / "r.csv")
    back = read_regions(out, warn=False)
    pd.testing.assert_frame_equal(back.frame, reg.frame)
    assert back.assumptions() == reg.assumptions()


def test_assumptions_speak_korean_and_english():
    from regdev.i18n import use_language

    reg = registry_without("lat", "lon", "population", "urban_population")
    with use_language("en"):
        en = reg.assumptions()
    with use_language("ko"):
        ko = reg.assumptions()
    assert len(en) == len(ko) and en != ko
    assert any("100,000명(스키마 기본값)" in a for a in ko)
    assert all("{" not in a for a in ko)  # every placeholder filled
