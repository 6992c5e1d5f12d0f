"""One province matcher for the CLI: ISO code, English or Korean name; errors list values."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from regdev.cli import app
from regdev.errors import NotFoundError
from regdev.registry import load_default
from regdev.registry.province_lookup import match_province, registry_provinces

runner = CliRunner()


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("KP-07", "Kangwon"),
        ("kp-07", "Kangwon"),
        ("Kangwon", "Kangwon"),
        ("kangwon province", "Kangwon"),
        ("강원도", "Kangwon"),
        ("강원", "Kangwon"),
        ("  north   HAMGYONG ", "North Hamgyong"),
        ("라선시", "Rason"),
    ],
)
def test_every_spelling_finds_the_province(text, want):
    assert match_province(registry_provinces(load_default()), text) == want


def test_an_unknown_province_lists_every_valid_value():
    rows = registry_provinces(load_default())
    with pytest.raises(NotFoundError) as exc:
        match_province(rows, "Atlantis")
    msg = str(exc.value)
    assert "Atlantis" in msg
    for code, name, ko in (("KP-07", "Kangwon", "강원도"), ("KP-13", "Rason", "라선시")):
        assert code in msg and name in msg and ko in msg
    assert msg.count(";") == len(rows) - 1 + 1  # one separator after the lead-in


def test_data_list_accepts_a_korean_name_and_an_iso_code():
    by_ko = runner.invoke(app, ["--lang", "en", "data", "list", "--province", "강원도", "--json"])
    by_iso = runner.invoke(app, ["--lang", "en", "data", "list", "--province", "KP-07", "--json"])
    assert by_ko.exit_code == 0 and by_iso.exit_code == 0, by_ko.output
    assert by_ko.stdout == by_iso.stdout and '"Kangwon"' in by_ko.stdout


def test_data_list_with_an_unknown_province_exits_1_listing_values():
    import sys

    from regdev.cli._common import run_guarded

    argv = sys.argv
    sys.argv = ["regdev", "--lang", "en", "data", "list", "--province", "Atlantis"]
    try:
        code = run_guarded(app)
    finally:
        sys.argv = argv
    assert code == 1


def test_validation_errors_are_translated_and_still_name_file_row_column(tmp_path):
    from regdev.errors import DataValidationError
    from regdev.i18n import use_language
    from regdev.registry import read_regions

    bad = tmp_path / "bad.csv"
    rows = ["region_id,name,province,kind,population"]
    rows += [f"R{k},N{k},P,township,{k}" for k in range(6)]
    bad.write_text("\n".join(rows) + "\n", encoding="utf-8")
    messages = {}
    for lang in ("en", "ko"):
        with use_language(lang), pytest.raises(DataValidationError) as exc:
            read_regions(bad)
        messages[lang] = str(exc.value)
    en, ko = messages["en"], messages["ko"]
    assert "6 problems found in the input:" in en
    assert f"{bad}:2:kind: expected one of city, county, district, capital, got 'township'" in en
    assert "입력에서 문제 6개를 찾았습니다:" in ko
    assert f"{bad}:2:kind: 다음 중 하나가 필요합니다: city, county, district, capital" in ko
    # the summary still groups the six rows in either language
    assert "summary: kind: 6 rows expected one of" in en
    assert "요약: kind: 6개 행:" in ko and "'township' (6)" in ko
