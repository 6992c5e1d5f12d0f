"""OR-Library p-median instances (Beasley 1985, 1990): reader and cost matrix.

File format: a header ``n m p``, then ``m`` lines ``i j c`` (undirected edge,
1-based vertices, integer length).  The cost matrix is the all-pairs
shortest-path matrix (``scipy.sparse.csgraph.shortest_path``, Dijkstra).
**Repeated edges: the last occurrence wins** (Beasley's convention; taking the
minimum gives wrong, too low, optima — pmed1 would score 5718, not 5819).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import shortest_path

from regdev.errors import DataValidationError, Problem
from regdev.health.travel import edge_graph


@dataclass(frozen=True)
class PMedianInstance:
    """One OR-Library instance: name, ``p`` and the ``n × n`` cost matrix."""

    name: str
    p: int
    cost: npt.NDArray[np.float64]

    @property
    def n(self) -> int:
        """Number of vertices (clients = candidates)."""
        return int(self.cost.shape[0])


def read_orlib(path: str | os.PathLike[str]) -> PMedianInstance:
    """Read ``pmedN.txt`` and compute its shortest-path cost matrix.

    Raises
    ------
    DataValidationError
        A malformed header or edge line (``FILE:LINE:`` message).
    """
    file = str(path)
    lines = Path(path).read_text().split("\n")
    head = lines[0].split()
    if len(head) != 3 or not all(t.isdigit() for t in head):
        raise DataValidationError([Problem(file, 1, None, f"expected 'n m p', got {lines[0]!r}")])
    n, m, p = (int(t) for t in head)
    body = [ln.split() for ln in lines[1:] if ln.strip()]
    if len(body) < m:
        raise DataValidationError(
            [Problem(file, None, None, f"expected {m} edge lines, got {len(body)}")]
        )
    try:
        arr = np.array(body[:m], dtype=np.int64)
    except ValueError as exc:
        raise DataValidationError(
            [Problem(file, None, None, f"expected integer edge lines: {exc}")]
        ) from exc
    if arr.shape != (m, 3) or arr[:, :2].min() < 1 or arr[:, :2].max() > n:
        raise DataValidationError(
            [Problem(file, None, None, f"expected edges 'i j c' with 1 ≤ i, j ≤ {n}")]
        )
    graph = edge_graph(n, arr[:, 0] - 1, arr[:, 1] - 1, arr[:, 2].astype(float))
    cost = shortest_path(graph, method="D", directed=False)
    return PMedianInstance(Path(path).stem, p, np.asarray(cost, dtype=float))
