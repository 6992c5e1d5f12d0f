"""Sterilisation and fumigation planning: profiles that the scheduler enforces.

A :class:`FumigationPlan` is checked against a :class:`TreatmentProfile`; an
unsafe or ineffective plan is refused with every reason at once
(:class:`~regdev.errors.ConfigError`), together with the alternatives that
would work (cooling, controlled atmosphere).  A safe plan gets a dated
:class:`Schedule`: seal and pressure test, exposure, venting, withholding, and
the re-entry rule (fumigant below its re-entry concentration, measured).

Profiles (``data/storage_thresholds.csv``, topics ``fumigation``,
``controlled_atmosphere``, ``insects``)
--------------------------------------------------------------------
* ``phosphine-au`` (GRDC Groundcover): exposure 7 d above 25 degC, 10 d at
  15-25 degC, ineffective below 15 degC; gas-tight storage only (pressure-test
  half-life >= 5 min new, >= 3 min older, AS 2628); above 300 t surface-only
  application needs 20 d unless recirculated; re-entry below 0.3 ppm PH3 (TLV).
* ``phosphine-us-label`` (FUMIPHOS label guidance): not below 5 degC; 5-12 degC
  10 d, 12-15 degC 5 d, 16-20 degC 4 d, above 20 degC 3 d (the label's rows
  are whole degrees Fahrenheit: 41-53, 54-59, 60-68 and above 68 degF, so 20 degC
  = 68 degF takes 4 days).  The plan is accepted as the label allows, with a
  warning below 15 degC: Australian guidance (GRDC) finds phosphine ineffective
  there.

Temperature rows are closed intervals: at a boundary, or in a gap between two
rows (15-16 degC on the US label), the longer exposure applies.
* ``nitrogen``: >= 99 % N2 for >= 20 d is effective on all stages; 95 % is not.
* ``co2``: >= 35 % CO2 for 15 d above 25 degC.  Marked *unverified* in the
  reference set (quoted from memory there); the scheduler warns when it is used.

Venting (2 days forced, 5 days natural) and withholding (2 days) are
conservative label-style defaults (total 10-17 days per storedgrain.com.au).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from regdev.errors import ConfigError, NotFoundError


@dataclass(frozen=True)
class TreatmentProfile:
    """Rules of one treatment.

    Parameters
    ----------
    name : str
        Profile name.
    method : {"phosphine", "nitrogen", "co2"}
        Treatment.
    min_grain_temp_c : float
        Lowest grain temperature at which the treatment works, degC.
    exposure_days : tuple of (float, float, float)
        ``(t_from_c, t_to_c, days)``: minimum exposure for grain temperature in
        ``[from, to]``; where two rows meet, or between rows, the longer applies.
    reentry_ppm : float or None
        Fumigant concentration below which people may enter, ppm.
    min_halflife_min_new, min_halflife_min_old : float
        Pressure-test half-life required for a new / older store, min (0: not required).
    min_concentration_pct : float
        Minimum gas concentration held (controlled atmospheres), percent.
    surface_only_max_t : float or None
        Above this mass, surface-only application needs ``surface_only_days`` unless recirculated.
    surface_only_days : float
        Exposure for large surface-only applications, d.
    verified : bool
        False when the reference set marks the values as unverified.
    """

    name: str
    method: str
    min_grain_temp_c: float
    exposure_days: tuple[tuple[float, float, float], ...]
    reentry_ppm: float | None = None
    min_halflife_min_new: float = 0.0
    min_halflife_min_old: float = 0.0
    min_concentration_pct: float = 0.0
    surface_only_max_t: float | None = None
    surface_only_days: float = 0.0
    verified: bool = True

    def required_days(self, grain_temp_c: float) -> float | None:
        """Minimum exposure at this grain temperature, d (None: ineffective).

        Rows are closed intervals; at a shared boundary the longer exposure
        applies, and a temperature between two rows takes the row below it
        (the longer exposure).
        """
        t = grain_temp_c
        if t < self.min_grain_temp_c:
            return None
        hits = [days for lo, hi, days in self.exposure_days if lo <= t <= hi]
        if hits:
            return max(hits)
        below = [(hi, days) for lo, hi, days in self.exposure_days if hi < t]
        above = [lo for lo, _, _ in self.exposure_days if lo > t]
        if below and above:  # in a gap between two rows
            return max(below)[1]
        return None


PROFILES: dict[str, TreatmentProfile] = {
    "phosphine-au": TreatmentProfile(
        name="phosphine-au",
        method="phosphine",
        min_grain_temp_c=15.0,
        exposure_days=((15.0, 25.0, 10.0), (25.0, 60.0, 7.0)),  # 7 d only above 25
        reentry_ppm=0.3,
        min_halflife_min_new=5.0,
        min_halflife_min_old=3.0,
        surface_only_max_t=300.0,
        surface_only_days=20.0,
    ),
    "phosphine-us-label": TreatmentProfile(
        name="phosphine-us-label",
        method="phosphine",
        min_grain_temp_c=5.0,
        exposure_days=((5.0, 12.0, 10.0), (12.0, 15.0, 5.0), (16.0, 20.0, 4.0), (20.0, 60.0, 3.0)),
        reentry_ppm=0.3,
        min_halflife_min_new=5.0,
        min_halflife_min_old=3.0,
    ),
    "nitrogen": TreatmentProfile(
        name="nitrogen",
        method="nitrogen",
        min_grain_temp_c=-50.0,
        exposure_days=((-50.0, 60.0, 20.0),),
        min_concentration_pct=99.0,
        min_halflife_min_new=5.0,
        min_halflife_min_old=3.0,
    ),
    "co2": TreatmentProfile(
        name="co2",
        method="co2",
        min_grain_temp_c=25.0,
        exposure_days=((25.0, 60.0, 15.0),),
        min_concentration_pct=35.0,
        min_halflife_min_new=5.0,
        min_halflife_min_old=3.0,
        verified=False,
    ),
}

#: Cold disinfestation: constant grain temperature (degC) -> weeks needed (grainscanada).
COLD_DISINFESTATION_WEEKS: tuple[tuple[float, float], ...] = (
    (-20.0, 1.0),
    (-15.0, 4.0),
    (-10.0, 8.0),
    (-5.0, 12.0),
)
#: Below this grain temperature stored-product insects do not feed or reproduce (grainscanada).
NO_REPRODUCTION_C = 17.0
#: Australian guidance: phosphine is ineffective below this grain temperature (GRDC Groundcover,
#: "Common misunderstandings surround phosphine fumigation").
PHOSPHINE_INEFFECTIVE_BELOW_C = 15.0


class FumigationPlan(BaseModel):
    """A proposed treatment (validated input, e.g. from the CLI or a TOML file)."""

    model_config = ConfigDict(extra="forbid")

    profile: str = Field(description="profile name, e.g. phosphine-au")
    start: date
    grain_temp_c: float = Field(ge=-40, le=60, description="lowest grain temperature, degC")
    exposure_days: float = Field(gt=0, le=120)
    tonnes: float = Field(gt=0)
    halflife_min: float | None = Field(
        default=None, ge=0, description="pressure-test half-life, min (None: not tested)"
    )
    store_age: Literal["new", "old"] = "old"
    application: Literal["surface", "distributed", "recirculated"] = "distributed"
    concentration_pct: float | None = Field(default=None, ge=0, le=100)
    venting: Literal["forced", "natural"] = "forced"


@dataclass(frozen=True)
class Phase:
    """One phase of a treatment schedule."""

    name: str
    start: date
    end: date
    note: str


@dataclass(frozen=True)
class Schedule:
    """A checked, dated treatment schedule."""

    profile: str
    phases: tuple[Phase, ...]
    reentry_rule: str
    warnings: tuple[str, ...] = ()

    @property
    def end(self) -> date:
        """Date the grain may be out-loaded."""
        return self.phases[-1].end


def get_profile(name: str) -> TreatmentProfile:
    """Return a profile by name or raise NotFoundError listing the known ones."""
    try:
        return PROFILES[name]
    except KeyError:
        msg = f"unknown treatment profile {name!r}; known: {', '.join(PROFILES)}"
        raise NotFoundError(msg) from None


def alternatives(grain_temp_c: float) -> list[str]:
    """Non-chemical alternatives that work at this grain temperature."""
    out = [
        f"cool the grain below {NO_REPRODUCTION_C:.0f} degC by aeration: insects stop reproducing",
        "nitrogen controlled atmosphere: >= 99 % N2 held for >= 20 days in a gas-tight store",
    ]
    for temp, weeks in COLD_DISINFESTATION_WEEKS:
        if grain_temp_c > temp:
            out.append(f"cold disinfestation: hold grain at {temp:.0f} degC for {weeks:.0f} weeks")
            break
    return out


def check_plan(plan: FumigationPlan) -> list[str]:
    """Return every reason the plan is unsafe or ineffective (empty list: acceptable)."""
    prof = get_profile(plan.profile)
    reasons: list[str] = []
    need = prof.required_days(plan.grain_temp_c)
    if need is None:
        reasons.append(
            f"{prof.name}: grain at {plan.grain_temp_c:.1f} degC is below the "
            f"{prof.min_grain_temp_c:.0f} degC minimum; the treatment would not kill insects"
        )
    if (
        prof.surface_only_max_t is not None
        and plan.application == "surface"
        and plan.tonnes > prof.surface_only_max_t
    ):
        need = max(need or 0.0, prof.surface_only_days)
        note = f"surface-only application above {prof.surface_only_max_t:.0f} t"
    else:
        note = ""
    if need is not None and plan.exposure_days < need:
        why = f" ({note})" if note else ""
        reasons.append(
            f"{prof.name}: exposure {plan.exposure_days:g} d is shorter than the "
            f"{need:g} d required at {plan.grain_temp_c:.1f} degC{why}"
        )
    required_hl = (
        prof.min_halflife_min_new if plan.store_age == "new" else prof.min_halflife_min_old
    )
    if required_hl > 0:
        if plan.halflife_min is None:
            reasons.append(
                f"{prof.name}: the store has not been pressure-tested; gas-tight storage "
                f"(half-life >= {required_hl:g} min) is required"
            )
        elif plan.halflife_min < required_hl:
            reasons.append(
                f"{prof.name}: pressure-test half-life {plan.halflife_min:g} min is below the "
                f"{required_hl:g} min required for a {plan.store_age} store (AS 2628)"
            )
    if prof.min_concentration_pct > 0:
        if plan.concentration_pct is None:
            reasons.append(f"{prof.name}: give the concentration to be held (concentration_pct)")
        elif plan.concentration_pct < prof.min_concentration_pct:
            reasons.append(
                f"{prof.name}: {plan.concentration_pct:g} % is below the "
                f"{prof.min_concentration_pct:g} % needed to kill all stages"
            )
    return reasons


def schedule_plan(plan: FumigationPlan) -> Schedule:
    """Check a plan and return its dated schedule.

    Raises
    ------
    ConfigError
        If the plan is unsafe or ineffective; the message lists every reason and
        the alternatives.
    NotFoundError
        For an unknown profile.
    """
    prof = get_profile(plan.profile)
    reasons = check_plan(plan)
    if reasons:
        alts = "; ".join(alternatives(plan.grain_temp_c))
        msg = "fumigation plan refused: " + "; ".join(reasons) + f". Alternatives: {alts}"
        raise ConfigError(msg)
    notes = plan_warnings(plan)
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=2)
    d0 = plan.start
    seal_end = d0 + timedelta(days=1)
    expo_end = seal_end + timedelta(days=plan.exposure_days)
    vent_days = 2 if plan.venting == "forced" else 5
    vent_end = expo_end + timedelta(days=vent_days)
    hold_end = vent_end + timedelta(days=2) if prof.method == "phosphine" else vent_end
    phases = (
        Phase("seal and pressure test", d0, seal_end, "confirm half-life before dosing"),
        Phase(
            "exposure",
            seal_end,
            expo_end,
            f"{prof.method}: keep sealed; grain >= {prof.min_grain_temp_c:g} degC",
        ),
        Phase("venting", expo_end, vent_end, f"{plan.venting} ventilation"),
        Phase("withholding", vent_end, hold_end, "no out-loading; monitor concentration"),
    )
    if prof.reentry_ppm is not None:
        rule = f"enter only when measured {prof.method} < {prof.reentry_ppm:g} ppm"
    else:
        rule = "enter only when O2 >= 19.5 % (asphyxiation risk)"
    return Schedule(profile=prof.name, phases=phases, reentry_rule=rule, warnings=tuple(notes))


def plan_warnings(plan: FumigationPlan) -> list[str]:
    """Warnings for a plan that the profile accepts but that an operator should weigh.

    * A profile whose values the reference set marks as unverified.
    * Phosphine below 15 degC under a profile that allows it (the US label allows
      5 degC): Australian guidance (GRDC) finds phosphine ineffective below 15 degC.
    """
    prof = get_profile(plan.profile)
    out: list[str] = []
    if not prof.verified:
        out.append(f"profile {prof.name!r} uses values the reference set marks as unverified")
    if prof.method == "phosphine" and plan.grain_temp_c < PHOSPHINE_INEFFECTIVE_BELOW_C:
        out.append(
            f"{prof.name}: grain at {plan.grain_temp_c:.1f} degC; Australian guidance (GRDC) "
            f"finds phosphine ineffective below {PHOSPHINE_INEFFECTIVE_BELOW_C:.0f} degC - "
            "warm the grain or use another treatment if insects survive"
        )
    return out


def reentry_allowed(profile: str, measured_ppm: float) -> bool:
    """True if the measured fumigant concentration allows people to enter."""
    prof = get_profile(profile)
    return prof.reentry_ppm is None or measured_ppm < prof.reentry_ppm
