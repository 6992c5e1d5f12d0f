import pandas as pd
import pytest

from regdev.errors import NotFoundError
from regdev.registry import historical_cohorts, load_default, load_outline, load_programme_events


def test_default_has_every_row_of_the_dataset():
    reg = load_default()
    assert len(reg) == 180
    assert reg.capital_id == "KP-PYY-PYONGYANG"
    assert len(reg.programme()) == 179
    assert "KP-PYY-PYONGYANG" not in reg.programme()
    kinds = reg.frame["kind"].value_counts().to_dict()
    assert kinds == {"county": 143, "city": 27, "district": 9, "capital": 1}


def test_census_values_carry_over_unchanged():
    reg = load_default()
    f = reg.frame
    assert f.at["KP-CHA-KANGGYE", "population"] == 251971
    assert f.at["KP-CHA-KANGGYE", "population_source"] == "census"
    # North Pyongan is complete and adds up exactly to the 2008 census total (SOURCES.md 1.6)
    npy = f[f["province"] == "North Pyongan"]
    assert npy["population"].sum() == 2_728_662
    assert (npy["population_source"] == "census").all()


def test_missing_values_are_imputed_and_marked():
    reg = load_default()
    f = reg.frame
    assert reg.imputed == {"population": 25, "area_km2": 42, "lat": 1}
    assert f["population"].notna().all() and f["area_km2"].notna().all()
    assert f.at["KP-KAN-KIMHWA", "population_source"].startswith("imputed:")
    assert f.at["KP-HWB-SUNGHO", "lat_source"] == "imputed:province_mean"
    assert reg.is_imputed("population").sum() == 25
    census_sum = f.loc[~reg.is_imputed("population"), "population"].sum()
    assert census_sum == 19_226_764  # SOURCES.md table 1.6, sum of population_2008


def test_province_summary_shares():
    s = load_default().province_summary()
    assert s.loc["North Pyongan", "census_share"] == 1.0
    assert s.loc["(total)", "n_regions"] == 180
    assert s.loc["(total)", "census_population"] == 19_226_764
    assert 0 < s.loc["Kangwon", "census_share"] < 1


def test_resolve_by_name_alias_and_korean():
    reg = load_default()
    assert reg.resolve("Kimhwa") == "KP-KAN-KIMHWA"
    assert reg.resolve("김화군") == "KP-KAN-KIMHWA"
    assert reg.resolve("ganggye") == "KP-CHA-KANGGYE"
    with pytest.raises(NotFoundError, match="did you mean"):
        reg.resolve("Kimhwaa")
    with pytest.raises(NotFoundError, match="several regions"):
        reg.resolve("Unsan")  # two counties share this name (SOURCES.md)


def test_programme_events_and_cohorts():
    ev = load_programme_events()
    assert len(ev) == 103
    cohorts = historical_cohorts()
    assert len(cohorts[2024]) == 20 and len(cohorts[2025]) == 20
    assert "KP-PYN-SONGCHON" in cohorts[2024]
    reg = load_default()
    for year in (2024, 2025):
        assert all(r in reg for r in cohorts[year])
    assert not set(cohorts[2024]) & set(cohorts[2025])


def test_outline_is_a_feature_collection():
    out = load_outline()
    assert out["type"] == "FeatureCollection"
    assert out["features"][0]["geometry"]["type"] == "MultiPolygon"


def test_development_index_in_range_and_capital_high():
    reg = load_default()
    d = reg.development_index()
    assert ((d >= 0.1) & (d <= 1.0)).all()
    assert d["KP-PYY-PYONGYANG"] > d.quantile(0.75)


def test_user_development_index_overrides():
    reg = load_default()
    f = reg.frame.reset_index()
    f["development_index"] = None
    f.loc[f["region_id"] == "KP-KAN-KIMHWA", "development_index"] = 0.99
    from regdev.registry import RegionRegistry

    reg2 = RegionRegistry.from_frame(f.drop(columns=[c for c in f if c.endswith("_source")]))
    d = reg2.development_index()
    assert d["KP-KAN-KIMHWA"] == pytest.approx(0.99)
    assert d["KP-CHA-KANGGYE"] == pytest.approx(reg.development_index()["KP-CHA-KANGGYE"])


def test_geography_distances():
    reg = load_default()
    dc = reg.distance_to_capital_km()
    assert dc["KP-PYY-PYONGYANG"] == 0
    assert 400 < dc["KP-RAS-RASON"] < 700
    ds = reg.distance_to_province_seat_km()
    assert ds["KP-CHA-KANGGYE"] == 0
    nn = reg.nearest(3)
    assert len(nn) == 3 * 180
    assert (nn["focal"] != nn["neighbor"]).all()
    assert nn.groupby("focal")["distance_km"].apply(lambda s: s.is_monotonic_increasing).all()
    m = reg.distance_matrix_km()
    assert isinstance(m, pd.DataFrame) and (m.to_numpy().diagonal() == 0).all()
    assert m.loc["KP-RAS-RASON", "KP-PYY-PYONGYANG"] == pytest.approx(dc["KP-RAS-RASON"])
