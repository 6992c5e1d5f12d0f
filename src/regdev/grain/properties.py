"""Grain and air properties: psychrometrics, equilibrium moisture, shrink, storage time.

Units: temperatures in degrees Celsius, pressures in Pa, relative humidity as a
fraction in [0, 1] (``rh``) unless a name ends in ``_pct``, humidity ratio in
kg water per kg dry air, grain moisture as a *fraction* on the basis named in
the function (``m_wb`` wet basis, ``m_db`` dry basis) unless it ends in
``_pct``.  The ASABE D245 isotherms are written in percent dry basis, exactly
as the standard writes them; helpers convert.

Psychrometrics
--------------
Scalar reference values come from ``psychrolib`` (ASHRAE Handbook 2017,
ch. 1).  ``psychrolib`` keeps its unit system in a module-global variable, so
this module sets it to SI in exactly one place (:func:`_psy`) before every
call, in case another part of the process switched it to IP.  The hot loop of
the bin simulator cannot afford one Python call per layer and hour, so
:func:`sat_vapour_pressure` re-implements the same ASHRAE (Hyland-Wexler)
formula on numpy arrays, including psychrolib's switch to the over-ice form at
the triple point (0.01 degC); the unit tests check both against each other and
against ``tests/data/grain/psychrometric_check_values.csv``.

Relative humidity over water and over ice
-----------------------------------------
Internally (psychrolib's convention, ASHRAE) relative humidity below the
triple point is taken over **ice**.  Weather stations report it over **water**
at all temperatures (WMO-No. 8, *Guide to Instruments and Methods of
Observation*, 2018, Part I ch. 4 and Annex 4.B).  Weather input is converted
once at the boundary with :func:`rh_internal_from_over_water` (the ratio of
the WMO Magnus formulas over water and over ice); at -5 degC a station's 80 %
is 84.1 % over ice, at -10 degC 88.4 %.

References
----------
ASHRAE Handbook - Fundamentals (2017), ch. 1, eqs. 5-6 and 32.
ASAE D245 (equilibrium moisture relationships), D535 (shelled corn storage
time), Saul & Steele (1966); see ``regdev/grain/data/SOURCES.md``.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import numpy as np
import numpy.typing as npt
import psychrolib

from regdev.errors import ConfigError, DataValidationError, NotFoundError

ArrayLike = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]

#: Standard atmospheric pressure at sea level, Pa.
P_ATM = 101325.0
#: Ratio of molecular masses water / dry air (psychrolib, ASHRAE 2017 eq. 22).
EPSILON = 0.621945
#: Specific heat of dry air, kJ/(kg K) (ASHRAE 2017 eq. 32).
CP_AIR = 1.006
#: Specific heat of water vapour, kJ/(kg K).
CP_VAPOUR = 1.86
#: Specific heat of liquid water, kJ/(kg K).
CP_WATER = 4.186
#: Latent heat of vaporisation of water at 0 degC, kJ/kg.
H_FG0 = 2501.0

_TRIPLE_POINT_C = 0.01

GrainName = Literal["maize", "rough_rice", "wheat", "soybean", "barley"]
GRAINS: tuple[str, ...] = ("maize", "rough_rice", "wheat", "soybean", "barley")
_ALIASES = {"corn": "maize", "rice": "rough_rice", "paddy": "rough_rice", "soy": "soybean"}


# --------------------------------------------------------------------------- psychrolib
def _psy() -> object:
    """Return the psychrolib module with its unit system set to SI.

    This is the only place that calls ``psychrolib.SetUnitSystem``; the
    setting is module-global, so it is (re)asserted before every scalar call.
    """
    if psychrolib.PSYCHROLIB_UNITS != psychrolib.SI:
        psychrolib.SetUnitSystem(psychrolib.SI)
    return psychrolib


def psy_sat_vapour_pressure(t_c: float) -> float:
    """Saturation vapour pressure (Pa) by psychrolib (scalar, reference)."""
    _psy()
    return float(psychrolib.GetSatVapPres(float(t_c)))


def psy_humidity_ratio(t_c: float, rh: float, p_pa: float = P_ATM) -> float:
    """Humidity ratio (kg/kg dry air) by psychrolib from temperature and RH fraction."""
    _psy()
    return float(psychrolib.GetHumRatioFromRelHum(float(t_c), float(rh), float(p_pa)))


def dew_point(t_c: float, rh: float) -> float:
    """Dew-point temperature (degC) by psychrolib from dry bulb and RH fraction (0-1]."""
    _psy()
    return float(psychrolib.GetTDewPointFromRelHum(float(t_c), float(rh)))


def wet_bulb(t_c: float, rh: float, p_pa: float = P_ATM) -> float:
    """Psychrometric wet-bulb temperature (degC) by psychrolib."""
    _psy()
    return float(psychrolib.GetTWetBulbFromRelHum(float(t_c), float(rh), float(p_pa)))


def standard_pressure(altitude_m: float) -> float:
    """Standard-atmosphere pressure (Pa) at an altitude (m) by psychrolib."""
    _psy()
    return float(psychrolib.GetStandardAtmPressure(float(altitude_m)))


# --------------------------------------------------------------------------- vectorised
def sat_vapour_pressure(t_c: ArrayLike) -> FloatArray:
    """Saturation vapour pressure over water (over ice below 0.01 degC), Pa, vectorised.

    Same formula as ``psychrolib.GetSatVapPres`` (ASHRAE 2017 ch. 1 eqs. 5-6).

    Parameters
    ----------
    t_c : array_like
        Dry-bulb temperature, degC, within [-100, 200].

    Returns
    -------
    numpy.ndarray
        Saturation vapour pressure, Pa.

    Examples
    --------
    >>> round(float(sat_vapour_pressure(20.0)), 2)
    2338.8
    """
    if isinstance(t_c, (float, int)):
        return np.asarray(_sat_vp_scalar(float(t_c)), dtype=np.float64)
    t = np.asarray(t_c, dtype=np.float64)
    tk = t + 273.15
    ln_water = (
        -5.8002206e03 / tk
        + 1.3914993
        - 4.8640239e-02 * tk
        + 4.1764768e-05 * tk**2
        - 1.4452093e-08 * tk**3
        + 6.5459673 * np.log(tk)
    )
    if np.all(t > _TRIPLE_POINT_C):
        return np.exp(ln_water)
    ln_ice = (
        -5.6745359e03 / tk
        + 6.3925247
        - 9.677843e-03 * tk
        + 6.2215701e-07 * tk**2
        + 2.0747825e-09 * tk**3
        - 9.484024e-13 * tk**4
        + 4.1635019 * np.log(tk)
    )
    return np.exp(np.where(t <= _TRIPLE_POINT_C, ln_ice, ln_water))


def _sat_vp_scalar(t: float) -> float:
    """Scalar copy of :func:`sat_vapour_pressure` with :mod:`math` (no numpy overhead)."""
    tk = t + 273.15
    if t > _TRIPLE_POINT_C:
        ln = (
            -5.8002206e03 / tk
            + 1.3914993
            - 4.8640239e-02 * tk
            + 4.1764768e-05 * tk**2
            - 1.4452093e-08 * tk**3
            + 6.5459673 * math.log(tk)
        )
    else:
        ln = (
            -5.6745359e03 / tk
            + 6.3925247
            - 9.677843e-03 * tk
            + 6.2215701e-07 * tk**2
            + 2.0747825e-09 * tk**3
            - 9.484024e-13 * tk**4
            + 4.1635019 * math.log(tk)
        )
    return math.exp(ln)


def wmo_sat_vapour_pressure_water(t_c: ArrayLike) -> FloatArray:
    """Saturation vapour pressure over (supercooled) water, Pa, WMO Magnus form.

    ``e_w = 611.2 exp(17.62 t / (243.12 + t))`` (WMO-No. 8, 2018, Annex 4.B;
    -45..60 degC).  Used for converting station RH, which WMO defines over water
    also below 0 degC.

    Examples
    --------
    >>> round(float(wmo_sat_vapour_pressure_water(-10.0)), 1)
    287.0
    """
    t = np.asarray(t_c, dtype=np.float64)
    return np.asarray(611.2 * np.exp(17.62 * t / (243.12 + t)), dtype=np.float64)


def wmo_sat_vapour_pressure_ice(t_c: ArrayLike) -> FloatArray:
    """Saturation vapour pressure over ice, Pa, WMO Magnus form.

    ``e_i = 611.2 exp(22.46 t / (272.62 + t))`` (WMO-No. 8, 2018, Annex 4.B;
    -65..0.01 degC).

    Examples
    --------
    >>> round(float(wmo_sat_vapour_pressure_ice(-10.0)), 1)
    259.9
    """
    t = np.asarray(t_c, dtype=np.float64)
    return np.asarray(611.2 * np.exp(22.46 * t / (272.62 + t)), dtype=np.float64)


def rh_internal_from_over_water(t_c: ArrayLike, rh_over_water: ArrayLike) -> FloatArray:
    """Convert a station RH (over water, WMO) to this package's convention (over ice below 0).

    Above the triple point the two agree.  Below it the vapour pressure
    ``rh_w e_w(t)`` is re-expressed over ice: ``rh_i = rh_w e_w(t) / e_i(t)``,
    with the WMO Magnus pair (both equal 611.2 Pa at 0 degC, so the conversion is
    continuous).  The result can exceed 1 (air saturated over water is
    supersaturated over ice), as real winter air does.

    Parameters
    ----------
    t_c : array_like
        Air temperature, degC.
    rh_over_water : array_like
        Relative humidity over water, fraction.

    Returns
    -------
    numpy.ndarray
        Relative humidity in the internal convention, fraction.

    Examples
    --------
    >>> round(float(rh_internal_from_over_water(-10.0, 0.8)), 4)
    0.8836
    """
    t = np.asarray(t_c, dtype=np.float64)
    rh = np.asarray(rh_over_water, dtype=np.float64)
    ratio = wmo_sat_vapour_pressure_water(t) / wmo_sat_vapour_pressure_ice(t)
    return np.asarray(np.where(t <= _TRIPLE_POINT_C, rh * ratio, rh), dtype=np.float64)


def rh_over_water_from_internal(t_c: ArrayLike, rh: ArrayLike) -> FloatArray:
    """Inverse of :func:`rh_internal_from_over_water` (for output and the RH lockout)."""
    t = np.asarray(t_c, dtype=np.float64)
    r = np.asarray(rh, dtype=np.float64)
    ratio = wmo_sat_vapour_pressure_ice(t) / wmo_sat_vapour_pressure_water(t)
    return np.asarray(np.where(t <= _TRIPLE_POINT_C, r * ratio, r), dtype=np.float64)


def humidity_ratio(t_c: ArrayLike, rh: ArrayLike, p_pa: float = P_ATM) -> FloatArray:
    """Humidity ratio W (kg water / kg dry air) from temperature and RH fraction, vectorised.

    ``W = 0.621945 pv / (p - pv)`` with ``pv = rh * pws(t)`` (ASHRAE 2017 eq. 20).
    """
    pv = np.asarray(rh, dtype=np.float64) * sat_vapour_pressure(t_c)
    return EPSILON * pv / (p_pa - pv)


def relative_humidity(t_c: ArrayLike, w: ArrayLike, p_pa: float = P_ATM) -> FloatArray:
    """Relative humidity fraction from temperature and humidity ratio (may exceed 1 if supersaturated)."""
    w_arr = np.asarray(w, dtype=np.float64)
    pv = p_pa * w_arr / (EPSILON + w_arr)
    return pv / sat_vapour_pressure(t_c)


def dew_point_vec(t_c: ArrayLike, rh: ArrayLike) -> FloatArray:
    """Dew point (degC), vectorised: Newton iterations on ln pws like psychrolib.

    Parameters
    ----------
    t_c : array_like
        Dry-bulb temperature, degC.
    rh : array_like
        Relative humidity fraction in (0, 1].

    Returns
    -------
    numpy.ndarray
        Dew-point temperature, degC (never above ``t_c``).
    """
    t = np.asarray(t_c, dtype=np.float64)
    ln_pv = np.log(np.clip(np.asarray(rh, dtype=np.float64), 1e-6, 1.0)) + np.log(
        sat_vapour_pressure(t)
    )
    td = t.copy() if t.ndim else np.array(float(t))
    for _ in range(30):
        h = 1e-4
        f = np.log(sat_vapour_pressure(td)) - ln_pv
        df = (np.log(sat_vapour_pressure(td + h)) - np.log(sat_vapour_pressure(td - h))) / (2 * h)
        step = f / df
        td = np.clip(td - step, -100.0, 200.0)
        if np.all(np.abs(step) < 1e-7):
            break
    return np.minimum(td, t)


def moist_air_enthalpy(t_c: ArrayLike, w: ArrayLike) -> FloatArray:
    """Moist-air specific enthalpy, kJ per kg dry air: ``1.006 t + W (2501 + 1.86 t)``."""
    t = np.asarray(t_c, dtype=np.float64)
    return CP_AIR * t + np.asarray(w, dtype=np.float64) * (H_FG0 + CP_VAPOUR * t)


# --------------------------------------------------------------------------- moisture basis
def wb_to_db(m_wb: ArrayLike) -> FloatArray:
    """Convert moisture fraction wet basis to dry basis: ``m / (1 - m)``."""
    m = np.asarray(m_wb, dtype=np.float64)
    return m / (1.0 - m)


def db_to_wb(m_db: ArrayLike) -> FloatArray:
    """Convert moisture fraction dry basis to wet basis: ``m / (1 + m)``."""
    m = np.asarray(m_db, dtype=np.float64)
    return m / (1.0 + m)


def shrink_pct(m_initial_wb_pct: ArrayLike, m_final_wb_pct: ArrayLike) -> FloatArray:
    """Water shrink on drying, percent of the initial (wet) mass.

    ``shrink = (Mi - Mf) / (100 - Mf) * 100`` (dry matter conserved; no handling loss).

    Examples
    --------
    >>> round(float(shrink_pct(17.0, 14.0)), 3)
    3.488
    """
    mi = np.asarray(m_initial_wb_pct, dtype=np.float64)
    mf = np.asarray(m_final_wb_pct, dtype=np.float64)
    return (mi - mf) / (100.0 - mf) * 100.0


# --------------------------------------------------------------------------- isotherms
@dataclass(frozen=True)
class Isotherm:
    """One ASABE D245-form isotherm with its coefficients (``m`` in percent dry basis).

    Parameters
    ----------
    grain : str
        Grain the coefficients belong to.
    model : {"modified_henderson", "modified_chung_pfost", "modified_halsey", "modified_oswin"}
        Model form, as ASAE D245 writes them (T in degC, RH fraction, M in % d.b.):
        Henderson ``1 - RH = exp(-A (T + C) M^B)``; Chung-Pfost
        ``RH = exp(-A / (T + C) exp(-B M))``; Halsey ``RH = exp(-exp(A + B T) / M^C)``;
        Oswin ``M = (A + B T) / (1/RH - 1)^(1/C)``.
    a, b, c : float
        Coefficients.
    source : str
        Where they come from (see ``data/SOURCES.md``).
    status : str
        Quality flag copied from the coefficient table.
    """

    grain: str
    model: str
    a: float
    b: float
    c: float
    source: str = ""
    status: str = ""

    def emc_db_pct(self, t_c: ArrayLike, rh: ArrayLike) -> FloatArray:
        """Equilibrium moisture content, percent dry basis, at temperature and RH fraction."""
        t = np.asarray(t_c, dtype=np.float64)
        r = np.clip(np.asarray(rh, dtype=np.float64), 1e-6, 1.0 - 1e-9)
        a, b, c = self.a, self.b, self.c
        if self.model == "modified_henderson":
            return (np.log(1.0 - r) / (-a * (t + c))) ** (1.0 / b)
        if self.model == "modified_chung_pfost":
            return -np.log(-(t + c) * np.log(r) / a) / b
        if self.model == "modified_halsey":
            return (-np.exp(a + b * t) / np.log(r)) ** (1.0 / c)
        if self.model == "modified_oswin":
            return (a + b * t) / (1.0 / r - 1.0) ** (1.0 / c)
        msg = f"unknown isotherm model {self.model!r}"
        raise ConfigError(msg)

    def erh(self, t_c: ArrayLike, m_db_pct: ArrayLike) -> FloatArray:
        """Equilibrium relative humidity (fraction) of grain at temperature and % d.b. moisture."""
        t = np.asarray(t_c, dtype=np.float64)
        m = np.maximum(np.asarray(m_db_pct, dtype=np.float64), 1e-6)
        a, b, c = self.a, self.b, self.c
        if self.model == "modified_henderson":
            out = 1.0 - np.exp(-a * (t + c) * m**b)
        elif self.model == "modified_chung_pfost":
            out = np.exp(-a / (t + c) * np.exp(-b * m))
        elif self.model == "modified_halsey":
            out = np.exp(-np.exp(a + b * t) / m**c)
        elif self.model == "modified_oswin":
            out = 1.0 / (1.0 + ((a + b * t) / m) ** c)
        else:
            msg = f"unknown isotherm model {self.model!r}"
            raise ConfigError(msg)
        return np.clip(out, 0.0, 1.0)

    def erh_scalar(self, t_c: float, m_db_pct: float) -> float:
        """Scalar :meth:`erh` with :mod:`math` (used in controllers, once per decision)."""
        a, b, c = self.a, self.b, self.c
        m = max(m_db_pct, 1e-6)
        if self.model == "modified_henderson":
            out = -math.expm1(-a * (t_c + c) * m**b)
        elif self.model == "modified_chung_pfost":
            out = math.exp(-a / (t_c + c) * math.exp(-b * m))
        elif self.model == "modified_halsey":
            out = math.exp(-math.exp(a + b * t_c) / m**c)
        else:
            return float(self.erh(t_c, m))
        return min(max(out, 0.0), 1.0)

    def emc_wb_pct(self, t_c: ArrayLike, rh: ArrayLike) -> FloatArray:
        """Equilibrium moisture content, percent wet basis."""
        return 100.0 * db_to_wb(self.emc_db_pct(t_c, rh) / 100.0)


#: Default isotherm per grain (key into the packaged coefficient table) and why
#: (``data/SOURCES.md``).  Rough rice uses the long-grain ASABE D245.6 set, which
#: reproduces a published D245 EMC table cell for cell and does not read about 2
#: points low at 90-97 % RH like the older ``rough_rice`` set; wheat uses a
#: Chung-Pfost fit to US extension values (the previous hard-red set read 0.8-1.8
#: points high between -1 and 25 degC).
DEFAULT_ISOTHERM: dict[str, tuple[str, str]] = {
    "maize": ("corn_yellow_dent", "modified_henderson"),
    "rough_rice": ("rough_rice_long_grain", "modified_henderson"),
    "wheat": ("wheat", "modified_chung_pfost"),
    "soybean": ("soybean", "modified_halsey"),
    "barley": ("barley", "modified_chung_pfost"),
}


def canonical_grain(grain: str) -> str:
    """Return the canonical grain name (``corn`` -> ``maize``) or raise NotFoundError."""
    g = _ALIASES.get(grain.lower(), grain.lower())
    if g not in GRAINS:
        msg = f"grain must be one of {', '.join(GRAINS)} (or corn/rice/paddy); got {grain!r}"
        raise NotFoundError(msg)
    return g


@cache
def load_isotherms() -> tuple[Isotherm, ...]:
    """Read the packaged coefficient table ``data/emc_coefficients.csv``.

    Raises
    ------
    DataValidationError
        If a row lacks a coefficient or has an unknown model.
    """
    text = resources.files("regdev.grain").joinpath("data/emc_coefficients.csv").read_text()
    out: list[Isotherm] = []
    problems: list[str] = []
    for i, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            iso = Isotherm(
                grain=row["grain"],
                model=row["model"],
                a=float(row["A"]),
                b=float(row["B"]),
                c=float(row["C"]),
                source=row["source"],
                status=row["status"],
            )
        except (KeyError, ValueError) as exc:
            problems.append(f"emc_coefficients.csv:{i}: {exc}")
            continue
        if row.get("m_basis") != "percent_dry_basis":
            problems.append(f"emc_coefficients.csv:{i}: m_basis must be percent_dry_basis")
        out.append(iso)
    if problems:
        raise DataValidationError(problems)
    return tuple(out)


def get_isotherm(grain: str, model: str | None = None) -> Isotherm:
    """Return the isotherm for a grain.

    Parameters
    ----------
    grain : str
        A canonical grain name (``maize``), an alias (``corn``), or a row key of
        the coefficient table (``corn_yellow_dent``, ``rough_rice_long_grain``...).
    model : str, optional
        Model form; defaults to the one chosen in :data:`DEFAULT_ISOTHERM`.

    Raises
    ------
    NotFoundError
        If no coefficients exist for that grain and model.
    """
    table = load_isotherms()
    key = grain
    g = _ALIASES.get(grain.lower(), grain.lower())
    if g in DEFAULT_ISOTHERM:
        key, default_model = DEFAULT_ISOTHERM[g]
        model = model or default_model
    for iso in table:
        if iso.grain == key and (model is None or iso.model == model):
            return iso
    have = sorted({f"{i.grain}/{i.model}" for i in table})
    msg = f"no isotherm coefficients for grain={grain!r} model={model!r}; have {have}"
    raise NotFoundError(msg)


def emc_wb_pct(grain: str, t_c: ArrayLike, rh: ArrayLike) -> FloatArray:
    """Equilibrium moisture content (% wet basis) of ``grain`` in air at ``t_c`` and ``rh``."""
    return get_isotherm(grain).emc_wb_pct(t_c, rh)


def erh(grain: str, t_c: ArrayLike, m_wb_pct: ArrayLike) -> FloatArray:
    """Equilibrium relative humidity (fraction) of ``grain`` at ``t_c`` and moisture % w.b."""
    m_db = 100.0 * wb_to_db(np.asarray(m_wb_pct, dtype=np.float64) / 100.0)
    return get_isotherm(grain).erh(t_c, m_db)


# --------------------------------------------------------------------------- storage time
#: Reference time (h) for 0.5 % dry-matter loss at 15.6 degC, 25 % w.b., 30 % damage:
#: Saul & Steele curve ``CO2 = 1.3 (exp(0.006 t) - 1) + 0.015 t`` solved for 7.35 g/kg.
AST_REFERENCE_H = 230.7
#: g CO2 per kg dry matter that equals 1 % dry-matter loss (Saul & Steele 1966).
CO2_PER_PCT_DML = 14.7


def ast_temperature_multiplier(t_c: ArrayLike, m_wb_pct: ArrayLike) -> FloatArray:
    """ASAE D535 (X535 draft 2004-12-22) temperature multiplier, as coded in PHAST.

    Parameters
    ----------
    t_c : array_like
        Grain temperature, degC.
    m_wb_pct : array_like
        Moisture, percent wet basis.
    """
    # Clipped to the range where the relation is meaningful (-30..60 degC, 5..40 % w.b.).
    t = np.clip(np.asarray(t_c, dtype=np.float64), -30.0, 60.0)
    m = np.clip(np.asarray(m_wb_pct, dtype=np.float64), 5.0, 40.0)
    tf = 1.8 * t + 32.0
    cold = 128.389 * np.exp(-4.86 * tf / 60.0)
    base = 32.3 * np.exp(-3.48 * tf / 60.0)
    mid_wet = np.exp(-0.00493277 + (0.05 * tf - 3.0) * np.log(0.0795012 + 0.012315 * m))
    mid_vwet = np.exp(2.56683 - 0.0428628 * tf)
    hot_wet = 32.3 * np.exp(
        -3.48 * tf / 60.0 + (m - 19.0) / 100.0 * np.exp(0.61 * (tf - 60.0) / 60.0)
    )
    hot_vwet = base + 0.09 * np.exp(0.61 * (tf - 60.0) / 60.0)
    mid = np.where(m < 19.0, base, np.where(m < 28.0, mid_wet, mid_vwet))
    hot = np.where(m < 19.0, base, np.where(m < 28.0, hot_wet, hot_vwet))
    return np.where(t < 15.6, cold, np.where(t < 26.7, mid, hot))


def ast_moisture_multiplier(m_wb_pct: ArrayLike) -> FloatArray:
    """ASAE D535 moisture multiplier ``0.103 [exp(455 / Md^1.53) - 0.00845 Md + 1.558]``, Md in % d.b."""
    m = np.clip(np.asarray(m_wb_pct, dtype=np.float64), 5.0, 40.0)
    md = 100.0 * m / (100.0 - m)
    return 0.103 * (np.exp(455.0 / md**1.53) - 0.00845 * md + 1.558)


def ast_damage_multiplier(damage_pct: ArrayLike) -> FloatArray:
    """ASAE D535 mechanical-damage multiplier ``2.08 exp(-0.0239 D)``, D in percent."""
    return 2.08 * np.exp(-0.0239 * np.asarray(damage_pct, dtype=np.float64))


def allowable_storage_time_h(
    t_c: ArrayLike, m_wb_pct: ArrayLike, damage_pct: ArrayLike = 30.0
) -> FloatArray:
    """Allowable storage time of shelled maize to 0.5 % dry-matter loss, hours.

    ``AST = 230.7 h * MT(T, M) * MM(M) * MD(D)`` (ASAE D535 multipliers; Saul &
    Steele 1966 reference curve).  Valid for maize; see :func:`rice_storable_days`
    for paddy.

    Examples
    --------
    >>> round(float(allowable_storage_time_h(15.6, 15.0) / 24))
    279
    """
    return (
        AST_REFERENCE_H
        * ast_temperature_multiplier(t_c, m_wb_pct)
        * ast_moisture_multiplier(m_wb_pct)
        * ast_damage_multiplier(damage_pct)
    )


def allowable_storage_time_regression_days(t_c: ArrayLike, m_wb_pct: ArrayLike) -> FloatArray:
    """Adams & Rosentrater regression ``AST = exp(2.64661 - 0.14096 T + 1183.71996 / M^2)`` (days).

    An independent cross-check of :func:`allowable_storage_time_h` (M in % w.b.).
    """
    t = np.asarray(t_c, dtype=np.float64)
    m = np.asarray(m_wb_pct, dtype=np.float64)
    return np.exp(2.64661 - 0.14096 * t + 1183.71996 / m**2)


def dml_rate_pct_per_h(
    t_c: ArrayLike, m_wb_pct: ArrayLike, damage_pct: ArrayLike = 30.0
) -> FloatArray:
    """Dry-matter loss per hour (% of dry matter) at constant conditions.

    The equivalent reference time advanced in one hour is ``1 / (MT MM MD)``;
    in the linear regime of the Saul-Steele curve (early storage) DML grows at
    ``0.5 % / AST``.  The bin model accumulates equivalent time and evaluates the
    full nonlinear curve (:func:`dml_from_equivalent_hours`).
    """
    return 0.5 / allowable_storage_time_h(t_c, m_wb_pct, damage_pct)


def dml_from_equivalent_hours(t_eq_h: ArrayLike) -> FloatArray:
    """Dry-matter loss (%) after ``t_eq_h`` equivalent reference hours (Saul & Steele 1966).

    ``DML = [1.3 (exp(0.006 t) - 1) + 0.015 t] / 14.7``, capped at 100 %.  The curve
    was fitted up to about 1 % DML; beyond that it only says "spoiled".
    """
    t = np.maximum(np.asarray(t_eq_h, dtype=np.float64), 0.0)
    dml = (1.3 * np.expm1(np.minimum(0.006 * t, 12.0)) + 0.015 * t) / CO2_PER_PCT_DML
    return np.minimum(dml, 100.0)


# --------------------------------------------------------------------------- other grains
#: Rough-rice storable term (days) by moisture (% w.b.) at the humid-tropics
#: reference temperature :data:`RICE_REF_TEMP_C`.  11 %: about one year, 13 %: 8-12
#: months (lower end taken), 14 %: about six months (IRRI Rice Knowledge Bank,
#: "Moisture content for safe storage"; IRRI-derived extension text, dipon.com
#: section 17); 18-23 %: the wet-paddy storable terms of the Japanese study
#: (30/20/15/8.5/7/2 d at 10-25 degC, taken at 17.5 degC) moved to the reference
#: temperature with :data:`RICE_Q10`.
_RICE_TERM_M = np.array([11.0, 13.0, 14.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0])
#: Reference temperature of the humid-tropics terms, degC (an assumption: the
#: sources say "humid tropics" without a temperature; 27 degC is a typical mean).
RICE_REF_TEMP_C = 27.0
#: Rate factor per 10 K for paddy deterioration: CO2 evolution "nearly doubles
#: with each increase of 10 degC" (Bhattacharya & Ali, *An Introduction to
#: Rice-Grain Technology*, ch. "Storage of paddy rice").
RICE_Q10 = 2.0
_JP_REF_C = 17.5
_RICE_TERM_D = np.concatenate(
    [
        [365.0, 240.0, 180.0],
        np.array([30.0, 20.0, 15.0, 8.5, 7.0, 2.0])
        * RICE_Q10 ** ((_JP_REF_C - RICE_REF_TEMP_C) / 10),
    ]
)


def rice_storable_days(t_c: ArrayLike, m_wb_pct: ArrayLike) -> FloatArray:
    """Storable term of rough rice (paddy), days.

    Log-linear interpolation in moisture of published storable terms (see
    :data:`_RICE_TERM_M`: IRRI guidance for 11-14 %, the Japanese wet-paddy
    study for 18-23 %), at the humid-tropics reference temperature of 27 degC,
    scaled to other temperatures by ``Q10 = 2`` (paddy CO2 evolution doubles per
    10 K, Bhattacharya & Ali).  Outside 11-23 % the nearest tabulated term is
    used (no extrapolation: wetter paddy must be dried at once, drier paddy is
    held at one year at 27 degC).

    Examples
    --------
    14 % paddy at 25 degC keeps about seven months:

    >>> round(float(rice_storable_days(25.0, 14.0)))
    207
    """
    t = np.asarray(t_c, dtype=np.float64)
    m = np.clip(np.asarray(m_wb_pct, dtype=np.float64), _RICE_TERM_M[0], _RICE_TERM_M[-1])
    log_d = np.interp(m, _RICE_TERM_M, np.log(_RICE_TERM_D))
    scale = RICE_Q10 ** ((RICE_REF_TEMP_C - np.clip(t, -20.0, 50.0)) / 10.0)
    return np.asarray(np.exp(log_d) * scale, dtype=np.float64)


#: Small-grain (barley) safe storage time ``ln(days) = a + b T + c M`` (T degC,
#: M % w.b.): least-squares fit to four published points - the cereal
#: storage-time nomogram of Nox Storage (14.5 % at 25 degC: 60 d; at 7 degC:
#: 450 d) and NDSU extension for barley (17 % at 60 degF: 65 d; at 70 degF: 30 d).
#: Fits all four within 8 %.  This is the log-linear form of Fraser & Muir's
#: wheat storage-time equation.
BARLEY_STORAGE_COEF = (13.00389, -0.1143156, -0.4188307)


def barley_storage_days(t_c: ArrayLike, m_wb_pct: ArrayLike) -> FloatArray:
    """Safe storage time of barley, days (:data:`BARLEY_STORAGE_COEF`).

    Valid for about 12-18 % w.b. and 5-30 degC (the fitted points span 14.5-17 %
    and 7-25 degC); inputs are clipped to 10-22 % and -10-40 degC.

    Examples
    --------
    >>> round(float(barley_storage_days(25.0, 14.5)))
    59
    """
    a, b, c = BARLEY_STORAGE_COEF
    t = np.clip(np.asarray(t_c, dtype=np.float64), -10.0, 40.0)
    m = np.clip(np.asarray(m_wb_pct, dtype=np.float64), 10.0, 22.0)
    return np.asarray(np.exp(a + b * t + c * m), dtype=np.float64)


def storage_life_h(
    grain: str, t_c: ArrayLike, m_wb_pct: ArrayLike, damage_pct: ArrayLike = 30.0
) -> FloatArray:
    """Storage life of a grain, hours: the time the deterioration model allots to 0.5 % DML.

    * maize: ASAE D535 (:func:`allowable_storage_time_h`);
    * rough rice: :func:`rice_storable_days` (published storable terms);
    * barley: :func:`barley_storage_days` (fit to published small-grain data);
    * wheat and soybean: the D535 maize relation as a proxy (no grain-specific
      model in the reference set; stated wherever it is used).

    The bin model uses the same per-grain life as its deterioration time scale,
    bounded for dry grain by :func:`dry_grain_co2_mg_per_kg_day`.
    """
    g = canonical_grain(grain)
    if g == "rough_rice":
        return 24.0 * rice_storable_days(t_c, m_wb_pct)
    if g == "barley":
        return 24.0 * barley_storage_days(t_c, m_wb_pct)
    return allowable_storage_time_h(t_c, m_wb_pct, damage_pct)


def spoilage_rate_per_h(grain: str, t_c: ArrayLike, m_wb_pct: ArrayLike) -> FloatArray:
    """Fraction of safe storage life used per hour, ``1 / storage_life_h``."""
    return 1.0 / storage_life_h(grain, t_c, m_wb_pct)


# --------------------------------------------------------------------------- dry grain
#: Measured CO2 evolution of sound paddy at 38 degC (Bhattacharya & Ali, ch.
#: "Storage of paddy rice"): about 0.5 mg per 100 g and day at 13 % and 18 mg at
#: 17 % w.b. - per kg of dry matter 5.75 and 216.9 mg/day.  Expressed against the
#: paddy's equilibrium RH at 38 degC (long-grain isotherm: 0.673 and 0.887), so
#: that it transfers to other cereals at equal water activity.
_DRY_CO2_ANCHORS = ((0.673, 5.75), (0.887, 216.9))
_DRY_CO2_REF_C = 38.0
#: Storage fungi do not grow below about 70 % ERH (Aspergillus restrictus), and the
#: fungi that heat grain (A. candidus) need about 80 %: Christensen & Kaufmann,
#: *Grain Storage: The Role of Fungi in Quality Loss* (1969).  Below 70 % the
#: measured dry-grain respiration bounds the deterioration model; above 80 % the
#: fitted wet-grain model applies unchanged; in between the two are blended
#: log-linearly.
DRY_ERH_LOW = 0.70
DRY_ERH_HIGH = 0.80
#: Multiplier on the paddy data per grain.  Bailey (1940, *Plant Physiology* 15:
#: 257-274) found rice, barley and wheat respiring at much the same level and maize
#: and sorghum "somewhat higher"; 2 for maize and soybean is engineering judgement.
DRY_RESPIRATION_FACTOR: dict[str, float] = {
    "maize": 2.0,
    "soybean": 2.0,
    "rough_rice": 1.0,
    "wheat": 1.0,
    "barley": 1.0,
}


def dry_grain_co2_mg_per_kg_day(grain: str, t_c: ArrayLike, erh: ArrayLike) -> FloatArray:
    """Upper bound of CO2 evolution of sound dry grain, mg per kg dry matter and day.

    ``R = factor * R0 exp(k (ERH - ERH0)) * 2^((T - 38) / 10)`` through the two
    measured paddy points of :data:`_DRY_CO2_ANCHORS` (Q10 = 2 from the same
    source).  At 14 % maize and 25 degC (ERH 0.69) this is 5.6 mg/kg/day, while
    the D535 relation would release 34 mg/kg/day there.

    Examples
    --------
    >>> round(float(dry_grain_co2_mg_per_kg_day("rough_rice", 38.0, 0.673)), 2)
    5.75
    """
    (e0, r0), (e1, r1) = _DRY_CO2_ANCHORS
    k = math.log(r1 / r0) / (e1 - e0)
    t = np.asarray(t_c, dtype=np.float64)
    e = np.asarray(erh, dtype=np.float64)
    factor = DRY_RESPIRATION_FACTOR[canonical_grain(grain)]
    return np.asarray(
        factor * r0 * np.exp(k * (e - e0)) * 2.0 ** ((t - _DRY_CO2_REF_C) / 10.0),
        dtype=np.float64,
    )


def dry_weight(erh: ArrayLike) -> FloatArray:
    """Weight of the wet-grain model against the dry-grain bound: 0 below 70 % ERH, 1 above 80 %."""
    e = np.asarray(erh, dtype=np.float64)
    return np.asarray(
        np.clip((e - DRY_ERH_LOW) / (DRY_ERH_HIGH - DRY_ERH_LOW), 0.0, 1.0), dtype=np.float64
    )


#: Upper end of the dry-matter loss the Saul & Steele (1966) CO2 curve describes,
#: percent.  Beyond about 1 % DML the grain is visibly mouldy and the curve only
#: says "spoiled"; the bin model holds DML here and stops releasing heat and water
#: (engineering judgement of the fitted range; see ``data/SOURCES.md``).
DML_MODEL_MAX_PCT = 1.0


# --------------------------------------------------------------------------- safe moisture
@dataclass(frozen=True)
class SafeMoisture:
    """Safe storage moisture of one grain, % w.b. (``data/safe_moisture.csv``)."""

    grain: str
    short_term_pct: float
    into_summer_pct: float
    long_term_pct: float
    source: str


@cache
def load_safe_moisture() -> dict[str, SafeMoisture]:
    """Read ``data/safe_moisture.csv`` (one row per canonical grain).

    Raises
    ------
    DataValidationError
        If a row is malformed or a grain is missing.
    """
    text = resources.files("regdev.grain").joinpath("data/safe_moisture.csv").read_text()
    out: dict[str, SafeMoisture] = {}
    problems: list[str] = []
    for i, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            sm = SafeMoisture(
                grain=canonical_grain(row["grain"]),
                short_term_pct=float(row["short_term_pct"]),
                into_summer_pct=float(row["into_summer_pct"]),
                long_term_pct=float(row["long_term_pct"]),
                source=row["source"],
            )
        except (KeyError, ValueError, NotFoundError) as exc:
            problems.append(f"safe_moisture.csv:{i}: {exc}")
            continue
        if not 5 < sm.long_term_pct <= sm.into_summer_pct <= sm.short_term_pct < 25:
            problems.append(f"safe_moisture.csv:{i}: expected 5 < long <= summer <= short < 25")
        out[sm.grain] = sm
    missing = [g for g in GRAINS if g not in out]
    if missing:
        problems.append(f"safe_moisture.csv: no row for {', '.join(missing)}")
    if problems:
        raise DataValidationError(problems)
    return out


def safe_moisture_pct(grain: str, horizon: str = "into_summer") -> float:
    """Safe storage moisture of ``grain``, % w.b., for a storage horizon.

    Parameters
    ----------
    grain : str
        Grain name or alias.
    horizon : {"short_term", "into_summer", "long_term"}
        Storage horizon: a few months (into spring), into the summer (6-12 months),
        or longer than a year.

    Examples
    --------
    >>> safe_moisture_pct("maize")
    14.0
    """
    if horizon not in ("short_term", "into_summer", "long_term"):
        msg = f"horizon must be short_term, into_summer or long_term; got {horizon!r}"
        raise ConfigError(msg)
    sm = load_safe_moisture()[canonical_grain(grain)]
    return float(getattr(sm, f"{horizon}_pct"))


def _check_positive(name: str, value: float) -> None:
    if not math.isfinite(value) or value <= 0:
        msg = f"{name} must be a positive finite number; got {value!r}"
        raise ConfigError(msg)
