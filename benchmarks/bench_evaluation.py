"""Benchmark of the emulation drive's composite index with Monte Carlo rank intervals.

Target (issue 12): the composite index of 179 counties x 10 years with 1,000 Monte Carlo
weight draws (with random normalisation and aggregation as well) in <= 2 s.

Measured: :func:`regdev.evaluation.composite.rank_intervals` on a synthetic panel of
179 units x 10 periods x 6 indicators (5 % missing values), median of repeated runs.
Baseline, in the same process: the straightforward implementation a first version would
write — for each draw, normalise the panel, aggregate with pandas and rank each period with
``DataFrame.rank`` — run on a subset of the same draws (``draw_plan``) and scaled to the full
number; its ranks are checked equal to the vectorised ones on that subset.

Usage::

    python benchmarks/bench_evaluation.py            # full run (prints PASS/FAIL of the target)
    python benchmarks/bench_evaluation.py --quick    # smoke run, used by the test suite
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from regdev.evaluation.composite import (
    EMULATION_INDICATORS,
    CompositeMethod,
    _aggregate,
    _panel_array,
    _ranks,
    _weights,
    draw_plan,
    normalise,
    rank_intervals,
)

NORMS = ("minmax", "zscore", "rank")
AGGS = ("linear", "geometric")


def synthetic_panel(n_units: int, n_periods: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    keys = [i.key for i in EMULATION_INDICATORS]
    idx = pd.MultiIndex.from_product(
        [[f"C{i:04d}" for i in range(n_units)], range(2026, 2026 + n_periods)]
    )
    base = rng.uniform(0.3, 1.0, size=(n_units, 1, len(keys)))
    trend = (
        rng.normal(0.01, 0.02, size=(n_units, 1, len(keys))) * np.arange(n_periods)[None, :, None]
    )
    vals = (base + trend + rng.normal(0, 0.05, size=(n_units, n_periods, len(keys)))).reshape(
        -1, len(keys)
    )
    vals[:, 2] *= 10  # satisfaction on a 0-10 scale
    vals[rng.uniform(size=vals.shape) < 0.05] = np.nan
    return pd.DataFrame(vals, index=idx, columns=keys)


def baseline_ranks(
    panel: pd.DataFrame, draws: np.ndarray, pick_n: np.ndarray, pick_a: np.ndarray
) -> np.ndarray:
    """One draw at a time: normalise, aggregate with pandas, rank each period."""
    arr, units, periods = _panel_array(panel, EMULATION_INDICATORS)
    dirs = [i.direction for i in EMULATION_INDICATORS]
    out = np.empty((len(draws), len(periods), len(units)))
    for d in range(len(draws)):
        norm = normalise(arr, dirs, NORMS[pick_n[d]])
        score = _aggregate(norm, draws[d : d + 1], AGGS[pick_a[d]])[0]
        frame = pd.DataFrame(score.T, index=units, columns=periods)
        ranks = frame.rank(axis=0, ascending=False, method="first")
        out[d] = ranks.to_numpy().T
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run")
    args = ap.parse_args()
    n_units, n_periods, n_draws, repeats, n_base = (
        (20, 3, 50, 2, 10) if args.quick else (179, 10, 1000, 7, 100)
    )
    panel = synthetic_panel(n_units, n_periods)
    rank_intervals(panel, n_draws=10, seed=0)  # warm-up (imports, caches)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = rank_intervals(panel, n_draws=n_draws, seed=0)
        times.append(time.perf_counter() - t0)
    fast = statistics.median(times)
    # same-process baseline on the first n_base draws of the same plan
    w0 = _weights(EMULATION_INDICATORS, CompositeMethod())
    draws, pick_n, pick_a = draw_plan(
        w0, n_draws=n_draws, weight_spread=0.25, n_normalisations=3, n_aggregations=2, seed=0
    )
    t0 = time.perf_counter()
    base = baseline_ranks(panel, draws[:n_base], pick_n[:n_base], pick_a[:n_base])
    t_base = (time.perf_counter() - t0) * n_draws / n_base
    arr, _, _ = _panel_array(panel, EMULATION_INDICATORS)
    dirs = [i.direction for i in EMULATION_INDICATORS]
    vec = np.empty_like(base)
    for i, nm in enumerate(NORMS):
        norm = normalise(arr, dirs, nm)
        for j, ag in enumerate(AGGS):
            sel = np.nonzero((pick_n[:n_base] == i) & (pick_a[:n_base] == j))[0]
            if sel.size:
                vec[sel] = _ranks(_aggregate(norm, draws[sel], ag))
    agree = bool(np.array_equal(np.nan_to_num(vec, nan=-1), np.nan_to_num(base, nan=-1)))
    t = res.table
    width = float((t["rank_p95"] - t["rank_p05"]).median())
    print(
        f"panel: {n_units} units x {n_periods} periods x {len(EMULATION_INDICATORS)} indicators, {n_draws} draws"
    )
    print(
        f"rank_intervals (vectorised): median {fast:.3f} s over {repeats} runs (min {min(times):.3f} s)"
    )
    print(f"baseline (loop per draw, pandas rank): {t_base:.2f} s (scaled from {n_base} draws)")
    print(f"speed-up vs baseline: {t_base / fast:.1f}x; baseline ranks agree: {agree}")
    print(f"median width of the 5-95 % rank interval: {width:.1f} places")
    if not agree:
        msg = "vectorised ranks differ from the baseline"
        raise SystemExit(msg)
    if not args.quick:
        print(f"target <= 2 s: {'PASS' if fast <= 2.0 else 'FAIL'} ({fast:.3f} s)")


if __name__ == "__main__":
    main()
