from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from regdev.errors import ConfigError, NotFoundError
from regdev.grain import fumigation as fu


def plan(**kw: object) -> fu.FumigationPlan:
    base: dict[str, object] = {
        "profile": "phosphine-au",
        "start": date(2026, 11, 2),
        "grain_temp_c": 22.0,
        "exposure_days": 10,
        "tonnes": 200,
        "halflife_min": 4.0,
        "store_age": "old",
    }
    base.update(kw)
    return fu.FumigationPlan(**base)  # type: ignore[arg-type]


def test_safe_plan_gets_a_schedule() -> None:
    s = fu.schedule_plan(plan())
    assert [p.name for p in s.phases] == [
        "seal and pressure test",
        "exposure",
        "venting",
        "withholding",
    ]
    assert s.phases[1].start == date(2026, 11, 3)
    assert s.phases[1].end == date(2026, 11, 13)
    assert s.end == date(2026, 11, 17)  # 1 + 10 + 2 + 2 days
    assert "0.3 ppm" in s.reentry_rule


def test_cold_grain_is_refused_with_reason_and_alternatives() -> None:
    with pytest.raises(ConfigError) as exc:
        fu.schedule_plan(plan(grain_temp_c=12.0))
    msg = str(exc.value)
    assert "below the 15 degC minimum" in msg
    assert "Alternatives" in msg
    assert "nitrogen" in msg


def test_exposure_depends_on_temperature() -> None:
    fu.schedule_plan(plan(grain_temp_c=27.0, exposure_days=7))
    with pytest.raises(ConfigError, match="shorter than the 10 d"):
        fu.schedule_plan(plan(grain_temp_c=20.0, exposure_days=7))
    # US label: 3 days above 20 degC, 10 days at 5-12 degC, not below 5.
    fu.schedule_plan(plan(profile="phosphine-us-label", grain_temp_c=21.0, exposure_days=3))
    with pytest.raises(ConfigError, match="10 d required"):
        fu.schedule_plan(plan(profile="phosphine-us-label", grain_temp_c=8.0, exposure_days=5))
    with pytest.raises(ConfigError, match="below the 5 degC"):
        fu.schedule_plan(plan(profile="phosphine-us-label", grain_temp_c=3.0))


def test_gas_tightness_required() -> None:
    with pytest.raises(ConfigError, match="not been pressure-tested"):
        fu.schedule_plan(plan(halflife_min=None))
    with pytest.raises(ConfigError, match="half-life 4 min is below the 5 min"):
        fu.schedule_plan(plan(store_age="new"))


def test_large_surface_only_application_needs_20_days() -> None:
    with pytest.raises(ConfigError, match="surface-only application above 300 t"):
        fu.schedule_plan(plan(tonnes=2000, application="surface", exposure_days=10))
    fu.schedule_plan(plan(tonnes=2000, application="surface", exposure_days=20))
    fu.schedule_plan(plan(tonnes=2000, application="recirculated", exposure_days=10))


def test_controlled_atmospheres() -> None:
    with pytest.raises(ConfigError, match="95 % is below the 99 %"):
        fu.schedule_plan(plan(profile="nitrogen", exposure_days=21, concentration_pct=95))
    s = fu.schedule_plan(
        plan(profile="nitrogen", grain_temp_c=5.0, exposure_days=21, concentration_pct=99.5)
    )
    assert "O2" in s.reentry_rule
    with pytest.warns(UserWarning, match="unverified"):
        fu.schedule_plan(
            plan(profile="co2", grain_temp_c=28.0, exposure_days=15, concentration_pct=40)
        )


def test_all_reasons_reported_at_once() -> None:
    reasons = fu.check_plan(plan(grain_temp_c=10.0, halflife_min=1.0, exposure_days=2))
    assert len(reasons) == 2  # too cold (exposure then undefined) and leaky


def test_reentry_and_unknown_profile() -> None:
    assert fu.reentry_allowed("phosphine-au", 0.2)
    assert not fu.reentry_allowed("phosphine-au", 0.5)
    with pytest.raises(NotFoundError, match="known"):
        fu.get_profile("sulfuryl")


def test_plan_validation() -> None:
    with pytest.raises(ValidationError):
        plan(exposure_days=-1)
    with pytest.raises(ValidationError):
        plan(colour="blue")


def test_us_label_20_c_row_needs_4_days() -> None:
    # Issue 14, defect 6: the label's 68 degF (20 degC) row says 4 days; 3 days only above it.
    prof = fu.get_profile("phosphine-us-label")
    assert prof.required_days(20.0) == 4.0
    assert prof.required_days(20.5) == 3.0
    assert prof.required_days(12.0) == 10.0  # 53.6 degF: between the 53 and 54 degF rows
    assert prof.required_days(15.5) == 5.0  # between the 59 and 60 degF rows: the longer
    assert prof.required_days(16.0) == 4.0
    assert prof.required_days(4.9) is None
    with pytest.raises(ConfigError, match="4 d required"):
        fu.schedule_plan(plan(profile="phosphine-us-label", grain_temp_c=20.0, exposure_days=3))
    fu.schedule_plan(plan(profile="phosphine-us-label", grain_temp_c=20.0, exposure_days=4))


def test_au_profile_25_c_needs_10_days() -> None:
    # GRDC: 7 days only when the grain is above 25 degC.
    assert fu.get_profile("phosphine-au").required_days(25.0) == 10.0
    assert fu.get_profile("phosphine-au").required_days(25.1) == 7.0


def test_us_label_below_15_c_warns_phosphine_is_ineffective() -> None:
    with pytest.warns(UserWarning, match="ineffective below 15 degC"):
        s = fu.schedule_plan(
            plan(profile="phosphine-us-label", grain_temp_c=10.0, exposure_days=10)
        )
    assert any("GRDC" in w for w in s.warnings)
    quiet = fu.schedule_plan(plan(profile="phosphine-us-label", grain_temp_c=16.0, exposure_days=4))
    assert quiet.warnings == ()
