from __future__ import annotations

import pytest

from regdev.errors import ConfigError
from regdev.planning import Scenario, load_scenario
from regdev.planning.scenario import default_scenario_text


def test_shipped_defaults_equal_the_code_defaults():
    assert load_scenario() == Scenario()


def test_default_values_documented_in_the_issue():
    s = load_scenario()
    assert s.factories.per_year == 20
    assert s.horizon.years == list(range(2024, 2034))
    assert s.workload.max_per_county_year == 2
    assert s.balance.tolerance == 1
    # issue 9: the welfare function orders by need first (prioritarian, epsilon 2, theta 0.25)
    assert s.equity.objective == "prioritarian"
    assert s.equity.epsilon == 2.0
    assert s.equity.population_exponent == 0.25
    assert s.tier_levels() == list(range(1, 11))
    assert s.capacity.hospital.at(2024) == 0  # none before 2025
    assert "default" in default_scenario_text()


def test_user_file_overrides_key_by_key(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(
        'name = "mine"\n[equity]\nepsilon = 0.0\n[capacity.hospital]\nby_year = { 2026 = 5 }\n',
        encoding="utf-8",
    )
    s = load_scenario(f)
    assert s.name == "mine"
    assert s.equity.epsilon == 0.0
    assert s.capacity.hospital.at(2026) == 5
    assert s.capacity.hospital.at(2024) == 0  # default override kept
    assert s.factories.per_year == 20


def test_invalid_value_names_file_and_key(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text("[workload]\nmax_per_county_year = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml.*workload\.max_per_county_year"):
        load_scenario(f)


def test_unknown_key_is_rejected(tmp_path):
    f = tmp_path / "typo.toml"
    f.write_text("[balance]\ntolerence = 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="balance.tolerence"):
        load_scenario(f)


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_scenario(tmp_path / "nope.toml")
    f = tmp_path / "broken.toml"
    f.write_text("[workload\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_scenario(f)


def test_tiers_must_not_decrease():
    with pytest.raises(ValueError, match="never decrease"):
        Scenario(tiers={"levels": [1, 2, 3, 3, 2, 4, 5, 6, 7, 8]})
    with pytest.raises(ValueError, match="one tier per year"):
        Scenario(tiers={"levels": [1, 2]})
    assert Scenario(tiers={"levels": [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]}).tier_levels()[-1] == 5


def test_content_hash_changes_with_content():
    a = Scenario()
    b = a.with_updates(equity={"epsilon": 1.0})
    assert a.content_hash() == Scenario().content_hash()
    assert a.content_hash() != b.content_hash()
