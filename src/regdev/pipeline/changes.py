"""``changes.csv``: what moved, was added or dropped against the previous plan, and why (issue 10).

One row per (region, facility) whose year differs between the previous plan's
``schedule.csv`` and the new plan: ``change`` is ``moved``, ``added`` or
``dropped``; ``reason_code`` says why in a stable, machine-readable word
(:data:`regdev.planning.history.REASONS`) and ``reason`` in English prose, from what the actuals established
(:class:`regdev.planning.history.Fact`), the closed years, or the re-optimisation.
The report translates the reasons (:func:`regdev.planning.history.reason_text`,
domain ``history``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from regdev.errors import DataValidationError, NotFoundError, Problem
from regdev.planning.history import reason_text

if TYPE_CHECKING:
    from regdev.planning import Plan

CHANGE_COLUMNS = [
    "region_id",
    "facility",
    "change",
    "old_year",
    "new_year",
    "reason_code",
    "reason",
]
"""Columns of ``changes.csv``."""


def read_previous_schedule(plan_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """``schedule.csv`` of a previous plan folder (``region_id, facility, year``).

    Raises
    ------
    NotFoundError
        No ``schedule.csv`` in ``plan_dir``.
    DataValidationError
        Missing columns.
    """
    path = Path(plan_dir) / "schedule.csv"
    if not path.is_file():
        msg = f"--previous {plan_dir}: no schedule.csv; expected a folder written by `regdev plan`"
        raise NotFoundError(msg)
    frame = pd.read_csv(path, dtype={"region_id": str, "facility": str})
    missing = [c for c in ("region_id", "facility", "year") if c not in frame.columns]
    if missing:
        msg = f"missing column(s) {', '.join(missing)}"
        raise DataValidationError([Problem(str(path), 1, ",".join(missing), msg)])
    return frame[["region_id", "facility", "year"]]


def _fact_reason(fact: dict[str, Any], as_of: str | None) -> tuple[str, dict[str, Any]]:
    state, slip = fact["state"], int(fact.get("slip_days") or 0)
    source, year = fact["source"], fact["year"]
    when = fact.get("date") or year
    if state == "built":
        return "built", {"source": source, "when": when, "year": year}
    if state == "under_construction":
        return "under_construction", {"slip": slip, "source": source, "when": when}
    if state == "late":
        return "late", {"as_of": as_of, "slip": slip, "source": source, "year": year}
    if state == "cancelled":
        return "cancelled", {"source": source}
    return "other_fact", {"state": state, "source": source}


def plan_changes(previous: pd.DataFrame, plan: Plan, *, as_of: str | None = None) -> pd.DataFrame:
    """The changes of ``plan`` against the ``previous`` schedule, with the reason of each.

    Parameters
    ----------
    previous : pandas.DataFrame
        ``region_id, facility, year`` of the previous plan.
    plan : Plan
        The new plan (with a solution).
    as_of : str, optional
        The date of the actuals (for the reasons).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CHANGE_COLUMNS`, sorted by region and facility; ``reason`` in
        English; ``attrs["reason_args"]`` holds each row's reason arguments, for
        :func:`reason_text` in the report's language.

    Examples
    --------
    >>> import pandas as pd
    >>> from regdev.planning import build_problem, load_scenario, plan_rollout
    >>> from regdev.registry import toy_region
    >>> sc = load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})
    >>> new = plan_rollout(build_problem(toy_region(), sc))
    >>> old = new.schedule[["region_id", "facility", "year"]].copy()
    >>> plan_changes(old, new).empty
    True
    >>> old.loc[0, "year"] += 1
    >>> plan_changes(old, new)[["change", "old_year", "new_year"]].iloc[0].tolist()
    ['moved', 2025, 2024]
    """
    sched = plan.schedule_frame(allow_feasible=True)
    new = {(str(r.region_id), str(r.facility)): int(r.year) for r in sched.itertuples()}
    old = {(str(r.region_id), str(r.facility)): int(r.year) for r in previous.itertuples()}
    meta = plan.problem.metadata.get("history") or {}
    facts = {(f["region_id"], f["facility"]): f for f in meta.get("facts", [])}
    open_from = meta.get("open_from")
    left = {
        (str(r.region_id), str(r.facility)): str(r.reason)
        for r in plan.left_out(allow_feasible=True).itertuples()
    }
    rows = []
    reason_args: list[dict[str, Any]] = []
    for key in sorted(set(new) | set(old)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        change = "moved" if a is not None and b is not None else "added" if a is None else "dropped"
        fact = facts.get(key)
        args: dict[str, Any]
        if fact is not None:
            code, args = _fact_reason(fact, as_of)
        elif change == "dropped" and key in left:
            code, args = "left_out", {"why": left[key]}
        elif change == "dropped":
            code, args = "not_candidate", {}
        elif a is not None and open_from is not None and a < open_from:
            code, args = "year_passed", {"year": a, "since": as_of or open_from}
        else:
            code, args = "reoptimised", {}
        reason_args.append(args)
        rows.append(
            {
                "region_id": key[0],
                "facility": key[1],
                "change": change,
                "old_year": a,
                "new_year": b,
                "reason_code": code,
                "reason": reason_text(code, args, "en"),
            }
        )
    frame = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    frame["old_year"] = frame["old_year"].astype("Int64")
    frame["new_year"] = frame["new_year"].astype("Int64")
    frame.attrs["reason_args"] = reason_args
    return frame
