import json

from typer.testing import CliRunner

from regdev.cli import app
from regdev.registry import load_default

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
