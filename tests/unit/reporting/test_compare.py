import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from regdev.errors import DataValidationError, NotFoundError
from regdev.registry import load_default
from regdev.reporting.compare import compare_plans, compare_schedules, read_schedule

HEADER = "region_id,facility,year,tier,size,cost,benefit,equity_weight,locked\n"


def _plan(folder, rows):
    folder.mkdir()
    (folder / "schedule.csv").write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return folder


@pytest.fixture
def plans(tmp_path):
    a = _plan(
        tmp_path / "a",
        [
            "KP-CHA-KANGGYE,factories,2024,1,1,3.0,1,1,true",
            "KP-CHA-KANGGYE,hospital,2026,1,1,7.0,1,1,false",
            "KP-CHA-USI,hospital,2027,1,1,7.0,1,1,false",
            "KP-CHA-USI,factories,2025,1,1,3.0,1,1,false",
            "KP-HAB-ORANG,offshore_farm,2028,1,1,2.0,1,1,false",
        ],
    )
    b = _plan(
        tmp_path / "b",
        [
            "KP-CHA-KANGGYE,factories,2024,1,1,3.0,1,1,true",
            "KP-CHA-KANGGYE,hospital,2025,1,1,7.5,1,1,false",
            "KP-CHA-USI,hospital,2029,1,1,7.0,1,1,false",
            "KP-CHA-USI,factories,2025,1,1,3.0,1,1,false",
            "KP-HAB-CHONGJIN,grain_storage,2026,1,1,4.0,1,1,false",
        ],
    )
    return a, b


def test_moved_added_dropped(plans):
    c = compare_plans(*plans)
    moved = c.moved.set_index(["region_id", "facility"])
    assert moved.loc[("KP-CHA-KANGGYE", "hospital"), ["year_a", "year_b", "shift"]].tolist() == [
        2026,
        2025,
        -1,
    ]
    assert moved.loc[("KP-CHA-USI", "hospital"), "shift"] == 2
    assert len(c.moved) == 2
    assert moved.loc[("KP-CHA-USI", "hospital"), "name"] == "Usi"
    assert moved.loc[("KP-CHA-USI", "hospital"), "name_ko"] == "우시군"
    assert moved.loc[("KP-CHA-USI", "hospital"), "province"] == "Chagang"
    assert c.added[["region_id", "facility", "year"]].values.tolist() == [
        ["KP-HAB-CHONGJIN", "grain_storage", 2026]
    ]
    assert c.dropped[["region_id", "facility", "year"]].values.tolist() == [
        ["KP-HAB-ORANG", "offshore_farm", 2028]
    ]
    assert (c.label_a, c.label_b) == ("a", "b")


def test_cost_per_year_adds_up(plans):
    c = compare_plans(*plans)
    cost = c.cost_per_year.set_index("year")
    assert cost.loc[2025, "cost_a"] == 3.0 and cost.loc[2025, "cost_b"] == 10.5
    assert cost.loc[2028, "cost_b"] == 0.0 and cost.loc[2029, "cost_a"] == 0.0
    assert cost["cost_a"].sum() == pytest.approx(c.total_cost_a) == 22.0
    assert cost["cost_b"].sum() == pytest.approx(c.total_cost_b) == 24.5
    assert (cost["difference"] == cost["cost_b"] - cost["cost_a"]).all()


def test_coverage_years_per_facility(plans):
    cov = compare_plans(*plans).coverage.set_index("facility")
    assert cov.loc["hospital", ["regions_a", "regions_b"]].tolist() == [2, 2]
    assert cov.loc["hospital", ["half_year_a", "full_year_a"]].tolist() == [2026, 2027]
    assert cov.loc["hospital", ["half_year_b", "full_year_b"]].tolist() == [2025, 2029]
    assert cov.loc["offshore_farm", "regions_b"] == 0 and pd.isna(
        cov.loc["offshore_farm", "full_year_b"]
    )


def test_html_fragment_in_both_languages(plans):
    c = compare_plans(*plans)
    en = c.to_html(lang="en")
    ET.fromstring(en)  # well-formed
    assert "2 projects move, 1 are only in B, 1 only in A" in en
    assert "1 year earlier" in en and "2 years later" in en
    assert "://" not in en and "<script" not in en
    ko = c.to_html(lang="ko")
    ET.fromstring(ko)
    assert 'lang="ko"' in ko and "A안과 B안 비교" in ko and "1년 앞당김" in ko and "우시군" in ko
    assert c.summary("ko").startswith("사업 2건의 연도가 바뀌고")
    # long tables are cut with a note
    assert "… and 1 more rows." in c.to_html(lang="en", max_rows=1)


def test_identical_plans_show_no_difference(plans):
    c = compare_plans(plans[0], plans[0])
    assert c.moved.empty and c.added.empty and c.dropped.empty
    assert (c.cost_per_year["difference"] == 0).all()
    assert "None." in c.to_html(lang="en")


def test_bad_folders_are_reported(tmp_path, plans):
    with pytest.raises(NotFoundError, match="no schedule here"):
        compare_plans(tmp_path / "nowhere", plans[1])
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "schedule.csv").write_text(
        "region_id,facility,year\nR,hospital,soon\n", encoding="utf-8"
    )
    with pytest.raises(DataValidationError) as err:
        read_schedule(bad)
    assert f"{bad / 'schedule.csv'}:1:cost: expected a column 'cost'" in str(err.value)
    (bad / "schedule.csv").write_text(
        "region_id,facility,year,cost\nR,hospital,soon,1\n", encoding="utf-8"
    )
    with pytest.raises(
        DataValidationError, match=r"schedule.csv:2:year: expected a number; got 'soon'"
    ):
        read_schedule(bad)


def test_other_countries_have_no_names():
    a = pd.DataFrame({"region_id": ["X1"], "facility": ["hospital"], "year": [2026], "cost": [1.0]})
    c = compare_schedules(a, a.assign(year=[2027]))
    assert "name" not in c.moved.columns
    c2 = compare_schedules(a, a.assign(year=[2027]), registry=load_default())
    assert c2.moved.loc[0, "name"] == ""
