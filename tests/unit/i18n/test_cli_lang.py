"""The installed ``regdev`` program speaks Korean with ``--lang ko`` (issue 15, item 2).

These tests run the console script next to the test interpreter in a subprocess, so
they cover what a user types: the language chosen on the command line reaches the
validation messages, the error prefix, the command messages and the ``--help`` texts
(which Typer reads when the app is built, before the root callback runs).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from regdev.cli._lang import language_from_argv

SCRIPT = Path(sys.executable).with_name("regdev")


def _regdev(*args: str, lang_env: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "REGDEV_LANG"}
    env["COLUMNS"] = "200"  # no wrapping inside the messages asserted below
    if lang_env is not None:
        env["REGDEV_LANG"] = lang_env
    cmd = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "regdev"]
    return subprocess.run(
        [*cmd, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.fixture
def bad_csv(tmp_path: Path) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text(
        "id,name,province,population,area_km2,kind\nx1,Foo,KP-01,abc,12,county\n",
        encoding="utf-8",
    )
    return path


def test_validate_in_korean_names_file_row_column_and_fails(bad_csv: Path) -> None:
    res = _regdev("--lang", "ko", "data", "validate", str(bad_csv))
    assert res.returncode == 1
    assert f"{bad_csv}:2:population: 숫자가 필요합니다" in res.stderr
    assert "'abc'" in res.stderr
    assert f"{bad_csv}에서 문제 2개" in res.stderr
    assert "expected a number" not in res.stderr


def test_validate_defaults_to_english(bad_csv: Path) -> None:
    res = _regdev("data", "validate", str(bad_csv))
    assert res.returncode == 1
    assert f"{bad_csv}:2:population: expected a number, got 'abc'" in res.stderr
    assert "숫자" not in res.stderr


def test_service_error_in_korean(tmp_path: Path) -> None:
    res = _regdev("--lang", "ko", "backup", str(tmp_path / "b.json.gz"), "--db", str(tmp_path))
    assert res.returncode == 1
    assert res.stderr.startswith("오류:")
    assert "디렉터리입니다" in res.stderr
    assert not (tmp_path / "b.json.gz").exists()


def test_help_follows_lang_option_and_env() -> None:
    ko = _regdev("--lang", "ko", "db", "--help")
    assert ko.returncode == 0
    assert "데이터베이스: 구조 이전, 계획 들여오기, 시연 자료 넣기." in ko.stdout
    assert "데이터베이스를 만들거나 최신 구조로 옮깁니다." in ko.stdout
    env = _regdev("db", "--help", lang_env="ko")
    assert "데이터베이스: 구조 이전" in env.stdout
    en = _regdev("db", "--help")
    assert "Database: migrate, import plans, seed the demo." in en.stdout
    assert "데이터베이스" not in en.stdout


def test_bad_language_is_refused() -> None:
    res = _regdev("--lang", "fr", "data", "validate", "x.csv")
    assert res.returncode != 0
    assert "language must be one of ko, en" in res.stderr
    assert "'fr'" in res.stderr


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["regdev", "--lang", "ko", "data", "list"], "ko"),
        (["regdev", "--lang=en", "plan"], "en"),
        (["regdev", "data", "--lang", "ko"], None),  # not a root option
        (["regdev", "--lang"], None),
        (["regdev"], None),
    ],
)
def test_language_from_argv(argv: list[str], expected: str | None) -> None:
    assert language_from_argv(argv) == expected


def test_grain_refusal_in_korean() -> None:
    res = _regdev("--lang", "ko", "grain", "simulate", "--strategy", "bogus", "--days", "1")
    assert res.returncode == 1
    assert "오류: --strategy는 emc, delta-t, mpc, all 중 하나여야 합니다" in res.stderr
    assert "'bogus'" in res.stderr
