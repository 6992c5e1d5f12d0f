"""Customer loop: complaints, trends, recommendation rules, signals file and designer inputs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from regdev.design import load_catalogue
from regdev.errors import DataValidationError
from regdev.evaluation import customer


def _ops(site: int, line: str, util: float, months: int = 6) -> list[dict[str, object]]:
    return [
        {
            "site_id": site,
            "region_id": "R1",
            "line": line,
            "year": 2025,
            "month": m,
            "output": 100 * util,
            "capacity": 100.0,
        }
        for m in range(13 - months, 13)
    ]


def _answers(
    site: int, line: str, scores: list[int], comment: str = "", start: int = 7
) -> list[dict[str, object]]:
    return [
        {
            "site_id": site,
            "region_id": "R1",
            "date": dt.date(2025, start + i % 6, 10),
            "product_category": line,
            "score": s,
            "comment": comment,
            "lot_code": "",
        }
        for i, s in enumerate(scores)
    ]


def test_complaint_categories_from_the_taxonomy() -> None:
    assert customer.complaint_categories("Packaging LEAKS, taste is too salty") == [
        "packaging",
        "taste",
    ]
    assert customer.complaint_categories("") == []


def test_satisfaction_trend_slope_per_year() -> None:
    rows = []
    for m in range(1, 13):
        rows += _answers(1, "soy sauce", [m // 2 + 2], start=1)
        rows[-1]["date"] = dt.date(2025, m, 5)
    t = customer.satisfaction_trend(pd.DataFrame(rows))
    r = t.iloc[0]
    assert r["trend"] == "improving"
    assert r["slope_per_year"] == pytest.approx(6.0, abs=0.6)  # half a point a month


def _summary() -> pd.DataFrame:
    ops = pd.DataFrame(
        _ops(1, "soy sauce", 0.95)
        + _ops(1, "noodles", 0.3)
        + _ops(1, "confectionery", 0.7)
        + _ops(2, "bakery", 0.8)
    )
    sv = pd.DataFrame(
        _answers(1, "soy sauce", [8, 9, 8, 9, 8, 9])
        + _answers(1, "noodles", [3, 4, 3, 4, 3])
        + _answers(1, "confectionery", [7, 7, 6, 7, 7], "the packaging tears")
        + _answers(1, "kimchi", [8, 7, 8], "we would like kimchi from this factory")
        + _answers(2, "bakery", [4, 4, 3, 4, 4, 3])
    )
    return customer.line_summary(ops, sv, until=(2025, 12))


def test_recommendation_rules() -> None:
    recs = {(r.site_id, r.line): r for r in customer.recommend(_summary())}
    assert recs[(1, "soy sauce")].kind == "expand"
    assert recs[(1, "noodles")].kind == "drop"
    assert recs[(1, "confectionery")].kind == "adjust"
    assert recs[(1, "confectionery")].evidence["top_complaint"] == "packaging"
    assert recs[(1, "kimchi")].kind == "add"
    assert recs[(2, "bakery")].kind == "redesign"
    assert recs[(1, "soy sauce")].evidence["demand_multiplier"] == 1.2
    assert recs[(1, "noodles")].key == "1:noodles:drop"


def test_signals_map_to_catalogue_lines_and_round_trip(tmp_path: Path) -> None:
    recs = customer.recommend(_summary())
    rows = customer.signals_from_recommendations(recs)
    path = customer.write_signals(tmp_path / "signals.csv", rows)
    back = customer.read_signals(path)
    assert len(back) == len(rows)
    inputs = customer.design_inputs(back)
    assert ("R1", "soy_sauce_paste") in inputs.force  # expand keeps the line
    assert ("R1", "noodles_starch") in inputs.forbid  # drop forbids it
    assert ("R1", "noodles_starch") not in inputs.force
    assert inputs.demand[("R1", "condiments")] == pytest.approx(1.2)
    assert ("R1", "pickles_kimchi") in inputs.force  # customers asked for kimchi: add the line
    # every forced / forbidden line is a line the factory designer knows
    known = set(load_catalogue().line_ids)
    assert {lid for _, lid in inputs.force + inputs.forbid} <= known


def test_read_signals_reports_file_row_column(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(
        "region_id,action,line,category,multiplier\nR1,force,,,\nR1,demand,,condiments,-2\nR1,grow,x,,\n",
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as err:
        customer.read_signals(p)
    text = str(err.value)
    assert f"{p}:2:line" in text
    assert f"{p}:3:multiplier" in text
    assert f"{p}:4:action" in text


def test_unknown_products_give_no_signal() -> None:
    rec = customer.Recommendation("9:moon-cheese:add", "R1", 9, "moon cheese", "add", {})
    assert customer.signals_from_recommendations([rec]) == []


@pytest.mark.solver
def test_signals_change_the_factory_design() -> None:
    from regdev.design import scope_regions
    from regdev.registry import load_default

    reg = load_default()
    regions = scope_regions(reg, "KP-KAN-KIMHWA")
    base = customer.design_with_signals(reg, customer.DesignSignals([], [], {}), regions=regions)
    fac = base.factories_frame()
    kim = fac[fac["region_id"] == "KP-KAN-KIMHWA"].set_index("line")
    assert "soft_drinks" in kim.index
    rows = [
        {
            "region_id": "KP-KAN-KIMHWA",
            "action": "forbid",
            "line": "soft_drinks",
            "category": "",
            "multiplier": "",
        },
        {
            "region_id": "KP-KAN-KIMHWA",
            "action": "demand",
            "line": "",
            "category": "condiments",
            "multiplier": "1.5",
        },
        {
            "region_id": "KP-KAN-KIMHWA",
            "action": "force",
            "line": "soy_sauce_paste",
            "category": "",
            "multiplier": "",
        },
    ]
    sig = customer.design_inputs(rows)
    after = customer.design_with_signals(reg, sig, regions=regions).factories_frame()
    kim2 = after[after["region_id"] == "KP-KAN-KIMHWA"].set_index("line")
    assert "soft_drinks" not in kim2.index  # the dropped line is gone
    assert kim2.loc["soy_sauce_paste", "production"] > kim.loc["soy_sauce_paste", "production"]
