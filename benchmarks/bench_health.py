"""Benchmark of the health network (issue 13).

Three parts:

1. **OR-Library pmed1–pmed40** (Beasley; data in ``tests/data/pmed``): regdev's
   exact p-median, proven optimal or not, against the published optimum, side
   by side with spopt 0.6.1's ``PMedian`` (PuLP + HiGHS, the dense classic
   formulation) with the time ratio spopt / regdev per instance.  spopt is
   run in-process when importable; otherwise with the interpreter named by
   ``$REGDEV_SPOPT_PYTHON`` (a separate virtualenv, e.g. one made with
   ``python -m venv /path && /path/bin/pip install spopt==0.6.1 highspy``);
   otherwise it is skipped with a message.
2. **All 179 counties** (synthetic villages of the embedded country): first-aid
   posts by p-median, decomposition by county in parallel processes; counts
   of proven optima and the largest gap.
3. **National MCLP**: 400,000 synthetic villages × 190,000 candidate sites,
   Lagrangian bound + greedy, the certified gap and the time.

Usage::

    python benchmarks/bench_health.py                 # everything
    python benchmarks/bench_health.py --pmed 1-10     # a range of instances
    python benchmarks/bench_health.py --skip-national --no-spopt
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

from regdev.health.national import national_mclp
from regdev.health.orlib import read_orlib
from regdev.health.pmedian import solve_pmedian
from regdev.health.settlements import synthetic_settlements
from regdev.health.siting import coverage_table, site_all
from regdev.registry import load_default

PMED = Path(__file__).resolve().parents[1] / "tests" / "data" / "pmed"

_SPOPT_SCRIPT = textwrap.dedent(
    """
    import sys, time, numpy as np, pulp
    from spopt.locate import PMedian
    cost = np.load(sys.argv[1]); p = int(sys.argv[2]); limit = float(sys.argv[3])
    t = time.perf_counter()
    m = PMedian.from_cost_matrix(cost, np.ones(cost.shape[0]), p_facilities=p)
    m.solve(pulp.HiGHS(msg=False, timeLimit=limit))
    print(time.perf_counter() - t, pulp.value(m.problem.objective), pulp.LpStatus[m.problem.status])
    """
)


def spopt_runner() -> str | None:
    """'inprocess', a python path, or None (with the reason printed)."""
    if importlib.util.find_spec("spopt") is not None:
        return "inprocess"
    py = os.environ.get("REGDEV_SPOPT_PYTHON")
    if py and Path(py).is_file():
        return py
    print(
        "spopt is not importable and $REGDEV_SPOPT_PYTHON is not set: the spopt column is skipped"
    )
    return None


def run_spopt(runner: str, cost: np.ndarray, p: int, limit: float) -> tuple[float, float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "cost.npy"
        np.save(f, cost)
        if runner == "inprocess":
            cmd = [sys.executable, "-c", _SPOPT_SCRIPT, str(f), str(p), str(limit)]
        else:
            cmd = [runner, "-c", _SPOPT_SCRIPT, str(f), str(p), str(limit)]
        out = subprocess.run(
            cmd, capture_output=True, text=True, check=False, timeout=limit * 3 + 120
        )
    if out.returncode != 0:
        return float("nan"), float("nan"), "error: " + out.stderr.strip().splitlines()[-1]
    t, obj, status = out.stdout.strip().splitlines()[-1].split()
    return float(t), float(obj), status


def bench_pmed(ks: list[int], runner: str | None, spopt_limit: float, limit: float) -> None:
    opt = {
        r["instance"]: float(r["optimum"])
        for r in csv.DictReader((PMED / "optimal_values.csv").open())
    }
    print(
        f"{'inst':7}{'n':>5}{'p':>5}{'optimum':>9}{'regdev':>9}{'proven':>7}{'t_s':>8}"
        f"{'spopt':>9}{'t_s':>8}{'ratio':>7}",
        flush=True,
    )
    proven = 0
    for k in ks:
        inst = read_orlib(PMED / f"pmed{k}.txt")
        t0 = time.perf_counter()
        r = solve_pmedian(inst.cost, inst.p, time_limit=limit)
        t = time.perf_counter() - t0
        ok = r.optimal and r.objective == opt[inst.name]
        proven += ok
        line = f"{inst.name:7}{inst.n:5d}{inst.p:5d}{opt[inst.name]:9.0f}{r.objective:9.0f}{str(ok):>7}{t:8.2f}"
        if runner:
            st, sobj, sstat = run_spopt(runner, inst.cost, inst.p, spopt_limit)
            line += f"{sobj:9.0f}{st:8.2f}{st / t:7.2f}  {sstat}"
        print(line, flush=True)
    print(f"proven optimal and equal to the published optimum: {proven} of {len(ks)}")


def bench_counties() -> None:
    reg = load_default()
    s = synthetic_settlements(reg, seed=0)
    t0 = time.perf_counter()
    res = site_all(reg, s, model="pmedian", workers=2)
    t = time.perf_counter() - t0
    tab = coverage_table(res)
    print(
        f"counties: {len(res)} (synthetic villages: {len(s)}), posts {int(tab['posts'].sum())}, "
        f"proven optimal {int(tab['optimal'].sum())}, largest gap {tab['gap'].max():.2e}, {t:.1f} s"
    )


def bench_national(standard: float) -> None:
    reg = load_default()
    s = synthetic_settlements(reg, total=400_000, seed=1)
    rng = np.random.default_rng(0)
    cand = s.iloc[np.sort(rng.choice(len(s), 190_000, replace=False))]
    p = int(np.ceil(s["population"].sum() / 8000))
    t0 = time.perf_counter()
    out = national_mclp(reg, s, cand, p, standard=standard, time_limit=60)
    t = time.perf_counter() - t0
    r = out.result
    print(
        f"national MCLP: {out.n_demand} villages × {out.n_candidates} sites, p = {p}, standard {standard:g} min, "
        f"pairs {out.nnz:,}; covered {r.covered / r.total:.2%}, bound {r.bound / r.total:.2%}, "
        f"certified gap {r.gap:.2%}; build {out.build_s:.1f} s + solve {out.solve_s:.1f} s = {t:.1f} s"
    )


def _range(text: str) -> list[int]:
    a, _, b = text.partition("-")
    return list(range(int(a), int(b or a) + 1))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--pmed", default="1-40")
    ap.add_argument("--no-spopt", action="store_true")
    ap.add_argument("--spopt-time-limit", type=float, default=120.0)
    ap.add_argument("--time-limit", type=float, default=60.0, help="regdev seconds per instance")
    ap.add_argument("--skip-national", action="store_true")
    ap.add_argument("--standard", type=float, default=30.0, help="national MCLP standard, minutes")
    args = ap.parse_args()
    print(f"load average: {os.getloadavg()}")
    runner = None if args.no_spopt else spopt_runner()
    bench_pmed(_range(args.pmed), runner, args.spopt_time_limit, args.time_limit)
    if not args.skip_national:
        bench_counties()
        bench_national(args.standard)
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
