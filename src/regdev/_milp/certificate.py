"""A feasibility certificate: a solution re-checked against the model, independently of the solver."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from regdev._milp.builder import MilpModel

WORST_FLOOR = 1e-9
"""Scaled violations up to this are floating-point noise: no row or column is named for them."""


@dataclass(frozen=True)
class Certificate:
    """How far a solution is from satisfying its model (0 everywhere when it does).

    Attributes
    ----------
    max_violation : float
        Largest absolute violation of a row bound (``A x`` against
        ``row_lower``/``row_upper``) or a column bound.
    max_scaled_violation : float
        The same, each violation divided by ``max(1, |bound|)`` of the bound it violates.
    max_integrality_violation : float
        Largest distance of an integer column from the nearest integer.
    worst : str or None
        Name of the row or column with the largest scaled violation (``None``
        when no scaled violation exceeds :data:`WORST_FLOOR`).
    """

    max_violation: float
    max_scaled_violation: float
    max_integrality_violation: float
    worst: str | None

    def ok(self, tol: float = 1e-6) -> bool:
        """Whether every scaled violation and the integrality violation are at most ``tol``."""
        return self.max_scaled_violation <= tol and self.max_integrality_violation <= tol

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (as stored in ``plan.json``)."""
        return {
            "max_violation": self.max_violation,
            "max_scaled_violation": self.max_scaled_violation,
            "max_integrality_violation": self.max_integrality_violation,
            "worst": self.worst,
        }


def _excess(
    value: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Absolute and scaled violation of ``lower ≤ value ≤ upper`` per entry."""
    with np.errstate(invalid="ignore"):
        below = np.where(np.isfinite(lower), lower - value, 0.0)
        above = np.where(np.isfinite(upper), value - upper, 0.0)
    below = np.maximum(below, 0.0)
    above = np.maximum(above, 0.0)
    absolute = np.maximum(below, above)
    scale = np.where(
        below >= above,
        np.maximum(1.0, np.abs(np.where(np.isfinite(lower), lower, 0.0))),
        np.maximum(1.0, np.abs(np.where(np.isfinite(upper), upper, 0.0))),
    )
    return absolute, absolute / scale


def certify(model: MilpModel, x: npt.ArrayLike) -> Certificate:
    """Re-check ``x`` against every row and column bound of ``model`` and its integrality.

    Parameters
    ----------
    model : MilpModel
    x : array-like, shape (n_cols,)

    Returns
    -------
    Certificate

    Examples
    --------
    >>> import numpy as np
    >>> from regdev._milp import MatrixBuilder
    >>> m = MatrixBuilder("t")
    >>> m.add_columns("v", lower=[0, 0], upper=[1, 1], cost=[1, 1], integer=True, names=["a", "b"])
    0
    >>> m.add_rows("sum", [0, 0], [0, 1], [1, 1], [-np.inf], [1.0], None, ["sum[0]"])
    0
    >>> model = m.build()
    >>> certify(model, [1, 0]).ok()
    True
    >>> c = certify(model, [1, 1])
    >>> c.max_violation, c.worst
    (1.0, 'sum[0]')
    """
    values = np.asarray(x, dtype=float)
    if values.shape != (model.n_cols,):
        msg = f"solution has shape {values.shape}; the model has {model.n_cols} columns"
        raise ValueError(msg)
    act = model.matrix @ values
    row_abs, row_scaled = _excess(act, model.row_lower, model.row_upper)
    col_abs, col_scaled = _excess(values, model.col_lower, model.col_upper)
    ints = values[model.integer]
    integrality = float(np.abs(ints - np.round(ints)).max()) if ints.size else 0.0
    max_abs = max(float(row_abs.max(initial=0.0)), float(col_abs.max(initial=0.0)))
    worst_row = float(row_scaled.max(initial=0.0))
    worst_col = float(col_scaled.max(initial=0.0))
    worst: str | None = None
    if max(worst_row, worst_col) > WORST_FLOOR:
        if worst_row >= worst_col:
            worst = str(model.lp.row_names_[int(row_scaled.argmax())])
        else:
            worst = str(model.lp.col_names_[int(col_scaled.argmax())])
    if not math.isfinite(max_abs):
        max_abs = math.inf
    return Certificate(
        max_violation=max_abs,
        max_scaled_violation=max(worst_row, worst_col),
        max_integrality_violation=integrality,
        worst=worst,
    )
