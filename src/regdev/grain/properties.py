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


#: Default isotherm per grain (key into the packaged coefficient table) and why.
DEFAULT_ISOTHERM: dict[str, tuple[str, str]] = {
    "maize": ("corn_yellow_dent", "modified_henderson"),
    "rough_rice": ("rough_rice", "modified_henderson"),
    "wheat": ("wheat_hard_red", "modified_chung_pfost"),
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


#: Wet-paddy storable term (days, deterioration < 5 % of kernels) at 10-25 degC by
#: moisture % w.b.  18-23 %: Japanese study abstract; 14 % and 12 % points from the
#: Yamamoto rice-storage guide (14 % for 30-60 d if cool -> 60; 12 % for 1 year).
_RICE_TERM_M = np.array([12.0, 14.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0])
_RICE_TERM_D = np.array([365.0, 60.0, 30.0, 20.0, 15.0, 8.5, 7.0, 2.0])
_RICE_TERM_REF_T = 17.5


def rice_storable_days(t_c: ArrayLike, m_wb_pct: ArrayLike) -> FloatArray:
    """Storable term of rough rice (days until ~5 % of kernels deteriorate).

    Log-linear interpolation of the wet-paddy table at its 10-25 degC reference
    (taken as 17.5 degC), corrected to other temperatures with the ratio of the
    ASAE D535 temperature multipliers (an assumption: rice respiration is taken
    to scale with temperature like maize).  Below 12 % the term is held at one
    year; above 23 % it extrapolates log-linearly.

    The spoilage-risk index for rice is the storable-term fraction consumed,
    ``sum(dt / storable_days)``; 1.0 means the term is used up.
    """
    t = np.asarray(t_c, dtype=np.float64)
    m = np.asarray(m_wb_pct, dtype=np.float64)
    log_d = np.interp(m, _RICE_TERM_M, np.log(_RICE_TERM_D))
    slope = (np.log(_RICE_TERM_D[-1]) - np.log(_RICE_TERM_D[-2])) / 1.0
    log_d = np.where(m > 23.0, np.log(_RICE_TERM_D[-1]) + slope * (m - 23.0), log_d)
    ratio = ast_temperature_multiplier(t, np.minimum(m, 18.9)) / ast_temperature_multiplier(
        _RICE_TERM_REF_T, np.minimum(m, 18.9)
    )
    return np.asarray(np.exp(log_d) * ratio, dtype=np.float64)


def spoilage_rate_per_h(grain: str, t_c: ArrayLike, m_wb_pct: ArrayLike) -> FloatArray:
    """Fraction of safe storage life used per hour (1/AST for maize-like grains).

    Maize, wheat, barley and soybean use the ASAE D535 maize relation (the only
    published DML model in the reference set; for the other grains it is a
    conservative proxy); rough rice uses :func:`rice_storable_days`.
    """
    if canonical_grain(grain) == "rough_rice":
        return 1.0 / (24.0 * rice_storable_days(t_c, m_wb_pct))
    return 1.0 / allowable_storage_time_h(t_c, m_wb_pct)


def _check_positive(name: str, value: float) -> None:
    if not math.isfinite(value) or value <= 0:
        msg = f"{name} must be a positive finite number; got {value!r}"
        raise ConfigError(msg)
