"""What has happened is fixed: the built and under-construction projects every plan starts from.

Two sources say what exists, in this order of precedence:

1. **Actuals** (:mod:`regdev.planning.actuals`): the tracked projects of a
   monitoring database (or its export), with real dates — read by
   ``regdev plan --actuals SOURCE``;
2. **the programme events** shipped with the package
   (:func:`regdev.registry.load_programme_events`).

Rules (documented in docs/planning.md, "History is the truth"):

* a (region, type) with a dated groundbreaking, construction or inauguration
  event in a programme year of ``scenario.history.years`` within the horizon
  is fixed to that year;
* **pre-policy pilots count as built**: a facility with events only in years
  before the horizon — the Kimhwa pilot factories, visited in October 2020 and
  presented as the operating model at the programme's launch in February 2024
  — is built before the horizon and gets no project (see :data:`PILOT_ASSUMPTION`);
* a scenario lock (``[[locks]]``) on a pair the data fixes elsewhere is a
  **conflict**: the data wins, and the conflict is warned about
  (:class:`HistoryConflictWarning`), written to ``plan.json["history"]`` and
  shown in the report — never silent.

This module sees the events and actuals as plain records; it imports nothing
from the database, the designer or the report.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from regdev.i18n import N_

if TYPE_CHECKING:
    from regdev.planning.scenario import Scenario

NO_YEAR = -1

FactState = Literal["built", "under_construction", "late", "cancelled"]

PILOT_ASSUMPTION = N_(
    "Kimhwa County's pilot regional-industry factories count as built before the horizon: "
    "Kim Jong Un visited them in October 2020, state media said they opened about 370 days "
    "after groundbreaking, and they were presented as the operating model at the launch of the "
    "20x10 programme in February 2024 (programme events). The plan therefore schedules no "
    "factory project for Kimhwa; its hospital, leisure complex and grain store are planned as "
    "for any county."
)
"""What every plan assumes about the Kimhwa pilot (report and ``plan.json``)."""


#: Report-facing texts of a conflict or note (translated by the report, domain ``history``);
#: ``plan.json`` keeps the English text under ``data``/``other``/``resolution`` and the
#: message with its arguments under ``messages`` (see :func:`message`).
MSG_EVENTS = N_("programme events: {state} {year}")
MSG_ACTUALS = N_("actuals: {state} {year}")
MSG_ACTUALS_USED = N_("the actuals are used")
MSG_FACT_EXPECTED = N_("{source}: {state}, expected {year}")
MSG_NOT_IN_HORIZON = N_("not planned within {first}–{last}")
MSG_BUILT_BEFORE = N_("built before {year}")
MSG_FIXED_TO = N_("{source}: fixed to {year}")
MSG_SCENARIO_LOCK = N_("scenario lock: {year}")
MSG_LOCK_IGNORED = N_("the data is kept; the scenario lock is ignored")
MSG_CONTRADICTS = N_("{region} {facility}: {other} contradicts {data}; {resolution}")


def message(template: str, **args: Any) -> tuple[str, dict[str, Any]]:
    """``(English text, {"msgid": template, "args": args})`` of a report-facing text.

    The English text is what ``plan.json`` and the warnings say; the report
    translates ``msgid`` with ``args`` (:func:`message_text`).

    Examples
    --------
    >>> message(MSG_BUILT_BEFORE, year=2024)
    ('built before 2024', {'msgid': 'built before {year}', 'args': {'year': 2024}})
    """
    plain = {k: v.item() if hasattr(v, "item") else v for k, v in args.items()}  # JSON-ready
    return template.format(**plain), {"msgid": template, "args": plain}


def message_text(record: dict[str, Any], field: str, lang: str | None = None) -> str:
    """``record[field]`` of a conflict or note in ``lang`` (its English text when untranslatable)."""
    from regdev.i18n import gettext

    msg = (record.get("messages") or {}).get(field)
    if not msg:
        return str(record.get(field, ""))
    return gettext(str(msg["msgid"]), lang, **dict(msg.get("args") or {}))


def _record(base: dict[str, Any], **texts: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    out = dict(base)
    out.update({k: v[0] for k, v in texts.items()})
    out["messages"] = {k: v[1] for k, v in texts.items()}
    return out


#: ``changes.csv`` ``reason_code`` → the English reason (a translatable template; the codes are stable).
REASONS: dict[str, str] = {
    "built": N_("built ({source}, {when}): fixed in {year}"),
    "under_construction": N_(
        "under construction, {slip} days behind plan ({source}): fixed to its expected "
        "completion {when}"
    ),
    "late": N_(
        "not started by {as_of}, {slip} days behind its planned start ({source}): no earlier "
        "than {year}"
    ),
    "cancelled": N_("cancelled ({source}): back in the pool of projects to plan"),
    "other_fact": N_("{state} ({source})"),
    "left_out": N_("left out: {why}"),
    "not_candidate": N_("no longer a candidate (built before the horizon or not eligible)"),
    "year_passed": N_(
        "{year} has passed without a start (re-planned from {since}): moved to an open year"
    ),
    "reoptimised": N_(
        "re-optimised around the fixed, late and re-planned projects "
        "(yearly capacity, provincial balance and workload)"
    ),
}
ACTUALS_DATE = N_("the actuals date")


def reason_text(code: str, args: dict[str, Any], lang: str | None = None) -> str:
    """The reason ``code`` with its ``args`` in ``lang`` (default: the current language).

    Examples
    --------
    >>> reason_text("cancelled", {"source": "actuals"}, "en")
    'cancelled (actuals): back in the pool of projects to plan'
    """
    from regdev.i18n import gettext

    params = dict(args)
    if params.get("as_of") is None and "as_of" in params:
        params["as_of"] = gettext(ACTUALS_DATE, lang)
    return gettext(REASONS[code], lang, **params)


class HistoryConflictWarning(UserWarning):
    """A scenario lock contradicts what the data says was built or is under construction."""


@dataclass(frozen=True)
class Fact:
    """One project the data says exists (or was cancelled).

    Attributes
    ----------
    region_id, facility : str
        The pair (planner facility names, e.g. ``factories``).
    state : {"built", "under_construction", "late", "cancelled"}
        ``built``: operating; ``under_construction``: started, fixed to its
        expected completion year; ``late``: planned, not started although its
        planned start has passed — not fixed, but no earlier than ``year``;
        ``cancelled``: back in the pool (not fixed, planned again if useful).
    year : int
        Completion year (actual for built, expected with the slip otherwise).
    source : str
        ``programme events``, ``pilot`` or ``actuals``.
    planned_year : int or None
        The year the tracked plan had, when known.
    slip_days : int
        Days the project is behind its planned dates (0 when on time or unknown).
    date : str
        The date the year comes from (ISO), when known.
    """

    region_id: str
    facility: str
    state: FactState
    year: int
    source: str
    planned_year: int | None = None
    slip_days: int = 0
    date: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def programme_facts(scenario: Scenario) -> list[Fact]:
    """What the package's programme events say exists, per the scenario's ``history`` settings.

    Returns an empty list when ``scenario.history.enabled`` is false.

    Examples
    --------
    >>> from regdev.planning import load_scenario
    >>> facts = programme_facts(load_scenario())
    >>> [(f.state, f.source, f.year) for f in facts if f.region_id == "KP-KAN-KIMHWA"
    ...  and f.facility == "factories"]
    [('built', 'pilot', 2020)]
    """
    from regdev.planning.scenario import EVENT_FACILITY
    from regdev.registry import load_programme_events

    sc = scenario
    if not sc.history.enabled:
        return []
    first, last = sc.horizon.first_year, sc.horizon.last_year
    events = load_programme_events()
    events = events[events["region_id"].astype(str) != ""]
    facts: list[Fact] = []
    for fac in sc.history.facilities:
        ev = events[events["facility"] == EVENT_FACILITY[fac]]
        for rid, grp in ev.groupby("region_id", sort=True):
            years = sorted(int(y) for y in grp["year"])
            started = grp[grp["event"] != "announced"]
            if years[0] < first and started.empty:
                # a pre-policy pilot: its events before the horizon only announce it
                facts.append(Fact(str(rid), fac, "built", years[0], "pilot", date=_first_date(grp)))
                continue
            if not started.empty and int(started["year"].min()) < first:
                # a cohort started before the horizon: built before it (if that year is locked)
                year = int(started["year"].min())
                if year in sc.history.years:
                    facts.append(
                        Fact(
                            str(rid),
                            fac,
                            "built",
                            year,
                            "programme events",
                            date=_first_date(started),
                        )
                    )
                continue
            if started.empty:
                continue
            year = int(started["year"].min())
            if year not in sc.history.years or year > last:
                continue
            state: FactState = (
                "built" if (started["event"] == "inauguration").any() else "under_construction"
            )
            facts.append(
                Fact(str(rid), fac, state, year, "programme events", date=_first_date(started))
            )
    return facts


def _first_date(grp: Any) -> str:
    dates = sorted(str(d) for d in grp["date"] if str(d))
    return dates[0] if dates else ""


def merge_facts(events: list[Fact], actuals: list[Fact]) -> tuple[list[Fact], list[dict[str, Any]]]:
    """The facts to plan with: actuals override the programme events pair by pair.

    Returns
    -------
    facts : list of Fact
    conflicts : list of dict
        Where the events and the actuals disagree on a pair's state or year
        (the actuals win; each entry says so).
    """
    by_pair = {(f.region_id, f.facility): f for f in events}
    conflicts: list[dict[str, Any]] = []
    for a in actuals:
        key = (a.region_id, a.facility)
        e = by_pair.get(key)
        progressed = e is not None and e.state == "under_construction" and a.state == "built"
        disagree = e is not None and (e.state, e.year) != (a.state, a.year)
        if e is not None and disagree and e.source != "pilot" and not progressed:
            conflicts.append(
                _record(
                    {"region_id": a.region_id, "facility": a.facility, "kind": "events-vs-actuals"},
                    data=message(MSG_EVENTS, state=e.state, year=e.year),
                    other=message(MSG_ACTUALS, state=a.state, year=a.year),
                    resolution=message(MSG_ACTUALS_USED),
                )
            )
        by_pair[key] = a
    return sorted(by_pair.values(), key=lambda f: (f.region_id, f.facility)), conflicts


@dataclass
class Locks:
    """The lock arrays :func:`apply_facts` fills (shapes as in :class:`PlanningProblem`)."""

    lock_year: np.ndarray
    lock_source: np.ndarray
    done_before: np.ndarray
    eligible: np.ndarray
    forbidden: np.ndarray


def apply_facts(
    facts: list[Fact],
    locks: Locks,
    *,
    pos: dict[str, int],
    facilities: tuple[str, ...],
    years: tuple[int, ...],
) -> list[dict[str, Any]]:
    """Fix the facts in the lock arrays (in place); return the facts that could not be fixed.

    ``built`` before the horizon: the pair is done (not eligible); ``built`` or
    ``under_construction`` within it: locked to its year (source
    ``history`` or ``actuals``); after the horizon: the pair is not planned
    within the horizon (reported); ``late``: every year before its expected
    year is forbidden; ``cancelled``: nothing fixed (the pair is back in the pool).
    """
    notes: list[dict[str, Any]] = []
    for fact in facts:
        if fact.region_id not in pos or fact.facility not in facilities:
            continue
        i, f = pos[fact.region_id], facilities.index(fact.facility)
        label = "actuals" if fact.source == "actuals" else "history"
        if fact.state == "cancelled":
            locks.lock_year[i, f] = NO_YEAR
            locks.lock_source[i, f] = ""
            continue
        if fact.state == "late":
            cut = sum(1 for y in years if y < fact.year)
            locks.forbidden[i, f, :cut] = True
            if cut >= len(years):
                locks.eligible[i, f] = False
            continue
        if fact.year < years[0]:
            locks.done_before[i, f] = True
            locks.eligible[i, f] = False
            locks.lock_year[i, f] = NO_YEAR
            locks.lock_source[i, f] = ""
        elif fact.year > years[-1]:
            locks.eligible[i, f] = False
            notes.append(
                _record(
                    {
                        "region_id": fact.region_id,
                        "facility": fact.facility,
                        "kind": "after-horizon",
                    },
                    data=message(
                        MSG_FACT_EXPECTED, source=fact.source, state=fact.state, year=fact.year
                    ),
                    resolution=message(MSG_NOT_IN_HORIZON, first=years[0], last=years[-1]),
                )
            )
        else:
            locks.lock_year[i, f] = years.index(fact.year)
            locks.lock_source[i, f] = label
            locks.eligible[i, f] = True
    return notes


def lock_conflict(
    region_id: str,
    facility: str,
    lock_year: int,
    locks: Locks,
    i: int,
    f: int,
    years: tuple[int, ...],
) -> dict[str, Any] | None:
    """The conflict of a scenario lock with the data, or ``None`` when they agree or data is silent."""
    if locks.done_before[i, f]:
        data = message(MSG_BUILT_BEFORE, year=years[0])
    elif locks.lock_source[i, f] in ("history", "actuals") and locks.lock_year[i, f] >= 0:
        y = years[int(locks.lock_year[i, f])]
        if y == lock_year:
            return None
        data = message(MSG_FIXED_TO, source=str(locks.lock_source[i, f]), year=y)
    else:
        return None
    return _record(
        {"region_id": region_id, "facility": facility, "kind": "lock-vs-data"},
        data=data,
        other=message(MSG_SCENARIO_LOCK, year=lock_year),
        resolution=message(MSG_LOCK_IGNORED),
    )


def warn_conflicts(conflicts: list[dict[str, Any]]) -> None:
    """One :class:`HistoryConflictWarning` per conflict."""
    for c in conflicts:
        msg = MSG_CONTRADICTS.format(
            region=c["region_id"],
            facility=c["facility"],
            other=c.get("other", ""),
            data=c["data"],
            resolution=c["resolution"],
        )
        warnings.warn(msg, HistoryConflictWarning, stacklevel=3)


def summary(
    facts: list[Fact], conflicts: list[dict[str, Any]], actuals_source: str | None
) -> dict[str, Any]:
    """``plan.json["history"]``: what was fixed, from where, the conflicts and the assumptions."""
    pilot = [f for f in facts if f.source == "pilot"]
    counts: dict[str, int] = {}
    for f in facts:
        counts[f.state] = counts.get(f.state, 0) + 1
    return {
        "actuals_source": actuals_source,
        "counts": dict(sorted(counts.items())),
        "facts": [f.to_dict() for f in facts],
        "conflicts": conflicts,
        "assumptions": [PILOT_ASSUMPTION] if pilot else [],
    }
