"""Kill the server (SIGKILL) during bulk imports: no acknowledged record is lost and no
batch is half-imported.

A real ``regdev serve`` subprocess (uvicorn) on a free loopback port, on a SQLite file
(WAL, synchronous=FULL) and on PostgreSQL (fresh schema, default durability).  A client uploads CSV batches one after another;
while a batch is in flight the server is killed.  Afterwards every batch the server
acknowledged (HTTP 201) is present with all its rows, every stored batch is complete,
no row lacks its batch, and the audit chain verifies.  The server then restarts on the
same file and keeps serving.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from regdev.monitoring import audit, testing
from regdev.monitoring.db import make_engine, make_session_factory, session_scope
from regdev.monitoring.migrate import upgrade
from regdev.monitoring.models import FactoryOperation, ImportBatch

ROWS_PER_BATCH = 1500


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(db: Path | str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "REGDEV_ENVIRONMENT": "development"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "regdev",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--db",
            str(db),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
        if proc.poll() is not None:
            pytest.fail(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
    proc.kill()
    pytest.fail("server did not start within 30 s")


def _batch_csv(site_id: int, k: int) -> str:
    lines = ["site_id,line,year,month,output,capacity,raw_local,raw_imported"]
    for i in range(ROWS_PER_BATCH):
        # finished months only (issue 16: one set of domain rules): vary the line instead
        line, month = f"line-{k}-{i // 12}", i % 12 + 1
        lines.append(f"{site_id},{line},2025,{month},{k % 100}.5,100,{i % 7},{i % 3}")
    return "\n".join(lines)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database the server subprocess can open: a SQLite file, or a fresh PostgreSQL
    schema with the server's default durability (no test-only settings)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kill.db'}"
        return
    if testing.pg_base_url() is None:
        pytest.skip(testing.pg_skip_reason())
    with testing.fresh_pg_schema() as url:
        yield url.split("%20-csynchronous_commit")[0]


def test_sigkill_during_bulk_import_loses_nothing_acknowledged(db_url: str) -> None:
    db = db_url
    engine = make_engine(db)
    upgrade(engine)
    with session_scope(make_session_factory(engine), write=True) as s:
        world = testing.build_world(s)
        site_id = world.site_a1.id
    engine.dispose()

    port = _free_port()
    proc = _start(db, port)
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        token = httpx.post(
            f"{base}/login/access-token",
            data={"username": "nat", "password": testing.PASSWORD},
            timeout=30,
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        acknowledged: dict[int, int] = {}  # batch id -> k
        in_flight = threading.Event()
        died_in_flight = threading.Event()
        stop = threading.Event()

        def uploader() -> None:
            k = 0
            with httpx.Client(timeout=60) as client:
                while not stop.is_set():
                    k += 1
                    in_flight.set()
                    try:
                        r = client.post(
                            f"{base}/operations/import",
                            headers=headers,
                            files={"file": (f"b{k}.csv", _batch_csv(site_id, k), "text/csv")},
                        )
                    except httpx.TransportError:
                        died_in_flight.set()
                        return  # server died mid-request: this batch was never acknowledged
                    if r.status_code == 201:
                        acknowledged[r.json()["id"]] = k
                    else:  # pragma: no cover - shown if the import itself fails
                        stop.set()
                        raise AssertionError(r.text)

        t = threading.Thread(target=uploader)
        t.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(acknowledged) >= 2, "uploads too slow"
        # kill while the next batch is being processed
        time.sleep(0.25)
    except BaseException:
        proc.kill()  # never leave a server behind when the test fails early
        proc.wait(timeout=10)
        raise
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    stop.set()
    t.join(timeout=30)
    assert died_in_flight.is_set(), "the kill did not interrupt an upload"

    engine = make_engine(db)
    with make_session_factory(engine)() as s:
        batches = {b.id: b for b in s.execute(select(ImportBatch)).scalars()}
        for bid, k in acknowledged.items():
            assert bid in batches, f"acknowledged batch {bid} lost"
            rows = (
                s.execute(select(FactoryOperation).where(FactoryOperation.batch_id == bid))
                .scalars()
                .all()
            )
            assert len(rows) == ROWS_PER_BATCH
            assert {r.line for r in rows} == {f"line-{k}-{i // 12}" for i in range(ROWS_PER_BATCH)}
        for bid, b in batches.items():
            n = s.execute(
                select(func.count())
                .select_from(FactoryOperation)
                .where(FactoryOperation.batch_id == bid)
            ).scalar_one()
            assert n == b.n_rows == ROWS_PER_BATCH, f"batch {bid} is half-imported"
        total = s.execute(select(func.count()).select_from(FactoryOperation)).scalar_one()
        assert total == ROWS_PER_BATCH * len(batches)
        assert audit.verify_chain(s).ok
    print(
        f"acknowledged {len(acknowledged)} batches; stored {len(batches)} complete batches "
        f"({total} rows); no partial batch"
    )
    engine.dispose()

    # the server comes back on the same file and keeps serving
    proc = _start(db, port)
    try:
        r = httpx.get(f"{base}/import-batches", headers=headers, timeout=30)
        assert r.status_code == 200
        assert r.json()["count"] == len(batches)
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_concurrent_writers_on_sqlite_all_succeed(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    db = tmp_path / "conc.db"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    with session_scope(make_session_factory(engine), write=True) as s:
        world = testing.build_world(s)
        site_id = world.site_a1.id
    engine.dispose()
    port = _free_port()
    proc = _start(db, port)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        token = httpx.post(
            f"{base}/login/access-token",
            data={"username": "nat", "password": testing.PASSWORD},
            timeout=30,
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        def post(i: int) -> int:
            body = {
                "site_id": site_id,
                "line": f"w{i % 8}",
                "year": 2025 + i // 96,
                "month": i // 8 % 12 + 1,
                "output": 1.0,
                "capacity": 2.0,
            }
            return httpx.post(
                f"{base}/operations", headers=headers, json=body, timeout=60
            ).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(post, range(48)))
        assert codes == [201] * 48
        v = httpx.get(f"{base}/audit/verify", headers=headers, timeout=30).json()
        assert v["ok"], v
    finally:
        proc.kill()
        proc.wait(timeout=10)
