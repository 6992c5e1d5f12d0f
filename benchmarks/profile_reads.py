"""Profile the uncached API read path in process (pyinstrument), without HTTP.

Seeds the benchmark's database (``bench_service.seed``: every county x ``--months``
months x ``--lines`` lines), builds the application and sends ``--requests`` requests
of the benchmark's ``api-uncached`` mix straight to the ASGI application (8 at a time).
Prints the CPU time per request; with ``--profile`` the worker-thread calls are run
inline (pyinstrument samples one thread) and the call tree is written to
``--out`` (text) — the profile that showed where the read path's time went
(docs/security.md, "The read and write paths").

Usage: python benchmarks/profile_reads.py [--requests N] [--profile] [--only operations]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_service  # noqa: E402


async def _one(app: Any, token: str, path: str) -> int:
    p, _, q = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": p,
        "raw_path": p.encode(),
        "query_string": q.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def _run(app: Any, token: str, paths: list[str]) -> float:
    for p in paths[:50]:  # warm-up (compiled statements, lazily built routes)
        await _one(app, token, p)
    sem = asyncio.Semaphore(8)

    async def limited(p: str) -> int:
        async with sem:
            return await _one(app, token, p)

    t0 = time.process_time()
    codes = await asyncio.gather(*(limited(p) for p in paths))
    cpu = time.process_time() - t0
    bad = [c for c in codes if c != 200]
    if bad:
        msg = f"{len(bad)} requests failed (statuses {sorted(set(bad))})"
        raise RuntimeError(msg)
    return 1000.0 * cpu / len(paths)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--lines", type=int, default=3)
    ap.add_argument("--only", help="only paths containing this text (e.g. operations)")
    ap.add_argument("--profile", action="store_true", help="run under pyinstrument")
    ap.add_argument("--out", type=Path, default=Path("profile_reads.txt"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="regdev-profile-") as tmp:
        db = Path(tmp) / "bench.db"
        info = bench_service.seed(db, months=args.months, lines=args.lines)
        os.environ |= {
            "REGDEV_SECRET_KEY": "bench-secret-0123456789abcdef",
            "REGDEV_DATABASE_URL": f"sqlite:///{db}",
        }
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from regdev.monitoring import auth
        from regdev.monitoring.app import create_app
        from regdev.monitoring.models import User

        app = create_app()
        with Session(app.state.engine) as s:
            user = s.execute(select(User).where(User.username == "bench")).scalar_one()
            token = auth.create_token(user, settings=app.state.settings)
        regions = list(info["regions"])  # type: ignore[call-overload]
        mix = bench_service.mixes(regions, tuple(info["last_month"]), 60, args.requests * 4)  # type: ignore[arg-type]
        paths = [p for p in mix["api-uncached"] if not args.only or args.only in p]
        paths = paths[: args.requests]
        if not args.profile:
            ms = asyncio.run(_run(app, token, paths))
            print(f"{len(paths)} uncached API reads: {ms:.2f} ms CPU per request (in process)")
            return
        import anyio.to_thread
        from pyinstrument import Profiler

        async def inline(fn: Any, *a: Any, **_: Any) -> Any:  # one thread for the sampler
            return fn(*a)

        anyio.to_thread.run_sync = inline  # type: ignore[assignment]
        profiler = Profiler(interval=0.0005, async_mode="disabled")
        profiler.start()
        ms = asyncio.run(_run(app, token, paths))
        profiler.stop()
        args.out.write_text(profiler.output_text(unicode=False, color=False))
        print(f"{len(paths)} requests, {ms:.2f} ms CPU each under the profiler; tree in {args.out}")


if __name__ == "__main__":
    main()
