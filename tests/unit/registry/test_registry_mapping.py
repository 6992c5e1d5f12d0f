"""Issue 17, item 2: column mapping of foreign tables (`regdev data import`)."""

from __future__ import annotations

import pandas as pd
import pytest

from regdev.errors import ConfigError, DataValidationError
from regdev.registry.mapping import (
    ColumnMapping,
    import_regions,
    load_mapping,
    mapping_from_options,
    parse_pairs,
)

# A foreign table as a statistics office might publish it (text cells, its own names).
RAW = pd.DataFrame(
    {
        "Code": ["A", "A-1", "A-2", "B", "B-1", "B-2", "B-3"],
        "Municipality": ["Alpha", "Arden", "Ashby", "Beta", "Bell", "Brook", "Bury"],
        "County": [None, "Alpha", "Alpha", None, "Beta", "Beta", "Beta"],
        "Type": ["Region", "Township", "town", "Region", "Village", "TOWNSHIP", "city"],
        "Pop": ["", "1200", "3400", "", "800", "2100", "56000"],
        "Land (mi2)": ["", "10", "20", "", "5.5", "12", "30"],
        "Notes": ["x"] * 7,
    }
)

MAP = mapping_from_options(
    columns=["region_id=Code,name=Municipality,province=County", "kind=Type,population=Pop"],
    kinds=["township=county,town=city,village=district,region=excluded"],
    scale=["area_km2=2.589988110336"],
)


def with_area(mapping: ColumnMapping) -> ColumnMapping:
    return mapping.merged(ColumnMapping(columns={"area_km2": "Land (mi2)"}))


def test_parse_pairs_and_errors():
    assert parse_pairs(["a=b, c = d", "e=f"], "--map") == {"a": "b", "c": "d", "e": "f"}
    with pytest.raises(ConfigError, match="--map: expected KEY=VALUE, got 'nope'"):
        parse_pairs(["nope"], "--map")
    with pytest.raises(ConfigError, match="expected a number, got 'big'"):
        mapping_from_options(scale=["area_km2=big"])


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (ColumnMapping(columns={"nmae": "X"}), "expected a schema column"),
        (ColumnMapping(kinds={"township": "hamlet"}), "expected one of city, county"),
        (ColumnMapping(scale={"name": 2.0}), "expected a numeric column"),
        (ColumnMapping(scale={"area_km2": -1.0}), "expected a factor > 0"),
        (ColumnMapping(columns={"kind": "T"}, constants={"kind": "county"}), "use one of them"),
    ],
)
def test_bad_mappings_are_refused(mapping, message):
    with pytest.raises(ConfigError, match=message):
        mapping.check()


def test_import_maps_columns_kinds_roles_and_units():
    reg, report = import_regions(RAW, with_area(MAP), file="muni.csv")
    f = reg.frame
    assert reg.ids == ["A-1", "A-2", "B-1", "B-2", "B-3"]  # the two Region rows are excluded
    assert f["kind"].tolist() == ["county", "city", "district", "county", "city"]
    assert f["kind_source"].fillna("-").tolist() == ["Township", "town", "Village", "TOWNSHIP", "-"]
    assert f.at["A-2", "area_km2"] == pytest.approx(20 * 2.589988110336)
    assert f.at["B-3", "population"] == 56000
    assert report.n_rows == 7 and report.n_written == 5 and report.excluded_rows == 2
    assert report.ignored_columns == ["Notes"]
    roles = {(k["source"], k["kind"]): (k["role"], k["rows"]) for k in report.kinds}
    assert roles[("Region", "excluded")] == ("not written", 2)
    assert roles[("Township", "county")] == ("programme region", 1)
    lines = [text for _tag, text in report.summary_lines()]
    assert lines[0] == "read 7 rows from muni.csv; wrote 5 regions"
    assert "kind 'Region' -> excluded (not written): 2 rows" in lines
    assert "excluded by the kind map: 2 rows" in lines
    assert report.to_dict()["n_written"] == 5


def test_unknown_kind_is_refused_at_its_original_row():
    mapping = mapping_from_options(
        columns=["region_id=Code,name=Municipality,province=County,kind=Type"],
        kinds=["region=excluded,township=county,town=city,city=city"],
    )
    with pytest.raises(DataValidationError) as info:
        import_regions(RAW, mapping, file="muni.csv")
    # row 6 of the file (Bell, 'Village') even though the excluded row 2 came before it
    assert [str(p) for p in info.value.problems] == [
        "muni.csv:6:kind: expected one of city, county, district, capital, got 'Village'"
    ]


