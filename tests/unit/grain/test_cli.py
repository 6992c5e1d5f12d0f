from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from regdev.cli import app
from regdev.errors import ConfigError, DataValidationError

runner = CliRunner()


def test_simulate_json_and_plots(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "grain",
            "simulate",
            "--strategy",
            "all",
            "--days",
            "3",
            "--tonnes",
            "500",
            "--depth",
            "8",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data["strategies"]) == {"emc", "delta-t", "mpc"}
    for s in data["strategies"].values():
        assert s["energy_kwh"] >= 0
        assert s["dml_pct"] > 0
    # One comparison figure (issue 15); per-strategy figures only on request.
    assert (out / "grain-comparison.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (out / "grain-emc.png").exists()
    assert json.loads((out / "summary.json").read_text())["hours"] == 72
    more = runner.invoke(
        app,
        [
            "grain",
            "simulate",
            "--strategy",
            "emc",
            "--days",
            "1",
            "--tonnes",
            "500",
            "--depth",
            "8",
            "--out",
            str(out),
            "--per-strategy-plots",
            "--json",
        ],
    )
    assert more.exit_code == 0, more.output
    assert (out / "grain-emc.png").read_bytes()[:4] == b"\x89PNG"


def test_simulate_table_with_csv_weather(tmp_path: Path) -> None:
    csv = tmp_path / "w.csv"
    rows = ["time,temp_c,rh_pct"] + [f"2026-10-01T{h:02d}:00,{5 + h % 5},60" for h in range(24)]
    csv.write_text("\n".join(rows) + "\n")
    result = runner.invoke(
        app,
        [
            "grain",
            "simulate",
            "--strategy",
            "delta-t",
            "--weather",
            str(csv),
            "--tonnes",
            "300",
            "--depth",
            "6",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "delta-t" in result.output
    assert "DML" in result.output


def test_simulate_errors_are_regdev_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["grain", "simulate", "--strategy", "pid", "--days", "1"])
    assert isinstance(result.exception, ConfigError)
    bad = tmp_path / "bad.csv"
    bad.write_text("time,temp_c\n")
    result = runner.invoke(app, ["grain", "simulate", "--weather", str(bad)])
    assert isinstance(result.exception, DataValidationError)


def test_size() -> None:
    result = runner.invoke(
        app, ["grain", "size", "--population", "100000", "--norm", "cn-producing", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["capacity_t"] == 4180.0  # 167 kg/person/yr (FAO/WFP)
    table = runner.invoke(app, ["grain", "size", "--population", "100000"])
    assert table.exit_code == 0
    assert "storage capacity" in table.output


def test_fumigation_plan_accept_and_refuse() -> None:
    ok = runner.invoke(
        app,
        [
            "grain",
            "fumigation-plan",
            "--profile",
            "phosphine-au",
            "--start",
            "2026-11-02",
            "--grain-temp",
            "22",
            "--days",
            "10",
            "--tonnes",
            "200",
            "--halflife",
            "4",
            "--json",
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["end"] == "2026-11-17"
    refused = runner.invoke(
        app,
        [
            "grain",
            "fumigation-plan",
            "--profile",
            "phosphine-au",
            "--start",
            "2026-12-01",
            "--grain-temp",
            "8",
            "--days",
            "10",
            "--tonnes",
            "200",
            "--halflife",
            "4",
        ],
    )
    assert isinstance(refused.exception, ConfigError)
    assert "below the 15 degC minimum" in str(refused.exception)
    bad = runner.invoke(
        app,
        [
            "grain",
            "fumigation-plan",
            "--profile",
            "phosphine-au",
            "--start",
            "2026-12-01",
            "--grain-temp",
            "20",
            "--days",
            "10",
            "--tonnes",
            "200",
            "--store-age",
            "ancient",
        ],
    )
    assert isinstance(bad.exception, ConfigError)
    assert "store_age" in str(bad.exception)


def test_run_reports_bad_config(tmp_path: Path) -> None:
    cfg = tmp_path / "store.toml"
    cfg.write_text("[store]\nid='x'\n")
    result = runner.invoke(app, ["grain", "run", "--config", str(cfg), "--once"])
    assert isinstance(result.exception, ConfigError)
    assert "store.tonnes" in str(result.exception)


def test_root_cli_prints_one_line_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from regdev.cli import main

    monkeypatch.setattr("sys.argv", ["regdev", "grain", "size", "--population", "5", "--norm", "x"])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "norm must be one of" in err
