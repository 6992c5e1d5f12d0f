"""Broker authentication from store.toml: username/password and TLS client certificates.

Each test starts its own Mosquitto (Debian's ``/usr/sbin/mosquitto``) on a free
port, requiring a login (or a client certificate), runs the live loop against it
with ``--once`` and checks that a fan command comes back; a wrong password is
refused with a clear error.  The shared test broker at 1883 stays anonymous.
"""

from __future__ import annotations

import getpass
import json
import shutil
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

from regdev.errors import ConfigError
from regdev.grain.config import read_store_config

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
N = 4

pytestmark = pytest.mark.network


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"mosquitto did not listen on {port}")


@pytest.fixture
def broker(tmp_path: Path) -> tuple[Path, int]:
    if not Path(MOSQUITTO).exists():
        pytest.skip("mosquitto binary not installed")
    return tmp_path, _free_port()


def _start(conf: Path, port: int) -> subprocess.Popen[bytes]:
    # Run as the current user: mosquitto started as root would switch to the
    # 'mosquitto' user, which cannot read the test's private temporary files.
    conf.write_text(conf.read_text() + f"user {getpass.getuser()}\n")
    log = conf.with_suffix(".log")
    with log.open("wb") as out:
        cmd = [MOSQUITTO, "-c", str(conf)]
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        _wait_port(port)
    except BaseException:
        _stop(proc)
        raise AssertionError(log.read_text(errors="replace")) from None
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()


def _store_toml(path: Path, store_id: str, port: int, mqtt_extra: str) -> Path:
    cfg = path / "store.toml"
    cfg.write_text(
        f"""
[store]
id = "{store_id}"
tonnes = 500
depth_m = 8
n_layers = {N}

[mqtt]
host = "127.0.0.1"
port = {port}
{mqtt_extra}

[controller]
strategy = "delta-t"
interval_s = 0.2

[storage]
database = "readings.sqlite"
"""
    )
    return cfg


def _run_once(cfg_path: Path, sensor_client_setup: object, port: int) -> dict:
    """Run the loop once against the broker while a sensor client publishes readings."""
    mqtt = pytest.importorskip("paho.mqtt.client")
    from paho.mqtt.enums import CallbackAPIVersion

    from regdev.grain.mqtt import run_live

    cfg = read_store_config(cfg_path)
    result: dict[str, object] = {}

    def live() -> None:
        try:
            result["loop"] = run_live(cfg, max_seconds=20.0, once=True, connect_timeout_s=5.0)
        except Exception as exc:  # surfaced to the caller
            result["error"] = exc

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"{cfg.store.id}-sensors")
    sensor_client_setup(client)  # type: ignore[operator]
    got: list[dict] = []
    client.on_message = lambda c, u, msg: got.append(json.loads(msg.payload))
    client.on_connect = lambda c, u, f, rc, p: c.subscribe(
        f"regdev/grain/{cfg.store.id}/cmd/fan", qos=1
    )
    client.connect("127.0.0.1", port)
    client.loop_start()
    thread = threading.Thread(target=live, daemon=True)
    thread.start()
    base = f"regdev/grain/{cfg.store.id}/sensors"
    deadline = time.monotonic() + 15.0
    try:
        while thread.is_alive() and time.monotonic() < deadline:
            client.publish(f"{base}/ambient", json.dumps({"temp_c": 4.0, "rh_pct": 55}), qos=1)
            client.publish(f"{base}/cable/c1", json.dumps({"temps_c": [24.0] * N}), qos=1)
            time.sleep(0.3)
        thread.join(10.0)
    finally:
        client.loop_stop()
        client.disconnect()
    result["fan"] = got
    return result


def test_username_and_password_from_store_toml(broker: tuple[Path, int]) -> None:
    tmp, port = broker
    passwd = tmp / "passwd"
    passwd.write_text("")
    subprocess.run(  # noqa: S603
        ["mosquitto_passwd", "-b", str(passwd), "grain", "s3cret-pw"],
        check=True,
        capture_output=True,
    )
    passwd.chmod(0o600)
    conf = tmp / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous false\npassword_file {passwd}\npersistence false\n"
    )
    proc = _start(conf, port)
    try:
        (tmp / "mqtt.password").write_text("s3cret-pw\n")
        store_id = f"auth-{uuid.uuid4().hex[:8]}"
        cfg = _store_toml(
            tmp, store_id, port, 'username = "grain"\npassword_file = "mqtt.password"'
        )
        res = _run_once(cfg, lambda c: c.username_pw_set("grain", "s3cret-pw"), port)
        assert "error" not in res, res.get("error")
        loop = res["loop"]
        assert loop.commands and loop.commands[0]["fan"] == 1  # type: ignore[attr-defined]
        # Wrong password: the broker refuses and run_live says so.
        (tmp / "mqtt.password").write_text("wrong\n")
        from regdev.grain.mqtt import run_live

        with pytest.raises(ConfigError, match="did not accept"):
            run_live(read_store_config(cfg), max_seconds=5.0, connect_timeout_s=3.0)
        # Anonymous: refused too.
        anon = _store_toml(tmp, store_id, port, "")
        with pytest.raises(ConfigError, match="did not accept"):
            run_live(read_store_config(anon), max_seconds=5.0, connect_timeout_s=3.0)
    finally:
        _stop(proc)


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)  # noqa: S603, S607


def test_tls_client_certificate_from_store_toml(broker: tuple[Path, int]) -> None:
    tmp, port = broker
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    days = "2"
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        days,
        "-subj",
        "/CN=regdev test CA",
        cwd=tmp,
    )
    for name, cn in (("server", "127.0.0.1"), ("client", "grain-client")):
        _openssl(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            f"{name}.key",
            "-out",
            f"{name}.csr",
            "-subj",
            f"/CN={cn}",
            cwd=tmp,
        )
        ext = tmp / f"{name}.ext"
        ext.write_text(
            "subjectAltName=IP:127.0.0.1\n" if name == "server" else "extendedKeyUsage=clientAuth\n"
        )
        _openssl(
            "x509",
            "-req",
            "-in",
            f"{name}.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            f"{name}.crt",
            "-days",
            days,
            "-extfile",
            str(ext),
            cwd=tmp,
        )
    for f in tmp.glob("*.key"):
        f.chmod(0o644)  # mosquitto drops privileges in some setups; test files only
    conf = tmp / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\ncafile {tmp / 'ca.crt'}\ncertfile {tmp / 'server.crt'}\n"
        f"keyfile {tmp / 'server.key'}\nrequire_certificate true\nuse_identity_as_username true\n"
        "allow_anonymous false\npersistence false\n"
    )
    proc = _start(conf, port)
    try:
        store_id = f"tls-{uuid.uuid4().hex[:8]}"
        tls = '[mqtt.tls]\nca_file = "ca.crt"\ncert_file = "client.crt"\nkey_file = "client.key"'
        cfg = _store_toml(tmp, store_id, port, tls)

        def setup(c: object) -> None:
            c.tls_set(
                ca_certs=str(tmp / "ca.crt"),
                certfile=str(tmp / "client.crt"),
                keyfile=str(tmp / "client.key"),
            )  # type: ignore[attr-defined]

        res = _run_once(cfg, setup, port)
        assert "error" not in res, res.get("error")
        loop = res["loop"]
        assert loop.commands and loop.commands[0]["fan"] == 1  # type: ignore[attr-defined]
    finally:
        _stop(proc)
