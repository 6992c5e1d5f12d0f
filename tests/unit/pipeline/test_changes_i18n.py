"""``changes.csv`` reasons: stable codes, English prose, translated in the report (issue 10)."""

from __future__ import annotations

import json

import numpy as np

from regdev.i18n import use_language
from regdev.pipeline.changes import CHANGE_COLUMNS, plan_changes
from regdev.planning import build_problem, load_scenario, plan_rollout
from regdev.planning.history import (
    REASONS,
    Locks,
    lock_conflict,
    message_text,
    reason_text,
)
from regdev.registry import toy_region
from regdev.reporting.history import changes_section, history_section


def _changes():
    sc = load_scenario().with_updates(factories={"per_year": 2}, history={"enabled": False})
    new = plan_rollout(build_problem(toy_region(), sc))
    old = new.schedule[["region_id", "facility", "year"]].copy()
    old.loc[0, "year"] += 1
    return plan_changes(old, new)


def test_changes_have_a_stable_reason_code_and_english_prose():
    frame = _changes()
    assert list(frame.columns) == CHANGE_COLUMNS
    assert "reason_code" in frame.columns
    row = frame.iloc[0]
    assert row["reason_code"] == "reoptimised"
    assert row["reason"].startswith("re-optimised around the fixed")
    assert set(frame["reason_code"]) <= set(REASONS)


def test_reasons_are_korean_in_a_korean_report_and_english_in_an_english_one():
    frame = _changes()
    with use_language("ko"):
        ko = changes_section(frame, "old").html
    with use_language("en"):
        en = changes_section(frame, "old").html
    assert "다시 최적화" in ko and "옮김" in ko
    assert "re-optimised" not in ko
    assert "re-optimised around the fixed" in en and "moved" in en
    # every reason template has a Korean translation that keeps its placeholders
    for code, template in REASONS.items():
        if code == "other_fact":  # "{state} ({source})": nothing to translate
            continue
        args = {
            k: "X" for k in ("source", "when", "year", "slip", "as_of", "state", "why", "since")
        }
        ko_text = reason_text(code, args, "ko")
        assert ko_text != template.format(**args), code
    # a late project without an actuals date names it in words
    late = reason_text("late", {"as_of": None, "slip": 30, "source": "actuals", "year": 2027}, "ko")
    assert "실적 기준일" in late and "30" in late and "2027" in late


def test_conflicts_keep_english_data_and_translate_in_the_report():
    years = (2024, 2025, 2026)
    locks = Locks(
        lock_year=np.array([[1]]),
        lock_source=np.array([["actuals"]], dtype=object),
        done_before=np.array([[False]]),
        eligible=np.array([[True]]),
        forbidden=np.zeros((1, 1, 3), dtype=bool),
    )
    c = lock_conflict("KP-X", "hospital", np.int64(2026), locks, 0, 0, years)
    assert c is not None
    assert c["data"] == "actuals: fixed to 2025"
    assert c["other"] == "scenario lock: 2026"
    assert c["resolution"] == "the data is kept; the scenario lock is ignored"
    json.dumps(c)  # plan.json-ready (no numpy scalars)
    assert message_text(c, "resolution", "ko") == "자료를 따르고 시나리오 고정은 무시한다"
    assert message_text(c, "other", "ko") == "시나리오 고정: 2026년"
    with use_language("ko"):
        html = history_section({"counts": {}, "conflicts": [c]}).html
    assert "시나리오 고정: 2026년" in html and "scenario lock" not in html
    # an older plan.json without messages shows its English text
    old = {k: v for k, v in c.items() if k != "messages"}
    assert message_text(old, "other", "ko") == "scenario lock: 2026"
