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
        "fr_lozere_communes.csv",
        "it_iso3166_2.csv",
        "cl_cities_geonames.csv",
    }
    for name, lines in commands.items():
        assert sum(c[:3] == ["regdev", "data", "import"] for c in lines) == 1, name
        assert (DATA / name).is_file()


def test_france_communes_without_coordinates_and_with_mapped_kinds(tmp_path):
    stdout, stderr, out = import_and_plan("fr_lozere_communes.csv", tmp_path)
    assert "wrote 152 regions" in stdout
    assert "kind 'commune-actuelle' -> county (programme region): 151 rows" in stdout
    assert "kind 'commune-deleguee' -> excluded (not written): 42 rows" in stdout
    assert "kind 'commune-associee' -> excluded (not written): 4 rows" in stdout
    assert "capital: 48095" in stdout  # Mende, the préfecture
    assert "could not impute: 152 area_km2, 152 lat" in stdout
    assert "warning: coordinates: no row has lat/lon" in stderr
    regions = pd.read_csv(tmp_path / "fr.csv", dtype={"region_id": str}).set_index("region_id")
    assert regions.at["48095", "name"] == "Mende" and regions.at["48095", "kind"] == "capital"
    assert regions.at["48095", "population"] == 12_464  # as in the raw file
    assert set(regions["province"]) == {"Florac", "Mende"}
    meta, sched, html = plan_facts(out)
    assumed = meta["registry"]["assumptions"]
    assert any(a.startswith("coordinates: no row has lat/lon") for a in assumed)
    assert any(a.startswith("coastal: no region is marked coastal") for a in assumed)
    assert meta["n_regions"] == 151  # Mende is the capital, never a site
    fac = sched[sched["facility"] == "factories"]
    # issue 9: a commune that cannot staff a factory group at the minimum efficient scale
    # (120 workers from at most 8 % of its residents, i.e. fewer than 1,500 residents) is no
    # factory candidate; --per-year auto reaches every commune that is one
    programme = regions[regions["kind"] != "capital"]
    big = set(programme.index[programme["population"] * 0.08 >= 120])
    assert 0 < len(big) < 151
    assert set(fac["region_id"]) == big
    assert fac.groupby("year").size().max() == -(-len(big) // 10)  # ceil(candidates / 10)
    dossiers = json.loads((out / "dossiers.json").read_text("utf-8"))
    small = [d for d in dossiers if d["region_id"] not in big]
    assert small and all("factories" in d["not_candidate"] for d in small)
    assert "offshore_farm" not in set(sched["facility"])
    design = meta["extensions"]["factory-design"]
    assert (
        "no coordinates: no trade between regions; imports and central supply are hauled "
        "300 km (default import distance)"
    ) in design["assumptions"]
    assert "No map: the region table has no coordinates or no shapes to draw." in html
    assert "Assumed for missing data" in html


def test_italy_iso_subdivisions_without_population_or_coordinates(tmp_path):
    stdout, stderr, out = import_and_plan("it_iso3166_2.csv", tmp_path)
    assert "wrote 106 regions" in stdout
    assert "kind 'Province' -> county (programme region): 80 rows" in stdout
    assert "kind 'Metropolitan city' -> city (programme region): 13 rows" in stdout
    assert "kind 'Region' -> excluded (not written): 15 rows" in stdout
    assert "imputed: 106 population" in stdout
    assert "warning: population: no row has one" in stderr
    meta, sched, html = plan_facts(out)
    assumed = meta["registry"]["assumptions"]
    assert any("100,000 (schema default)" in a for a in assumed)
    assert any(a.startswith("coordinates: no row has lat/lon") for a in assumed)
    assert meta["n_regions"] == 105 and meta["registry"]["source"].endswith("it.csv")
    fac = sched[sched["facility"] == "factories"]
    assert fac["region_id"].nunique() == 105
    assert "IT-RM" not in set(sched["region_id"])  # the capital is never a site
    assert "Assumed for missing data" in html


def test_chile_places_with_coordinates_and_one_kind(tmp_path):
    stdout, stderr, out = import_and_plan("cl_cities_geonames.csv", tmp_path)
    assert "wrote 147 regions" in stdout
    assert "set for every row: kind = 'city'" in stdout
    assert "could not impute: 147 area_km2" in stdout
    regions = pd.read_csv(tmp_path / "cl.csv", dtype={"region_id": str}).set_index("region_id")
    assert regions.at["3868121", "name"] == "Viña del Mar"
    assert regions.at["3871336", "kind"] == "capital"
    assert regions.at["3871336", "population"] == 4_837_295
    assert regions.at["3899361", "lat"] == pytest.approx(-18.47552)  # Arica
    assert "warning: development index: left out urban, density, physiography" in stderr
    meta, sched, html = plan_facts(out)
    assert meta["n_regions"] == 146
    assert sched[sched["facility"] == "factories"]["region_id"].nunique() == 146
    assert set(sched["facility"]) >= {"factories", "hospital", "leisure_complex"}
    assert "Map: when each county gets its factories" in html
    assert meta["extensions"]["factory-design"]["assumptions"] == []


def test_the_raw_table_without_kind_mapping_fails_with_a_summary(tmp_path):
    res = run(
        [
            "regdev",
            "data",
            "import",
            "tests/data/countries/it_iso3166_2.csv",
            "--map",
            "region_id=code,province=parent,kind=type",
            "--out",
            "x.csv",
        ],
        tmp_path,
    )
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert re.search(r"summary: kind: 126 rows expected one of .*'Province' \(80\)", res.stderr)
    assert "--kind-map" in res.stderr
    assert not (tmp_path / "x.csv").exists()


def test_the_extracts_are_rebuilt_by_the_script():
    """The build script knows every committed table (it rebuilds them from the packages)."""
    script = (
        Path(__file__).resolve().parents[2] / "scripts" / "build_country_tables.py"
    ).read_text("utf-8")
    for name in documented_commands():
        assert f'"{name}"' in script


def test_the_national_design_reports_the_local_rule_and_the_fair_baseline(tmp_path):
    """Issue 17 items 5-6 on the embedded country: what is local, what is inferred, both claims."""
    res = run(["regdev", "plan", "--explain-last", "0", "--out", "plan-kp", "--json"], tmp_path)
    assert res.returncode == 0, res.stderr
    out = tmp_path / "plan-kp"
    meta, _sched, html = plan_facts(out)
    claims = meta["extensions"]["factory-design"]["claims"]
    n_char = claims["characteristic_lines"]
    assert n_char > 100
    assert 0 < claims["characteristic_lines_local"] <= n_char
    assert claims["characteristic_local_rule_share"] == pytest.approx(
        claims["characteristic_lines_local"] / n_char
    )
    fac = pd.read_csv(out / "factories.csv", keep_default_na=False)
    char = fac[fac["kind"] == "characteristic"]
    assert len(char) == n_char
    assert (char["counts_as_characteristic"].astype(str) == "True").sum() == claims[
        "characteristic_lines_local"
    ]
    inferred = char["main_input_basis"] == "inferred"
    assert inferred.sum() == claims["characteristic_lines_inferred"] > 0
    assert char.loc[inferred, "enabled_by"].str.contains("inferred from terrain and area").all()
    assert set(char["main_input_basis"]) <= {"listed", "given", "inferred"}
    raw = pd.read_csv(out / "factory_raw_materials.csv", keep_default_na=False)
    assert {"listed", "inferred"} <= set(raw["local_supply_basis"])
    assert claims["scale_exponent_capex"] == 0.6
    # money in the unit of account (issue 10): the *_kusd keys lose their suffix
    assert claims["baseline_total_cost"] > 0 and claims["design_total_cost"] > 0
    assert "Total annual cost (production + transport)" in html
    assert f"Characteristic lines: {n_char}; {claims['characteristic_lines_local']} (" in html


def test_a_table_without_area_or_resources_opens_no_characteristic_line(tmp_path):
    _stdout, _stderr, out = import_and_plan("cl_cities_geonames.csv", tmp_path)
    meta, _sched, html = plan_facts(out)
    claims = meta["extensions"]["factory-design"]["claims"]
    assert claims["characteristic_lines"] == 0
    assert claims["characteristic_local_rule_share"] is None
    assert "No characteristic line is opened." in html


def test_plan_with_a_country_catalogue_folder(tmp_path):
    """``regdev plan --catalogue DIR``: a country's own demand; a bad file fails before solving."""
    packaged = Path(__file__).resolve().parents[2] / "src" / "regdev" / "design" / "data"
    cat = tmp_path / "cat"
    cat.mkdir()
    text = (packaged / "demand.csv").read_text("utf-8")
    (cat / "demand.csv").write_text(text.replace("pickles,t,0.030", "pickles,t,0.001"), "utf-8")
    imp = run(documented_commands()["cl_cities_geonames.csv"][0], tmp_path)
    assert imp.returncode == 0, imp.stderr
    ok = run(
        [
            "regdev",
            "plan",
            "--regions",
            "cl.csv",
            "--per-year",
            "auto",
            "--catalogue",
            str(cat),
            "--explain-last",
            "0",
            "--out",
            "plan-cat",
            "--json",
        ],
        tmp_path,
    )
    assert ok.returncode == 0, ok.stderr
    fac = pd.read_csv(tmp_path / "plan-cat" / "factories.csv")
    pickles = fac.loc[fac["line"] == "pickles_kimchi", "production"].sum()
    regions = pd.read_csv(tmp_path / "cl.csv")
    pop = regions.loc[regions["kind"] != "capital", "population"].sum()
    # 1 kg a person (x at most 1.005 ** 25 growth) instead of the packaged 30 kg; with the
    # packaged catalogue the 60 % coverage target alone would need 18 kg a person
    assert 0 < pickles <= pop * 0.001 * 1.14
    (cat / "supply.csv").write_text("resource,basis\nrice,hectares\n", "utf-8")
    bad = run(
        ["regdev", "plan", "--regions", "cl.csv", "--catalogue", str(cat), "--out", "p2"], tmp_path
    )
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    assert (
        f"{cat / 'supply.csv'}:" in bad.stderr and "expected column 'price_usd_per_t'" in bad.stderr
    )
    assert not (tmp_path / "p2").exists()
