"""NPV, IRR and payback against cases computed by hand."""

from __future__ import annotations

import math

import pytest

from regdev.errors import ConfigError
from regdev.evaluation import finance


def test_npv_two_year_case() -> None:
    # -100 + 60/1.1 + 60/1.21 = -100 + 54.545454 + 49.586777 = 4.132231
    assert finance.npv(0.10, [-100, 60, 60]) == pytest.approx(4.132231, abs=1e-6)


def test_npv_zero_rate_is_the_sum() -> None:
    assert finance.npv(0.0, [-100, 30, 30, 50]) == pytest.approx(10.0)


def test_irr_two_year_case() -> None:
    # 60 x^2 + 60 x - 100 = 0 with x = 1/(1+r): x = (-60 + sqrt(27600)) / 120 = 0.8844373
    x = (-60 + math.sqrt(60**2 + 4 * 60 * 100)) / 120
    assert finance.irr([-100, 60, 60]) == pytest.approx(1 / x - 1, abs=1e-9)
    assert finance.irr([-100, 60, 60]) == pytest.approx(0.130662, abs=1e-6)


def test_irr_makes_npv_zero() -> None:
    flows = [-500, 100, 150, 200, 250]
    r = finance.irr(flows)
    assert finance.npv(r, flows) == pytest.approx(0.0, abs=1e-8)


def test_irr_without_sign_change_is_nan() -> None:
    assert math.isnan(finance.irr([-100, -10, -5]))
    assert math.isnan(finance.irr([10, 10]))


def test_payback_interpolates_inside_the_year() -> None:
    # cumulative -100, -70, -40, -10, +20: paid back 10/30 into year 4
    assert finance.payback([-100, 30, 30, 30, 30]) == pytest.approx(3 + 1 / 3)
    assert finance.payback([0, 5]) == 0.0


def test_payback_never() -> None:
    assert math.isnan(finance.payback([-100, 10, 10]))


def test_discounted_payback_by_hand() -> None:
    # 10 %: 50/1.1 = 45.4545, 50/1.21 = 41.3223, 50/1.331 = 37.5657
    # cumulative -54.5455, -13.2231, +24.3426 -> 2 + 13.2231/37.5657 = 2.35200
    assert finance.discounted_payback(0.10, [-100, 50, 50, 50]) == pytest.approx(2.352001, abs=1e-5)
    assert finance.discounted_payback(0.10, [-100, 50, 50, 50]) > finance.payback(
        [-100, 50, 50, 50]
    )


def test_annuity_factor() -> None:
    # (1 - 1.06^-15) / 0.06 = 9.712249
    assert finance.annuity_factor(0.06, 15) == pytest.approx(9.712249, abs=1e-6)
    assert finance.annuity_factor(0.0, 7) == 7.0


@pytest.mark.parametrize("bad", [[], [1.0, float("nan")]])
def test_bad_flows(bad: list[float]) -> None:
    with pytest.raises(ConfigError):
        finance.npv(0.1, bad)


def test_bad_rate() -> None:
    with pytest.raises(ConfigError, match="greater than -1"):
        finance.npv(-1.5, [1, 2])
