"""Issue 17 end to end: three real tables of other countries' regions, raw file -> plan report.

The commands are the ones documented in ``tests/data/countries/SOURCES.md`` (read from it,
so the documentation cannot drift from what is tested) and run with the installed
``regdev`` console script in a subprocess: one ``regdev data import`` mapping command, then
``regdev plan``; exit codes, the plan folder and what the outputs say was assumed are checked.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "countries"
REGDEV = Path(sys.executable).parent / "regdev"
PLAN_FILES = {"plan.json", "schedule.csv", "report.html", "factories.csv", "dossiers.json"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.solver,
    pytest.mark.skipif(not REGDEV.exists(), reason="the regdev console script is not installed"),
]


def documented_commands() -> dict[str, list[list[str]]]:
    """The ``regdev`` command lines of each table's section of SOURCES.md."""
    text = (DATA / "SOURCES.md").read_text("utf-8")
    out: dict[str, list[list[str]]] = {}
    for section in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        name = section.splitlines()[0].strip()
        blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)
        lines = [ln for b in blocks for ln in b.splitlines() if ln.startswith("regdev ")]
        out[name] = [shlex.split(ln) for ln in lines]
    return out


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    argv = [str(REGDEV)] + [a.replace("tests/data/countries/", f"{DATA}/") for a in args[1:]]
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)


def import_and_plan(name: str, tmp_path: Path) -> tuple[str, str, Path]:
    commands = documented_commands()[name]
    assert [c[:3] for c in commands] == [
        ["regdev", "data", "import"],
        ["regdev", "plan", "--regions"],
    ]
    imp = run(commands[0], tmp_path)
    assert imp.returncode == 0, imp.stderr
    assert "Traceback" not in imp.stderr
    plan = run([*commands[1], "--explain-last", "0", "--json"], tmp_path)
    assert plan.returncode == 0, plan.stderr
    assert "Traceback" not in plan.stderr
    out = tmp_path / commands[1][commands[1].index("--out") + 1]
    assert {p.name for p in out.iterdir()} >= PLAN_FILES
    return imp.stdout, plan.stderr, out


def plan_facts(out: Path) -> tuple[dict, pd.DataFrame, str]:
    meta = json.loads((out / "plan.json").read_text("utf-8"))
    sched = pd.read_csv(out / "schedule.csv", dtype={"region_id": str})
    html = (out / "report.html").read_text("utf-8")
    assert meta["status"] == "optimal"
    assert "http://" not in html and "https://" not in html
    return meta, sched, html


def test_every_table_has_one_documented_mapping_command():
    commands = documented_commands()
    assert set(commands) == {
        "ca_census_divisions_2021.csv",
        "la_admin_divisions.csv",
        "us_southwest_counties_2010.txt",
    }
    for name, lines in commands.items():
        assert sum(c[:3] == ["regdev", "data", "import"] for c in lines) == 1, name
        assert (DATA / name).is_file()


def test_canada_without_coordinates_and_with_mapped_kinds(tmp_path):
    stdout, stderr, out = import_and_plan("ca_census_divisions_2021.csv", tmp_path)
    assert "wrote 293 regions" in stdout
    assert "kind 'MRC' -> county (programme region): 81 rows" in stdout
    assert "kind 'CDR' -> capital (reference row, never a site): 1 row" in stdout
    assert "could not impute: 293 lat" in stdout
    assert "warning: coordinates: no row has lat/lon" in stderr
    meta, sched, html = plan_facts(out)
    assumed = meta["registry"]["assumptions"]
    assert any(a.startswith("coordinates: no row has lat/lon") for a in assumed)
    assert any(a.startswith("coastal: no region is marked coastal") for a in assumed)
    assert meta["n_regions"] == 292  # Ottawa is the capital, never a site
    fac = sched[sched["facility"] == "factories"]
    assert fac["region_id"].nunique() == 292  # --per-year auto reaches every region
    assert fac.groupby("year").size().max() == 30  # ceil(292 / 10)
    assert "offshore_farm" not in set(sched["facility"])
    design = meta["extensions"]["factory-design"]
    assert design["assumptions"] == [
        "no coordinates: no trade between regions; imports and central supply are hauled "
        "300 km (default import distance)"
    ]
    assert "No coordinates in the region table." in html
    assert "Assumed for missing data" in html


def test_laos_districts_without_population(tmp_path):
    stdout, stderr, out = import_and_plan("la_admin_divisions.csv", tmp_path)
    assert "wrote 148 regions" in stdout
    assert "kind 'Province' -> excluded (not written): 18 rows" in stdout
    assert "warning: population: no row has one" in stderr
    meta, sched, html = plan_facts(out)
    assumed = meta["registry"]["assumptions"]
    assert any("100,000 (schema default)" in a for a in assumed)
    assert any("no capital row" in a for a in assumed)
    assert meta["n_regions"] == 148 and meta["registry"]["source"].endswith("la.csv")
    fac = sched[sched["facility"] == "factories"]
    assert fac["region_id"].nunique() == 148
    assert "National map: factory year" in html


def test_united_states_counties_latin1_with_units(tmp_path):
    stdout, stderr, out = import_and_plan("us_southwest_counties_2010.txt", tmp_path)
    assert "wrote 158 regions" in stdout
    assert "scaled: area_km2 x 1e-06" in stdout
    regions = pd.read_csv(tmp_path / "us.csv", dtype={"region_id": str}).set_index("region_id")
    assert regions.at["35013", "name"] == "Doña Ana County"
    # Maricopa County: 23,828,000,000 m² of land (rounded) is 23,828 km²
    assert regions.at["04013", "area_km2"] == pytest.approx(23_828.0, rel=1e-3)
    assert regions.at["04013", "population"] == 3_817_117
    meta, sched, _html = plan_facts(out)
    assert meta["n_regions"] == 158
    assert sched[sched["facility"] == "factories"]["region_id"].nunique() == 158
    assert set(sched["facility"]) >= {"factories", "hospital", "leisure_complex"}
    assert "warning: development index: no capital row" in stderr


def test_the_raw_table_without_mapping_fails_with_a_summary(tmp_path):
    res = run(
        [
            "regdev",
            "data",
            "import",
            "tests/data/countries/ca_census_divisions_2021.csv",
            "--map",
            "region_id=CDUID,name=census_division_name,province=province,kind=geographic_area_type",
            "--out",
            "x.csv",
        ],
        tmp_path,
    )
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert re.search(r"summary: kind: 293 rows expected one of .*'CDR' \(85\)", res.stderr)
    assert not (tmp_path / "x.csv").exists()
