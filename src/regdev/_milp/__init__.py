"""The one modelling layer of regdev's optimisation models (internal).

Both MILPs of the package — the rollout planner (:mod:`regdev.planning`) and the
factory designer (:mod:`regdev.design`) — are built and solved through this
module, so they share one way of doing each step:

* :class:`MatrixBuilder` — columns added by variable family and rows by
  constraint family, every row and column named; :meth:`MatrixBuilder.build`
  assembles the sparse matrix once (COO → CSC, no Python loop over entries)
  into a frozen :class:`MilpModel` holding the :class:`highspy.HighsLp`;
* :func:`new_highs` / :func:`configure` / :func:`solve` — a quiet HiGHS
  instance (its banner suppressed once per process), the time limit, gap,
  threads and seed, and a MILP run that returns a :class:`SolveResult`;
* :class:`SolveStatus` — the one status vocabulary (``optimal``,
  ``feasible``, ``infeasible``, ``no_solution``, ``unbounded``, ``error``)
  and :func:`relative_gap`, the one gap formula;
* :func:`certify` — a feasibility certificate: the returned solution
  re-checked against the matrix, the row and column bounds and integrality,
  independently of the solver;
* :func:`write_mps` — the model as free MPS, written atomically.

Why not linopy (STYLE.md)?  Both models are built vectorised from numpy index
arrays straight into one sparse matrix, which is what HiGHS takes; linopy's
xarray layer would add a copy and a dependency without removing code.  The
family/row-name bookkeeping linopy offers is what :class:`MatrixBuilder` keeps.

This module imports only numpy, scipy and highspy (and :mod:`regdev._atomic`,
:mod:`regdev.errors`): it knows nothing of regions, plans or factories.
"""

from __future__ import annotations

from regdev._milp.builder import MatrixBuilder, MilpModel
from regdev._milp.certificate import Certificate, certify
from regdev._milp.highs import configure, highs_version, new_highs, set_start, solve
from regdev._milp.mps import write_mps
from regdev._milp.result import SolveResult, SolveStatus, relative_gap, status_of

__all__ = [
    "Certificate",
    "MatrixBuilder",
    "MilpModel",
    "SolveResult",
    "SolveStatus",
    "certify",
    "configure",
    "highs_version",
    "new_highs",
    "relative_gap",
    "set_start",
    "solve",
    "status_of",
    "write_mps",
]
