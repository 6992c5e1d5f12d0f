"""Build a MILP family by family: named column blocks and named row blocks → :class:`MilpModel`.

A model is a list of *variable families* (blocks of columns: bounds, cost,
integrality, names) and *constraint families* (blocks of rows: sparse entries
in COO form, row bounds, names, up to two integer keys per row kept for
explanations).  The ``define_*`` functions of a model each add one family;
:meth:`MatrixBuilder.build` assembles the whole matrix once.

Example
-------
The knapsack ``max 3a + 2b`` s.t. ``a + b ≤ 1``::

>>> import numpy as np
>>> m = MatrixBuilder("knapsack", sense="maximize")
>>> m.add_columns("pick", lower=np.zeros(2), upper=np.ones(2), cost=np.array([3.0, 2.0]),
...               integer=True, names=["pick[a]", "pick[b]"])
0
>>> m.add_rows("room", np.zeros(2, dtype=np.int64), np.arange(2), np.ones(2),
...            np.array([-np.inf]), np.array([1.0]), None, ["room[all]"])
0
>>> model = m.build()
>>> model.n_rows, model.n_cols, model.families, list(model.lp.row_names_)
(1, 2, ('room',), ['room[all]'])
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from regdev._milp.result import Sense
from regdev.errors import InternalError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_BLANKS = " \t\n\r\v\f"
_WHITESPACE = re.compile(f"[{re.escape(_BLANKS)}]")


def mps_names(names: Sequence[str]) -> list[str]:
    """Names usable in a free-format MPS file (every blank — space, tab, line break — → ``_``).

    One scan of all names joined; only when it finds a blank are the names
    rewritten one by one (model names rarely contain any).
    """
    out = list(names)
    joined = "".join(out)
    if not any(c in joined for c in _BLANKS):
        return out
    return [_WHITESPACE.sub("_", n) for n in out]


@dataclass(frozen=True, eq=False)
class MilpModel:
    """An assembled MILP: the HiGHS model plus the arrays to check and explain a solution.

    Attributes
    ----------
    name : str
        Model name (also in the MPS file).
    sense : {"minimize", "maximize"}
    lp : highspy.HighsLp
        Column-wise matrix, bounds, costs, integrality, sense and names.
    matrix : scipy.sparse.csr_matrix
        The constraint matrix (rows × columns).
    objective, col_lower, col_upper : numpy.ndarray
        Costs and column bounds (``±inf`` for none).
    integer : numpy.ndarray of bool
        Which columns are integer.
    row_lower, row_upper : numpy.ndarray
        Row bounds (``±inf`` for none).
    row_family : numpy.ndarray of int
        Family of every row (an index into ``families``).
    families : tuple of str
        Constraint families, in the order they were declared or first used.
    row_key : numpy.ndarray of int, shape (m, 2)
        Up to two integer keys per row (``-1`` where unused), set by the family.
    col_blocks : mapping of str to (int, int)
        First and one-past-last column of every variable family.
    """

    name: str
    sense: Sense
    lp: highspy.HighsLp
    matrix: sp.csr_matrix
    objective: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray
    integer: BoolArray
    row_lower: FloatArray
    row_upper: FloatArray
    row_family: npt.NDArray[np.int16]
    families: tuple[str, ...]
    row_key: IntArray
    col_blocks: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def n_cols(self) -> int:
        """Number of variables."""
        return int(self.objective.size)

    @property
    def n_rows(self) -> int:
        """Number of constraints."""
        return int(self.row_lower.size)

    @property
    def nnz(self) -> int:
        """Non-zeros of the constraint matrix."""
        return int(self.matrix.nnz)

    @property
    def n_integer(self) -> int:
        """Number of integer (incl. binary) variables."""
        return int(self.integer.sum())

    @property
    def row_names(self) -> list[str]:
        """Row names (as in the MPS file)."""
        return list(self.lp.row_names_)

    @property
    def col_names(self) -> list[str]:
        """Column names (as in the MPS file)."""
        return list(self.lp.col_names_)

    def rows_of(self, family: str) -> IntArray:
        """Row indices of one constraint family (empty when it has none)."""
        if family not in self.families:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(self.row_family == self.families.index(family)).astype(np.int64)

    def block(self, family: str) -> slice:
        """The columns of one variable family as a slice."""
        start, stop = self.col_blocks[family]
        return slice(start, stop)


class MatrixBuilder:
    """Collects column blocks and row blocks; :meth:`build` makes the :class:`MilpModel`.

    Parameters
    ----------
    name : str
        Model name.
    sense : {"minimize", "maximize"}
    families : sequence of str, optional
        Constraint families declared up front (their order fixes the family
        codes); a family first used in :meth:`add_rows` is appended.
    """

    def __init__(self, name: str, *, sense: Sense = "minimize", families: Sequence[str] = ()):
        self.name = name
        self.sense: Sense = sense
        self.families: list[str] = list(families)
        self.col_blocks: dict[str, tuple[int, int]] = {}
        self._col_lower: list[FloatArray] = []
        self._col_upper: list[FloatArray] = []
        self._col_cost: list[FloatArray] = []
        self._col_int: list[BoolArray] = []
        self._col_names: list[str] = []
        self._rows: list[IntArray] = []
        self._cols: list[IntArray] = []
        self._vals: list[FloatArray] = []
        self._row_lower: list[FloatArray] = []
        self._row_upper: list[FloatArray] = []
        self._row_family: list[npt.NDArray[np.int16]] = []
        self._row_key: list[IntArray] = []
        self._row_names: list[str] = []
        self.n_rows = 0
        self.n_cols = 0

    # ------------------------------------------------------------- columns
    def add_columns(
        self,
        family: str,
        *,
        lower: npt.ArrayLike,
        upper: npt.ArrayLike,
        cost: npt.ArrayLike,
        integer: bool | npt.ArrayLike,
        names: Sequence[str],
    ) -> int:
        """Append a block of columns; return the index of its first column.

        Parameters
        ----------
        family : str
            Variable family (unique), e.g. ``"x"``.
        lower, upper, cost : array-like, shape (k,)
            Bounds (``±inf`` for none) and objective coefficients.
        integer : bool or array-like of bool
            Integrality of the whole block or of each column.
        names : sequence of str, length k
            Column names (whitespace becomes ``_``).
        """
        if family in self.col_blocks:
            msg = f"variable family {family!r} added twice"
            raise InternalError(msg)
        lo = np.asarray(lower, dtype=float).ravel()
        k = lo.size
        hi = np.asarray(upper, dtype=float).ravel()
        c = np.asarray(cost, dtype=float).ravel()
        ints = np.broadcast_to(np.asarray(integer, dtype=bool), (k,)).copy()
        if not (hi.size == c.size == len(names) == k):
            msg = f"variable family {family!r}: bounds, costs and names differ in length"
            raise InternalError(msg)
        start = self.n_cols
        self._col_lower.append(lo)
        self._col_upper.append(hi)
        self._col_cost.append(c)
        self._col_int.append(ints)
        self._col_names.extend(mps_names(names))
        self.n_cols += k
        self.col_blocks[family] = (start, self.n_cols)
        return start

    def column_array(self, what: str) -> FloatArray:
        """Current ``"lower"``, ``"upper"`` or ``"cost"`` of every column, in order."""
        parts = {"lower": self._col_lower, "upper": self._col_upper, "cost": self._col_cost}[what]
        return np.concatenate(parts) if parts else np.zeros(0)

    # ---------------------------------------------------------------- rows
    def add_rows(
        self,
        family: str,
        local_row: npt.ArrayLike,
        col: npt.ArrayLike,
        val: npt.ArrayLike,
        lower: npt.ArrayLike,
        upper: npt.ArrayLike,
        keys: npt.ArrayLike | None,
        names: Sequence[str],
    ) -> int:
        """Append a block of rows of one family; return the index of its first row.

        Parameters
        ----------
        family : str
            Constraint family, e.g. ``"capacity"``.
        local_row, col, val : array-like
            Matrix entries: row (0-based within this block), column, coefficient.
            Entries repeated at one position are summed.
        lower, upper : array-like, shape (k,)
            Row bounds (``±inf`` for none).
        keys : array-like of int, shape (k,) or (k, 1|2), or None
            Up to two integer keys per row (kept for explanations).
        names : sequence of str, length k
            Row names (whitespace becomes ``_``).
        """
        lo = np.asarray(lower, dtype=float).ravel()
        k = lo.size
        start = self.n_rows
        if k == 0:
            return start
        hi = np.asarray(upper, dtype=float).ravel()
        if hi.size != k or len(names) != k:
            msg = f"constraint family {family!r}: {k} lower bounds, {hi.size} upper, {len(names)} names"
            raise InternalError(msg)
        if family not in self.families:
            self.families.append(family)
        key = np.full((k, 2), -1, dtype=np.int64)
        if keys is not None:
            given = np.asarray(keys, dtype=np.int64).reshape(k, -1)[:, :2]
            key[:, : given.shape[1]] = given
        self._rows.append(np.asarray(local_row, dtype=np.int64).ravel() + start)
        self._cols.append(np.asarray(col, dtype=np.int64).ravel())
        self._vals.append(np.asarray(val, dtype=float).ravel())
        self._row_lower.append(lo)
        self._row_upper.append(hi)
        self._row_family.append(np.full(k, self.families.index(family), dtype=np.int16))
        self._row_key.append(key)
        self._row_names.extend(mps_names(names))
        self.n_rows += k
        return start

    # --------------------------------------------------------------- build
    def build(self) -> MilpModel:
        """Assemble the sparse matrix and the :class:`highspy.HighsLp` (CSC, column-wise)."""
        n_rows, n_cols = self.n_rows, self.n_cols
        if self._rows:
            rows = np.concatenate(self._rows)
            cols = np.concatenate(self._cols)
            vals = np.concatenate(self._vals)
            row_lower = np.concatenate(self._row_lower)
            row_upper = np.concatenate(self._row_upper)
            row_family = np.concatenate(self._row_family)
            row_key = np.concatenate(self._row_key)
        else:
            rows = cols = np.zeros(0, np.int64)
            vals = row_lower = row_upper = np.zeros(0)
            row_family = np.zeros(0, np.int16)
            row_key = np.zeros((0, 2), np.int64)
        if cols.size and (cols.min() < 0 or cols.max() >= n_cols):
            msg = f"model {self.name!r}: a matrix entry names a column outside 0…{n_cols - 1}"
            raise InternalError(msg)
        csc = sp.csc_matrix((vals, (rows, cols)), shape=(n_rows, n_cols))
        csc.sum_duplicates()
        csc.sort_indices()
        col_lower = self.column_array("lower")
        col_upper = self.column_array("upper")
        cost = self.column_array("cost")
        integer = np.concatenate(self._col_int) if self._col_int else np.zeros(0, dtype=bool)
        inf = highspy.kHighsInf
        lp = highspy.HighsLp()
        lp.num_col_ = n_cols
        lp.num_row_ = n_rows
        lp.col_cost_ = cost
        lp.col_lower_ = col_lower
        lp.col_upper_ = col_upper
        lp.row_lower_ = np.where(np.isfinite(row_lower), row_lower, -inf)
        lp.row_upper_ = np.where(np.isfinite(row_upper), row_upper, inf)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
        lp.a_matrix_.index_ = csc.indices.astype(np.int32)
        lp.a_matrix_.value_ = csc.data.astype(float)
        lp.a_matrix_.num_col_ = n_cols
        lp.a_matrix_.num_row_ = n_rows
        lp.sense_ = (
            highspy.ObjSense.kMaximize if self.sense == "maximize" else highspy.ObjSense.kMinimize
        )
        kint, kcont = highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous
        lp.integrality_ = [kint if b else kcont for b in integer.tolist()]
        lp.model_name_ = self.name
        lp.col_names_ = list(self._col_names)
        lp.row_names_ = list(self._row_names)
        return MilpModel(
            name=self.name,
            sense=self.sense,
            lp=lp,
            matrix=csc.tocsr(),
            objective=cost,
            col_lower=col_lower,
            col_upper=col_upper,
            integer=integer,
            row_lower=row_lower,
            row_upper=row_upper,
            row_family=row_family,
            families=tuple(self.families),
            row_key=row_key,
            col_blocks=dict(self.col_blocks),
        )
