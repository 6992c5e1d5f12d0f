"""The domain rules of monitoring data, written once and used by the API, forms and CSV.

:mod:`regdev.monitoring.crud` applies them to every create and update (REST API, bulk
CSV import, dashboard forms, CLI loaders), and the dashboard's forms call the same
functions for inline validation, so a value the dashboard refuses is refused by the API
with the same message and vice versa.  Pure functions: no database, no web framework.

Rules
-----
* Monthly production is reported for **finished** months from January 2020 (the first
  pilot, Kimhwa) up to the last complete month: the current, unfinished month and any
  later one are refused.
* Actual dates (milestones reached, inspections, surveys) lie between 2020-01-01 and
  today; planned dates between 2020-01-01 and 2100-12-31.
* Output may not exceed 150 % of capacity (a units mistake, e.g. kg for t).
* Amounts are finite and non-negative; ``-0.0`` is stored as ``0.0``.
* Timestamps (grain-status reports) may carry a time zone; they are stored in UTC, and
  one without a zone is taken as UTC.  A timestamp more than 10 minutes in the future
  is refused.
* Project notes appended by milestone updates keep the newest entries within
  :data:`NOTE_MAX` characters (older ones stay in the audit log).
"""

from __future__ import annotations

import datetime as dt

__all__ = [
    "FIRST_DATE",
    "FIRST_MONTH",
    "LAST_PLANNED_DATE",
    "MAX_OUTPUT_RATIO",
    "NOTE_MAX",
    "append_note",
    "check_actual_date",
    "check_output",
    "check_planned_date",
    "check_report_month",
    "check_timestamp",
    "last_finished_month",
    "today",
    "utc_naive",
]

FIRST_MONTH = (2020, 1)
FIRST_DATE = dt.date(2020, 1, 1)
LAST_PLANNED_DATE = dt.date(2100, 12, 31)
MAX_OUTPUT_RATIO = 1.5
NOTE_MAX = 4000
FUTURE_SKEW = dt.timedelta(minutes=10)


def today() -> dt.date:
    """Today's date in UTC (the date every rule compares with)."""
    return dt.datetime.now(dt.UTC).date()


def last_finished_month(on: dt.date | None = None) -> tuple[int, int]:
    """The last complete month before ``on`` (default: today), as ``(year, month)``."""
    d = on or today()
    return (d.year - 1, 12) if d.month == 1 else (d.year, d.month - 1)


def check_report_month(year: int, month: int, on: dt.date | None = None) -> str | None:
    """Why ``year-month`` cannot be reported (``None``: it can)."""
    if not 1 <= month <= 12:
        return f"expected a month 1-12, got {month}"
    if (year, month) < FIRST_MONTH:
        return (
            f"month must be {FIRST_MONTH[0]}-{FIRST_MONTH[1]:02d} or later; got {year}-{month:02d}"
        )
    last = last_finished_month(on)
    if (year, month) > last:
        return (
            f"month {year}-{month:02d} has not ended yet; report finished months only "
            f"(the latest is {last[0]}-{last[1]:02d})"
        )
    return None


def check_actual_date(
    d: dt.date, what: str = "actual date", on: dt.date | None = None
) -> str | None:
    """Why ``d`` cannot be the date something happened (``None``: it can)."""
    if d < FIRST_DATE:
        return f"{what} must be {FIRST_DATE.isoformat()} or later; got {d.isoformat()}"
    if d > (on or today()):
        return f"{what} {d.isoformat()} is in the future; enter it once it has happened"
    return None


def check_planned_date(d: dt.date, what: str = "planned date") -> str | None:
    """Why ``d`` cannot be a planned date (``None``: it can)."""
    if not FIRST_DATE <= d <= LAST_PLANNED_DATE:
        return (
            f"{what} must be between {FIRST_DATE.isoformat()} and "
            f"{LAST_PLANNED_DATE.isoformat()}; got {d.isoformat()}"
        )
    return None


def check_output(output: float, capacity: float) -> str | None:
    """Why ``output`` cannot be reported against ``capacity`` (``None``: it can)."""
    if output > MAX_OUTPUT_RATIO * capacity:
        return (
            f"output {output:g} exceeds {MAX_OUTPUT_RATIO:.0%} of capacity {capacity:g}; "
            "check the units"
        )
    return None


def utc_naive(ts: dt.datetime) -> dt.datetime:
    """``ts`` in UTC without tzinfo (how timestamps are stored); naive input is UTC."""
    if ts.tzinfo is None:
        return ts
    return ts.astimezone(dt.UTC).replace(tzinfo=None)


def check_timestamp(ts: dt.datetime, now: dt.datetime | None = None) -> str | None:
    """Why a report timestamp (naive UTC) is refused (``None``: it is accepted)."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if ts > now + FUTURE_SKEW:
        return f"timestamp {ts.isoformat()}Z is in the future (now {now:%Y-%m-%dT%H:%M}Z)"
    if ts.date() < FIRST_DATE:
        return f"timestamp must be {FIRST_DATE.isoformat()} or later; got {ts.isoformat()}Z"
    return None


def append_note(note: str, entry: str, limit: int = NOTE_MAX) -> str:
    """``note`` with the line ``entry`` appended, keeping the newest lines within ``limit``.

    Dropped older lines are replaced by one marker line; they stay in the audit log.
    """
    entry = entry[:limit]
    lines = [*(note.splitlines() if note else []), entry]
    marker = "[older notes: see the audit log]"
    if len("\n".join(lines)) <= limit:
        return "\n".join(lines)
    kept: list[str] = []
    size = len(marker)
    for line in reversed(lines):
        if line == marker:
            continue
        if size + 1 + len(line) > limit:
            break
        kept.append(line)
        size += 1 + len(line)
    return "\n".join([marker, *reversed(kept)])
