"""Benchmark: the synthetic-country generator at full scale.

Target (issue 2): 10,000 regions + 1,000,000 settlements written in < 30 s on 2 cores.
Baseline in the same process: a plain-Python per-settlement loop for the settlement
placement step, timed on a 1/20 sample and scaled linearly, to show what vectorising buys.

Usage: python benchmarks/bench_synth.py [--quick] [--repeat N]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import tempfile
import time
from pathlib import Path

from regdev.registry.synth import synthesize, write_country


def baseline_settlements(regions, n: int, seed: int) -> float:
    """Pure-Python placement of n settlements (the naive way); returns seconds."""
    rnd = random.Random(seed)
    pops = regions["population"].tolist()
    lat = regions["lat"].tolist()
    lon = regions["lon"].tolist()
    area = regions["area_km2"].tolist()
    total = sum(pops)
    cum = []
    acc = 0.0
    for p in pops:
        acc += p / total
        cum.append(acc)
    import bisect

    start = time.perf_counter()
    rows = []
    for i in range(n):
        r = min(bisect.bisect(cum, rnd.random()), len(pops) - 1)
        spread = math.sqrt(area[r]) / 2.5
        rows.append(
            (
                f"S{i}",
                r,
                round(lat[r] + rnd.gauss(0, 1) * spread / 110.57, 5),
                round(lon[r] + rnd.gauss(0, 1) * spread / 90.0, 5),
            )
        )
    with tempfile.TemporaryDirectory() as d, (Path(d) / "s.csv").open("w") as fh:
        for row in rows:
            fh.write(",".join(map(str, row)) + "\n")
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n_reg, n_set = (200, 20_000) if args.quick else (10_000, 1_000_000)
    repeat = 1 if args.quick else args.repeat
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            country = synthesize(n_reg, n_set, seed=2026)
            t1 = time.perf_counter()
            write_country(country, Path(d) / "country")
            t2 = time.perf_counter()
            size = sum(p.stat().st_size for p in (Path(d) / "country").iterdir())
        times.append((t1 - t0, t2 - t1, t2 - t0))
    gen, write, total = (statistics.median(t[i] for t in times) for i in range(3))
    sample = max(1, n_set // 20)
    base = baseline_settlements(country.regions, sample, 1) * (n_set / sample)
    print(f"synthetic country: {n_reg:,} regions, {n_set:,} settlements, {size / 1e6:.1f} MB")
    print(f"  generate  {gen:6.2f} s   (median of {repeat})")
    print(f"  write     {write:6.2f} s")
    print(f"  total     {total:6.2f} s   target < 30 s: {'PASS' if total < 30 else 'FAIL'}")
    print(f"  baseline (pure-Python placement, scaled from {sample:,}): {base:6.2f} s")
    print(f"  ratio candidate/baseline: {total / base:.3f}")


if __name__ == "__main__":
    main()
