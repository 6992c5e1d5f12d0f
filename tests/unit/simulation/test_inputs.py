"""The plan adapter, the coefficients, the slip fit and the grain loss rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regdev.errors import ConfigError, DataValidationError, NotFoundError
from regdev.registry import load_programme_events
from regdev.simulation.coefficients import load_coefficients
from regdev.simulation.grainloss import grain_loss_rates
from regdev.simulation.planfolder import empty_plan, read_plan_folder
from regdev.simulation.slip import event_durations_months, fit_slip


def _write(folder, name, frame):
    folder.mkdir(exist_ok=True)
    frame.to_csv(folder / name, index=False)


def test_plan_folder_tolerates_extra_and_missing_optional_columns(tmp_path):
    plan = tmp_path / "p"
    _write(
        plan,
        "schedule.csv",
        pd.DataFrame(
            {
                "region_id": ["A", "B"],
                "facility": ["factories", "hospital"],
                "year": [2025, 2026],
                "something_new": ["x", "y"],
            }
        ),
    )
    inputs = read_plan_folder(plan)
    assert list(inputs.schedule.columns) == ["region_id", "facility", "year", "tier", "size"]
    assert inputs.schedule["tier"].tolist() == [1, 1]
    assert len(inputs.factories) == 0
    assert any("factories.csv" in n for n in inputs.notes)


def test_plan_folder_errors_name_file_row_column(tmp_path):
    plan = tmp_path / "p"
    _write(
        plan,
        "schedule.csv",
        pd.DataFrame({"region_id": ["A"], "facility": ["factories"], "year": [2025]}),
    )
    _write(
        plan,
        "factories.csv",
        pd.DataFrame(
            {
                "region_id": ["A", "A"],
                "line": ["x", "y"],
                "production": [1, "lots"],
                "annual_cost": [1, 2],
            }
        ),
    )
    with pytest.raises(DataValidationError, match=r"factories.csv:3:production: expected a number"):
        read_plan_folder(plan)
    _write(plan, "factories.csv", pd.DataFrame({"region_id": ["A"], "line": ["x"]}))
    with pytest.raises(DataValidationError, match="missing required column"):
        read_plan_folder(plan)
    with pytest.raises(NotFoundError, match="not a plan folder"):
        read_plan_folder(tmp_path / "nothing")


def test_empty_plan_has_every_table():
    p = empty_plan()
    assert len(p.schedule) == 0 and "annual_cost" in p.factories.columns


def test_coefficients_merge_and_refuse_unknown_keys(tmp_path):
    f = tmp_path / "c.toml"
    f.write_text("[prices]\npass_through = 0.25\n")
    c = load_coefficients(f)
    assert c["prices"]["pass_through"] == 0.25
    assert c["consumption"]["mpc"] == 0.85  # untouched default
    f.write_text("[prices]\npassthrough = 0.25\n")
    with pytest.raises(ConfigError, match=r"unknown key prices.passthrough"):
        load_coefficients(f)
    f.write_text("[prices]\npass_through = 1.5\n")
    with pytest.raises(ConfigError, match="within 0-1"):
        load_coefficients(f)
    f.write_text('[prices]\npass_through = "half"\n')
    with pytest.raises(ConfigError, match="must be float"):
        load_coefficients(f)


def test_io_table_is_checked(tmp_path):
    f = tmp_path / "io.csv"
    f.write_text(
        "sector,agriculture,industry,commerce,households,total_output,jobs_per_kusd\n"
        "agriculture,10,16,2,20,100,0.6\nindustry,6,12,4,22,80,0.2\n"
        "commerce,4,6,3,30,60,0.4\nhouseholds,45,20,30,2,-150,0\n"
    )
    with pytest.raises(DataValidationError, match=r"io.csv:5:total_output"):
        load_coefficients(io_table=f)


def test_slip_fitted_from_the_real_events():
    d = event_durations_months(load_programme_events())
    assert len(d) >= 20
    assert d["months"].between(8, 12).all()
    m = fit_slip(load_programme_events())
    assert m.n == len(d)
    assert m.median_months == pytest.approx(float(np.exp(np.log(d["months"]).mean())))
    assert m.source == "programme events"
    extra = fit_slip(load_programme_events(), durations_months=[30.0, 30.0])
    assert extra.n == m.n + 2 and extra.median_months > m.median_months


def test_slip_falls_back_with_too_few_pairs():
    m = fit_slip(durations_months=[5.0], fallback_months=11.0, fallback_sd_log=0.2)
    assert m.n == 0 and m.median_months == pytest.approx(11.0) and m.sigma == 0.2


def test_grain_loss_rates_come_from_regdev_grain():
    from regdev.grain import properties as gp

    g = load_coefficients()["grain"]
    r = grain_loss_rates(g)
    ast = float(gp.allowable_storage_time_h(12.0, 17.0))
    expected = float(gp.dml_from_equivalent_hours(180 * 24 * gp.AST_REFERENCE_H / ast))
    assert r.storage_dml_traditional_pct == pytest.approx(expected)
    assert r.traditional == pytest.approx(0.04 + expected / 100)
    assert 0 < r.modern < r.traditional


def test_sobol_sample_must_be_a_power_of_two(tmp_path):
    from regdev.simulation import simulate

    with pytest.raises(ConfigError, match="power of two"):
        simulate(tmp_path, sobol_samples=100, scheduler="serial")
