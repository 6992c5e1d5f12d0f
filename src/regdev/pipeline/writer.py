"""Write a :class:`~regdev.pipeline.result.PlanResult` as a plan folder — and nothing else.

A pure writer: it serialises what the pipeline computed.  It does not solve,
discover plugins, or import the designer or the report (the result carries the
design's tables and the rendered ``report.html``).

Files: ``plan.json``, ``schedule.csv``, ``facilities.csv``, ``dossiers.json``,
``model.mps`` (the planner's part, :mod:`regdev.planning.output`), then every
table of ``result.tables`` (floats with 6 significant digits) and
``report.html``.  The folder is built in a temporary sibling and renamed into
place (:func:`regdev._atomic.atomic_directory`): all files or none.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from regdev._atomic import atomic_directory
from regdev.errors import InternalError
from regdev.planning.output import build_plan_json, content_hash, csv_text, dumps, write_mps

if TYPE_CHECKING:
    from regdev.pipeline.result import PlanResult

CORE_FILES: tuple[str, ...] = (
    "plan.json",
    "schedule.csv",
    "facilities.csv",
    "dossiers.json",
    "model.mps",
    "report.html",
)
"""Files the writer owns; a table may not take one of these names."""

TABLE_FLOAT_FORMAT = "%.6g"
"""Float format of the extra tables (design tables: 6 significant digits)."""


def write_plan(result: PlanResult, out_dir: str | os.PathLike[str]) -> Path:
    """Write the plan folder ``out_dir`` atomically (all files or none).

    Parameters
    ----------
    result : PlanResult
        From :func:`regdev.plan`; its plan must have a solution (optimal, or
        ``feasible`` at a time limit: its status and gap are in ``plan.json``).
    out_dir : path-like
        Destination folder; replaced as a whole.

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    NotSolvedError
        When the plan has no solution.
    """
    plan = result.plan
    schedule = plan.schedule_frame(allow_feasible=True)
    for name in result.tables:
        if "/" in name or os.sep in name or name in CORE_FILES or not name.endswith(".csv"):
            msg = f"plan result table {name!r}: expected a plain *.csv name other than {CORE_FILES}"
            raise InternalError(msg)
    plan_json = build_plan_json(plan, schedule)
    if result.extensions:
        plan_json["extensions"] = {k: dict(v) for k, v in result.extensions.items()}
    plan_json["content_hash"] = content_hash(plan_json)
    with atomic_directory(out_dir) as tmp:
        (tmp / "plan.json").write_text(dumps(plan_json), encoding="utf-8")
        (tmp / "schedule.csv").write_text(csv_text(schedule), encoding="utf-8")
        facilities = (
            plan.problem.facilities_table if result.facilities is None else result.facilities
        )
        (tmp / "facilities.csv").write_text(csv_text(facilities), encoding="utf-8")
        (tmp / "dossiers.json").write_text(dumps(list(result.dossiers)), encoding="utf-8")
        write_mps(plan, tmp / "model.mps")
        for name, frame in sorted(result.tables.items()):
            text = csv_text(frame, float_format=TABLE_FLOAT_FORMAT)
            (tmp / name).write_text(text, encoding="utf-8")
        if result.report is not None:
            (tmp / "report.html").write_text(result.report.html, encoding="utf-8")
    return Path(out_dir)
