"""``regdev plan --actuals`` reads the tracked projects from a backup or a CSV export (issue 10)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from regdev.errors import DataValidationError, NotFoundError
from regdev.monitoring import testing
from regdev.monitoring.actuals import is_url, read_actual_records
from regdev.monitoring.backup import backup
from regdev.planning.actuals import facts_from_records

AS_OF = dt.date(2026, 12, 1)


def _states(records: list[dict]) -> dict[str, str]:
    return {str(r["region_id"]): str(r["state"]) for r in records}


def test_backup_and_csv_export_give_the_same_facts(
    engine: Engine, client: TestClient, login, world: testing.World, tmp_path: Path
) -> None:
    # the toy world: T-A1, T-A2, T-B1 operating since 2024-12-20, T-B2 broke ground 2024-03-01
    path = tmp_path / "monitoring.json.gz"
    backup(engine, path)
    from_backup, label = read_actual_records(str(path))
    assert label == str(path)
    r = client.get("/api/v1/projects/export.csv", headers=login("nat"))
    assert r.status_code == 200, r.text
    csv_path = tmp_path / "projects.csv"
    csv_path.write_text(r.text, encoding="utf-8")
    from_csv, _ = read_actual_records(str(csv_path))
    assert (
        _states(from_backup)
        == _states(from_csv)
        == {
            "T-A1": "operating",
            "T-A2": "operating",
            "T-B1": "operating",
            "T-B2": "groundbreaking",
        }
    )
    facts = {f.region_id: f for f in facts_from_records(from_backup, as_of=AS_OF)}
    assert facts == {f.region_id: f for f in facts_from_records(from_csv, as_of=AS_OF)}
    assert (facts["T-A1"].state, facts["T-A1"].year, facts["T-A1"].date) == (
        "built",
        2024,
        "2024-12-20",
    )
    # planned 2024-02-28 → 2024-12-31; started 2 days late, but on 2026-12-01 the planned
    # inauguration is 700 days overdue: expected 2026-12-01, fixed to 2026
    b2 = facts["T-B2"]
    assert (b2.state, b2.slip_days, b2.year, b2.date) == (
        "under_construction",
        700,
        2026,
        "2026-12-01",
    )


def test_bad_sources_are_clear_errors(tmp_path: Path) -> None:
    assert is_url("sqlite:///x.db") and not is_url("x.csv")
    with pytest.raises(NotFoundError, match="no such file"):
        read_actual_records(str(tmp_path / "missing.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("region_id,state\nR1,operating\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"bad\.csv:1:facility,cohort_year"):
        read_actual_records(str(bad))
