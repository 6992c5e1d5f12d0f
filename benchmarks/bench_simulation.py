"""Benchmark of ``regdev.simulation``: 10,000 scenarios × every region × every year.

Prints, side by side:

* the vectorised Monte Carlo run serially (no Dask), wall and CPU time, the target ≤ 10 s;
* a naive per-scenario loop (the same kernel called once per scenario) on a sample of
  scenarios, extrapolated to the full count, and the ratio;
* the same run on a local Dask cluster with 1 and with 2 worker processes (cluster
  start-up reported apart);
* peak memory (max resident set size) of the serial run, measured in a fresh process,
  against the 2 GB limit;
* the load average, since the machine is shared.

``--quick`` runs a tiny version (used by the test suite); ``--plan DIR`` uses a plan
folder instead of planning the default country first.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _model(plan_dir: Path):
    from regdev.registry import load_default
    from regdev.simulation.coefficients import load_coefficients
    from regdev.simulation.model import build_model
    from regdev.simulation.planfolder import read_plan_folder
    from regdev.simulation.run import _slip

    coef = load_coefficients()
    return build_model(read_plan_folder(plan_dir), load_default(), coef, _slip(coef, ()))


def _serial(plan_dir: Path, n: int) -> dict[str, float]:
    """One serial run in this process (called in a fresh subprocess for the memory figure)."""
    from regdev.simulation.chunks import run_chunk
    from regdev.simulation.engine import chunk_plan, run_chunks
    from regdev.simulation.run import _assemble, _central_tables

    m = _model(plan_dir)
    run_chunk(m, 0, np.random.SeedSequence(0), 10)  # warm-up (imports, caches)
    w0, c0 = time.perf_counter(), time.process_time()
    res = run_chunks(m, chunk_plan(n, 500, 0), scheduler="serial")
    w1, c1 = time.perf_counter(), time.process_time()
    from regdev.simulation.planfolder import read_plan_folder

    cy, _lines, _first = _central_tables(m, read_plan_folder(plan_dir))
    _assemble(m, res, cy)  # quantiles over the scenarios
    w2 = time.perf_counter()
    cells = n * m.n_regions * m.n_years
    return {
        "wall_s": w1 - w0,
        "cpu_s": c1 - c0,
        "wall_with_quantiles_s": w2 - w0,
        "cells": float(cells),
        "regions": float(m.n_regions),
        "years": float(m.n_years),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }


def _naive(plan_dir: Path, n_sample: int) -> tuple[float, float]:
    """Wall and CPU seconds per scenario of a per-scenario Python loop over the same kernel."""
    from regdev.simulation.chunks import reduce_indicators, thresholds
    from regdev.simulation.dynamics import Params, run_kernel
    from regdev.simulation.scenario import draw_params

    m = _model(plan_dir)
    p = draw_params(m, n_sample, 0)
    th = thresholds(m)
    t0, c0 = time.perf_counter(), time.process_time()
    for s in range(n_sample):  # the naive way: one scenario at a time
        one = Params(
            growth=p.growth[s : s + 1],
            demand=p.demand[s : s + 1],
            price=p.price[s : s + 1],
            yields=p.yields[s : s + 1],
            duration=p.duration[s : s + 1],
            pass_through=p.pass_through[s : s + 1],
        )
        out = run_kernel(m, one)
        reduce_indicators(out.income_real, m, out.population, th)
        reduce_indicators(out.counterfactual, m, out.population, th)
    return (time.perf_counter() - t0) / n_sample, (time.process_time() - c0) / n_sample


def _timed_chunk(m, index, seed, n):  # type: ignore[no-untyped-def]
    """run_chunk on a worker, with the worker's CPU seconds (the result still travels back)."""
    from regdev.simulation.chunks import run_chunk

    c0 = time.process_time()
    res = run_chunk(m, index, seed, n)
    return time.process_time() - c0, res


