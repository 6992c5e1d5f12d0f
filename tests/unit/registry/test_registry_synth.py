import hashlib

import numpy as np
import pytest

from regdev.errors import ConfigError
from regdev.registry.synth import synthesize, write_country


def test_sizes_and_validity():
    c = synthesize(300, 5000, seed=7)
    reg = c.registry()
    assert len(reg) == 300 and len(c.settlements) == 5000
    assert reg.capital_id is not None
    f = reg.frame
    assert set(f["physiography"]) == {"coastal", "lowland", "mixed", "mountainous"}
    assert f["coastal"].any() and not f["coastal"].all()
    assert (f["physiography"] == "coastal").eq(f["coastal"]).all()
    assert f["province"].nunique() >= 5
    # settlements sit in their region and add up to about its population
    s = c.settlements
    assert set(s["region_id"]) <= set(f.index)
    assert abs(s["population"].sum() - f["population"].sum()) / f["population"].sum() < 0.01


def test_resources_follow_terrain():
    f = synthesize(2000, 0, seed=3).registry().frame
    has = lambda r: f["resources"].str.contains(r)  # noqa: E731
    coastal = f["physiography"] == "coastal"
    mountain = f["physiography"] == "mountainous"
    assert has("fish")[coastal].mean() > 0.6 and not has("fish")[~coastal].any()
    assert has("timber")[mountain].mean() > has("timber")[~mountain].mean() + 0.3


def test_provinces_are_spatial_clusters():
    f = synthesize(1000, 0, seed=11).registry().frame
    spread = f.groupby("province")[["lat", "lon"]].std().mean().mean()
    shuffled = f.assign(province=np.random.default_rng(0).permutation(f["province"].to_numpy()))
    spread_random = shuffled.groupby("province")[["lat", "lon"]].std().mean().mean()
    assert spread < 0.5 * spread_random


def test_population_is_lognormal():
    f = synthesize(5000, 0, seed=5).regions
    logs = np.log(f.loc[f["kind"] != "capital", "population"])
    assert abs(np.median(logs) - np.log(60_000)) < 0.1
    assert 0.7 < logs.std() < 0.9


def test_deterministic_bytes(tmp_path):
    def digest(folder):
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}

    a = write_country(synthesize(200, 3000, seed=42), tmp_path / "a")
    b = write_country(synthesize(200, 3000, seed=42), tmp_path / "b")
    c = write_country(synthesize(200, 3000, seed=43), tmp_path / "c")
    assert digest(a) == digest(b)
    assert digest(a)["regions.csv"] != digest(c)["regions.csv"]


def test_limits():
    with pytest.raises(ConfigError, match="n_regions must be within 10..10,000; got 10,001"):
        synthesize(10_001)
    with pytest.raises(ConfigError, match="n_settlements"):
        synthesize(100, 1_000_001)
