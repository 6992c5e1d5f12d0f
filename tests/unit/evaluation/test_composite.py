"""OECD/JRC composite: normalisation, aggregation, rank intervals, delta ranking, learn-from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regdev.errors import ConfigError, DataValidationError
from regdev.evaluation import composite as comp
from regdev.evaluation.emulation import league_table

IND = (
    comp.Indicator("a", "A"),
    comp.Indicator("b", "B"),
    comp.Indicator("c", "C", direction=-1),
)


def _panel(n_units: int = 30, n_periods: int = 3, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = pd.MultiIndex.from_product(
        [[f"U{i:02d}" for i in range(n_units)], range(2024, 2024 + n_periods)]
    )
    return pd.DataFrame(rng.uniform(0, 1, size=(len(idx), 3)), index=idx, columns=["a", "b", "c"])


def test_minmax_is_pooled_over_periods_and_respects_direction() -> None:
    x = np.array([[[0.0, 10.0], [5.0, 20.0]], [[10.0, 30.0], [2.0, 10.0]]])  # (T=2, N=2, K=2)
    norm = comp.normalise(x, [1, -1], "minmax")
    assert norm[0, 0, 0] == 0.0 and norm[1, 0, 0] == 1.0  # pooled min and max of indicator 1
    assert norm[1, 0, 1] == 0.0 and norm[0, 0, 1] == 1.0  # less is better for indicator 2


def test_zscore_and_rank() -> None:
    x = np.arange(12, dtype=float).reshape(1, 12, 1)
    z = comp.normalise(x, [1], "zscore")
    assert z.mean() == pytest.approx(0.0) and z.std() == pytest.approx(1.0)
    r = comp.normalise(x, [1], "rank")
    assert r.min() == 0.0 and r.max() == 1.0


def test_linear_scores_are_weighted_means_of_normalised_values() -> None:
    panel = _panel()
    out = comp.composite_scores(panel, IND, comp.CompositeMethod(weights={"a": 2, "b": 1, "c": 1}))
    norm = out[["norm_a", "norm_b", "norm_c"]].to_numpy()
    assert np.allclose(out["score"], norm @ np.array([0.5, 0.25, 0.25]))


def test_missing_indicator_rescales_the_remaining_weights() -> None:
    panel = _panel(5, 1)
    panel.iloc[0, 1] = np.nan
    out = comp.composite_scores(panel, IND)
    first = out.iloc[0]
    assert first["score"] == pytest.approx((first["norm_a"] + first["norm_c"]) / 2)


def test_geometric_aggregation_is_less_compensatory() -> None:
    idx = pd.MultiIndex.from_product([["balanced", "lopsided", "other"], [2025]])
    panel = pd.DataFrame({"a": [0.5, 1.0, 0.0], "b": [0.5, 0.0, 1.0]}, index=idx)
    ind = (comp.Indicator("a", "A"), comp.Indicator("b", "B"))
    lin = comp.composite_scores(panel, ind, comp.CompositeMethod(aggregation="linear"))
    geo = comp.composite_scores(panel, ind, comp.CompositeMethod(aggregation="geometric"))
    assert lin.loc[("balanced", 2025), "score"] == pytest.approx(
        lin.loc[("lopsided", 2025), "score"]
    )
    # rescaled to 1-100: sqrt(50.5 * 50.5) = 50.5 against sqrt(100 * 1) = 10
    assert geo.loc[("balanced", 2025), "score"] == pytest.approx(50.5)
    assert geo.loc[("lopsided", 2025), "score"] == pytest.approx(10.0)


def test_rank_intervals_are_reproducible_with_a_seed() -> None:
    panel = _panel()
    a = comp.rank_intervals(panel, IND, n_draws=300, seed=42).table
    b = comp.rank_intervals(panel, IND, n_draws=300, seed=42).table
    c = comp.rank_intervals(panel, IND, n_draws=300, seed=43).table
    pd.testing.assert_frame_equal(a, b)
    assert not a[["rank_p05", "rank_p95", "rank_median"]].equals(
        c[["rank_p05", "rank_p95", "rank_median"]]
    )
    assert (a["rank_p05"] <= a["rank_median"]).all() and (a["rank_median"] <= a["rank_p95"]).all()


def test_rank_intervals_collapse_without_uncertainty() -> None:
    panel = _panel()
    t = comp.rank_intervals(
        panel,
        IND,
        n_draws=50,
        weight_spread=0.0,
        normalisations=("minmax",),
        aggregations=("linear",),
    ).table
    assert (t["rank_p05"] == t["rank"]).all() and (t["rank_p95"] == t["rank"]).all()


def test_a_dominant_unit_is_first_in_every_draw() -> None:
    panel = _panel(20, 1)
    panel.loc[("U00", 2024)] = [2.0, 2.0, -1.0]  # best on all three (c: less is better)
    t = comp.rank_intervals(panel, IND, n_draws=200, seed=0).table
    assert t.loc[("U00", 2024), "rank_p95"] == 1


def test_delta_contributions_add_up_to_the_change() -> None:
    panel = _panel()
    d = comp.delta_ranking(panel, 2024, 2026, IND)
    contrib = d[["contrib_a", "contrib_b", "contrib_c"]].sum(axis=1)
    assert np.allclose(contrib, d["delta_score"])
    assert d["delta_score"].is_monotonic_decreasing
    assert d["delta_rank"].iloc[0] == 1
    geo = comp.delta_ranking(panel, 2024, 2026, IND, comp.CompositeMethod(aggregation="geometric"))
    assert np.allclose(geo[["contrib_a", "contrib_b", "contrib_c"]].sum(axis=1), geo["delta_score"])


def test_learn_from_picks_a_better_peer_of_the_same_group() -> None:
    panel = _panel(12, 1)
    scores = comp.composite_scores(panel, IND).xs(2024, level=1)
    groups = {u: ("x" if i % 2 else "y") for i, u in enumerate(scores.index)}
    lf = comp.learn_from(scores, IND, peer_group=groups)
    assert not lf.empty
    for r in lf.itertuples():
        assert groups[r.partner] == groups[r.unit]
        assert r.partner != r.unit
        assert (
            scores.loc[r.partner, f"norm_{r.indicator}"] > scores.loc[r.unit, f"norm_{r.indicator}"]
        )
    # the best unit of a group on an indicator has nobody to learn it from
    for ind in ("a", "b", "c"):
        for g in ("x", "y"):
            members = [u for u in scores.index if groups[u] == g]
            best = scores.loc[members, f"norm_{ind}"].idxmax()
            assert lf[(lf["unit"] == best) & (lf["indicator"] == ind)].empty


def test_league_table_has_intervals_peers_and_deltas() -> None:
    panel = _panel(25, 2)
    peer = {f"U{i:02d}": ("coastal" if i < 10 else "mountainous") for i in range(25)}
    lg = league_table(panel, peer=peer, indicators=IND, n_draws=100, seed=5)
    t = lg.table
    assert lg.period == 2025 and lg.previous == 2024
    assert list(t["rank"]) == sorted(t["rank"])
    assert (t.groupby("peer_group")["peer_rank"].min() == 1).all()
    assert t["delta_score"].notna().all()
    assert set(lg.learn["indicator"]) <= {"a", "b", "c"} or lg.learn.empty


def test_bad_inputs() -> None:
    with pytest.raises(ConfigError):
        comp.CompositeMethod(normalisation="log").check()
    with pytest.raises(ConfigError):
        comp.Indicator("x", "X", direction=2)
    with pytest.raises(DataValidationError, match="lacks indicator"):
        comp.composite_scores(_panel()[["a"]], IND)
    with pytest.raises(ConfigError, match="unknown indicators"):
        comp.composite_scores(_panel(), IND, comp.CompositeMethod(weights={"zz": 1}))
