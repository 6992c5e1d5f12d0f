"""A large bulk import against a real server: /health keeps answering, memory stays bounded.

Issue 16, defect 1: a county user's 1,000,000-row CSV (41 MB, under the 50 MiB cap) froze
the server for 679 s (``/health`` never answered) and took RSS to 6.7 GB.  Here a real
``regdev serve`` (uvicorn, SQLite file) imports ``REGDEV_TEST_IMPORT_ROWS`` rows (default
200,000 to keep the suite short; ``REGDEV_TEST_IMPORT_ROWS=1000000`` for the issue's size,
which ``benchmarks/bench_service.py --import-rows`` also measures) while a second client
asks ``/health`` every 50 ms.  The test asserts the 99th percentile within 100 ms, every
answer within 5 s (before the fix none came until the import ended, minutes later) and the server's peak
RSS (VmHWM) under ``RSS_BOUND_MB``, which does not grow with the file: the upload is
spooled to disk and the rows are read, checked and written 500 at a time.  The strict
"every answer within 100 ms" is a speed target, so it is measured by the benchmark (test
timings on a shared machine include other processes' scheduling).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from regdev.monitoring import testing
from regdev.monitoring.db import make_engine, make_session_factory, session_scope
from regdev.monitoring.migrate import upgrade

pytestmark = pytest.mark.slow

N_ROWS = int(os.environ.get("REGDEV_TEST_IMPORT_ROWS", "200000"))
#: Peak resident memory allowed to the server process during the import (MiB).
RSS_BOUND_MB = 400
HEALTH_P99_S = 0.100
HEALTH_MAX_S = 5.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _write_csv(path: Path, site_id: int, n: int) -> None:
    months = [(2025, m) for m in range(1, 13)]
    with path.open("w", encoding="utf-8") as fh:
        fh.write("site_id,line,year,month,output,capacity,unit,raw_local,raw_imported\n")
        k = line = 0
        while k < n:
            for y, m in months[: n - k]:
                fh.write(f"{site_id},line-{line:07d},{y},{m},10.5,20,t,3.5,1.25\n")
                k += 1
            line += 1


def test_large_import_keeps_health_fast_and_memory_bounded(tmp_path: Path) -> None:
    db = tmp_path / "load.db"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    with session_scope(make_session_factory(engine), write=True) as s:
        site_id = testing.build_world(s).site_a1.id
    engine.dispose()
    csv_path = tmp_path / "ops.csv"
    _write_csv(csv_path, site_id, N_ROWS)
    size_mb = csv_path.stat().st_size / 2**20
    assert size_mb < 50

    port = _free_port()
    env = {**os.environ, "REGDEV_ENVIRONMENT": "development"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "regdev", "serve", "--port", str(port), "--db", str(db)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        token = httpx.post(
            f"{base}/login/access-token",
            data={"username": "county_a1", "password": testing.PASSWORD},
            timeout=60,
        ).json()["access_token"]
        result: dict[str, object] = {}

        def upload() -> None:
            t0 = time.monotonic()
            with csv_path.open("rb") as fh, httpx.Client(timeout=3600) as c:
                r = c.post(
                    f"{base}/operations/import",
                    headers={"Authorization": f"Bearer {token}"},
                    files={"file": ("ops.csv", fh, "text/csv")},
                )
            result["status"], result["body"] = r.status_code, r.text[:500]
            result["seconds"] = time.monotonic() - t0

        latencies: list[float] = []
        spikes: list[tuple[float, float]] = []
        t_start = time.monotonic()
        peak_kib = 0
        t = threading.Thread(target=upload)
        with httpx.Client(timeout=10) as probe:
            probe.get(f"{base}/health")
            t.start()
            while t.is_alive():
                t0 = time.perf_counter()
                r = probe.get(f"{base}/health")
                latencies.append(time.perf_counter() - t0)
                spikes.append((round(time.monotonic() - t_start, 1), round(latencies[-1] * 1000)))
                assert r.status_code == 200
                peak_kib = max(peak_kib, _status_kib(proc.pid, "VmHWM"))
                time.sleep(0.05)
        t.join()
        peak_kib = max(peak_kib, _status_kib(proc.pid, "VmHWM"))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert result["status"] == 201, result
    print("slowest (s since start, ms):", sorted(spikes, key=lambda x: -x[1])[:8])
    latencies.sort()
    worst = latencies[-1]
    p99 = latencies[int(0.99 * (len(latencies) - 1))]
    print(
        f"\n{N_ROWS} rows ({size_mb:.1f} MiB) imported in {result['seconds']:.0f} s; "
        f"/health asked {len(latencies)} times: p99 {p99 * 1000:.1f} ms, max {worst * 1000:.1f} ms; "
        f"server peak RSS {peak_kib / 1024:.0f} MiB"
    )
    assert p99 < HEALTH_P99_S, f"/health p99 {p99 * 1000:.0f} ms"
    assert worst < HEALTH_MAX_S, f"/health took {worst * 1000:.0f} ms"
    assert peak_kib / 1024 < RSS_BOUND_MB
