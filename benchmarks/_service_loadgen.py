"""Bounded loopback HTTP load generator for ``bench_service.py``.

Runs in its own process (the benchmark starts it with ``multiprocessing`` "spawn"),
so the client does not share a core's GIL with the server process.  Bounded three
ways: a total request count, a wall-clock cap and a fixed concurrency.  Refuses any
host that is not a loopback address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import statistics
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx


@dataclass(frozen=True)
class LoadResult:
    n_ok: int
    n_failed: int
    elapsed_s: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return (self.n_ok + self.n_failed) / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        xs = sorted(self.latencies_ms)
        k = min(len(xs) - 1, max(0, round(q / 100.0 * (len(xs) - 1))))
        return xs[k]

    def summary(self) -> dict[str, float]:
        return {
            "requests": float(self.n_ok + self.n_failed),
            "failed": float(self.n_failed),
            "rps": self.rps,
            "p50_ms": self.pct(50),
            "p95_ms": self.pct(95),
            "p99_ms": self.pct(99),
            "mean_ms": statistics.fmean(self.latencies_ms) if self.latencies_ms else float("nan"),
        }


def check_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    ok = host == "localhost"
    if not ok:
        try:
            ok = ipaddress.ip_address(host).is_loopback
        except ValueError:
            ok = False
    if not ok:
        msg = f"load generator only targets loopback hosts; got {host!r}"
        raise ValueError(msg)


async def _run(
    base_url: str,
    paths: list[str],
    *,
    n_requests: int,
    concurrency: int,
    max_seconds: float,
    cookies: dict[str, str],
    headers: dict[str, str],
    mode: str = "get",
    body: dict[str, object] | None = None,
    ok_status: int = 200,
) -> LoadResult:
    latencies: list[float] = []
    failed = 0
    counter = 0
    deadline = time.perf_counter() + max_seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base_url,
        cookies=cookies,
        headers=headers,
        limits=limits,
        timeout=10.0,
        trust_env=False,
    ) as client:

        async def worker() -> None:
            nonlocal counter, failed
            while True:
                if counter >= n_requests or time.perf_counter() > deadline:
                    return
                path = paths[counter % len(paths)]
                n = counter
                counter += 1
                t0 = time.perf_counter()
                try:
                    if mode == "post-json":  # a unique record per request ({n} in strings)
                        doc = {
                            k: v.format(n=n) if isinstance(v, str) else v
                            for k, v in (body or {}).items()
                        }
                        resp = await client.post(path, json=doc)
                    elif mode == "post-login":  # rotating unknown usernames (a login flood)
                        resp = await client.post(
                            path, data={"username": f"flood-{n}", "password": "wrong"}
                        )
                    else:
                        resp = await client.get(path)
                    await resp.aread()
                    good = resp.status_code == ok_status
                except httpx.HTTPError:
                    good = False
                dt_ms = (time.perf_counter() - t0) * 1000.0
                if good:
                    latencies.append(dt_ms)
                else:
                    failed += 1

        t_start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - t_start
    return LoadResult(len(latencies), failed, elapsed, latencies)


def run_load(
    base_url: str,
    paths: list[str],
    *,
    n_requests: int,
    concurrency: int,
    max_seconds: float,
    cookies: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    mode: str = "get",
    body: dict[str, object] | None = None,
    ok_status: int = 200,
) -> dict[str, float]:
    """Fire at most ``n_requests`` requests (round-robin over ``paths``) and summarise.

    ``mode``: ``get``; ``post-json`` (``body`` with ``{n}`` replaced by the request's
    number in string values, so each request creates a distinct record); ``post-login``
    (form logins with rotating unknown usernames).  A request counts as good when it
    answers ``ok_status``.
    """
    check_loopback(base_url)
    result = asyncio.run(
        _run(
            base_url,
            paths,
            n_requests=n_requests,
            concurrency=concurrency,
            max_seconds=max_seconds,
            cookies=cookies or {},
            headers=headers or {},
            mode=mode,
            body=body,
            ok_status=ok_status,
        )
    )
    return result.summary()


def main() -> None:
    """``python _service_loadgen.py < spec.json``: run one bounded load, print JSON."""
    import json
    import sys

    spec = json.loads(sys.stdin.read())
    summary = run_load(
        spec["base_url"],
        spec["paths"],
        n_requests=int(spec["n_requests"]),
        concurrency=int(spec["concurrency"]),
        max_seconds=float(spec["max_seconds"]),
        cookies=spec.get("cookies"),
        headers=spec.get("headers"),
        mode=spec.get("mode", "get"),
        body=spec.get("body"),
        ok_status=int(spec.get("ok_status", 200)),
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
