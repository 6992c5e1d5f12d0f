"""Issue 9: ``regdev plan frontier`` prints the budget → benefit frontier."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from regdev.cli import app

runner = CliRunner()


@pytest.mark.solver
def test_frontier_command_json():
    res = runner.invoke(
        app,
        ["plan", "frontier", "--levels", "600", "--time-limit", "5", "--no-history", "--json"],
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["budget"] for r in rows][0] == 600.0
    assert rows[-1]["budget"] is None  # unlimited (inf → null in JSON)
    assert rows[0]["status"] in {"optimal", "feasible"}
    assert rows[0]["max_annual_payment"] <= 600.0 + 1e-6
    assert 0 < rows[0]["share_of_unlimited"] <= 1.0 + 1e-9


def test_frontier_command_rejects_bad_levels():
    res = runner.invoke(app, ["plan", "frontier", "--levels", "abc"])
    assert res.exit_code != 0
    assert "--levels" in res.output
