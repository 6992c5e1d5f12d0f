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
