"""End to end: sensor readings over the real MQTT broker -> live loop -> fan command back."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from pathlib import Path

import pytest

from regdev.grain.config import read_store_config

HOST, PORT = "127.0.0.1", 1883
N = 5

pytestmark = pytest.mark.network


def _broker_up() -> bool:
    try:
        with socket.create_connection((HOST, PORT), timeout=1.0):
            return True
    except OSError:
        return False


def test_readings_in_fan_command_out(tmp_path: Path) -> None:
    if not _broker_up():
        pytest.skip(f"no MQTT broker at {HOST}:{PORT} (start mosquitto to run this test)")
    mqtt = pytest.importorskip("paho.mqtt.client", reason="paho-mqtt (the mqtt extra) missing")
    from paho.mqtt.enums import CallbackAPIVersion

    from regdev.grain.mqtt import run_live

    store_id = f"e2e-{uuid.uuid4().hex[:8]}"  # unique topics: parallel runs don't mix
    cfg_path = tmp_path / "store.toml"
    cfg_path.write_text(
        f"""
[store]
id = "{store_id}"
tonnes = 500
depth_m = 8
n_layers = {N}

[mqtt]
host = "{HOST}"
port = {PORT}

[controller]
strategy = "delta-t"
interval_s = 0.2

[storage]
database = "readings.sqlite"
"""
    )
    cfg = read_store_config(cfg_path)
    result: dict[str, object] = {}

    def live() -> None:
        try:
            result["loop"] = run_live(cfg, max_seconds=20.0, once=True)
        except Exception as exc:  # surfaced in the main thread below
            result["error"] = exc

    got: list[dict] = []
    subscribed = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"{store_id}-sensors")
    client.on_connect = lambda c, u, f, rc, p: c.subscribe(
        f"regdev/grain/{store_id}/cmd/fan", qos=1
    )
    client.on_subscribe = lambda c, u, mid, rc, p: subscribed.set()
    client.on_message = lambda c, u, msg: got.append(json.loads(msg.payload))
    client.connect(HOST, PORT)
    client.loop_start()
    try:
        assert subscribed.wait(5.0), "could not subscribe to the command topic"
        thread = threading.Thread(target=live, daemon=True)
        thread.start()
        base = f"regdev/grain/{store_id}/sensors"
        deadline = time.monotonic() + 15.0
        while not got and time.monotonic() < deadline:
            # A bad payload first: it must be dropped without killing the loop.
            client.publish(f"{base}/ambient", b"{not json", qos=1)
            client.publish(f"{base}/ambient", json.dumps({"temp_c": 4.0, "rh_pct": 55}), qos=1)
            client.publish(f"{base}/cable/c1", json.dumps({"temps_c": [24.0] * N}), qos=1)
            time.sleep(0.3)
        thread.join(10.0)
    finally:
        client.loop_stop()
        client.disconnect()
    assert "error" not in result, result.get("error")
    assert got, "no fan command came back"
    assert got[0]["fan"] == 1  # grain 20 K warmer than dry cold air: cool it
    assert got[0]["strategy"] == "delta-t"
    loop = result["loop"]
    assert loop.n_dropped >= 1  # type: ignore[attr-defined]
    assert loop.n_accepted >= 2  # type: ignore[attr-defined]
    assert (tmp_path / "readings.sqlite").exists()
