"""Where the chunks run: in this process, on a local Dask cluster, or on an existing one.

``scheduler`` is ``"serial"`` (no Dask), ``"local"`` (default: a
:class:`distributed.LocalCluster` of ``n_workers`` single-threaded processes, closed
afterwards) or the address of a running scheduler (``tcp://HOST:PORT``).
Results come back in chunk order whatever order the workers finish in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from regdev.errors import ConfigError
from regdev.simulation.chunks import ChunkResult, run_chunk
from regdev.simulation.model import ModelArrays

ProgressFn = Callable[[int, int], None]


def chunk_plan(
    n_scenarios: int, chunk_size: int, seed: int
) -> list[tuple[int, np.random.SeedSequence, int]]:
    """The chunks of a run: (index, seed sequence, size); fixed by seed and chunk size only.

    Examples
    --------
    >>> [(i, n) for i, _s, n in chunk_plan(1100, 500, 7)]
    [(0, 500), (1, 500), (2, 100)]
    """
    if n_scenarios < 1 or chunk_size < 1:
        msg = f"scenarios and chunk size must be >= 1; got {n_scenarios} and {chunk_size}"
        raise ConfigError(msg)
    n_chunks = -(-n_scenarios // chunk_size)
    seqs = np.random.SeedSequence(seed).spawn(n_chunks)
    sizes = [min(chunk_size, n_scenarios - i * chunk_size) for i in range(n_chunks)]
    return [(i, seqs[i], sizes[i]) for i in range(n_chunks)]


def _local_cluster(factory: Any, n_workers: int) -> Any:
    """A local cluster whose workers keep glibc's adaptive malloc thresholds.

    Dask's nanny sets ``MALLOC_TRIM_THRESHOLD_`` in the workers' environment; setting it
    switches off glibc's dynamic mmap threshold, so every temporary array of a chunk is
    mapped and faulted in afresh (measured: 1.6 times the CPU of the same chunks in this
    process).  The thread limits Dask sets (``OMP_NUM_THREADS`` ...) are kept.  For an
    external cluster, start the workers without that variable for the same effect.
    """
    import dask

    env = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}) or {})
    env.pop("MALLOC_TRIM_THRESHOLD_", None)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": env}):
        return factory(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,
        )


def run_chunks(
    m: ModelArrays,
    chunks: list[tuple[int, np.random.SeedSequence, int]],
    *,
    scheduler: str = "local",
    n_workers: int = 2,
    progress: ProgressFn | None = None,
) -> list[ChunkResult]:
    """Run every chunk and return the results in chunk order."""
    total = len(chunks)
    say = progress or (lambda done, tot: None)
    if scheduler == "serial":
        out = []
        for k, (i, s, n) in enumerate(chunks):
            out.append(run_chunk(m, i, s, n))
            say(k + 1, total)
        return out
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # pragma: no cover - the scale extra is missing
        msg = "Dask is not installed: pip install 'regdev[scale]' or use --scheduler serial"
        raise ConfigError(msg) from exc
    cluster: Any = None
    if scheduler == "local":
        cluster = _local_cluster(LocalCluster, n_workers)
        client = Client(cluster)  # type: ignore[no-untyped-call]
    elif scheduler.startswith(("tcp://", "tls://", "inproc://", "ws://", "wss://")):
        try:
            client = Client(scheduler, timeout="20s")  # type: ignore[no-untyped-call]
        except OSError as exc:
            msg = f"cannot reach the Dask scheduler at {scheduler}: {exc}"
            raise ConfigError(msg) from exc
    else:
        msg = f"--scheduler: expected 'local', 'serial' or tcp://HOST:PORT; got {scheduler!r}"
        raise ConfigError(msg)
    try:
        [m_future] = client.scatter([m], broadcast=True)  # type: ignore[no-untyped-call]
        futures = [client.submit(run_chunk, m_future, i, s, n, pure=False) for i, s, n in chunks]
        results: dict[int, ChunkResult] = {}
        for k, fut in enumerate(as_completed(futures)):  # type: ignore[no-untyped-call]
            res = fut.result()
            results[res.index] = res
            fut.release()
            say(k + 1, total)
        return [results[i] for i, _s, _n in chunks]
    finally:
        client.close()  # type: ignore[no-untyped-call]
        if cluster is not None:
            cluster.close()
