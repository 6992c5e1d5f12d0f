"""Western Electric and Nelson run rules on sequences with known signals."""

from __future__ import annotations

import numpy as np
import pytest

from regdev.errors import ConfigError
from regdev.evaluation import spc


def _fired(values: list[float], rules: str | tuple[str, ...]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for s in spc.run_rules(values, 0.0, 1.0, rules):
        out.setdefault(s.rule, []).append(s.index)
    return out


QUIET = [0.5, -0.5] * 10  # alternating within 1 sigma: no zone or run rule can fire


def test_quiet_sequence_has_no_western_electric_signal() -> None:
    assert _fired(QUIET, "western_electric") == {}


def test_rule_one_beyond_three_sigma() -> None:
    assert _fired([0.1, 3.2, -0.2, -3.01], ("WE1",)) == {"WE1": [1, 3]}
    assert _fired([2.99, -2.99], ("N1",)) == {}


def test_two_of_three_beyond_two_sigma_same_side() -> None:
    assert _fired([0.0, 2.5, 0.3, 2.2], ("WE2",)) == {"WE2": [3]}
    # opposite sides do not count
    assert _fired([0.0, 2.5, 0.3, -2.2], ("WE2",)) == {}
    # the completing point must itself be beyond 2 sigma
    assert _fired([2.5, 2.2, 0.3], ("WE2",)) == {"WE2": [1]}


def test_four_of_five_beyond_one_sigma() -> None:
    assert _fired([1.5, 1.2, 0.2, 1.1, 1.3], ("WE3",)) == {"WE3": [4]}
    assert _fired([1.5, 1.2, 0.2, 0.1, 1.3], ("WE3",)) == {}


def test_eight_on_one_side_western_electric_and_nine_nelson() -> None:
    seq = [-0.2] + [0.3] * 9
    assert _fired(seq, ("WE4",)) == {"WE4": [8, 9]}
    assert _fired(seq, ("N2",)) == {"N2": [9]}


def test_nelson_trend_of_six() -> None:
    seq = [0.0, -0.5, -0.4, -0.2, 0.0, 0.3, 0.5]  # six increasing points from index 1
    assert _fired(seq, ("N3",)) == {"N3": [6]}
    assert _fired([0.0, 0.1, 0.2, 0.3, 0.4], ("N3",)) == {}


def test_nelson_fourteen_alternating() -> None:
    seq = [0.5, -0.5] * 7
    assert _fired(seq, ("N4",)) == {"N4": [13]}
    assert _fired(seq[:13], ("N4",)) == {}


def test_nelson_fifteen_within_one_sigma_and_eight_outside() -> None:
    hugging = [0.2, -0.2] * 8
    assert _fired(hugging, ("N7",)) == {"N7": [14, 15]}
    mixture = [1.5, -1.5] * 4
    assert _fired(mixture, ("N8",)) == {"N8": [7]}


def test_rule_sets_and_unknown_rules() -> None:
    assert set(spc.RULE_SETS["nelson"]) == {f"N{i}" for i in range(1, 9)}
    with pytest.raises(ConfigError, match="unknown run rules"):
        spc.run_rules([1.0], 0.0, 1.0, ("X9",))


def test_zones_follow_varying_limits() -> None:
    # p chart with a small sample: wide limits; the same share is inside there, outside with big n
    r = spc.p_chart([10, 10, 10, 10, 10, 30], [100, 100, 100, 100, 100, 100], baseline=slice(0, 5))
    assert r.out_of_control == [5]
    small = spc.p_chart(
        [10, 10, 10, 10, 10, 3], [100, 100, 100, 100, 100, 10], baseline=slice(0, 5)
    )
    assert small.out_of_control == []


def test_versioned_chart_re_estimates_limits_after_a_process_change() -> None:
    rng = np.random.default_rng(3)
    before = rng.poisson(10, 25)
    after = rng.poisson(3, 25)  # a new tier: far fewer defects
    counts = np.concatenate([before, after])
    one = spc.c_chart(counts, baseline=slice(0, 20))
    two = spc.versioned_chart(
        spc.c_chart, {"counts": counts}, changes=[(25, "tier 3 line")], baseline_n=20
    )
    assert [v.version for v in two.versions] == [0, 1]
    assert two.versions[1].reason == "tier 3 line"
    assert two.versions[1].start == 25
    assert two.centre[30] == pytest.approx(after[:20].mean())
    assert two.centre[0] == pytest.approx(before[:20].mean())
    assert list(two.version[:25]) == [0] * 25
    assert list(two.version[25:]) == [1] * 25
    # with one version the improvement shows as signals below the centre line; not with two
    assert any(s.index >= 25 for s in one.signals)
    assert not any(s.index >= 25 and s.rule == "WE4" for s in two.signals)
