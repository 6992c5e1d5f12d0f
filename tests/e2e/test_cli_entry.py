"""The installed console script: one-line errors and the documented exit codes."""

import subprocess
import sys


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "regdev", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_usage_errors_exit_2_without_traceback():
    for args in (["users", "create"], ["data", "list", "--bogus"], ["nope"]):
        res = run(*args)
        assert res.returncode == 2, (args, res.stderr)
        assert "Traceback" not in res.stderr
        assert "No such" in res.stderr


def test_regdev_errors_are_one_line_exit_1():
    res = run("data", "show", "Nowhere")
    assert res.returncode == 1
    assert res.stderr.strip() == "error: unknown region 'Nowhere'"


def test_help_and_version():
    assert run("--help").returncode == 0
    res = run("--version")
    assert res.returncode == 0
    assert res.stdout.startswith("regdev ")


# --- issue 16, defect 7: every failing command exits non-zero (the installed script) -------

from pathlib import Path  # noqa: E402

REGDEV = str(Path(sys.executable).parent / "regdev")


def script(*args, env=None):
    return subprocess.run(
        [REGDEV, *args], capture_output=True, text=True, timeout=180, check=False, env=env
    )


def test_failing_commands_exit_non_zero(tmp_path):
    import sqlite3

    bad = tmp_path / "regions.csv"
    bad.write_text("region_id,name,province,kind\nX1,,KP-01,county\n", encoding="utf-8")
    res = script("data", "validate", str(bad))
    assert res.returncode == 1, res.stdout + res.stderr

    db = tmp_path / "m.db"
    assert script("db", "upgrade", "--db", str(db)).returncode == 0
    env = {**__import__("os").environ, "REGDEV_NEW_PASSWORD": "correct horse battery"}
    res = script("users", "add", "chief", "--role", "national", "--db", str(db), env=env)
    assert res.returncode == 0, res.stderr
    assert script("audit", "verify", "--db", str(db)).returncode == 0
    con = sqlite3.connect(db)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")
    con.commit()
    con.close()
    res = script("audit", "verify", "--db", str(db))
    assert res.returncode == 1
    assert "audit chain broken" in res.stderr
    res = script("audit", "verify", "--db", str(db), "--json")
    assert res.returncode == 1


def test_restore_errors_are_one_line_and_leave_the_target(tmp_path):
    db = tmp_path / "m.db"
    assert script("db", "upgrade", "--db", str(db)).returncode == 0
    out = tmp_path / "b.backup"
    assert script("backup", str(out), "--db", str(db)).returncode == 0
    short = tmp_path / "short.backup"
    short.write_bytes(out.read_bytes()[:100])
    res = script("restore", str(short), "--db", str(db), "--force")
    assert res.returncode == 1
    assert "truncated" in res.stderr
    assert "Traceback" not in res.stderr
    res = script("restore", str(out), "--db", str(tmp_path))
    assert res.returncode == 1
    assert "directory" in res.stderr
    assert "Traceback" not in res.stderr
    res = script("backup", str(tmp_path), "--db", str(db))
    assert res.returncode == 1
    assert "directory" in res.stderr
