"""Issue 17, items 3 and 7: cadence and capacities that scale with the country; scenario checks."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from regdev.cli import app
from regdev.errors import ConfigError
from regdev.planning import Scenario, build_problem, load_scenario
from regdev.planning.problem import yearly_capacity
from regdev.planning.scenario import (
    FACILITY_TYPES,
    default_scenario_text,
    scaled_scenario,
    with_cli_updates,
)
from regdev.registry import load_default, toy_region, write_regions

runner = CliRunner()
AUTO = {"factories": {"per_year": "auto"}, "capacity": {"scale": "auto"}}


@pytest.mark.parametrize("n", [1, 9, 10, 11, 179, 414, 4_000])
def test_auto_cadence_reaches_every_region_with_the_smallest_constant_count(n):
    sc = Scenario().with_updates(**AUTO, history={"enabled": False})
    cap, per_year = yearly_capacity(sc, "factories", n)
    assert per_year == math.ceil(n / 10)
    assert sum(cap) == n  # everyone within the horizon, nobody twice
    assert (per_year - 1) * 10 < n  # one fewer a year would leave someone out


@pytest.mark.parametrize("facility", [f for f in FACILITY_TYPES if f != "factories"])
@pytest.mark.parametrize("n", [5, 179, 414, 2_000])
def test_auto_capacity_reaches_every_candidate_and_keeps_the_yearly_shape(facility, n):
    base = Scenario()
    sc = base.with_updates(capacity={"scale": "auto"})
    cap, _ = yearly_capacity(sc, facility, n)
    fixed, _ = yearly_capacity(base, facility, n)
    assert sum(cap) >= n
    assert [c == 0 for c in cap] == [c == 0 for c in fixed]  # none before 2025 stays none
    # not more than rounding up needs: one project per year with capacity at most
    assert sum(cap) < n + sum(c > 0 for c in fixed)


def test_locked_cohorts_are_never_cut_by_auto_scaling():
    sc = Scenario().with_updates(**AUTO)
    cap, per_year = yearly_capacity(sc, "factories", 50, locked=[20, 20] + [0] * 8)
    assert per_year == 20 and cap[:3] == [20, 20, 10]
    cap, _ = yearly_capacity(sc, "hospital", 5, locked=[0, 3, 0, 0, 0, 0, 0, 0, 0, 7])
    assert cap[1] >= 3 and cap[9] >= 7


def test_fixed_is_the_default_and_changes_nothing():
    assert Scenario().capacity.scale == "fixed" and Scenario().factories.per_year == 20
    p = build_problem(load_default())
    # 178 factory candidates: Kimhwa's pilot factories are built (issue 10)
    assert p.capacity.sum(axis=1).tolist() == [178, 202, 202, 202, 69]
    assert p.metadata["factories_per_year"] == 20


def test_auto_on_the_default_country_keeps_the_real_cohorts():
    sc = load_scenario().with_updates(**AUTO)
    p = build_problem(load_default(), sc)
    # ceil(179 / 10) = 18 would cut the locked 2024 and 2025 cohorts of 20
    assert p.metadata["factories_per_year"] == 20
    assert (p.capacity.sum(axis=1)[1:] >= p.eligible.sum(axis=0)[1:]).all()


def test_scaled_scenario_keeps_auto():
    sc = scaled_scenario(Scenario().with_updates(**AUTO), 1790)
    assert sc.factories.per_year == "auto" and sc.capacity.scale == "auto"


def test_default_scenario_file_documents_the_keys():
    text = default_scenario_text()
    assert "per_year = 20" in text and '"auto"' in text and "--per-year auto" in text
    assert 'scale = "fixed"' in text


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[budget]\nby_year = { 2027 = -5.0 }\n",
            "budget.by_year.2027: .*greater than or equal to 0",
        ),
        ("[budget]\nby_year = { 2027 = nan }\n", "budget.by_year.2027: .*finite"),
        ("[horizon]\nfirst_year = 20240\n", "horizon.first_year: .*less than or equal to 2200"),
        ("[horizon]\nfirst_year = 1024\nlast_year = 1033\n", "horizon.first_year: .*1900"),
        ("[horizon]\nlast_year = 2200\n", "horizon: at most 100 years"),
        ("[capacity.hospital]\nby_year = { 99999 = 3 }\n", r"capacity\.hospital\.by_year\.99999"),
        ("[history]\nyears = [-1]\n", r"history\.years\.0"),
        (
            "[factories]\nper_year = -3\n",
            r"factories\.per_year: expected a whole number >= 0 or 'auto' \(got -3\)",
        ),
        ("[factories]\nper_year = 'lots'\n", "factories.per_year: expected a whole number"),
        ("[capacity]\nscale = 'double'\n", r"capacity\.scale"),
    ],
)
def test_impossible_values_are_refused_naming_only_the_key(tmp_path, toml, message):
    f = tmp_path / "bad.toml"
    f.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_scenario(f)
    assert len(str(info.value)) < 300  # never a dump of the whole scenario


def test_decreasing_tiers_error_names_the_key_not_the_scenario(tmp_path):
    f = tmp_path / "tiers.toml"
    f.write_text("[tiers]\nlevels = [1, 2, 3, 3, 2, 4, 5, 6, 7, 8]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_scenario(f)
    msg = str(info.value)
    assert msg == (
        f"{f}: invalid scenario: tiers.levels must never decrease; got tier 3 in 2027 then 2 in 2028"
    )
    assert "sizing" not in msg and "'name'" not in msg  # the 2.4 KB dump is gone


def test_cli_updates_are_config_errors():
    with pytest.raises(ConfigError, match="command-line options: invalid scenario: factories"):
        with_cli_updates(Scenario(), {"factories": {"per_year": -1}})


def test_plan_per_year_option(tmp_path):
    regions = tmp_path / "toy.csv"
    write_regions(toy_region(), regions)
    res = runner.invoke(
        app,
        [
            "plan",
            "--regions",
            str(regions),
            "--out",
            str(tmp_path / "p"),
            "--per-year",
            "auto",
            "--explain-last",
            "0",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["factories_per_year"] == {"2024": 1, "2025": 1, "2026": 1, "2027": 1, "2028": 1}
    res = runner.invoke(
        app,
        [
            "plan",
            "--regions",
            str(regions),
            "--out",
            str(tmp_path / "q"),
            "--per-year",
            "2",
            "--explain-last",
            "0",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["factories_per_year"] == {"2024": 2, "2025": 2, "2026": 1}
    res = runner.invoke(app, ["plan", "--per-year", "many", "--out", str(tmp_path / "r")])
    assert res.exit_code == 2
    assert "whole number" in res.output
    assert not (tmp_path / "r").exists()


def test_plan_per_year_usage_error_from_the_console_script(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    regdev = Path(sys.executable).parent / "regdev"
    if not regdev.exists():
        pytest.skip("the regdev console script is not installed")
    res = subprocess.run(
        [str(regdev), "plan", "--per-year", "many", "--out", str(tmp_path / "r")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert res.returncode == 2
    assert "--per-year: expected a whole number >= 0 or 'auto', got 'many'" in res.stderr
    assert "Traceback" not in res.stderr and not (tmp_path / "r").exists()