def _dask(plan_dir: Path, n: int, workers: int) -> dict[str, float]:
    from distributed import Client, LocalCluster

    from regdev.simulation.chunks import run_chunk
    from regdev.simulation.engine import _local_cluster, chunk_plan

    m = _model(plan_dir)
    t0 = time.perf_counter()
    cluster = _local_cluster(LocalCluster, workers)  # as `regdev simulate` starts it
    client = Client(cluster)
    [mf] = client.scatter([m], broadcast=True)
    client.gather(client.submit(run_chunk, mf, 0, np.random.SeedSequence(0), 10, pure=False))
    t1 = time.perf_counter()
    futs = [
        client.submit(_timed_chunk, mf, i, s, k, pure=False) for i, s, k in chunk_plan(n, 500, 0)
    ]
    cpu = sum(c for c, _res in client.gather(futs))
    t2 = time.perf_counter()
    client.close()
    cluster.close()
    return {"startup_s": t1 - t0, "wall_s": t2 - t1, "worker_cpu_s": cpu}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="tiny version for smoke tests")
    ap.add_argument("--plan", type=Path, help="plan folder (default: plan the default country)")
    ap.add_argument("--scenarios", type=int, default=10_000)
    ap.add_argument("--phase", choices=["serial"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    n = 200 if args.quick else args.scenarios
    if args.phase == "serial":
        print(json.dumps(_serial(args.plan, n)))
        return
    tmp = None
    plan_dir = args.plan
    if plan_dir is None:
        import regdev

        tmp = tempfile.TemporaryDirectory()
        plan_dir = Path(tmp.name) / "plan"
        regdev.plan().write(plan_dir)
    load0 = os.getloadavg()
    # the serial run in a fresh process, so that its peak memory is its own
    cmd = [
        sys.executable,
        __file__,
        "--phase",
        "serial",
        "--plan",
        str(plan_dir),
        "--scenarios",
        str(n),
    ]
    serial = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    n_sample = 20 if args.quick else 200
    per_scenario, per_scenario_cpu = _naive(plan_dir, n_sample)
    naive_total = per_scenario * n
    naive_cpu = per_scenario_cpu * n
    d1 = _dask(plan_dir, n, 1)
    d2 = _dask(plan_dir, n, 2)
    load1 = os.getloadavg()
    print(
        f"regdev simulation benchmark: {n:,} scenarios x {int(serial['regions'])} regions x "
        f"{int(serial['years'])} years = {int(serial['cells']):,} cells"
    )
    print(f"load average before / after: {load0[0]:.2f} / {load1[0]:.2f} (2 cores, shared)")
    print(f"{'run':44s} {'wall s':>9s} {'ratio':>8s} {'cpu s':>9s} {'ratio':>8s}")
    sc = serial["cpu_s"]
    print(
        f"{'vectorised, serial (no Dask)':44s} {serial['wall_s']:9.2f} {1.0:8.2f} {sc:9.2f} "
        f"{1.0:8.2f}   with quantiles {serial['wall_with_quantiles_s']:.2f} s wall"
    )
    print(
        f"{f'naive loop per scenario (from {n_sample})':44s} {naive_total:9.2f} "
        f"{naive_total / serial['wall_s']:8.2f} {naive_cpu:9.2f} {naive_cpu / sc:8.2f}"
    )
    print(
        f"{'Dask local cluster, 1 worker':44s} {d1['wall_s']:9.2f} "
        f"{d1['wall_s'] / serial['wall_s']:8.2f} {d1['worker_cpu_s']:9.2f} "
        f"{d1['worker_cpu_s'] / sc:8.2f}   start-up {d1['startup_s']:.1f} s (cpu: workers' sum)"
    )
    print(
        f"{'Dask local cluster, 2 workers':44s} {d2['wall_s']:9.2f} "
        f"{d2['wall_s'] / serial['wall_s']:8.2f} {d2['worker_cpu_s']:9.2f} "
        f"{d2['worker_cpu_s'] / sc:8.2f}   start-up {d2['startup_s']:.1f} s (cpu: workers' sum)"
    )
    peak = serial["peak_rss_mb"]
    print(
        f"peak memory of the serial run (max RSS): {peak:,.0f} MB (limit 2,048 MB: "
        f"{'ok' if peak <= 2048 else 'OVER'})"
    )
    best = min(serial["wall_s"], d2["wall_s"])
    print(
        f"target <= 10 s: {'met' if best <= 10 else 'NOT met'} (best wall {best:.2f} s; "
        f"serial CPU {sc:.2f} s, i.e. the wall time on an otherwise idle core)"
    )
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
