"""Tracked projects → facts (issue 10), each rule checked by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from regdev.errors import DataValidationError
from regdev.planning.actuals import facts_from_records, first_open_year, pick_records

AS_OF = dt.date(2026, 12, 1)


def rec(**kw):
    base = {
        "region_id": "R1",
        "facility": "factories",
        "cohort_year": 2026,
        "planned_groundbreaking": "2026-02-28",
        "planned_inauguration": "2026-12-31",
    }
    return {**base, **kw}


def one(**kw):
    facts = facts_from_records([rec(**kw)], as_of=AS_OF)
    return facts[0] if facts else None


def test_operating_is_built_in_its_inauguration_year():
    f = one(state="operating", actual_inauguration="2027-01-20")
    # 2027-01-20 is 20 days after the planned 2026-12-31
    assert (f.state, f.year, f.slip_days, f.date) == ("built", 2027, 20, "2027-01-20")


def test_started_late_carries_its_slip():
    # broke ground 2026-06-15: 107 days after 2026-02-28 -> 2026-12-31 + 107 d = 2027-04-17
    f = one(state="groundbreaking", actual_groundbreaking="2026-06-15")
    assert (f.state, f.slip_days, f.year, f.date) == ("under_construction", 107, 2027, "2027-04-17")


def test_started_on_time_stays_in_its_year():
    f = one(state="construction", actual_groundbreaking="2026-02-20")
    assert (f.state, f.slip_days, f.year) == ("under_construction", 0, 2026)


def test_not_started_after_its_planned_start_is_late():
    # 2026-12-01 - 2026-02-28 = 276 days; 2026-12-31 + 276 d = 2027-10-03
    f = one(state="planned")
    assert (f.state, f.slip_days, f.year, f.date) == ("late", 276, 2027, "2027-10-03")


def test_planned_in_the_future_and_cancelled():
    assert (
        one(
            state="planned",
            cohort_year=2028,
            planned_groundbreaking="2028-02-28",
            planned_inauguration="2028-12-31",
        )
        is None
    )
    f = one(state="cancelled")
    assert (f.state, f.year) == ("cancelled", 2026)


def test_one_record_per_pair_the_most_advanced():
    picked = pick_records(
        [
            {**rec(state="planned"), "id": 9},
            {**rec(state="construction", actual_groundbreaking="2026-03-01"), "id": 3},
        ]
    )
    assert [(p["id"], p["state"]) for p in picked] == [(3, "construction")]


def test_other_facilities_are_ignored_and_bad_records_named():
    assert facts_from_records([rec(state="operating", facility="other")], as_of=AS_OF) == []
    with pytest.raises(DataValidationError, match="expected ISO dates"):
        facts_from_records([rec(state="operating", actual_inauguration="soon")], as_of=AS_OF)
    with pytest.raises(DataValidationError, match="expected region_id, facility and a state"):
        facts_from_records([rec(state="built")], as_of=AS_OF)


def test_first_open_year():
    assert first_open_year(dt.date(2026, 2, 28)) == 2026
    assert first_open_year(dt.date(2026, 3, 1)) == 2027
