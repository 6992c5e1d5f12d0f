"""Re-planning from actuals: tracked projects (plain records) → :class:`~regdev.planning.history.Fact`.

The monitoring service tracks every project with its planned and actual
milestone dates and its state.  ``regdev plan --actuals SOURCE`` reads those
records (a database URL or a backup/export file: :mod:`regdev.monitoring.actuals`
does the reading, this module only interprets them) and the plan starts from them:

* **operating** (or inaugurated) → ``built`` in the year of its inauguration;
* **groundbreaking / construction / suspended** → ``under_construction``, fixed
  to its expected completion year: the planned inauguration plus its *slip*,
  the larger of how late it started (actual − planned groundbreaking) and how
  far the planned inauguration is overdue on the ``as_of`` date;
* **planned** but not started although its planned groundbreaking has passed
  → ``late``: not fixed, but no earlier than its planned inauguration plus the
  slip (``as_of`` − planned groundbreaking);
* **cancelled** → ``cancelled``: back in the pool (planned again if worth it).

Years before ``as_of``'s year are closed: nothing new can start in them
(:func:`first_open_year`).

Hand-checked example (docstring test): a factory planned for 2026
(groundbreaking 2026-02-28, inauguration 2026-12-31) that broke ground on
2026-05-29 is 90 days late; expected completion 2026-12-31 + 90 days =
2027-03-31, so it is fixed to 2027.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from regdev.errors import DataValidationError, Problem
from regdev.planning.history import Fact

STARTED_STATES = ("groundbreaking", "construction", "suspended")
BUILT_STATES = ("inauguration", "operating")
PROGRESS_RANK = {
    "planned": 0,
    "cancelled": 1,
    "suspended": 2,
    "groundbreaking": 3,
    "construction": 4,
    "inauguration": 5,
    "operating": 6,
}
"""How far a tracked project got (to pick one record per region and type)."""

PLAN_FACILITIES = ("factories", "hospital", "leisure_complex", "grain_storage", "offshore_farm")


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def pick_records(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One record per (region, facility): the one that got furthest, then the newest (by ``id``)."""
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for rec in records:
        r = dict(rec)
        key = (str(r.get("region_id", "")), str(r.get("facility", "")))
        old = best.get(key)
        rank = (PROGRESS_RANK.get(str(r.get("state")), 0), int(r.get("id") or 0))
        if old is None or rank > (
            PROGRESS_RANK.get(str(old.get("state")), 0),
            int(old.get("id") or 0),
        ):
            best[key] = r
    return [best[k] for k in sorted(best)]


def facts_from_records(
    records: Iterable[Mapping[str, Any]], *, as_of: dt.date, source: str = "actuals"
) -> list[Fact]:
    """The facts the tracked projects establish on ``as_of`` (see the module docstring).

    Parameters
    ----------
    records : iterable of mapping
        Tracked projects: ``region_id``, ``facility``, ``state``,
        ``cohort_year`` and the ``planned_*`` / ``actual_*`` milestone dates
        (``datetime.date`` or ISO text); optional ``id``.
    as_of : datetime.date
        The day the actuals describe.
    source : str
        Label of the facts.

    Raises
    ------
    DataValidationError
        A record without region, facility or state, or with a bad date.

    Examples
    --------
    >>> rec = {"region_id": "R1", "facility": "factories", "state": "construction",
    ...        "cohort_year": 2026, "planned_groundbreaking": "2026-02-28",
    ...        "planned_inauguration": "2026-12-31", "actual_groundbreaking": "2026-05-29"}
    >>> f = facts_from_records([rec], as_of=dt.date(2026, 6, 1))[0]
    >>> f.state, f.year, f.slip_days, f.planned_year
    ('under_construction', 2027, 90, 2026)
    """
    facts: list[Fact] = []
    problems: list[Problem | str] = []
    for n, rec in enumerate(pick_records(records), start=1):
        rid, fac, state = (str(rec.get(k) or "") for k in ("region_id", "facility", "state"))
        if not rid or not fac or state not in PROGRESS_RANK:
            problems.append(
                Problem(
                    source, n, "state", f"expected region_id, facility and a state; got {rec!r}"
                )
            )
            continue
        if fac not in PLAN_FACILITIES:
            continue  # "other" projects are tracked but not planned
        try:
            fact = _fact(rid, fac, state, rec, as_of, source)
        except ValueError as exc:
            problems.append(Problem(source, n, "date", f"expected ISO dates: {exc}"))
            continue
        if fact is not None:
            facts.append(fact)
    if problems:
        raise DataValidationError(problems)
    return facts


def _fact(
    rid: str, fac: str, state: str, rec: Mapping[str, Any], as_of: dt.date, source: str
) -> Fact | None:
    cohort = int(rec.get("cohort_year") or 0) or None
    p_start = _date(rec.get("planned_groundbreaking"))
    p_end = _date(rec.get("planned_inauguration"))
    a_start = _date(rec.get("actual_groundbreaking")) or _date(rec.get("actual_construction"))
    a_end = _date(rec.get("actual_inauguration"))
    if p_end is None and cohort is not None:
        p_end = dt.date(cohort, 12, 31)
    if state == "cancelled":
        return Fact(rid, fac, "cancelled", cohort or as_of.year, source, planned_year=cohort)
    if state in BUILT_STATES or a_end is not None:
        year = a_end.year if a_end is not None else (cohort or as_of.year)
        return Fact(
            rid,
            fac,
            "built",
            year,
            source,
            planned_year=cohort,
            slip_days=max(0, (a_end - p_end).days) if a_end and p_end else 0,
            date=a_end.isoformat() if a_end else "",
        )
    if state in STARTED_STATES or a_start is not None:
        slip = 0
        if a_start is not None and p_start is not None:
            slip = max(slip, (a_start - p_start).days)
        if p_end is not None:
            slip = max(slip, (as_of - p_end).days)
        expected = (p_end or dt.date(as_of.year, 12, 31)) + dt.timedelta(days=slip)
        return Fact(
            rid,
            fac,
            "under_construction",
            expected.year,
            source,
            planned_year=cohort,
            slip_days=slip,
            date=expected.isoformat(),
        )
    # planned, not started
    if p_start is None or as_of <= p_start:
        return None
    slip = (as_of - p_start).days
    expected = (p_end or dt.date(as_of.year, 12, 31)) + dt.timedelta(days=slip)
    if cohort is not None and expected.year <= cohort:
        return None
    return Fact(
        rid,
        fac,
        "late",
        expected.year,
        source,
        planned_year=cohort,
        slip_days=slip,
        date=expected.isoformat(),
    )


def first_open_year(as_of: dt.date) -> int:
    """The first year new projects can still be completed in, seen from ``as_of``.

    A project completes within its year; on ``as_of`` the current year is
    open while its planned start (end of February) has not passed, else the
    next one is the first open year.

    Examples
    --------
    >>> first_open_year(dt.date(2026, 2, 1)), first_open_year(dt.date(2026, 12, 2))
    (2026, 2027)
    """
    return as_of.year if as_of <= dt.date(as_of.year, 2, 28) else as_of.year + 1
