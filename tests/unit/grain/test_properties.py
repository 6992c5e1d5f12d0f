from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import numpy as np
import psychrolib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regdev.errors import ConfigError, NotFoundError
from regdev.grain import properties as props

DATA = Path(__file__).resolve().parents[2] / "data" / "grain"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _num(text: str, key: str) -> float:
    m = re.search(rf"{key}=(-?[0-9.]+)", text)
    assert m is not None, (key, text)
    return float(m.group(1))


PSY_ROWS = _rows("psychrometric_check_values.csv")


@pytest.mark.parametrize("row", PSY_ROWS, ids=lambda r: f"{r['quantity']}:{r['inputs']}")
def test_psychrometric_check_values(row: dict[str, str]) -> None:
    # Values are psychrolib 2.5.0 output printed to 5-6 significant digits:
    # tolerance is half a unit of the last printed digit (relative 1e-5 or better).
    q, text, expected = row["quantity"], row["inputs"], float(row["value"])
    decimals = len(row["value"].split(".")[1]) if "." in row["value"] else 0
    tol = 0.5 * 10.0**-decimals + 1e-12
    if q == "saturation_vapour_pressure":
        t = _num(text, "T")
        assert props.psy_sat_vapour_pressure(t) == pytest.approx(expected, abs=tol)
        assert float(props.sat_vapour_pressure(np.array([t]))[0]) == pytest.approx(
            expected, abs=tol
        )
    elif q == "humidity_ratio":
        t, rh, p = _num(text, "T"), _num(text, "RH") / 100, _num(text, "P")
        assert props.psy_humidity_ratio(t, rh, p) == pytest.approx(expected, abs=tol)
        assert float(props.humidity_ratio(np.array([t]), rh, p)[0]) == pytest.approx(
            expected, abs=tol
        )
    elif q == "dew_point":
        t, rh = _num(text, "T"), _num(text, "RH") / 100
        assert props.dew_point(t, rh) == pytest.approx(expected, abs=tol)
        assert float(props.dew_point_vec(np.array([t]), rh)[0]) == pytest.approx(expected, abs=tol)
    elif q == "wet_bulb":
        t, rh, p = _num(text, "T"), _num(text, "RH") / 100, _num(text, "P")
        # psychrolib finds the wet bulb by bisection to PSYCHROLIB_TOLERANCE (0.001 K);
        # the maintainers' regression value (3.92667) is within that of 3.92633.
        tol = max(tol, psychrolib.PSYCHROLIB_TOLERANCE)
        assert props.wet_bulb(t, rh, p) == pytest.approx(expected, abs=tol)
    elif q == "moist_air_enthalpy":
        # The table value was computed with the unrounded W of 25 degC / 50 % RH
        # (the 0.009881 printed in the inputs is that W rounded); use the same W.
        t = _num(text, "T")
        w = float(props.humidity_ratio(np.array([t]), 0.5)[0])
        assert w == pytest.approx(_num(text, "W"), abs=5e-7)
        assert 1000 * float(props.moist_air_enthalpy(t, w)) == pytest.approx(expected, abs=tol)
    elif q == "standard_atmosphere_pressure":
        assert props.standard_pressure(_num(text, "altitude")) == pytest.approx(expected, abs=tol)
    else:  # pragma: no cover - a new row type must get a test
        pytest.fail(f"no check for quantity {q}")


def test_psychrolib_unit_system_is_reasserted() -> None:
    psychrolib.SetUnitSystem(psychrolib.IP)
    try:
        assert props.psy_sat_vapour_pressure(20.0) == pytest.approx(2338.80, abs=0.01)
    finally:
        psychrolib.SetUnitSystem(psychrolib.SI)


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-60.0, max_value=90.0))
def test_vectorised_saturation_matches_psychrolib(t: float) -> None:
    ref = props.psy_sat_vapour_pressure(t)
    assert float(props.sat_vapour_pressure(np.array([t]))[0]) == pytest.approx(ref, rel=1e-12)
    assert float(props.sat_vapour_pressure(t)) == pytest.approx(ref, rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=-20.0, max_value=45.0), st.floats(min_value=0.05, max_value=1.0))
def test_vectorised_dew_point_matches_psychrolib(t: float, rh: float) -> None:
    assert float(props.dew_point_vec(np.array([t]), rh)[0]) == pytest.approx(
        props.dew_point(t, rh), abs=1e-4
    )


EMC_ROWS = _rows("emc_check_targets.csv")


@pytest.mark.parametrize(
    "row", EMC_ROWS, ids=lambda r: f"{r['grain']}-{r['model']}-{r['T_C']}-{r['RH_pct']}"
)
def test_emc_check_values(row: dict[str, str]) -> None:
    iso = props.get_isotherm(row["grain"], row["model"])
    got = float(iso.emc_wb_pct(float(row["T_C"]), float(row["RH_pct"]) / 100))
    assert got == pytest.approx(float(row["expected_wb"]), abs=float(row["tol"])), row["why"]


def test_every_emc_check_row_is_covered() -> None:
    # Every row of the shared EMC check table (except sunflower, not a target grain
    # and without coefficients) has a target row with the same conditions.
    targets = {(r["T_C"], r["RH_pct"]) for r in EMC_ROWS}
    for row in _rows("emc_check_values.csv"):
        if row["grain"] == "sunflower":
            continue
        assert (row["T_C"], row["RH_pct"]) in targets, row


