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


def _script_in(*args, stdin="", env=None):
    return subprocess.run(
        [REGDEV, *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        input=stdin,
        env=env,
    )


def test_users_commands_take_passwords_off_the_command_line_and_names_of_provinces(tmp_path):
    import os

    db = tmp_path / "u.db"
    env = {k: v for k, v in os.environ.items() if k != "REGDEV_NEW_PASSWORD"}
    # the seed loads the default country's provinces (with Korean names)
    assert _script_in("db", "seed-demo", "--db", str(db), "--no-plan", env=env).returncode == 0
    # --password is gone; a password comes from stdin, a file or a prompt
    res = _script_in("users", "add", "x", "--role", "national", "--password", "pw", env=env)
    assert res.returncode == 2
    res = _script_in(
        "users",
        "add",
        "kang",
        "--role",
        "provincial",
        "--province",
        "강원도",
        "--password-stdin",
        "--db",
        str(db),
        stdin="correct horse battery\n",
        env=env,
    )
    assert res.returncode == 0, res.stderr
    pw = tmp_path / "pw.txt"
    pw.write_text("another good password\n")
    pw.chmod(0o600)
    res = _script_in(
        "users",
        "add",
        "kang2",
        "--role",
        "provincial",
        "--province",
        "kangwon",
        "--password-file",
        str(pw),
        "--db",
        str(db),
        env=env,
    )
    assert res.returncode == 0, res.stderr
    res = _script_in(
        "users",
        "add",
        "bad",
        "--role",
        "provincial",
        "--province",
        "Atlantis",
        "--password-stdin",
        "--db",
        str(db),
        stdin="correct horse battery\n",
        env=env,
    )
    assert res.returncode == 2
    assert "KP-07 Kangwon (강원도)" in res.stderr
    # no terminal and no password source: a usage error, not a hang
    res = _script_in("users", "add", "nopw", "--role", "national", "--db", str(db), env=env)
    assert res.returncode == 2
    res = _script_in("users", "unlock", "kang", "--db", str(db), env=env)
    assert res.returncode == 0
    res = _script_in(
        "users",
        "reset-password",
        "kang",
        "--password-stdin",
        "--db",
        str(db),
        stdin="a brand new password\n",
        env=env,
    )
    assert res.returncode == 0, res.stderr
    res = _script_in(
        "users",
        "reset-password",
        "nobody",
        "--password-stdin",
        "--db",
        str(db),
        stdin="a brand new password\n",
        env=env,
    )
    assert res.returncode == 1


def test_audit_anchor_round_trip(tmp_path):
    import os
    import sqlite3

    db = tmp_path / "a.db"
    env = {**os.environ, "REGDEV_NEW_PASSWORD": "correct horse battery"}
    assert (
        _script_in(
            "users", "add", "chief", "--role", "national", "--db", str(db), env=env
        ).returncode
        == 0
    )
    key, anchors = tmp_path / "anchor.key", tmp_path / "anchors.jsonl"
    assert _script_in("audit", "anchor-key", str(key)).returncode == 0
    assert _script_in("audit", "anchor-key", str(key)).returncode == 1  # never overwritten
    common = ["--db", str(db), "--anchors", str(anchors), "--anchor-key", str(key)]
    assert _script_in("audit", "anchor", *common).returncode == 0
    res = _script_in("audit", "verify", *common)
    assert res.returncode == 0, res.stderr
    assert "1 anchors verified" in res.stdout
    # rewrite the only entry and the head so that the chain verifies again
    import hashlib
    import json

    con = sqlite3.connect(db)
    con.execute("DROP TRIGGER audit_log_no_update")
    row = con.execute(
        "SELECT seq, at, actor, action, entity, entity_id, before, after, prev_hash FROM audit_log"
    ).fetchone()
    seq, at, _, action, entity, entity_id, before, after, prev = row
    doc = {
        "seq": seq,
        "at": at.replace(" ", "T") if "T" not in at else at,
        "actor": "mallory",
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before": json.loads(before) if before else None,
        "after": json.loads(after) if after else None,
        "prev_hash": prev,
    }
    if "." not in doc["at"]:
        doc["at"] += ".000000"
    h = hashlib.sha256(
        json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    con.execute("UPDATE audit_log SET actor = 'mallory', hash = ? WHERE seq = ?", (h, seq))
    con.execute("UPDATE audit_head SET hash = ?", (h,))
    con.commit()
    con.close()
    assert _script_in("audit", "verify", "--db", str(db)).returncode == 0  # chain alone: fooled
    res = _script_in("audit", "verify", *common)
    assert res.returncode == 1
    assert "rewritten" in res.stderr


def test_serve_refuses_the_placeholder_secret_outside_development(tmp_path):
    import os

    env = {
        k: v for k, v in os.environ.items() if k not in ("REGDEV_ENVIRONMENT", "REGDEV_SECRET_KEY")
    }
    res = _script_in("serve", "--port", "1", "--db", str(tmp_path / "s.db"), env=env)
    assert res.returncode == 1
    assert "REGDEV_SECRET_KEY" in res.stderr
    assert "Traceback" not in res.stderr
