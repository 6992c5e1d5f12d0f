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