def test_skip_invalid_refuses_rows_and_keeps_the_rest():
    raw = RAW.copy()
    raw.loc[5, "Pop"] = "many"
    reg, report = import_regions(raw, with_area(MAP), file="muni.csv", skip_invalid=True)
    assert "B-2" not in reg and len(reg) == 4
    assert report.refused_rows == [7]
    assert str(report.refused[0]) == "muni.csv:7:population: expected a number, got 'many'"
    assert "refused: 1 rows (problems listed above)" in [
        text for _tag, text in report.summary_lines()
    ]
    with pytest.raises(DataValidationError, match="expected a number"):
        import_regions(raw, with_area(MAP), file="muni.csv")


def test_whole_table_problems_cannot_be_skipped():
    mapping = mapping_from_options(columns=["region_id=Code,name=Municipality,kind=Type"])
    with pytest.raises(DataValidationError, match="province: expected a required column"):
        import_regions(RAW, mapping, file="m.csv", skip_invalid=True)


def test_missing_source_column_lists_the_columns():
    mapping = mapping_from_options(columns=["name=Municipalty"])
    with pytest.raises(DataValidationError) as info:
        import_regions(RAW, mapping, file="m.csv")
    msg = str(info.value.problems[0])
    assert msg.startswith("m.csv::Municipalty: expected a column named 'Municipalty'")
    assert "'Municipality'" in msg


def test_capital_by_id_or_name_and_its_errors():
    reg, report = import_regions(
        RAW, with_area(MAP).merged(ColumnMapping(capital="bury")), file="m.csv"
    )
    assert reg.capital_id == "B-3" and report.capital == "B-3"
    assert reg.frame.at["B-3", "kind_source"] == "city"
    assert ("city", "capital") in {(k["source"], k["kind"]) for k in report.kinds}
    with pytest.raises(DataValidationError, match="got no row"):
        import_regions(RAW, with_area(MAP).merged(ColumnMapping(capital="Atlantis")), file="m.csv")
    with pytest.raises(DataValidationError, match="got no row"):  # excluded rows cannot be it
        import_regions(RAW, with_area(MAP).merged(ColumnMapping(capital="Alpha")), file="m.csv")
    two = with_area(MAP).merged(ColumnMapping(kinds={"city": "capital", "town": "capital"}))
    with pytest.raises(DataValidationError, match="at most one capital row, got 2"):
        import_regions(RAW, two, file="m.csv")


def test_constants_fill_missing_columns():
    raw = RAW[RAW["Type"] != "Region"][["Code", "Municipality"]]
    mapping = mapping_from_options(
        columns=["region_id=Code,name=Municipality"], constants=["province=Ontario,kind=county"]
    )
    reg, report = import_regions(raw, mapping, file="m.csv")
    assert (reg.frame["province"] == "Ontario").all() and (reg.frame["kind"] == "county").all()
    assert report.constants == {"province": "Ontario", "kind": "county"}
    assert any(a.startswith("population: no row has one") for a in report.assumptions)


def test_mapping_file(tmp_path):
    p = tmp_path / "map.toml"
    p.write_text(
        'capital = "B-3"\n'
        "[columns]\nregion_id = 'Code'\nname = 'Municipality'\nprovince = 'County'\n"
        "kind = 'Type'\n[kinds]\nTownship = 'county'\ntown = 'CITY'\nvillage = 'district'\n"
        "region = 'excluded'\n[scale]\narea_km2 = 2.589988110336\n",
        encoding="utf-8",
    )
    mapping = load_mapping(p)
    assert mapping.kinds["town"] == "city" and mapping.capital == "B-3"
    reg, _ = import_regions(RAW, with_area(mapping), file="m.csv")
    assert reg.capital_id == "B-3" and len(reg) == 5
    # command-line entries win over the file
    merged = mapping.merged(mapping_from_options(kinds=["town=district"]))
    assert merged.kinds["town"] == "district" and merged.capital == "B-3"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[columns\n", "not valid TOML"),
        ("[colums]\nname = 'x'\n", "unknown key 'colums'"),
        ("columns = 3\n", r"\[columns\] must be a table"),
        ("[scale]\narea_km2 = 'big'\n", "scale.area_km2: expected a float"),
        ("capital = [1]\n", "capital: expected a region id or name"),
    ],
)
def test_bad_mapping_files(tmp_path, text, message):
    p = tmp_path / "m.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_mapping(p)
    with pytest.raises(ConfigError, match="not found"):
        load_mapping(tmp_path / "absent.toml")
