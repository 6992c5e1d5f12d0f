import json
import warnings

import pandas as pd
import pytest

from regdev.errors import DataValidationError
from regdev.registry import (
    ImputationWarning,
    load_default,
    read_regions,
    to_csv_text,
    toy_region,
    write_regions,
)

GOOD = """region_id,name,province,kind,population,area_km2,lat,lon,coastal,physiography,resources
R1,One,P,county,1000,10,40,127,false,lowland,rice;Kelp
R2,Two,P,city,,20,41,128,yes,coastal,fish
"""


def write(tmp_path, text, name="regions.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_reads_and_normalises(tmp_path):
    with pytest.warns(ImputationWarning, match="imputed 1 population"):
        reg = read_regions(write(tmp_path, GOOD))
    f = reg.frame
    assert f.at["R1", "resources"] == "rice;seaweed"  # synonym normalised, sorted
    assert bool(f.at["R2", "coastal"]) is True
    assert f.at["R2", "population_source"] == "imputed:province_density"
    assert f.at["R2", "population"] == 2000  # 20 km2 x median density 100/km2


def test_every_problem_reported_at_once(tmp_path):
    bad = """region_id,name,province,kind,population,lat,lon,physiography,resources
R1,One,P,county,abc,40,127,lowland,rice
R1,Two,P,village,-5,95,128,swamp,unobtainium
R3,,P,county,10,40,200,mixed,
"""
    with pytest.raises(DataValidationError) as info:
        read_regions(write(tmp_path, bad))
    text = str(info.value)
    file = str(tmp_path / "regions.csv")
    expected = [
        f"{file}:2:population: expected a number, got 'abc'",
        f"{file}:3:kind: expected one of city, county, district, capital, got 'village'",
        f"{file}:3:population: expected a value >= 0 persons, got -5",
        f"{file}:3:lat: expected a value <= 90 degrees, got 95",
        f"{file}:3:physiography: expected one of mountainous, lowland, coastal, mixed, got 'swamp'",
        f"{file}:3:resources: expected a resource from the vocabulary",
        f"{file}:3:region_id: expected a unique id, got 'R1' again (first seen in row 2)",
        f"{file}:4:name: expected a value, got ''",
        f"{file}:4:lon: expected a value <= 180 degrees, got 200",
    ]
    for line in expected:
        assert line in text
    assert len(info.value.problems) == len(expected)


def test_missing_required_column(tmp_path):
    with pytest.raises(
        DataValidationError, match=r"regions.csv::province: expected a required column"
    ):
        read_regions(write(tmp_path, "region_id,name,kind\nR1,One,county\n"))


def test_wrong_encoding_names_row_and_column(tmp_path):
    text = "region_id,name,province,kind\nR1,Caf\xe9,P,county\n"
    p = tmp_path / "latin1.csv"
    p.write_bytes(text.encode("latin-1"))
    with pytest.raises(
        DataValidationError, match=r"latin1.csv:2:name: expected UTF-8 text, got byte 0xe9"
    ):
        read_regions(p)


def test_empty_and_unknown_format(tmp_path):
    with pytest.raises(DataValidationError, match="empty file"):
        read_regions(write(tmp_path, ""))
    with pytest.raises(DataValidationError, match="expected a .csv, .xlsx"):
        read_regions(write(tmp_path, "x", name="regions.doc"))
    with pytest.raises(DataValidationError, match="readable file"):
        read_regions(tmp_path / "absent.csv")


def test_urban_above_population(tmp_path):
    text = "region_id,name,province,kind,population,urban_population\nR1,One,P,city,10,20\n"
    with pytest.raises(
        DataValidationError, match=r":2:urban_population: expected at most the population"
    ):
        read_regions(write(tmp_path, text))


def test_csv_round_trip_default(tmp_path):
    reg = load_default()
    out = write_regions(reg, tmp_path / "kp.csv")
    back = read_regions(out)
    assert back.imputed == {}
    pd.testing.assert_frame_equal(back.frame, reg.frame, check_like=False)
    assert to_csv_text(back) == to_csv_text(reg)


def test_parquet_round_trip(tmp_path):
    reg = toy_region()
    back = read_regions(write_regions(reg, tmp_path / "toy.parquet"))
    pd.testing.assert_frame_equal(back.frame, reg.frame)


def test_excel_reader(tmp_path):
    frame = pd.read_csv(pd.io.common.StringIO(GOOD), dtype=str)
    p = tmp_path / "regions.xlsx"
    frame.to_excel(p, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImputationWarning)
        reg = read_regions(p)
    assert reg.ids == ["R1", "R2"]
    bad = frame.copy()
    bad.loc[0, "lat"] = "north"
    bad.to_excel(p, index=False)
    with pytest.raises(
        DataValidationError, match=r"regions.xlsx:2:lat: expected a number, got 'north'"
    ):
        read_regions(p)


def test_geojson_reader_takes_centroids(tmp_path):
    pytest.importorskip("pyogrio")
    features = [
        {
            "type": "Feature",
            "properties": {
                "region_id": "G1",
                "name": "Square",
                "province": "P",
                "kind": "county",
                "population": 5,
            },
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[126, 40], [128, 40], [128, 42], [126, 42], [126, 40]]],
            },
        }
    ]
    p = tmp_path / "regions.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImputationWarning)
        reg = read_regions(p)
    f = reg.frame
    assert f.at["G1", "lon"] == pytest.approx(127.0)
    assert f.at["G1", "lat"] == pytest.approx(41.0)
    assert f.at["G1", "lat_source"] == "census"


def test_geopackage_reader(tmp_path):
    pytest.importorskip("pyogrio")
    shapely = pytest.importorskip("shapely")
    import numpy as np
    import pyogrio.raw

    p = tmp_path / "regions.gpkg"
    geom = shapely.to_wkb(np.array([shapely.Point(127.5, 39.5), shapely.Point(126.5, 40.5)]))
    fields = [
        np.array(["K1", "K2"], dtype=object),
        np.array(["A", "B"], dtype=object),
        np.array(["P", "P"], dtype=object),
        np.array(["county", "nowhere"], dtype=object),
    ]
    pyogrio.raw.write(
        p,
        geom,
        fields,
        fields=["region_id", "name", "province", "kind"],
        geometry_type="Point",
        crs="EPSG:4326",
        driver="GPKG",
    )
    with pytest.raises(DataValidationError, match=r"regions.gpkg:2:kind: expected one of"):
        read_regions(p)


def test_write_is_atomic(tmp_path, monkeypatch):
    reg = toy_region()
    dest = tmp_path / "toy.csv"
    dest.write_text("old content")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("os.fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        write_regions(reg, dest)
    assert dest.read_text() == "old content"
    assert [p.name for p in tmp_path.iterdir()] == ["toy.csv"]  # no temp file left


def test_write_rejects_unknown_suffix(tmp_path):
    with pytest.raises(DataValidationError, match="expected a .csv or .parquet destination"):
        write_regions(toy_region(), tmp_path / "x.xlsx")
