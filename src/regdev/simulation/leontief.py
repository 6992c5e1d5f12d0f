"""Regional input-output algebra (Leontief, Type II: households closed in), via pymrio.

The regional table (``data/io_table.csv``) gives the transactions ``Z`` (rows sell to
columns) between agriculture, industry, commerce and households and each sector's total
output ``x``.  Technical coefficients ``A = Z x^-1`` and the Leontief inverse
``L = (I - A)^-1`` are computed with :func:`pymrio.calc_A` and :func:`pymrio.calc_L`
(the IO algebra of the field library, Stadler 2021); the simulator then applies ``L``
to every scenario, county and year at once with one ``einsum``.

With households as the last "sector" (their row is labour income, their column local
consumption), ``L @ d`` for a first-round injection ``d`` gives the direct, indirect
and induced effects together (Miller & Blair 2009, section 6.1); the household
component is the change in household income.

Examples
--------
A two-sector hand case (agriculture and households):

>>> import pandas as pd
>>> z = pd.DataFrame([[10.0, 20.0], [50.0, 0.0]], index=["a", "h"], columns=["a", "h"])
>>> x = pd.Series([100.0, 100.0], index=["a", "h"])
>>> m = leontief_from_transactions(z, x)
>>> m.A.round(3).tolist()
[[0.1, 0.2], [0.5, 0.0]]
>>> # det(I - A) = 0.9 - 0.1 = 0.8; L = [[1, 0.2], [0.5, 0.9]] / 0.8
>>> m.L.round(4).tolist()
[[1.25, 0.25], [0.625, 1.125]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from regdev.errors import ConfigError


@dataclass(frozen=True)
class IOModel:
    """Technical coefficients and Leontief inverse of a (closed) regional table.

    Attributes
    ----------
    sectors : tuple of str
    A : numpy.ndarray
        Technical coefficients, shape (n, n).
    L : numpy.ndarray
        Leontief inverse ``(I - A)^-1``, shape (n, n).
    jobs_per_kusd : numpy.ndarray
        Jobs per thousand USD of output by sector (0 for households).
    """

    sectors: tuple[str, ...]
    A: np.ndarray
    L: np.ndarray
    jobs_per_kusd: np.ndarray

    def output_multipliers(self) -> np.ndarray:
        """Type II output multipliers: column sums of ``L`` over the producing sectors."""
        return np.asarray(self.L[:-1, :].sum(axis=0))

    def income_multipliers(self) -> np.ndarray:
        """Household income per unit of final demand of each sector (last row of ``L``)."""
        return self.L[-1, :].copy()


def leontief_from_transactions(
    z: pd.DataFrame, x: pd.Series, jobs_per_kusd: pd.Series | None = None
) -> IOModel:
    """Build :class:`IOModel` from transactions ``z`` and total outputs ``x`` with pymrio.

    Raises
    ------
    ConfigError
        When ``I - A`` is singular or the inverse has negative entries (not productive).
    """
    try:
        import pymrio
    except ImportError as exc:  # pragma: no cover - the simulation extra is missing
        msg = "pymrio is not installed: pip install 'regdev[simulation]'"
        raise ConfigError(msg) from exc

    a = pymrio.calc_A(z, x)
    n = len(x)
    a_arr = np.asarray(a, dtype=float)
    if np.max(np.abs(np.linalg.eigvals(a_arr))) >= 1.0:
        msg = "input-output table: spectral radius of A >= 1 (the economy is not productive)"
        raise ConfigError(msg)
    lmat = np.asarray(pymrio.calc_L(a), dtype=float)
    if np.any(lmat < -1e-12):
        msg = "input-output table: the Leontief inverse has negative entries"
        raise ConfigError(msg)
    jobs = np.zeros(n) if jobs_per_kusd is None else np.asarray(jobs_per_kusd, dtype=float).copy()
    return IOModel(tuple(str(s) for s in x.index), a_arr, lmat, jobs)


def io_model(table: pd.DataFrame) -> IOModel:
    """The :class:`IOModel` of a table as read by :func:`~regdev.simulation.coefficients.read_io_table`."""
    sectors = list(table.index)
    z = table.loc[sectors, sectors]
    return leontief_from_transactions(z, table["total_output"], table["jobs_per_kusd"])
