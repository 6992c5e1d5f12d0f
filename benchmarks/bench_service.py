"""Benchmark: read endpoints of the monitoring service under loopback load.

Target (issue 5): with a seeded database of 10 years x all counties x monthly line
records, the read endpoints sustain >= 500 requests/s with p99 <= 50 ms on 2 cores
(uvicorn, loopback load generator).

What it does
------------
1. Seeds a SQLite file with bulk inserts (``regdev.monitoring.dashboard._seed``): every
   one of the 179 cities and counties has a factory with ``--lines`` production lines
   reporting every month for ``--months`` months (default 120 = 10 years), plus
   quality records and surveys.
2. Copies it to a *baseline* database without the ``(region_id, year, month)`` index
   of ``factory_operations`` (the naive, unindexed query path).
3. For the baseline and then the real database: starts uvicorn (``--workers``, default 1) in a
   subprocess on 127.0.0.1, and runs a bounded load generator (httpx/asyncio, a
   second process, ``--concurrency`` connections, at most ``--requests`` requests or
   ``--seconds`` seconds per mix) against two mixes of read endpoints:
   * ``api``: JSON list/report endpoints (operations of a county and year, projects of a
     county, sites, progress and cohort reports), as clients repeat them (the read cache
     of ``regdev.monitoring.read_cache`` answers repeats until the next write);
   * ``api-uncached``: the same with a unique query string each (every request misses);
   * ``dashboard``: the server-rendered county page (projects, milestones, 24-month
     chart, latest operations, quality, surveys, forms) and the CSV of its operations.
4. Prints requests/s and p50/p95/p99 per mix, and candidate/baseline ratios.
5. Writes (issue 16), first: on a small SQLite file and, when the test server is
   reachable, a fresh PostgreSQL schema, ``POST /api/v1/operations`` (a distinct line
   each: one transaction and one audit entry per request) for ``--writes-seconds``,
   then the same while a second load generator floods ``/login/access-token`` with
   rotating unknown usernames against the production Argon2 cost. Prints writes/s and
   p99 for both phases, the ratio (target >= 0.5: "within 2x"), and checks that every
   acknowledged (201) write is in the database ("nothing lost"; exit 1 otherwise).
   Targets: >= 100 writes/s with p99 <= 200 ms on both databases.

6. ``--compare-ref GIT_REF``: the same read mixes against the code of another git
   revision (``git archive`` of its ``src/`` into a temporary directory, run with
   ``PYTHONPATH`` pointing there) on the same database in the same run, and the
   ratios real/old of requests/s, p99 and server CPU per request (issue 16: the read
   path before the direct list path was ``fa213f0``).  ``--compare-switch`` also runs
   this code with ``REGDEV_FAST_READS=false``.
7. ``--import-rows N`` (issue 16: 1,000,000): a county user's bulk CSV import of N
   operations while ``/health`` is asked every 50 ms; prints the /health latencies
   (target: every answer within 100 ms), the server's peak RSS (bound 400 MiB) and
   checks that every row is stored.

Every figure comes with the load average: the machine is shared, so requests/s and
latencies depend on other processes, while the server's CPU time per request (read
from /proc for the server's process tree) does not; the load generator's own CPU per
request is printed too (the default ``raw`` HTTP client costs ~0.1 ms per request,
httpx ~2 ms, which on 2 cores took CPU from the server it measured).

Usage: python benchmarks/bench_service.py [--quick] [--months N] [--concurrency C]
       [--workers N] [--no-writes | --no-reads] [--writes-seconds S]
       [--compare-ref GIT_REF] [--compare-switch] [--mixes MIX ...] [--import-rows N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
TARGET_RPS = 500.0
TARGET_P99_MS = 50.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(db: Path, *, months: int, lines: int) -> dict[str, object]:
    from regdev.monitoring.config import Settings
    from regdev.monitoring.dashboard._seed import seed_synthetic
    from regdev.monitoring.db import make_engine
    from regdev.monitoring.migrate import upgrade

    url = f"sqlite:///{db}"
    engine = make_engine(url)
    upgrade(engine)
    t0 = time.perf_counter()
    summary = seed_synthetic(
        engine,
        settings=Settings(database_url=url, argon2_time_cost=1, argon2_memory_cost=1024),
        n_months=months,
        lines_per_site=lines,
        every_region_operates=True,
        users={"bench": ("bench-password", "national", None)},
        rng=0,
    )
    engine.dispose()
    return {
        "seconds": time.perf_counter() - t0,
        "operations": summary.n_operations,
        "quality": summary.n_quality,
        "surveys": summary.n_surveys,
        "regions": summary.operating_region_ids,
        "last_month": summary.last_month,
    }


def make_baseline(src: Path, dst: Path) -> None:
    """Copy the database and drop the operations index (the unindexed query path)."""
    con = sqlite3.connect(src)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    shutil.copyfile(src, dst)
    con = sqlite3.connect(dst)
    con.execute("DROP INDEX IF EXISTS ix_operations_region_period")
    con.commit()
    con.close()


def old_source(ref: str, dest: Path) -> Path:
    """Extract ``src/`` of git revision ``ref`` (the old read path) into ``dest``."""
    repo = HERE.parent
    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", ref, "src"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest / "src"


def loadavg() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}/{fifteen:.1f}"


def children_cpu() -> float:
    """CPU seconds of the finished child processes (the load generators)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


