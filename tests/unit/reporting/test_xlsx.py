import hashlib
import os

import pytest
from openpyxl import load_workbook

from regdev.errors import NotFoundError
from regdev.reporting.xlsx import column_title, sheet_title, write_plan_xlsx


@pytest.fixture
def plan_dir(tmp_path):
    d = tmp_path / "plan"
    d.mkdir()
    (d / "schedule.csv").write_text(
        "region_id,facility,year,tier,size,cost,benefit,equity_weight,locked\n"
        "KP-CHA-TONGSIN,factories,2024,1,5400.0,3.93,47460.0,1.313431,true\n"
        "KP-CHA-USI,hospital,2026,2,110.0,7.5,1000.0,1.2,false\n",
        encoding="utf-8",
    )
    (d / "facilities.csv").write_text(
        "region_id,facility,size,size_unit,doctors\nKP-CHA-USI,hospital,110,beds,40\n",
        encoding="utf-8",
    )
    (d / "zz_extra_table.csv").write_text("a_b,c\n1,x\n", encoding="utf-8")
    (d / "plan.json").write_text(
        '{"status": "optimal", "objective": 427.2, "years": [2024, 2033], "regdev_version": "0.1", "content_hash": "abc"}',
        encoding="utf-8",
    )
    return d


def test_one_sheet_per_table_with_styled_frozen_headers(plan_dir):
    path = write_plan_xlsx(plan_dir, lang="en")
    assert path == plan_dir / "plan.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["About", "Schedule", "Facilities", "Zz extra table"]
    ws = wb["Schedule"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["Region ID", "Facility", "Year"]
    assert headers[-1] == "Locked (already built)"
    assert all(c.font.bold for c in ws[1])
    assert ws[1][0].fill.fgColor.rgb.endswith("DCE6F0")
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:I3"
    row = [c.value for c in ws[2]]
    assert row == ["KP-CHA-TONGSIN", "factories", 2024, 1, 5400, 3.93, 47460, 1.313431, True]
    assert ws.column_dimensions["A"].width >= len("KP-CHA-TONGSIN")
    assert [c.value for c in wb["Zz extra table"][1]] == ["A b", "C"]
    about = {r[0].value: r[1].value for r in wb["About"].iter_rows(min_row=2)}
    assert about["Solver status"] == "optimal" and about["Years"] == "2024–2033"


def test_korean_sheet_names_and_headers(plan_dir, tmp_path):
    path = write_plan_xlsx(plan_dir, tmp_path / "ko.xlsx", lang="ko")
    wb = load_workbook(path)
    assert wb.sheetnames[:3] == ["정보", "일정", "시설"]
    assert [c.value for c in wb["일정"][1]][:3] == ["지역 ID", "시설", "연도"]
    assert sheet_title("factories", "ko") == "공장 생산공정"
    assert column_title("utilisation", "ko") == "가동률"
    assert column_title("utilisation", "en") == "Utilisation"


def test_value_labels_and_table_choice(plan_dir, tmp_path):
    path = write_plan_xlsx(
        plan_dir,
        tmp_path / "v.xlsx",
        lang="en",
        tables=["facilities"],
        value_labels={"facility": {"hospital": "Hospital"}},
    )
    wb = load_workbook(path)
    assert wb.sheetnames == ["About", "Facilities"]
    assert wb["Facilities"]["B2"].value == "Hospital"
    with pytest.raises(NotFoundError, match="no table missing.csv"):
        write_plan_xlsx(plan_dir, tmp_path / "m.xlsx", tables=["missing"])


def test_reproducible_and_atomic(plan_dir, tmp_path):
    out = tmp_path / "r.xlsx"
    first = hashlib.sha256(write_plan_xlsx(plan_dir, out, lang="en").read_bytes()).hexdigest()
    os.utime(plan_dir / "schedule.csv", (1, 1))
    second = hashlib.sha256(write_plan_xlsx(plan_dir, out, lang="en").read_bytes()).hexdigest()
    assert first == second
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".r.xlsx")] == []


def test_empty_folder_is_reported(tmp_path):
    with pytest.raises(NotFoundError, match="no CSV tables here"):
        write_plan_xlsx(tmp_path)
    assert not (tmp_path / "plan.xlsx").exists()


def test_money_headers_name_the_plans_unit_of_account(plan_dir, tmp_path):
    """Issue 10: money columns say the plan's unit (k EUR), the kUSD legacy label stays."""
    import json

    meta = json.loads((plan_dir / "plan.json").read_text("utf-8"))
    meta["unit_of_account"] = {"name": "k EUR", "usd_per_unit": 1080.0, "norm_units": 1.0}
    (plan_dir / "plan.json").write_text(json.dumps(meta), encoding="utf-8")
    (plan_dir / "factories.csv").write_text(
        "region_id,line,capital_cost,annual_cost,jobs\nKP-CHA-USI,bakery,925.9,120.5,25\n",
        encoding="utf-8",
    )
    wb = load_workbook(write_plan_xlsx(plan_dir, tmp_path / "eur.xlsx", lang="en"))
    assert "Cost (k EUR)" in [c.value for c in wb["Schedule"][1]]
    fac = wb[sheet_title("factories", "en")]
    headers = [c.value for c in fac[1]]
    assert "Capital cost (k EUR)" in headers and "Annual cost (k EUR)" in headers
    assert not any("USD" in h for h in headers)
    about = {r[0].value: r[1].value for r in wb["About"].iter_rows(min_row=2)}
    assert about["Unit of account"] == "k EUR"
    assert column_title("capital_cost_kusd", "en") == "Capital cost (thousand USD)"
    # without a unit in plan.json (an older folder) no unit is invented
    assert column_title("cost", "en") == "Cost"