def test_default_isotherms_and_aliases() -> None:
    assert props.get_isotherm("corn").model == "modified_henderson"
    # Paddy defaults to the long-grain D245.6 set (issue 14: the older set reads
    # about 2 points low at 90-97 % RH); the older set stays available by name.
    assert props.get_isotherm("paddy").grain == "rough_rice_long_grain"
    assert props.get_isotherm("rough_rice_d245").model == "modified_henderson"
    assert props.get_isotherm("soybean").model == "modified_halsey"
    with pytest.raises(NotFoundError, match="grain must be one of"):
        props.canonical_grain("quinoa")
    with pytest.raises(NotFoundError, match="no isotherm"):
        props.get_isotherm("barley", "modified_oswin")


def test_oswin_form_round_trip() -> None:
    iso = props.Isotherm("x", "modified_oswin", 15.0, -0.05, 3.0)
    m = iso.emc_db_pct(20.0, 0.6)
    assert float(iso.erh(20.0, m)) == pytest.approx(0.6, rel=1e-9)
    with pytest.raises(ConfigError):
        props.Isotherm("x", "bogus", 1, 1, 1).erh(20.0, 15.0)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(props.GRAINS),
    st.floats(min_value=-10.0, max_value=45.0),
    st.floats(min_value=0.1, max_value=0.95),
)
def test_emc_and_erh_are_inverse(grain: str, t: float, rh: float) -> None:
    m_wb = float(props.emc_wb_pct(grain, t, rh))
    assert 0 < m_wb < 60
    assert float(props.erh(grain, t, m_wb)) == pytest.approx(rh, abs=1e-6)


@given(st.floats(min_value=0.0, max_value=0.6))
def test_moisture_basis_round_trip(m: float) -> None:
    assert float(props.db_to_wb(props.wb_to_db(m))) == pytest.approx(m, abs=1e-12)


def test_shrink() -> None:
    # 1000 kg at 17 % has 830 kg dry matter; at 14 % that is 965.1 kg -> 3.49 % shrink.
    assert float(props.shrink_pct(17.0, 14.0)) == pytest.approx(100 * (1 - 830 / 0.86 / 1000))


def _ast_rows() -> list[dict[str, str]]:
    rows, last = [], ""
    for row in _rows("ast_corn_check_values.csv"):
        if row["source"].strip() == "same":  # "same" = the source of the row above
            row = {**row, "source": last}
        last = row["source"]
        rows.append(row)
    return rows


AST_ROWS = _ast_rows()


@pytest.mark.parametrize("row", AST_ROWS, ids=lambda r: f"{r['T_C']}-{r['MC_pct_wb']}-{r['kind']}")
def test_ast_check_values(row: dict[str, str]) -> None:
    t, m, expected = float(row["T_C"]), float(row["MC_pct_wb"]), float(row["AST_days"])
    if "Adams" in row["source"]:
        got = float(props.allowable_storage_time_regression_days(t, m))
        tol = 0.01  # the table rounds to whole days
    else:
        got = float(props.allowable_storage_time_h(t, m, float(row["damage_pct"])) / 24)
        # Derived rows: same formula, rounded to whole days (<= 1 %).  Published
        # Arkansas rows (275/88/39) have no stated tolerance; the data file's own
        # D535 rows at the same conditions (279/90/39) differ from them by up to
        # 2.3 %, so they are held to 2.5 %.
        tol = 0.01 if row["kind"] == "derived" else 0.025
    assert got == pytest.approx(expected, rel=tol, abs=0.5)


def test_ast_decreases_with_temperature_and_moisture() -> None:
    t = np.linspace(0, 35, 36)
    for m in (14.0, 17.0, 22.0, 30.0):
        ast = props.allowable_storage_time_h(t, m)
        assert np.all(np.diff(ast) < 0)
    m = np.linspace(13, 30, 50)
    assert np.all(np.diff(props.allowable_storage_time_h(20.0, m)) < 0)


def test_dml_curve_reaches_half_percent_at_reference_time() -> None:
    assert float(props.dml_from_equivalent_hours(props.AST_REFERENCE_H)) == pytest.approx(
        0.5, abs=0.001
    )
    assert float(props.dml_from_equivalent_hours(1e9)) == 100.0


def test_rice_storable_term_table_and_temperature() -> None:
    # Japanese wet-paddy terms (10-25 degC, taken at 17.5 degC) are reproduced at
    # 17.5 degC through the Q10 = 2 shift to the 27 degC reference and back.
    for m, days in ((18, 30), (19, 20), (20, 15), (22, 7), (23, 2)):
        assert float(props.rice_storable_days(17.5, m)) == pytest.approx(days, rel=1e-9)
    assert props.rice_storable_days(30.0, 18.0) < props.rice_storable_days(10.0, 18.0)
    assert math.isclose(
        float(props.spoilage_rate_per_h("rice", 17.5, 18.0)), 1 / (24 * 30), rel_tol=1e-9
    )
    assert float(props.spoilage_rate_per_h("maize", 15.6, 15.0)) == pytest.approx(
        1 / float(props.allowable_storage_time_h(15.6, 15.0))
    )
