"""Bounded loopback HTTP load generator for ``bench_service.py``.

Runs in its own process (the benchmark starts it as a subprocess), so the client does
not share a GIL with the server process.  Bounded three ways: a total request count, a
wall-clock cap and a fixed concurrency.  Refuses any host that is not a loopback
address.

Two clients: ``raw`` (default), a minimal HTTP/1.1 keep-alive client on asyncio streams
(uvloop when installed), and ``httpx``.  Both send the same requests and read every
response in full (``Content-Length`` or chunked) before checking its status.  On a
2-core machine the client competes with the server for the CPU: httpx spent about
2 ms of CPU per request, more than the server it measured, so the raw client (about
a tenth of that) is the default; the benchmark prints the client's CPU per request.
"""

from __future__ import annotations

import asyncio
import ipaddress
import statistics
import time
from dataclasses import dataclass
from typing import Any
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


class _RawConnection:
    """One keep-alive HTTP/1.1 connection (reopened after errors or ``Connection: close``)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, data: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(data)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, chunked, close = 0, False, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = b"close" in value.lower()
        if chunked:
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        elif length:
            await self.reader.readexactly(length)
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _request_bytes(
    method: str, path: str, host: str, headers: dict[str, str], body: bytes, ctype: str
) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {host}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    if method != "GET":
        lines += [f"Content-Type: {ctype}", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _run_raw(
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
    import json
    from urllib.parse import urlencode

    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    hdrs = dict(headers)
    if cookies:
        hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    latencies: list[float] = []
    failed = 0
    counter = 0
    deadline = time.perf_counter() + max_seconds

    def message(n: int) -> bytes:
        path = paths[n % len(paths)]
        if mode == "post-json":  # a unique record per request ({n} in strings)
            doc = {k: v.format(n=n) if isinstance(v, str) else v for k, v in (body or {}).items()}
            return _request_bytes(
                "POST", path, parts.netloc, hdrs, json.dumps(doc).encode(), "application/json"
            )
        if mode == "post-login":  # rotating unknown usernames (a login flood)
            form = urlencode({"username": f"flood-{n}", "password": "wrong"}).encode()
            return _request_bytes(
                "POST", path, parts.netloc, hdrs, form, "application/x-www-form-urlencoded"
            )
        return _request_bytes("GET", path, parts.netloc, hdrs, b"", "")

    async def worker() -> None:
        nonlocal counter, failed
        conn = _RawConnection(host, port)
        while counter < n_requests and time.perf_counter() <= deadline:
            n = counter
            counter += 1
            data = message(n)
            t0 = time.perf_counter()
            try:
                good = await asyncio.wait_for(conn.request(data), 10.0) == ok_status
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                conn.close()
                good = False
            dt_ms = (time.perf_counter() - t0) * 1000.0
            if good:
                latencies.append(dt_ms)
            else:
                failed += 1
        conn.close()

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
    client: str = "raw",
) -> dict[str, float]:
    """Fire at most ``n_requests`` requests (round-robin over ``paths``) and summarise.

    ``mode``: ``get``; ``post-json`` (``body`` with ``{n}`` replaced by the request's
    number in string values, so each request creates a distinct record); ``post-login``
    (form logins with rotating unknown usernames).  A request counts as good when it
    answers ``ok_status``.
    """
    check_loopback(base_url)
    runner = _run_raw if client == "raw" else _run
    try:
        import uvloop

        loop_factory: Any = uvloop.new_event_loop
    except ImportError:  # pragma: no cover - uvloop is a service dependency
        loop_factory = None
    with asyncio.Runner(loop_factory=loop_factory) as aio:
        result = aio.run(
            runner(
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
        client=spec.get("client", "raw"),
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
