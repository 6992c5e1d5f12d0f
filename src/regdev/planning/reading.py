"""Read a plan folder back into a :class:`~regdev.planning.plan.Plan`.

:func:`read_plan` rebuilds the problem from the scenario stored in
``plan.json`` and the region registry, checks that the input hash matches,
and takes the schedule from ``schedule.csv`` (no re-solve), so explanations
refer to exactly the plan that was written.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from regdev._milp import SolveStatus, certify
from regdev.errors import ConfigError, DataValidationError, NotFoundError, Problem
from regdev.planning.history import Fact, HistoryConflictWarning
from regdev.planning.model import build_model
from regdev.planning.plan import Plan
from regdev.planning.problem import build_problem
from regdev.planning.scenario import Scenario

if TYPE_CHECKING:
    from regdev.registry import RegionRegistry


def _num(value: object) -> float:
    return float(value) if isinstance(value, int | float) else float("nan")


def read_plan(plan_dir: str | os.PathLike[str], registry: RegionRegistry | None = None) -> Plan:
    """Read the plan folder ``plan_dir`` (written by :func:`regdev.pipeline.write_plan`).

    Parameters
    ----------
    plan_dir : path-like
        The folder with ``plan.json`` and ``schedule.csv``.
    registry : RegionRegistry, optional
        The regions the plan was made for (default: the embedded country).

    Returns
    -------
    Plan
        With the stored status, objective, bound and gap, the schedule of
        ``schedule.csv``, a freshly built model and the schedule's
        feasibility certificate against that model.

    Raises
    ------
    NotFoundError
        When the folder has no ``plan.json``.
    ConfigError
        When the registry or scenario differ from those of the plan (input hash).
    DataValidationError
        When ``schedule.csv`` names assignments the model does not allow.
    """
    from regdev.registry import load_default

    folder = Path(plan_dir)
    path = folder / "plan.json"
    try:
        stored = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        msg = f"{path}: no plan here; run `regdev plan --out {folder}` first"
        raise NotFoundError(msg) from None
    reg = load_default() if registry is None else registry
    history = stored.get("history") or {}
    actuals = [Fact(**f) for f in history.get("facts", []) if f.get("source") == "actuals"]
    with warnings.catch_warnings():
        # the conflicts were reported when the plan was made (plan.json["history"])
        warnings.simplefilter("ignore", HistoryConflictWarning)
        problem = build_problem(
            reg,
            Scenario.model_validate(stored["scenario"]),
            actuals=actuals or None,
            actuals_source=history.get("actuals_source"),
            open_from=history.get("open_from"),
        )
    if problem.input_hash != stored.get("input_hash"):
        msg = (
            f"{path}: the plan was made from other inputs (input hash "
            f"{str(stored.get('input_hash'))[:12]}…, now {problem.input_hash[:12]}…); "
            "pass the same --regions file"
        )
        raise ConfigError(msg)
    sched_path = folder / "schedule.csv"
    sched = pd.read_csv(sched_path, dtype={"region_id": str, "facility": str})
    x = np.zeros((problem.n_regions, problem.n_facilities, problem.n_years), dtype=bool)
    pos = {rid: k for k, rid in enumerate(problem.region_ids)}
    problems: list[Problem | str] = []
    allowed = problem.allowed()
    for row, rec in enumerate(sched.itertuples(index=False), start=2):
        rid, fac, year = str(rec.region_id), str(rec.facility), int(rec.year)
        if rid not in pos or fac not in problem.facilities or year not in problem.years:
            problems.append(
                Problem(str(sched_path), row, "region_id", f"unknown assignment {rid}/{fac}/{year}")
            )
            continue
        i, f, t = pos[rid], problem.facilities.index(fac), problem.years.index(year)
        if not allowed[i, f, t]:
            problems.append(
                Problem(
                    str(sched_path),
                    row,
                    "year",
                    f"{rid}/{fac} in {year} is not allowed by the model",
                )
            )
        x[i, f, t] = True
    status_text = str(stored.get("status"))
    if status_text not in {s.value for s in SolveStatus}:
        expected = ", ".join(s.value for s in SolveStatus)
        problems.append(
            Problem(str(path), None, "status", f"expected one of {expected}; got {status_text!r}")
        )
    if problems:
        raise DataValidationError(problems)
    solver = dict(stored.get("solver") or {})
    model = build_model(problem)
    return Plan(
        problem=problem,
        status=SolveStatus(status_text),
        objective=_num(stored.get("objective")),
        bound=_num(stored.get("bound")),
        gap=_num(stored.get("gap")),
        solve_time_s=_num(stored.get("solve_time_s")),
        build_time_s=float("nan"),
        method=str(stored.get("method", "")),
        solver=solver,
        model=model,
        greedy_objective=None
        if stored.get("greedy_objective") is None
        else _num(stored.get("greedy_objective")),
        x_=x,
        certificate=certify(model.milp, model.to_columns(x)),
    )
