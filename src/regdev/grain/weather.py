"""Hourly weather: a documented synthetic generator and a CSV reader/writer.

Synthetic model
---------------
For latitude ``lat`` (degrees, negative south):

* annual mean temperature ``T0 = 28 - 0.45 |lat|`` degC and annual half-range
  ``A = (1 + 0.35 |lat|) * continentality``; the coldest day is 15 January in
  the north (15 July in the south).  At 39 N (Pyongyang) this gives a January
  mean of about -4 degC and an August mean of about 24 degC;
* day-to-day anomalies: AR(1) with lag-one correlation 0.7 and standard
  deviation ``anomaly_sd`` (default 2.5 K);
* a diurnal sinusoid of range ``diurnal_range`` (default 10 K, halved on wet
  days), minimum at 05:00 and maximum at 14:00 local time;
* humidity from the dew point: dew point = daily minimum temperature minus a
  depression drawn from a gamma distribution (mean 3 K, 1 K on wet days), so RH
  is high at night and low in the afternoon, as observed;
* wet days from a two-state Markov chain whose wet-day probability peaks in
  midsummer (monsoon climate; 0.15 in winter, 0.45 in July in the north).

The generator is deterministic for a given seed.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from regdev._atomic import atomic_write_text
from regdev.errors import ConfigError, DataValidationError, Problem
from regdev.grain import properties as props

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class WeatherSeries:
    """An hourly weather series.

    Parameters
    ----------
    time : numpy.ndarray of datetime64[h]
        Hour stamps, strictly increasing by one hour.
    temp_c : numpy.ndarray
        Dry-bulb temperature, degC.
    rh : numpy.ndarray
        Relative humidity, fraction, in this package's convention: over water
        above 0 degC and over ice below (psychrolib's); it can exceed 1 slightly
        below 0 degC (air saturated over water is supersaturated over ice).  Weather
        files and stations give RH over water (WMO); :func:`read_weather_csv`
        converts.
    """

    time: npt.NDArray[np.datetime64]
    temp_c: FloatArray
    rh: FloatArray

    def __len__(self) -> int:
        return int(self.temp_c.shape[0])

    def slice(self, start: int, stop: int) -> WeatherSeries:
        """Return hours ``start:stop``."""
        return WeatherSeries(self.time[start:stop], self.temp_c[start:stop], self.rh[start:stop])


def synthetic_weather(
    lat: float = 39.0,
    *,
    start: str = "2026-01-01",
    days: int = 365,
    continentality: float = 1.0,
    diurnal_range: float = 10.0,
    anomaly_sd: float = 2.5,
    rng: np.random.Generator | int | None = None,
) -> WeatherSeries:
    """Generate an hourly synthetic weather series (see the module docstring).

    Parameters
    ----------
    lat : float
        Latitude, degrees (-66..66).
    start : str
        First day, ISO date.
    days : int
        Number of days.
    continentality : float
        Multiplier on the annual temperature range (1 = continental East Asia).
    diurnal_range : float
        Mean daily temperature range on dry days, K.
    anomaly_sd : float
        Standard deviation of daily temperature anomalies, K.
    rng : numpy.random.Generator, int or None
        Seed or generator, used once.

    Returns
    -------
    WeatherSeries

    Raises
    ------
    ConfigError
        For a latitude outside -66..66 or a non-positive number of days.

    Examples
    --------
    >>> w = synthetic_weather(39.0, days=2, rng=1)
    >>> len(w)
    48
    """
    if not -66.0 <= lat <= 66.0:
        msg = f"lat must be within -66..66 degrees; got {lat}"
        raise ConfigError(msg)
    if days < 1:
        msg = f"days must be >= 1; got {days}"
        raise ConfigError(msg)
    gen = np.random.default_rng(rng)
    try:
        t0 = np.datetime64(start, "D")
    except ValueError as exc:
        msg = f"start must be an ISO date like 2026-10-01; got {start!r}"
        raise ConfigError(msg) from exc
    day = t0 + np.arange(days)
    doy = (day - day.astype("datetime64[Y]")).astype(np.int64).astype(np.float64)
    alat = abs(lat)
    mean = 28.0 - 0.45 * alat
    amp = (1.0 + 0.35 * alat) * continentality
    coldest = 15.0 if lat >= 0 else 197.0
    seasonal = mean - amp * np.cos(2 * math.pi * (doy - coldest) / 365.25)
    # Wet-day Markov chain, peak probability in midsummer.
    summer = 0.5 * (1 - np.cos(2 * math.pi * (doy - coldest) / 365.25))  # 0 winter .. 1 summer
    p_wet = 0.15 + 0.30 * summer
    wet = np.zeros(days, dtype=bool)
    u = gen.random(days)
    for d in range(days):
        p = p_wet[d] + (0.2 if d > 0 and wet[d - 1] else 0.0)
        wet[d] = u[d] < min(p, 0.9)
    # AR(1) daily anomaly.
    eps = gen.normal(0.0, anomaly_sd * math.sqrt(1 - 0.7**2), days)
    anom = np.empty(days)
    a = gen.normal(0.0, anomaly_sd)
    for d in range(days):
        a = 0.7 * a + eps[d]
        anom[d] = a
    daily_mean = seasonal + anom - 1.0 * wet
    rng_d = diurnal_range * np.where(wet, 0.5, 1.0) * gen.uniform(0.8, 1.2, days)
    tmin = daily_mean - rng_d / 2
    depression = np.where(wet, gen.gamma(2.0, 0.5, days), gen.gamma(3.0, 1.0, days))
    dew = tmin - depression
    hours = np.arange(24, dtype=np.float64)
    # Sinusoid with minimum at 05:00 and maximum at 14:00 (two half-cosines).
    shape = np.where(
        (hours >= 5) & (hours <= 14),
        -np.cos(math.pi * (hours - 5) / 9),
        np.cos(math.pi * ((hours - 14) % 24) / 15),
    )
    temp = (daily_mean[:, None] + (rng_d[:, None] / 2) * shape[None, :]).ravel()
    dew_h = np.repeat(dew, 24)
    rh = np.clip(
        props.sat_vapour_pressure(np.minimum(dew_h, temp)) / props.sat_vapour_pressure(temp),
        0.05,
        1.0,
    )
    time = t0.astype("datetime64[h]") + np.arange(days * 24)
    return WeatherSeries(time=time, temp_c=temp, rh=rh)


def read_weather_csv(path: str | Path, *, rh_over: str = "water") -> WeatherSeries:
    """Read an hourly weather CSV with columns ``time, temp_c`` and ``rh_pct`` or ``rh``.

    ``time`` is ISO 8601 (``2026-10-01T00:00``); rows must be hourly and increasing.
    Relative humidity is taken as weather stations report it, over water at all
    temperatures (WMO), and converted below 0 degC to the package's over-ice
    convention (:func:`regdev.grain.properties.rh_internal_from_over_water`);
    ``rh_over="ice"`` reads a file already in that convention.

    Raises
    ------
    DataValidationError
        Naming the file, row and column of every problem.
    """
    if rh_over not in ("water", "ice"):
        msg = f"rh_over must be 'water' or 'ice'; got {rh_over!r}"
        raise ConfigError(msg)
    p = Path(path)
    name = str(p)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataValidationError([Problem(name, None, None, f"cannot read: {exc}")]) from exc
    reader = csv.DictReader(io.StringIO(text))
    cols = reader.fieldnames or []
    problems: list[Problem | str] = []
    rh_col = "rh_pct" if "rh_pct" in cols else ("rh" if "rh" in cols else None)
    for need in ("time", "temp_c"):
        if need not in cols:
            problems.append(Problem(name, None, need, f"missing column; have {cols}"))
    if rh_col is None:
        problems.append(Problem(name, None, "rh_pct", "missing column rh_pct (or rh as fraction)"))
    if problems:
        raise DataValidationError(problems)
    times: list[np.datetime64] = []
    temps: list[float] = []
    rhs: list[float] = []
    for i, row in enumerate(reader, start=2):
        try:
            times.append(np.datetime64(datetime.fromisoformat(row["time"]), "h"))
        except (ValueError, TypeError):
            problems.append(Problem(name, i, "time", f"expected ISO time; got {row['time']!r}"))
            continue
        try:
            t = float(row["temp_c"])
            if not -60 <= t <= 60:
                raise ValueError  # noqa: TRY301 - same report as a parse failure
            temps.append(t)
        except (ValueError, TypeError):
            problems.append(
                Problem(name, i, "temp_c", f"expected -60..60 degC; got {row['temp_c']!r}")
            )
            continue
        try:
            r = float(row[rh_col or "rh"])
            r = r / 100.0 if rh_col == "rh_pct" else r
            if not 0 <= r <= 1:
                raise ValueError  # noqa: TRY301 - same report as a parse failure
            rhs.append(r)
        except (ValueError, TypeError):
            problems.append(Problem(name, i, rh_col, f"expected RH in range; got {row[rh_col]!r}"))
            times.pop()
            temps.pop()
    if not times and not problems:
        problems.append(Problem(name, None, None, "no data rows"))
    if not problems:
        arr = np.array(times, dtype="datetime64[h]")
        d = np.diff(arr).astype(np.int64)
        bad = np.flatnonzero(d != 1)
        if bad.size:
            i = int(bad[0]) + 3
            problems.append(Problem(name, i, "time", "rows must be hourly and increasing"))
    if problems:
        raise DataValidationError(problems)
    temp_arr = np.array(temps, dtype=np.float64)
    rh_arr = np.array(rhs, dtype=np.float64)
    if rh_over == "water":
        rh_arr = props.rh_internal_from_over_water(temp_arr, rh_arr)
    return WeatherSeries(np.array(times, dtype="datetime64[h]"), temp_arr, rh_arr)


def write_weather_csv(weather: WeatherSeries, path: str | Path) -> Path:
    """Write a series as CSV (``time,temp_c,rh_pct``, RH over water as stations give it) atomically."""
    buf = io.StringIO()
    buf.write("time,temp_c,rh_pct\n")
    rh_water = props.rh_over_water_from_internal(weather.temp_c, weather.rh)
    for t, tc, r in zip(weather.time, weather.temp_c, rh_water, strict=True):
        buf.write(f"{np.datetime_as_string(t, unit='m')},{tc:.3f},{100 * r:.2f}\n")
    return atomic_write_text(path, buf.getvalue())
