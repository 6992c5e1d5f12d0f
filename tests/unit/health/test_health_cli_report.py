"""`regdev health site` and the offline report section."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd
from typer.testing import CliRunner

from regdev.cli import app
from regdev.health.report import county_map_svg, coverage_curve_svg
from regdev.health.settlements import synthetic_settlements
from regdev.health.siting import county_problem, coverage_curve, site_county
from regdev.registry import load_default

runner = CliRunner()


def test_site_one_region_writes_tables_and_report(tmp_path):
    res = runner.invoke(
        app,
        [
            "health",
            "site",
            "--region",
            "KP-CHA-HUICHON",
            "--model",
            "lscp",
            "--standard",
            "45",
            "--out",
            str(tmp_path),
            "--quiet",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "synthetic" in res.output
    for name in ("posts", "assignments", "coverage", "staffing"):
        text = (tmp_path / f"{name}.csv").read_text()
        assert text.startswith("# villages: synthetic")
    assign = pd.read_csv(tmp_path / "assignments.csv", comment="#")
    assert assign["within_standard"].all()  # LSCP promises everyone the standard
    html = (tmp_path / "report.html").read_text()
    assert (
        "<svg" in html
        and "synthetic" in html
        and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )


def test_bad_model_and_missing_region_exit_non_zero():
    res = runner.invoke(app, ["health", "site", "--region", "KP-CHA-HUICHON", "--model", "nope"])
    assert res.exit_code == 2
    res = runner.invoke(app, ["health", "site", "--model", "mclp"])
    assert res.exit_code == 2


def test_json_output_lists_the_region():
    res = runner.invoke(app, ["health", "site", "--region", "Huichon", "--json", "--quiet"])
    assert res.exit_code == 0, res.output
    assert '"region_id": "KP-CHA-HUICHON"' in res.output


def test_svgs_are_well_formed_and_labelled():
    reg = load_default()
    s = synthetic_settlements(reg, seed=0)
    prob = county_problem(reg, s, "KP-CHA-HUICHON")
    out = site_county(prob, model="pmedian", synthetic=True)
    svg = county_map_svg(out, prob.villages)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}rect")) == out.n_posts
    assert len(root.findall(f"{ns}circle")) == len(prob.villages)
    assert len(root.findall(f"{ns}line")) == len(prob.villages)
    assert "synthetic" in svg
    curve = coverage_curve(prob, 60.0, 3)
    ET.fromstring(coverage_curve_svg(curve, prob.population, 60.0))
