"""`regdev plan compare A B` and `regdev plan export-xlsx DIR` / `regdev plan --xlsx`."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import regdev
from regdev.cli import app
from regdev.planning import load_scenario
from regdev.registry import toy_region

runner = CliRunner()


@pytest.fixture(autouse=True)
def _language_as_found():
    """`--lang` sets the language for the rest of the process; undo it after each test."""
    from regdev.i18n import _current

    token = _current.set(_current.get())
    yield
    _current.reset(token)


@pytest.fixture(scope="module")
def two_plans(tmp_path_factory):
    root = tmp_path_factory.mktemp("cmp")
    opts = regdev.PlanOptions(explain_last=0)
    base = load_scenario().with_updates(history={"enabled": False})
    a = regdev.plan(toy_region(), base.with_updates(factories={"per_year": 2}), options=opts)
    b = regdev.plan(toy_region(), base.with_updates(factories={"per_year": 3}), options=opts)
    return a.write(root / "A"), b.write(root / "B")


def _moved_by_hand(a_dir, b_dir) -> int:
    a = pd.read_csv(a_dir / "schedule.csv").set_index(["region_id", "facility"])["year"]
    b = pd.read_csv(b_dir / "schedule.csv").set_index(["region_id", "facility"])["year"]
    both = a.index.intersection(b.index)
    return int((a[both] != b[both]).sum())


def test_compare_reports_the_moved_projects_and_writes_an_offline_page(two_plans, tmp_path):
    a, b = two_plans
    page = tmp_path / "cmp.html"
    res = runner.invoke(
        app, ["--lang", "en", "plan", "compare", str(a), str(b), "--json", "--html", str(page)]
    )
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["moved"] == _moved_by_hand(a, b) > 0
    html = page.read_text("utf-8")
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "http://" not in html and "https://" not in html
    assert "Projects that move" in html and "Regional-industry factories" in html


def test_compare_in_korean(two_plans):
    a, b = two_plans
    res = runner.invoke(app, ["--lang", "ko", "plan", "compare", str(a), str(b)])
    assert res.exit_code == 0, res.output
    assert "연도가 바뀌고" in res.stdout and "A안 비용" in res.stdout


def test_compare_fails_with_a_clear_message_and_exit_1(two_plans, tmp_path):
    a, _ = two_plans
    res = runner.invoke(app, ["plan", "compare", str(a), str(tmp_path / "missing")])
    assert res.exit_code != 0


def test_export_xlsx_writes_one_sheet_per_table(two_plans, tmp_path):
    from openpyxl import load_workbook

    a, _ = two_plans
    out = tmp_path / "plan.xlsx"
    res = runner.invoke(app, ["--lang", "en", "plan", "export-xlsx", str(a), "--out", str(out)])
    assert res.exit_code == 0, res.output
    book = load_workbook(out, read_only=True)
    n_csv = len(list(a.glob("*.csv")))
    # every table plus the "About" sheet
    assert len(book.sheetnames) == n_csv + 1
    sched = pd.read_csv(a / "schedule.csv")
    ws = book[book.sheetnames[1]] if "About" in book.sheetnames[0] else book[book.sheetnames[0]]
    assert ws.max_row >= 2
    values = {c for row in book.worksheets[1].iter_rows(values_only=True) for c in row}
    assert "Regional-industry factories" in values  # facility keys written in words
    assert "factories" not in values
    assert len(sched) > 0


def test_export_xlsx_of_a_missing_folder_exits_1(tmp_path):
    res = runner.invoke(app, ["plan", "export-xlsx", str(tmp_path / "nope")])
    assert res.exit_code != 0


def test_plan_in_korean_writes_a_korean_report(tmp_path):
    res = runner.invoke(
        app,
        ["--lang", "ko", "plan", "--out", str(tmp_path / "p"), "--explain-last", "0", "--xlsx"],
    )
    assert res.exit_code == 0, res.output
    html = (tmp_path / "p" / "report.html").read_text("utf-8")
    assert html.startswith('<!DOCTYPE html>\n<html lang="ko">') and "계획 요약" in html
    assert "보고서 열기" in res.stdout
    assert (tmp_path / "p" / "plan.xlsx").is_file()


def test_plan_compare_with_adds_a_comparison_section(two_plans, tmp_path):
    a, _ = two_plans
    regions = tmp_path / "toy.csv"
    toy_region().frame.reset_index().to_csv(regions, index=False)
    out = tmp_path / "c"
    res = runner.invoke(
        app,
        [
            "--lang",
            "en",
            "plan",
            "--regions",
            str(regions),
            "--scenario",
            str(_toy_scenario(tmp_path)),
            "--out",
            str(out),
            "--explain-last",
            "0",
            "--compare-with",
            str(a),
        ],
    )
    assert res.exit_code == 0, res.output
    html = (out / "report.html").read_text("utf-8")
    assert 'id="comparison"' in html and "Comparison with another plan" in html
    # years are written as years, not as grouped numbers
    assert "2,02" not in html
    assert html.index('id="comparison"') > html.index('id="dossiers"')


def _toy_scenario(tmp_path):
    path = tmp_path / "toy.toml"
    path.write_text("[factories]\nper_year = 3\n[history]\nenabled = false\n", encoding="utf-8")
    return path
