import json

from typer.testing import CliRunner

from regdev.cli import app
from regdev.registry import load_default, read_regions

runner = CliRunner()


def test_list_json_has_every_region():
    res = runner.invoke(app, ["data", "list", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert len(rows) == 180
    assert {r["region_id"] for r in rows} == set(load_default().ids)


def test_list_province_filter_and_unknown():
    res = runner.invoke(app, ["data", "list", "--province", "rason", "--json"])
    assert [r["region_id"] for r in json.loads(res.stdout)] == ["KP-RAS-RASON"]
    res = runner.invoke(app, ["data", "list", "--province", "Atlantis"])
    assert res.exit_code != 0


def test_list_table_for_people():
    res = runner.invoke(app, ["data", "list", "-p", "Kaesong"])
    assert res.exit_code == 0 and "Jangphung" in res.stdout


def test_show_region_and_provinces():
    res = runner.invoke(app, ["data", "show", "Kimhwa", "--json"])
    rec = json.loads(res.stdout)
    assert rec["region_id"] == "KP-KAN-KIMHWA"
    assert rec["population_source"].startswith("imputed:")
    assert len(rec["nearest"]) == 5
    res = runner.invoke(app, ["data", "show", "--provinces", "--json"])
    rows = {r["province"]: r for r in json.loads(res.stdout)}
    assert rows["(total)"]["census_population"] == 19_226_764
    assert rows["North Pyongan"]["census_share"] == 1.0
    res = runner.invoke(app, ["data", "show", "--provinces"])
    assert "census" in res.stdout and "share" in res.stdout and "21,792,653" in res.stdout


def test_validate_reports_problems_and_exit_code(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("region_id,name,province,kind,population\nR1,One,P,county,lots\n")
    res = runner.invoke(app, ["data", "validate", str(bad)])
    assert res.exit_code == 1
    assert f"{bad}:2:population: expected a number, got 'lots'" in res.stderr
    good = tmp_path / "good.csv"
    good.write_text(
        "region_id,name,province,kind,population,area_km2,lat,lon\nR1,One,P,county,5,1,40,127\n"
    )
    res = runner.invoke(app, ["data", "validate", str(good), "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["valid"] is True


def test_synth_command_writes_folder(tmp_path):
    out = tmp_path / "syn"
    res = runner.invoke(
        app,
        [
            "data",
            "synth",
            "--regions",
            "50",
            "--settlements",
            "400",
            "--seed",
            "1",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "regions.csv",
        "settlements.csv",
    ]
    res = runner.invoke(app, ["data", "validate", str(out / "regions.csv")])
    assert res.exit_code == 0


def test_resources_schema_export(tmp_path):
    assert "seaweed" in runner.invoke(app, ["data", "resources"]).stdout
    assert (
        "kelp"
        in json.loads(runner.invoke(app, ["data", "resources", "--json"]).stdout)["seaweed"][
            "synonyms"
        ]
    )
    assert "| `region_id` |" in runner.invoke(app, ["data", "schema"]).stdout
    res = runner.invoke(app, ["data", "export", str(tmp_path / "kp.csv")])
    assert res.exit_code == 0 and (tmp_path / "kp.csv").stat().st_size > 10_000


def test_version():
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.stdout.startswith("regdev ")


# ------------------------------------------------------------------ issue 17
FOREIGN = (
    "Code,Municipality,County,Type,Pop\n"
    "A-1,Arden,Alpha,Township,1200\n"
    "A-2,Ashby,Alpha,town,3400\n"
    "B-1,Bell,Beta,Village,800\n"
    "B-2,Brook,Beta,TOWNSHIP,2100\n"
    "B-3,Bury,Beta,city,56000\n"
    "B-4,Byre,Beta,Township,300\n"
    "B-5,Bow,Beta,Township,700\n"
)


def test_import_writes_a_registry_and_says_what_it_did(tmp_path):
    src = tmp_path / "muni.csv"
    src.write_text(FOREIGN, encoding="utf-8")
    out = tmp_path / "regions.csv"
    args = [
        "data",
        "import",
        str(src),
        "--out",
        str(out),
        "--map",
        "region_id=Code,name=Municipality,province=County,kind=Type,population=Pop",
        "--kind-map",
        "township=county,town=city,village=district",
        "--capital",
        "Bury",
    ]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "wrote 7 regions" in res.stdout
    assert "kind 'Township' -> county (programme region): 3 rows" in res.stdout
    assert "kind 'city' -> capital (reference row, never a site): 1 row" in res.stdout
    assert "could not impute: 7 area_km2, 7 lat" in res.stdout
    assert "coordinates: no row has lat/lon" in res.stdout
    reg = read_regions(out, warn=False)
    assert reg.capital_id == "B-3" and len(reg.programme()) == 6
    res = runner.invoke(app, [*args, "--json"])
    info = json.loads(res.stdout)
    assert info["written"] is True and info["n_written"] == 7 and info["capital"] == "B-3"


def test_import_refuses_unmapped_kinds_with_a_summary_and_writes_nothing(tmp_path):
    src = tmp_path / "muni.csv"
    src.write_text(FOREIGN, encoding="utf-8")
    out = tmp_path / "regions.csv"
    res = runner.invoke(
        app,
        [
            "data",
            "import",
            str(src),
            "--out",
            str(out),
            "--map",
            "region_id=Code,name=Municipality,province=County,kind=Type",
        ],
    )
    assert res.exit_code == 1
    assert f"{src}:2:kind: expected one of city, county, district, capital, got 'Township'" in (
        res.stderr
    )
    assert "summary: kind: 6 rows expected one of city, county, district, capital; got " in (
        res.stderr
    )
    assert "--kind-map" in res.stderr and "nothing written" in res.stderr
    assert not out.exists()
    res = runner.invoke(app, ["data", "validate", str(src), "--json"])
    assert res.exit_code == 1
    assert json.loads(res.stdout)["summary"] == []  # validate sees no kind column at all


def test_import_skip_invalid_lists_the_refused_rows(tmp_path):
    src = tmp_path / "muni.csv"
    src.write_text(FOREIGN.replace("B-1,Bell,Beta,Village,800", "B-1,Bell,Beta,Village,lots"))
    out = tmp_path / "regions.csv"
    res = runner.invoke(
        app,
        [
            "data",
            "import",
            str(src),
            "-o",
            str(out),
            "--map",
            "region_id=Code,name=Municipality,province=County,kind=Type,population=Pop",
            "--kind-map",
            "township=county,town=city,village=district",
            "--skip-invalid",
        ],
    )
    assert res.exit_code == 0, res.output
    assert f"{src}:4:population: expected a number, got 'lots'" in res.stderr
    assert "refused: 1 rows" in res.stdout
    assert "B-1" not in read_regions(out, warn=False)


def test_show_and_validate_a_table_without_coordinates(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text(
        "region_id,name,province,kind,population\nR1,One,P,capital,900\nR2,Two,P,county,50\n"
        "R3,Three,Q,county,70\n",
        encoding="utf-8",
    )
    res = runner.invoke(app, ["data", "show", "Two", "--regions", str(p), "--json"])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.stdout)
    assert rec["lat"] is None and rec["lat_source"] == "missing:no_known_coordinates"
    assert rec["distance_to_capital_km"] is None and rec["nearest"] == []
    assert any(a.startswith("coordinates:") for a in rec["assumptions"])
    res = runner.invoke(app, ["data", "show", "Two", "--regions", str(p)])
    assert res.exit_code == 0 and "unknown (no coordinates)" in res.stdout
    res = runner.invoke(app, ["data", "validate", str(p)])
    assert res.exit_code == 0
    assert "could not impute 3 area_km2, 3 lat value(s)" in res.stdout
    assert "imputed" not in res.stdout.split("could not")[0]


def test_header_only_file_fails_validation(tmp_path):
    p = tmp_path / "h.csv"
    p.write_text("region_id,name,province,kind\n", encoding="utf-8")
    res = runner.invoke(app, ["data", "validate", str(p)])
    assert res.exit_code == 1
    assert "expected at least one data row, got none (header only)" in res.stderr
