"""End to end: `regdev simulate` on a real Dask cluster (scheduler + two worker processes on
loopback) gives exactly the numbers of the serial run with the same seed; CLI errors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import regdev
from regdev.cli import app

runner = CliRunner()
BIN = Path(sys.executable).parent
SRC = str(Path(regdev.__file__).resolve().parents[1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("simcli") / "plan"
    regdev.plan().write(out)
    return out


@pytest.fixture
def dask_cluster(tmp_path):
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    procs = [
        subprocess.Popen(
            [
                str(BIN / "dask"),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-dashboard",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=tmp_path,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                pytest.fail("dask scheduler did not start")
            time.sleep(0.2)
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        str(BIN / "dask"),
                        "worker",
                        addr,
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    cwd=tmp_path,
                )
            )
        from distributed import Client

        with Client(addr, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
            assert len(client.scheduler_info()["workers"]) == 2
        yield addr
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


@pytest.mark.slow
def test_distributed_equals_serial(plan_dir, dask_cluster, tmp_path):
    common = ["simulate", str(plan_dir), "--scenarios", "700", "--seed", "11", "--sobol", "0"]
    res = runner.invoke(app, [*common, "--scheduler", "serial", "--out", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, [*common, "--scheduler", dask_cluster, "--out", str(tmp_path / "d")])
    assert res.exit_code == 0, res.output
    for name in ("county_year.parquet", "indicators.parquet", "scenarios.parquet"):
        a = pd.read_parquet(tmp_path / "s" / name)
        b = pd.read_parquet(tmp_path / "d" / name)
        assert len(a) > 0
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    a = pd.read_csv(tmp_path / "s" / "target_probability.csv")
    b = pd.read_csv(tmp_path / "d" / "target_probability.csv")
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    # the scenarios differ from each other (a real Monte Carlo, not one repeated draw)
    sc = pd.read_parquet(tmp_path / "d" / "scenarios.parquet")
    assert sc[sc["year"] == 2040]["mean_income"].nunique() == 700


@pytest.mark.slow
def test_outcomes_folder_and_report(plan_dir, tmp_path):
    out = tmp_path / "o"
    res = runner.invoke(
        app,
        [
            "simulate",
            str(plan_dir),
            "--scenarios",
            "300",
            "--scheduler",
            "serial",
            "--sobol",
            "16",
            "--compare",
            str(plan_dir),
            "--out",
            str(out),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    names = {p.name for p in out.iterdir()}
    assert {
        "county_year.csv",
        "county_year.parquet",
        "indicators.csv",
        "sobol.csv",
        "target_probability.csv",
        "output_by_line.csv",
        "simulation.html",
        "summary.json",
        "compare",
    } <= names
    page = (out / "simulation.html").read_text("utf-8")
    assert "<svg" in page and "<script" not in page
    assert "https://" not in page and "http://" not in page.replace("http://www.w3.org", "")
    cy = pd.read_csv(out / "county_year.csv")
    assert cy["region_id"].nunique() == 180
    assert cy["year"].min() == 2024 and cy["year"].max() == 2040
    assert (cy["income_real_q05"] <= cy["income_real_q50"] + 1e-6).all()
    assert (cy["income_real_q50"] <= cy["income_real_q95"] + 1e-6).all()


def test_cli_errors_exit_nonzero(tmp_path):
    res = subprocess.run(
        [str(BIN / "regdev"), "simulate", str(tmp_path / "missing"), "--scheduler", "serial"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": SRC},
        check=False,
    )
    assert res.returncode == 1
    assert "not a plan folder" in res.stderr
    bad = tmp_path / "plan"
    bad.mkdir()
    (bad / "schedule.csv").write_text("region_id,facility,year\nKP-CHA-USI,factories,soon\n")
    res = runner.invoke(app, ["simulate", str(bad), "--scheduler", "serial", "--sobol", "0"])
    assert res.exit_code == 1
    assert "schedule.csv:2:year" in str(res.exception)


def test_actuals_from_a_monitoring_database(tmp_path):
    """`--actuals URL` reads the projects' real dates; the slip fit counts them."""
    import sqlite3

    from regdev.cli.simulate import _actuals

    db = tmp_path / "m.db"
    con = sqlite3.connect(db)
    con.execute(
        "CREATE TABLE projects (id INTEGER PRIMARY KEY, region_id TEXT, facility TEXT, "
        "actual_groundbreaking DATE, actual_inauguration DATE)"
    )
    con.executemany(
        "INSERT INTO projects (region_id, facility, actual_groundbreaking, actual_inauguration) "
        "VALUES (?, ?, ?, ?)",
        [
            ("A", "factories", "2026-03-01", "2027-03-01"),
            ("B", "hospital", "2026-03-01", None),
            ("C", "factories", "2026-02-27", "2026-12-20"),
        ],
    )
    con.commit()
    con.close()
    months, opened = _actuals(f"sqlite:///{db}")
    assert len(months) == 2
    assert opened["region_id"].tolist() == ["A", "C"]
    assert opened["opened"].iloc[0] == pytest.approx(2027 + 59 / 365)
    assert months[0] == pytest.approx(365 / (365.25 / 12))
    csv = tmp_path / "ev.csv"
    csv.write_text(
        "region_id,facility,event,date\nA,hospital,groundbreaking,2026-03\n"
        "A,hospital,inauguration,2027-01-15\n"
    )
    # month-only date taken at the 15th: 2026-03-15 -> 2027-01-15 = 306 days
    months_csv, opened_csv = _actuals(str(csv))
    assert months_csv == [pytest.approx(306 / (365.25 / 12))]
    assert opened_csv["opened"].tolist() == [pytest.approx(2027 + 14 / 365)]