class Server:
    def __init__(
        self,
        db: Path | str,
        workers: int = 1,
        *,
        cheap_hash: bool = True,
        pythonpath: Path | None = None,
        env_extra: dict[str, str] | None = None,
    ) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "REGDEV_DATABASE_URL": db if isinstance(db, str) else f"sqlite:///{db}",
            "REGDEV_SECRET_KEY": "bench-secret-0123456789abcdef",
        }
        if cheap_hash:
            env |= {"REGDEV_ARGON2_TIME_COST": "1", "REGDEV_ARGON2_MEMORY_COST": "1024"}
        if pythonpath is not None:  # run another revision's code (the old read path)
            env["PYTHONPATH"] = str(pythonpath)
        env |= env_extra or {}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "regdev.monitoring.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--no-access-log",
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if (
                    httpx.get(
                        f"{self.base}/api/v1/health", timeout=1.0, trust_env=False
                    ).status_code
                    == 200
                ):
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                out = self.proc.stdout.read().decode() if self.proc.stdout else ""
                self.stop()
                msg = f"uvicorn did not start:\n{out[-3000:]}"
                raise RuntimeError(msg)
            time.sleep(0.1)

    def cpu_seconds(self) -> float:
        """User+system CPU seconds of the server process tree (Linux /proc)."""
        tick = os.sysconf("SC_CLK_TCK")
        stats: dict[int, tuple[int, float]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
        tree, frontier = {self.proc.pid}, [self.proc.pid]
        while frontier:
            parent = frontier.pop()
            for pid, (ppid, _) in stats.items():
                if ppid == parent and pid not in tree:
                    tree.add(pid)
                    frontier.append(pid)
        return sum(stats[pid][1] for pid in tree if pid in stats)

    def token(self) -> str:
        r = httpx.post(
            f"{self.base}/api/v1/login/access-token",
            data={"username": "bench", "password": "bench-password"},
            trust_env=False,
        )
        r.raise_for_status()
        return str(r.json()["access_token"])

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def mixes(
    regions: list[str], last_month: tuple[int, int], n: int, n_cold: int
) -> dict[str, list[str]]:
    year = last_month[0]
    picks = [regions[(i * 37) % len(regions)] for i in range(min(n, len(regions)))]
    api: list[str] = []
    for i, rid in enumerate(picks):
        y = year - (i % 10)
        api += [
            f"/api/v1/operations?region_id={rid}&year={y}&limit=100",
            f"/api/v1/projects?region_id={rid}",
            f"/api/v1/sites?region_id={rid}",
            f"/api/v1/quality?region_id={rid}&limit=50",
        ]
        if i % 8 == 0:
            api += ["/api/v1/reports/progress", "/api/v1/reports/cohorts"]
    dashboard: list[str] = []
    for rid in picks:
        dashboard += [f"/county/{rid}", f"/county/{rid}/csv/operations.csv"]

    # the same requests with a unique query string each: every request misses the
    # response/page caches and runs the query, validation and rendering path
    def uncached(paths: list[str]) -> list[str]:
        reps = paths * (n_cold // max(len(paths), 1) + 1)
        return [f"{p}{'&' if '?' in p else '?'}nocache={i}" for i, p in enumerate(reps)][:n_cold]

    return {
        "api": api,
        "api-uncached": uncached(api),
        "dashboard": dashboard,
        "dashboard-uncached": uncached(dashboard),
    }


def warm(base: str, paths: list[str], token: str) -> None:
    # warm-up (connection pools, caches of compiled SQL), then the measured run
    for p in paths[: min(len(paths), 20)]:
        httpx.get(
            base + p,
            headers={"Authorization": f"Bearer {token}"},
            cookies={"regdev_session": token},
            trust_env=False,
        )


def _spec(
    base: str, paths: list[str], token: str, n_requests: int, concurrency: int, seconds: float
) -> dict[str, object]:
    return {
        "base_url": base,
        "paths": paths,
        "n_requests": n_requests,
        "concurrency": concurrency,
        "max_seconds": seconds,
        "headers": {"Authorization": f"Bearer {token}"},
        "cookies": {"regdev_session": token},
    }


def load(
    base: str,
    paths: list[str],
    token: str,
    *,
    n_requests: int,
    concurrency: int,
    seconds: float,
    **extra: object,
) -> dict[str, float]:
    spec = _spec(base, paths, token, n_requests, concurrency, seconds) | extra
    cpu0 = children_cpu()
    out = subprocess.run(
        [sys.executable, str(HERE / "_service_loadgen.py")],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    r: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    r["client_cpu_ms"] = 1000.0 * (children_cpu() - cpu0) / max(r["requests"], 1.0)
    r["load1"] = os.getloadavg()[0]
    return r


def _pg_url() -> str | None:
    from regdev.monitoring import testing

    return testing.pg_base_url()


def _count_lines(url: str, prefix: str) -> int:
    from sqlalchemy import func, select

    from regdev.monitoring.db import make_engine
    from regdev.monitoring.models import FactoryOperation

    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(
            select(func.count())
            .select_from(FactoryOperation)
            .where(FactoryOperation.line.like(f"{prefix}%"))
        ).scalar_one()
    engine.dispose()
    return int(n)


def writes(url: str, label: str, *, seconds: float, concurrency: int) -> dict[str, object]:
    """Sustained API writes, then the same during a login flood; every 201 must be stored.

    Writes are ``POST /api/v1/operations`` with a distinct production line each (one
    transaction, one audit entry per request).  The flood is a second load generator
    posting logins with rotating unknown usernames (4 connections) to a server with the
    production Argon2 cost (time 3, 64 MiB).
    """
    from regdev.monitoring.config import Settings
    from regdev.monitoring.dashboard._seed import seed_synthetic
    from regdev.monitoring.db import make_engine
    from regdev.monitoring.migrate import upgrade
    from regdev.monitoring.rules import last_finished_month

    engine = make_engine(url)
    upgrade(engine)
    seed_synthetic(
        engine,
        settings=Settings(database_url=url, argon2_time_cost=1, argon2_memory_cost=1024),
        n_months=2,
        lines_per_site=1,
        users={"bench": ("bench-password", "national", None)},
        rng=0,
    )
    engine.dispose()
    server = Server(url, cheap_hash=False)
    out: dict[str, object] = {"label": label}
    try:
        token = server.token()
        got = httpx.get(
            f"{server.base}/api/v1/sites?facility=factories&limit=1",
            headers={"Authorization": f"Bearer {token}"},
            trust_env=False,
            timeout=30.0,
        )
        if got.status_code != 200:
            server.stop()
            out = server.proc.stdout.read().decode() if server.proc.stdout else ""
            msg = f"listing sites answered {got.status_code}: {got.text[:500]}\n{out[-4000:]}"
            raise RuntimeError(msg)
        sites = got.json()["data"]
        y, m = last_finished_month()
        n_max = int(seconds * 2000)
        for phase, prefix in (("normal", "bench-w-"), ("flood", "bench-f-")):
            body = {
                "site_id": sites[0]["id"],
                "line": prefix + "{n}",
                "year": y,
                "month": m,
                "output": 10.0,
                "capacity": 20.0,
            }
            flood = None
            if phase == "flood":
                spec = _spec(server.base, ["/api/v1/login/access-token"], "", 10**6, 4, seconds + 3)
                spec |= {"mode": "post-login", "ok_status": 401, "headers": {}, "cookies": {}}
                flood = subprocess.Popen(
                    [sys.executable, str(HERE / "_service_loadgen.py")],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                assert flood.stdin is not None
                flood.stdin.write(json.dumps(spec))
                flood.stdin.close()
                time.sleep(1.0)  # the flood is running before the writes start
            cpu0 = server.cpu_seconds()
            r = load(
                server.base,
                ["/api/v1/operations"],
                token,
                n_requests=n_max,
                concurrency=concurrency,
                seconds=seconds,
                mode="post-json",
                body=body,
                ok_status=201,
            )
            if flood is not None:
                assert flood.stdout is not None
                fl = json.loads(flood.stdout.read().strip().splitlines()[-1])
                flood.wait(timeout=60)
                r["flood_logins_per_s"] = fl["rps"]
            r["server_cpu_ms"] = 1000.0 * (server.cpu_seconds() - cpu0) / max(r["requests"], 1.0)
            acknowledged = r["requests"] - r["failed"]
            r["stored"] = float(_count_lines(url, prefix))
            r["lost"] = acknowledged - r["stored"]
            out[phase] = r
    finally:
        server.stop()
    return out


def fmt(name: str, r: dict[str, float]) -> str:
    return (
        f"  {name:<22} {r['requests']:>7.0f} req  {r['failed']:>4.0f} failed  "
        f"{r['rps']:>8.1f} req/s  p50 {r['p50_ms']:>6.1f} ms  p95 {r['p95_ms']:>6.1f} ms  "
        f"p99 {r['p99_ms']:>6.1f} ms  server CPU {r.get('server_cpu_ms', float('nan')):>5.2f} ms/req"
    )


WRITE_TARGET_RPS = 100.0
WRITE_TARGET_P99_MS = 200.0


def write_benchmark(args: argparse.Namespace) -> None:
    """Writes on SQLite and (when reachable) PostgreSQL, normal and under a login flood."""
    from regdev.monitoring import testing

    results = []
    with tempfile.TemporaryDirectory(prefix="regdev-bench-w-") as tmp:
        results.append(
            writes(
                f"sqlite:///{Path(tmp) / 'writes.db'}",
                "SQLite",
                seconds=args.writes_seconds,
                concurrency=args.concurrency,
            )
        )
    if args.quick:
        print("writes on PostgreSQL skipped in --quick mode (a smoke run)")
    elif _pg_url() is not None:
        with testing.fresh_pg_schema(durable=True) as url:
            results.append(
                writes(url, "PostgreSQL", seconds=args.writes_seconds, concurrency=args.concurrency)
            )
    else:
        print(f"writes on PostgreSQL skipped: {testing.pg_skip_reason()}")
    print(
        f"writes: POST /api/v1/operations, {args.concurrency} connections, "
        f"{args.writes_seconds:.0f} s per phase, load average {os.getloadavg()[0]:.1f}"
    )
    lost = False
    for res in results:
        normal, flood = res["normal"], res["flood"]
        assert isinstance(normal, dict)
        assert isinstance(flood, dict)
        for phase, r in (("normal", normal), ("login flood", flood)):
            extra = (
                f"  ({r['flood_logins_per_s']:.1f} logins/s)" if "flood_logins_per_s" in r else ""
            )
            print(fmt(f"{res['label']} {phase}", r) + f"  lost {r['lost']:.0f}{extra}")
            lost = lost or r["lost"] != 0
        ratio = flood["rps"] / normal["rps"] if normal["rps"] else float("nan")
        ok = (
            normal["rps"] >= WRITE_TARGET_RPS
            and normal["p99_ms"] <= WRITE_TARGET_P99_MS
            and normal["failed"] == 0
        )
        print(
            f"target {res['label']} writes: >= {WRITE_TARGET_RPS:.0f}/s and p99 <= "
            f"{WRITE_TARGET_P99_MS:.0f} ms, nothing lost -> {'meets' if ok and not lost else 'MISSES'}; "
            f"under a login flood {ratio:.2f} x the normal rate "
            f"(target >= 0.5) -> {'meets' if ratio >= 0.5 else 'MISSES'}"
        )
    if lost:
        sys.exit(1)


IMPORT_HEALTH_MS = 100.0
#: Peak resident memory allowed to the server process during a bulk import (MiB): the
#: upload is spooled to disk and rows are read, checked and written 500 at a time, so
#: the peak does not grow with the file (same bound as tests/e2e/test_monitoring_import_load.py).
IMPORT_RSS_BOUND_MB = 400.0


def _status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _write_import_csv(path: Path, site_id: int, n: int) -> None:
    months = [(2025, m) for m in range(1, 13)]
    with path.open("w", encoding="utf-8") as fh:
        fh.write("site_id,line,year,month,output,capacity,unit,raw_local,raw_imported\n")
        k = line = 0
        while k < n:
            for y, m in months[: n - k]:
                fh.write(f"{site_id},line-{line:07d},{y},{m},10.5,20,t,3.5,1.25\n")
                k += 1
            line += 1


def import_benchmark(n_rows: int) -> bool:
    """A county user's bulk import of ``n_rows`` operations while /health is asked every 50 ms.

    Issue 16, defect 1: a 1,000,000-row CSV (41 MB) froze the server for 679 s and took
    its RSS to 6.7 GB.  Reports the import time, /health latency (p50/p99/max: the target
    is every answer within ``IMPORT_HEALTH_MS``), the server's peak RSS (VmHWM, bound
    ``IMPORT_RSS_BOUND_MB``) and checks that every row is stored.
    """
    import threading

    from regdev.monitoring import testing
    from regdev.monitoring.db import make_engine, make_session_factory, session_scope
    from regdev.monitoring.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="regdev-bench-import-") as tmp:
        db = Path(tmp) / "import.db"
        url = f"sqlite:///{db}"
        engine = make_engine(url)
        upgrade(engine)
        with session_scope(make_session_factory(engine), write=True) as s:
            site_id = testing.build_world(s).site_a1.id
        engine.dispose()
        csv_path = Path(tmp) / "ops.csv"
        _write_import_csv(csv_path, site_id, n_rows)
        size_mb = csv_path.stat().st_size / 2**20
        server = Server(db, cheap_hash=True)
        result: dict[str, object] = {}
        latencies: list[float] = []
        rss_kib: list[int] = []
        try:
            login = httpx.post(
                f"{server.base}/api/v1/login/access-token",
                data={"username": "county_a1", "password": testing.PASSWORD},
                timeout=60,
                trust_env=False,
            )
            token = login.json()["access_token"]
            rss0 = _status_kib(server.proc.pid, "VmRSS")

            def upload() -> None:
                t0 = time.monotonic()
                with csv_path.open("rb") as fh, httpx.Client(timeout=7200, trust_env=False) as c:
                    r = c.post(
                        f"{server.base}/api/v1/operations/import",
                        headers={"Authorization": f"Bearer {token}"},
                        files={"file": ("ops.csv", fh, "text/csv")},
                    )
                result["status"], result["body"] = r.status_code, r.text[:300]
                result["seconds"] = time.monotonic() - t0

            t = threading.Thread(target=upload)
            with httpx.Client(timeout=30, trust_env=False) as probe:
                probe.get(f"{server.base}/api/v1/health")
                t.start()
                while t.is_alive():
                    t0 = time.perf_counter()
                    r = probe.get(f"{server.base}/api/v1/health")
                    latencies.append((time.perf_counter() - t0) * 1000.0)
                    if r.status_code != 200:
                        latencies[-1] = float("inf")
                    rss_kib.append(_status_kib(server.proc.pid, "VmRSS"))
                    time.sleep(0.05)
            t.join()
            peak_kib = _status_kib(server.proc.pid, "VmHWM")
        finally:
            server.stop()
        stored = _count_lines(url, "line-")
    xs = sorted(latencies)
    p50, p99, worst = xs[len(xs) // 2], xs[int(0.99 * (len(xs) - 1))], xs[-1]
    over = sum(x > IMPORT_HEALTH_MS for x in xs)
    print(
        f"import: {n_rows:,} rows ({size_mb:.1f} MiB CSV) as a county user -> HTTP "
        f"{result.get('status')} in {result.get('seconds', float('nan')):.0f} s "
        f"({n_rows / max(float(result.get('seconds', 1) or 1), 1e-9):,.0f} rows/s), {stored:,} rows stored; "
        f"{loadavg()}"
    )
    print(
        f"  /health asked {len(xs)} times during the import: p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
        f"max {worst:.1f} ms, {over} over {IMPORT_HEALTH_MS:.0f} ms"
    )
    print(
        f"  server RSS: {rss0 / 1024:.0f} MiB before, {max(rss_kib, default=0) / 1024:.0f} MiB "
        f"highest sampled, peak (VmHWM) {peak_kib / 1024:.0f} MiB; bound {IMPORT_RSS_BOUND_MB:.0f} MiB"
    )
    ok = (
        result.get("status") == 201
        and stored == n_rows
        and worst <= IMPORT_HEALTH_MS
        and peak_kib / 1024 <= IMPORT_RSS_BOUND_MB
    )
    print(
        f"target import: every /health within {IMPORT_HEALTH_MS:.0f} ms, peak RSS <= "
        f"{IMPORT_RSS_BOUND_MB:.0f} MiB, all rows stored -> {'meets' if ok else 'MISSES'}"
    )
    return result.get("status") == 201 and stored == n_rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny smoke run (for the test suite)")
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--lines", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--requests", type=int, default=6000)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--writes-seconds", type=float, default=15.0, help="per write phase")
    ap.add_argument("--no-writes", action="store_true", help="skip the write benchmark")
    ap.add_argument("--no-reads", action="store_true", help="skip the read benchmark")
    ap.add_argument(
        "--import-rows",
        type=int,
        default=0,
        metavar="N",
        help="also run the bulk-import case with N rows (the issue's size: 1000000)",
    )
    ap.add_argument(
        "--compare-ref",
        metavar="GIT_REF",
        help="also measure the code of this git revision (e.g. the commit before the read "
        "path) on the same database, in the same run",
    )
    ap.add_argument(
        "--compare-switch",
        action="store_true",
        help="also measure this code with the direct list path off (REGDEV_FAST_READS=false)",
    )
    ap.add_argument(
        "--mixes",
        nargs="+",
        default=["api", "api-uncached", "dashboard", "dashboard-uncached"],
        help="read mixes to run",
    )
    args = ap.parse_args()
    if args.quick:
        args.months, args.lines, args.requests, args.seconds, args.concurrency = 6, 1, 60, 5.0, 4
        args.writes_seconds = 2.0
    if args.import_rows > 0 and not import_benchmark(args.import_rows):
        sys.exit(1)
    if not args.no_writes:
        write_benchmark(args)
    if args.no_reads:
        return
    with tempfile.TemporaryDirectory(prefix="regdev-bench-") as tmp:
        db = Path(tmp) / "bench.db"
        info = seed(db, months=args.months, lines=args.lines)
        regions = list(info["regions"])  # type: ignore[call-overload]
        print(
            f"seeded {len(regions)} regions x {args.months} months x {args.lines} lines = "
            f"{info['operations']:,} operation rows, {info['quality']:,} quality, "
            f"{info['surveys']:,} surveys in {info['seconds']:.1f} s"
        )
        paths = mixes(
            regions, tuple(info["last_month"]), 60 if not args.quick else 10, args.requests
        )  # type: ignore[arg-type]
        runs: dict[str, dict[str, dict[str, float]]] = {}
        variants: list[tuple[str, Path, Path | None, dict[str, str]]] = [("real", db, None, {})]
        if not args.no_baseline:
            base_db = Path(tmp) / "baseline.db"
            make_baseline(db, base_db)
            variants.insert(0, ("baseline (no index)", base_db, None, {}))
        if args.compare_ref:
            old = old_source(args.compare_ref, Path(tmp) / "old")
            variants.append((f"old code ({args.compare_ref})", db, old, {}))
        if args.compare_switch:
            variants.append(("read path off", db, None, {"REGDEV_FAST_READS": "false"}))
        mixes_run = [m for m in paths if m in args.mixes]
        for label, path, pythonpath, env_extra in variants:
            server = Server(path, workers=args.workers, pythonpath=pythonpath, env_extra=env_extra)
            try:
                token = server.token()
                runs[label] = {}
                for mix in mixes_run:
                    p = paths[mix]
                    warm(server.base, p, token)
                    cpu0 = server.cpu_seconds()
                    r = load(
                        server.base,
                        p,
                        token,
                        n_requests=args.requests,
                        concurrency=args.concurrency,
                        seconds=args.seconds,
                    )
                    r["server_cpu_ms"] = (
                        1000.0 * (server.cpu_seconds() - cpu0) / max(r["requests"], 1.0)
                    )
                    runs[label][mix] = r
            finally:
                server.stop()
        print(
            f"uvicorn {args.workers} worker(s), loopback, {args.concurrency} connections, "
            f"{os.cpu_count()} CPUs, {loadavg()} at the end (1/5/15 min; other users' "
            "processes share the CPUs, so req/s and latencies depend on them: the server "
            "CPU per request does not)"
        )
        for label, res in runs.items():
            print(f"{label}:")
            for mix, r in res.items():
                print(
                    fmt(mix, r)
                    + f"  client CPU {r['client_cpu_ms']:.2f} ms/req  load {r['load1']:.1f}"
                )
        for label in runs:
            if label == "real":
                continue
            print(f"ratios real / {label} (rps up is better; p99 and server CPU down are better):")
            for mix in mixes_run:
                b, c = runs[label][mix], runs["real"][mix]
                print(
                    f"  {mix:<22} rps x{c['rps'] / b['rps']:.2f}   p99 x{c['p99_ms'] / b['p99_ms']:.2f}"
                    f"   server CPU/req x{c['server_cpu_ms'] / b['server_cpu_ms']:.2f}"
                )
        print(
            "capacity estimate on idle cores (1000 / server CPU ms per request, per core): "
            + ", ".join(
                f"{mix} {1000.0 / r['server_cpu_ms']:.0f} req/s"
                for mix, r in runs["real"].items()
                if r.get("server_cpu_ms", 0) > 0
            )
        )
        real = runs["real"]
        for mix, r in real.items():
            ok = r["rps"] >= TARGET_RPS and r["p99_ms"] <= TARGET_P99_MS and r["failed"] == 0
            verdict = "meets" if ok else "MISSES"
            print(
                f"target {mix}: >= {TARGET_RPS:.0f} req/s and p99 <= {TARGET_P99_MS:.0f} ms -> "
                f"{verdict} (load {r['load1']:.1f})"
            )
        if any(r["failed"] for res in runs.values() for r in res.values()):
            sys.exit(1)


if __name__ == "__main__":
    main()
