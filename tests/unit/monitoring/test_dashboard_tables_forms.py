from __future__ import annotations

import datetime as dt

import pytest

from regdev.monitoring.dashboard.forms import FORMS, validate_form
from regdev.monitoring.dashboard.tables import Column, Table


def test_table_csv_matches_rows_and_keeps_raw_values() -> None:
    t = Table(
        name="projects",
        title="Projects",
        columns=[
            Column("region", "Region"),
            Column("share", "On time", "pct"),
            Column("day", "Day", "date"),
        ],
        rows=[('Kimhwa, "pilot"', 0.5, dt.date(2024, 3, 1)), ("Sinpho", None, None)],
    )
    # rows end with CRLF (RFC 4180) since issue 16, so a bare CR in a field gets quoted
    assert t.to_csv() == 'region,share,day\r\n"Kimhwa, ""pilot""",0.5,2024-03-01\r\nSinpho,,\r\n'
    html = t.html_rows()
    assert html[0][1] == ("50.0%", "num", None)
    assert html[1][1][0] == "–"


def test_table_rejects_ragged_rows() -> None:
    with pytest.raises(ValueError, match="row 0 has 1 values; expected 2"):
        Table("t", "T", [Column("a", "A"), Column("b", "B")], [(1,)])


def _month_ago() -> str:
    d = dt.datetime.now(tz=dt.UTC).date().replace(day=1) - dt.timedelta(days=1)
    return f"{d.year:04d}-{d.month:02d}"


PROD = {
    "site_id": "3",
    "line": "soy sauce",
    "month": "",
    "output": "95.5",
    "capacity": "100",
    "raw_local": "",
}
QUAL = {
    "site_id": "1",
    "line": "L1",
    "date": "2025-05-01",
    "lot_code": "L-001",
    "sample_size": "10",
    "defects": "0",
}
SURV = {"site_id": "1", "date": "2025-05-01", "product_category": "soy sauce", "score": "7"}


def test_production_form_accepts_a_good_record() -> None:
    model, errors = validate_form(FORMS["production"], PROD | {"month": _month_ago()})
    assert errors == {}
    assert model is not None
    dumped = model.model_dump()
    assert dumped["output"] == 95.5
    assert dumped["raw_local"] is None  # blank = unknown (issue 15), no longer 0.0
    assert dumped["unit"] == "t"


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        ({"month": "2026-13"}, "month", "YYYY-MM"),
        ({"month": "2999-01"}, "month", "has not ended"),
        ({"month": dt.date.today().strftime("%Y-%m")}, "month", "has not ended"),
        ({"output": "-1"}, "output", "greater than or equal to 0"),
        ({"output": "abc"}, "output", "valid number"),
        ({"capacity": "0"}, "capacity", "greater than 0"),
        ({"output": "500", "capacity": "100"}, "output", "150% of capacity"),
        ({"site_id": ""}, "site_id", "required"),
        ({"line": ""}, "line", "required"),
    ],
)
def test_production_form_names_the_bad_field(
    values: dict[str, str], field: str, fragment: str
) -> None:
    model, errors = validate_form(FORMS["production"], PROD | {"month": _month_ago()} | values)
    assert model is None
    assert fragment in errors[field]


def test_quality_form_checks() -> None:
    model, errors = validate_form(FORMS["quality"], QUAL)
    assert errors == {}
    assert model is not None
    _, errors = validate_form(FORMS["quality"], QUAL | {"defects": "11", "defect_type": "crack"})
    assert "cannot exceed the sample size" in errors["defects"]
    _, errors = validate_form(FORMS["quality"], QUAL | {"lot_code": "bad code!"})
    assert "lot code" in errors["lot_code"]
    _, errors = validate_form(FORMS["quality"], QUAL | {"defects": "2"})
    assert "defect type" in errors["defects"]
    _, errors = validate_form(FORMS["quality"], QUAL | {"date": "2999-01-01"})
    assert "future" in errors["date"]


def test_survey_score_range_and_milestone_dates() -> None:
    model, errors = validate_form(FORMS["survey"], SURV)
    assert errors == {}
    _, errors = validate_form(FORMS["survey"], SURV | {"score": "11"})
    assert "less than or equal to 10" in errors["score"]
    _, errors = validate_form(FORMS["milestone"], {"project_id": "1", "milestone": "construction"})
    assert "planned date" in errors["__all__"]
    _, errors = validate_form(
        FORMS["milestone"], {"project_id": "1", "milestone": "flying", "actual_date": "2025-01-01"}
    )
    assert "expected one of" in errors["milestone"]
    _, errors = validate_form(
        FORMS["milestone"],
        {"project_id": "1", "milestone": "construction", "actual_date": "2999-01-01"},
    )
    assert "future" in errors["actual_date"]


def test_extra_context_check_runs_only_on_valid_input() -> None:
    calls: list[object] = []

    def extra(model: object) -> dict[str, str]:
        calls.append(model)
        return {"site_id": "not a factory of this county"}

    _, errors = validate_form(FORMS["survey"], SURV, extra=extra)
    assert errors == {"site_id": "not a factory of this county"}
    _, errors = validate_form(FORMS["survey"], {"site_id": "1", "score": "7"}, extra=extra)
    assert len(calls) == 1
    assert "date" in errors


def test_defect10_table_csv_defuses_formulas_and_quotes_bare_cr() -> None:
    import csv
    import io

    t = Table(
        name="t",
        title="T",
        columns=[Column("text", "Text"), Column("n", "N", "num")],
        rows=[("=HYPERLINK(1)", -5.0), ("+1", 1.0), ("@SUM(A1)", 2.0), ("-2", 3.0), ("a\rb", 4.0)],
    )
    text = t.to_csv()
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(1)", "'+1", "'@SUM(A1)", "'-2", "a\rb"]
    assert rows[1][1] == "-5.0"  # numbers stay numbers
    assert '"a\rb"' in text


def test_form_rules_are_the_api_rules() -> None:
    """Issue 16: one set of domain rules — each form message comes from rules.py."""
    from regdev.monitoring import rules

    for month, field_msg in (("2200-01", None), ("2019-12", None)):
        _, errors = validate_form(FORMS["production"], PROD | {"month": month})
        y, m = (int(x) for x in month.split("-"))
        assert errors["month"] == rules.check_report_month(y, m), field_msg
    _, errors = validate_form(
        FORMS["milestone"],
        {"project_id": "1", "milestone": "construction", "planned_date": "2999-01-01"},
    )
    assert errors["planned_date"] == rules.check_planned_date(dt.date(2999, 1, 1))


def test_nul_in_form_fields_is_a_field_error() -> None:
    _, errors = validate_form(FORMS["production"], PROD | {"line": "no\x00odles"})
    assert "NUL" in errors["line"]
