"""Appraisal: valuation, cash flows, ex ante from factories.csv, ex post from records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from regdev.design import DesignOptions, load_catalogue
from regdev.errors import ConfigError, DataValidationError
from regdev.evaluation import appraisal, finance
from regdev.evaluation.scenario import AppraisalScenario, load_scenario


def test_default_scenario_is_the_cited_file() -> None:
    s = load_scenario()
    assert s.discount_rate == 0.06
    assert s.horizon_years == 15
    assert 0.06 in s.discount_rates


def test_scenario_errors_name_file_and_key(tmp_path: Path) -> None:
    p = tmp_path / "s.toml"
    p.write_text("[appraisal]\ndiscount_rate = 1.5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"s\.toml: appraisal\.discount_rate"):
        load_scenario(p)
    p.write_text("[appraisal]\nrate = 0.1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown keys"):
        load_scenario(p)


def test_line_value_is_the_avoided_central_cost_by_hand() -> None:
    cat, opts = load_catalogue(), DesignOptions()
    v = appraisal.line_values(cat, opts)
    row = cat.lines.loc["soy_sauce_paste"]
    price = cat.supply["price_usd_per_t"]
    variable = row["opex_per_unit"] + sum(
        float(cat.inputs.loc["soy_sauce_paste", r]) * float(price[r])
        for r in cat.inputs.columns
        if r in price.index
    )
    tier = opts.central_tier
    full = (
        float(cat.capex(tier)["soy_sauce_paste"]) * 1000 * opts.crf
        + float(cat.labour(tier)["soy_sauce_paste"]) * opts.wage_usd
    ) / row["module_size"] + variable
    delivery = (
        opts.default_import_km * opts.circuity * opts.cost_per_tkm_usd * row["tonnes_per_unit"]
    )
    assert v.table.loc["soy_sauce_paste", "variable_usd"] == pytest.approx(variable)
    assert v.table.loc["soy_sauce_paste", "value_usd"] == pytest.approx(
        full * opts.central_cost_factor + delivery
    )
    assert v.resolve("Soy sauce") == ["soy_sauce_paste"]
    assert len(v.resolve("foodstuffs")) > 1
    assert v.resolve("unknown thing") == []


def test_cash_flows_by_hand() -> None:
    s = AppraisalScenario(horizon_years=4, ramp_up=(0.5,), residual_share=0.1)
    f = appraisal.cash_flows(1000.0, 600.0, 200.0, 100.0, s)
    # year 0 -1000; year 1 0.5*(600-200)-100 = 100; years 2-4 400-100 = 300; +100 residual in year 4
    assert list(f) == [-1000.0, 100.0, 300.0, 300.0, 400.0]


def _factories() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "region_id": "R1",
                "line": "soy_sauce_paste",
                "unit": "t",
                "capacity": 1000.0,
                "production": 800.0,
                "jobs": 50,
                "capital_cost": 900.0,
                "annual_cost": 500.0,
            },
            {
                "region_id": "R2",
                "line": "noodles_starch",
                "unit": "t",
                "capacity": 800.0,
                "production": 800.0,
                "jobs": 20,
                "capital_cost": 400.0,
                "annual_cost": 400.0,
            },
        ]
    )


def test_ex_ante_npv_equals_hand_built_flows() -> None:
    s = AppraisalScenario()
    v = appraisal.line_values()
    res = appraisal.appraise_design(
        _factories(), regions=["R1"], population={"R1": 50_000.0}, scenario=s, values=v
    )
    line = res.lines.iloc[0]
    value = 800.0 * v.table.loc["soy_sauce_paste", "value_usd"] / 1000
    variable = 800.0 * v.table.loc["soy_sauce_paste", "variable_usd"] / 1000
    fixed = 500.0 - 900.0 * v.crf - variable
    flows = (
        [-900.0]
        + [k * (value - variable) - fixed for k in (0.75, 0.95)]
        + [value - variable - fixed] * 13
    )
    assert line["npv_kusd"] == pytest.approx(finance.npv(0.06, flows))
    assert line["irr"] == pytest.approx(finance.irr(flows))
    county = res.counties.loc["R1"]
    assert county["cost_per_beneficiary_usd"] == pytest.approx(900.0 * 1000 / 50_000)
    assert county["cost_per_job_kusd"] == pytest.approx(900.0 / 50)
    sens = res.sensitivity
    base = sens[(sens["parameter"] == "price") & (sens["value"] == 0.0)]["npv_kusd"].iloc[0]
    assert base == pytest.approx(county["npv_kusd"])
    up = sens[(sens["parameter"] == "price") & (sens["value"] == 0.2)]["npv_kusd"].iloc[0]
    assert up > base
    rates = sens[sens["parameter"] == "discount_rate"].sort_values("value")["npv_kusd"].to_numpy()
    assert np.all(np.diff(rates) < 0)  # a positive project loses value as the rate rises


def test_ex_ante_with_a_simulation_path() -> None:
    out = pd.DataFrame(
        {
            "region_id": ["R2"] * 3,
            "line": ["noodles_starch"] * 3,
            "operating_year": [1, 2, 3],
            "production": [0.0, 400.0, 800.0],
        }
    )
    with_path = appraisal.appraise_design(_factories(), regions=["R2"], outcomes=out)
    without = appraisal.appraise_design(_factories(), regions=["R2"])
    assert with_path.lines.iloc[0]["npv_kusd"] < without.lines.iloc[0]["npv_kusd"]
    assert "simulation" in " ".join(with_path.notes)


def test_read_factories_reports_bad_cells(tmp_path: Path) -> None:
    f = _factories()
    f.loc[1, "capital_cost"] = -5
    f.to_csv(tmp_path / "factories.csv", index=False)
    with pytest.raises(DataValidationError, match=r"factories\.csv:3:capital_cost"):
        appraisal.read_factories(tmp_path)


def test_ex_post_from_records() -> None:
    ops = pd.DataFrame(
        [
            {
                "site_id": 1,
                "region_id": "R1",
                "line": "soy sauce",
                "year": 2025,
                "month": m,
                "output": 40.0,
                "capacity": 50.0,
                "raw_local": 30.0,
                "raw_imported": 10.0,
            }
            for m in range(1, 13)
        ]
    )
    sites = pd.DataFrame(
        {"site_id": [1], "region_id": ["R1"], "operating_since": [dt.date(2025, 1, 1)]}
    )
    q = pd.DataFrame(
        {"site_id": [1], "line": ["soy sauce"], "sample_size": [200], "n_defective": [4]}
    )
    res = appraisal.appraise_records(
        ops, sites=sites, quality=q, population={"R1": 10_000.0}, demo=True
    )
    line = res.lines.iloc[0]
    assert line["production"] == pytest.approx(480.0)
    assert line["utilisation"] == pytest.approx(0.8)
    assert line["self_sufficiency"] == pytest.approx(0.75)
    assert line["defect_share"] == pytest.approx(0.02)
    assert res.counties.loc["R1", "reports_on_time"] == pytest.approx(1.0)
    assert res.notes[0].startswith("DEMO DATA")
    assert res.mode == "ex-post"
