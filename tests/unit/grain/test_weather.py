from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from regdev.errors import ConfigError, DataValidationError
from regdev.grain.weather import read_weather_csv, synthetic_weather, write_weather_csv


def test_seeded_and_deterministic() -> None:
    a = synthetic_weather(39.0, days=30, rng=5)
    b = synthetic_weather(39.0, days=30, rng=5)
    assert a.temp_c.tobytes() == b.temp_c.tobytes()
    assert a.rh.tobytes() == b.rh.tobytes()
    assert synthetic_weather(39.0, days=30, rng=6).temp_c.tobytes() != a.temp_c.tobytes()


def test_realistic_cycles_at_pyongyang_latitude() -> None:
    w = synthetic_weather(39.0, days=365, rng=1)
    daily = w.temp_c.reshape(-1, 24)
    jan, jul = daily[:31].mean(), daily[181:212].mean()
    assert -9 < jan < 0  # Pyongyang January mean about -6
    assert 20 < jul < 28  # July about 24
    hour_mean = daily.mean(axis=0)
    assert int(np.argmin(hour_mean)) in (4, 5, 6)
    assert int(np.argmax(hour_mean)) in (13, 14, 15)
    rh = w.rh.reshape(-1, 24).mean(axis=0)
    assert rh[5] > rh[14]  # humid nights, dry afternoons
    assert np.all((w.rh > 0) & (w.rh <= 1))
    south = synthetic_weather(-39.0, days=365, rng=1).temp_c.reshape(-1, 24)
    assert south[:31].mean() > south[181:212].mean()  # seasons flip


def test_bad_arguments() -> None:
    with pytest.raises(ConfigError, match="lat"):
        synthetic_weather(80.0)
    with pytest.raises(ConfigError, match="days"):
        synthetic_weather(10.0, days=0)
    with pytest.raises(ConfigError, match="ISO date"):
        synthetic_weather(10.0, start="yesterday")


def test_csv_round_trip(tmp_path: Path) -> None:
    w = synthetic_weather(39.0, days=3, rng=2)
    p = write_weather_csv(w, tmp_path / "w.csv")
    r = read_weather_csv(p)
    assert len(r) == len(w)
    np.testing.assert_allclose(r.temp_c, w.temp_c, atol=5e-4)
    # rh_pct is written over water to 0.01 %; below 0 degC reading scales it by up to
    # 1.1 back to over-ice, so the round trip holds to 0.5e-4 * 1.1.
    np.testing.assert_allclose(r.rh, w.rh, atol=5.6e-5)
    assert (r.time == w.time).all()


def test_csv_errors_name_row_and_column(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(
        "time,temp_c,rh_pct\n2026-10-01T00:00,10,50\n2026-10-01T01:00,abc,50\n"
        "2026-10-01T02:00,10,150\n"
    )
    with pytest.raises(DataValidationError) as exc:
        read_weather_csv(p)
    text = str(exc.value)
    assert "bad.csv:3:temp_c" in text
    assert "bad.csv:4:rh_pct" in text
    q = tmp_path / "gap.csv"
    q.write_text("time,temp_c,rh\n2026-10-01T00:00,10,0.5\n2026-10-01T03:00,10,0.5\n")
    with pytest.raises(DataValidationError, match="hourly"):
        read_weather_csv(q)
    r = tmp_path / "cols.csv"
    r.write_text("when,t\n")
    with pytest.raises(DataValidationError, match="missing column"):
        read_weather_csv(r)


def test_csv_rh_is_over_water_and_converted_below_zero(tmp_path: Path) -> None:
    # Issue 14, defect 7: stations report RH over water; at -10 degC a station's
    # 80 % is 88.4 % over ice (the package's psychrometric convention).
    p = tmp_path / "cold.csv"
    p.write_text(
        "time,temp_c,rh_pct\n2026-01-10T00:00,-10,80\n2026-01-10T01:00,-5,80\n2026-01-10T02:00,5,80\n"
    )
    w = read_weather_csv(p)
    np.testing.assert_allclose(w.rh, [0.8836, 0.8407, 0.8], atol=1e-4)
    from regdev.grain import properties as props

    # The vapour pressure is the station's: RH over water times saturation over water.
    pv = w.rh[0] * float(props.sat_vapour_pressure(-10.0))
    assert pv == pytest.approx(0.8 * float(props.wmo_sat_vapour_pressure_water(-10.0)), rel=3e-3)
    q = write_weather_csv(w, tmp_path / "out.csv")
    assert ",80.00" in q.read_text().splitlines()[1]  # written back over water
    assert read_weather_csv(p, rh_over="ice").rh[0] == pytest.approx(0.8)
