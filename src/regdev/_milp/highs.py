"""The HiGHS run: a quiet instance, the options, a start, and a MILP solve → :class:`SolveResult`."""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
from collections.abc import Iterator

import highspy
import numpy as np
import numpy.typing as npt

from regdev._milp.builder import MilpModel
from regdev._milp.certificate import certify
from regdev._milp.result import SolveResult, SolveStatus, relative_gap, status_of

_BANNER_DONE = False


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence C-level stdout (HiGHS prints a banner when the first instance is created)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):  # not a real file (e.g. captured by pytest)
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


def new_highs(*, verbose: bool = False) -> highspy.Highs:
    """A :class:`highspy.Highs` instance, silent unless ``verbose``.

    The banner HiGHS prints when the first instance of a process is created is
    suppressed (stdout redirected to ``/dev/null`` for that one construction).
    """
    global _BANNER_DONE  # noqa: PLW0603  # the banner is printed once per process
    if not _BANNER_DONE:
        with _quiet_stdout():
            h = highspy.Highs()  # type: ignore[no-untyped-call]  # untyped in highspy
        _BANNER_DONE = True
    else:
        h = highspy.Highs()  # type: ignore[no-untyped-call]  # untyped in highspy
    if not verbose:
        h.setOptionValue("output_flag", False)
    return h


def highs_version() -> str:
    """HiGHS version text, e.g. ``"1.16.0"``."""
    h = new_highs()
    return f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"


def configure(
    h: highspy.Highs,
    *,
    time_limit: float | None = None,
    mip_rel_gap: float | None = None,
    threads: int | None = None,
    random_seed: int | None = 0,
) -> None:
    """Set the usual options (``None`` leaves an option as it is).

    Parameters
    ----------
    time_limit : float, optional
        Seconds (at least 0.01 is passed, so a spent budget still runs one step).
    mip_rel_gap : float, optional
        Relative gap at which branch and bound stops.
    threads : int, optional
        Worker threads; ``None`` or 0 lets HiGHS decide.
    random_seed : int, optional
        HiGHS's random seed (fixed by default: same inputs, same result).
    """
    if time_limit is not None:
        h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    if mip_rel_gap is not None:
        h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    if random_seed is not None:
        h.setOptionValue("random_seed", int(random_seed))
    if threads:
        h.setOptionValue("threads", int(threads))


def set_start(h: highspy.Highs, x: npt.ArrayLike) -> None:
    """Hand HiGHS a (feasible) column vector as its starting incumbent."""
    sol = highspy.HighsSolution()
    sol.col_value = np.asarray(x, dtype=float).tolist()
    sol.value_valid = True
    h.setSolution(sol)


def snap(model: MilpModel, values: npt.ArrayLike) -> np.ndarray:
    """``values`` with the integer columns rounded to the nearest integer."""
    x = np.asarray(values, dtype=float).copy()
    x[model.integer] = np.round(x[model.integer])
    return x


def solve(
    model: MilpModel,
    *,
    time_limit: float = 60.0,
    mip_rel_gap: float = 1e-6,
    threads: int | None = None,
    random_seed: int = 0,
    start: npt.ArrayLike | None = None,
    verbose: bool = False,
    highs: highspy.Highs | None = None,
) -> SolveResult:
    """Solve ``model`` with HiGHS branch and bound.

    Parameters
    ----------
    model : MilpModel
    time_limit, mip_rel_gap, threads, random_seed
        See :func:`configure`.
    start : array-like, optional
        A feasible column vector used as the first incumbent.
    verbose : bool
        Show the HiGHS log.
    highs : highspy.Highs, optional
        An instance that already holds ``model`` (e.g. after a relaxation);
        by default a new quiet one is made and the model passed to it.

    Returns
    -------
    SolveResult
        ``x`` has its integer columns snapped to integers; ``objective`` is
        the objective of that ``x``; ``bound`` is HiGHS's dual bound; ``gap``
        is :func:`relative_gap` (for a proven optimum, at most HiGHS's own
        gap); ``certificate`` re-checks ``x`` against the model.
    """
    h = highs
    if h is None:
        h = new_highs(verbose=verbose)
        h.passModel(model.lp)
    configure(
        h, time_limit=time_limit, mip_rel_gap=mip_rel_gap, threads=threads, random_seed=random_seed
    )
    if start is not None and np.asarray(start).size == model.n_cols:
        set_start(h, start)
    t0 = time.perf_counter()
    h.run()
    elapsed = time.perf_counter() - t0
    info = h.getInfo()
    has = int(info.primal_solution_status) == 2  # kSolutionStatusFeasible
    status, raw = status_of(h, has_solution=has)
    version = f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"
    if not has:
        nan = math.nan
        return SolveResult(status, nan, nan, nan, elapsed, None, "mip", version, raw)
    x = snap(model, h.getSolution().col_value)
    objective = float(model.objective @ x)
    bound = float(info.mip_dual_bound)
    if not math.isfinite(bound) and status == SolveStatus.OPTIMAL:
        bound = objective
    gap = relative_gap(objective, bound, model.sense)
    if status == SolveStatus.OPTIMAL and math.isfinite(info.mip_gap):
        gap = min(gap, float(info.mip_gap))
    return SolveResult(
        status, objective, bound, gap, elapsed, x, "mip", version, raw, certify(model, x)
    )
