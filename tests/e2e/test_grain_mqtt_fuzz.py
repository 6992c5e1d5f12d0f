"""Hostile payloads over the real MQTT broker: the loop keeps running and counts every drop.

Publishes 1,200 generated hostile messages (seeded) to the broker at 127.0.0.1:1883
on the topics of a fresh store id, then good readings, and checks that

* the live loop is still running and answers the good readings with fan commands;
* every hostile message is counted - refused ones in ``drops`` under the expected
  reason, clock-flagged ones in ``flags`` - and nothing else;
* nothing oversized or refused reaches the reading database (only flagged and
  good readings, re-serialised, at most a few hundred bytes each).
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from regdev.grain.config import read_store_config
from regdev.grain.mqtt import ReadingStore, _json_depth_exceeds

HOST, PORT = "127.0.0.1", 1883
N = 6
N_HOSTILE = 1200

pytestmark = pytest.mark.network


def _broker_up() -> bool:
    try:
        with socket.create_connection((HOST, PORT), timeout=1.0):
            return True
    except OSError:
        return False


def hostile(rng: random.Random, base: str) -> tuple[str, bytes, str, str]:
    """One hostile message: ``(topic, payload, outcome, reason)``, outcome ``drop`` or ``flag``."""
    kind = rng.randrange(14)
    amb, cab = f"{base}/ambient", f"{base}/cable/c1"
    now = time.time()
    if kind == 0:  # random bytes, usually not UTF-8 (reasons in the loop's order of checks)
        raw = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return amb, raw, "drop", "encoding"
        if _json_depth_exceeds(text, 4):
            return amb, raw, "drop", "nesting"
        try:
            json.loads(text)
        except ValueError:
            return amb, raw, "drop", "json"
        return amb, b"\xff" + raw, "drop", "encoding"  # make sure it is not accidentally valid
    if kind == 1:  # wrong types
        bad = rng.choice(['"12.5"', "true", "false", "null", "[12.5]", '{"v": 1}'])
        body = f'{{"temp_c": {bad}, "rh_pct": 60}}'
        return amb, body.encode(), "drop", "schema"
    if kind == 2:  # unknown field
        body = json.dumps({"temp_c": 10, "rh_pct": 60, rng.choice(["x", "cmd", "__class__"]): 1})
        return amb, body.encode(), "drop", "schema"
    if kind == 3:  # out of range: refused, and the ambient sensor is marked faulty
        body = json.dumps({"temp_c": rng.choice([-500, 71, 1e300]), "rh_pct": 60})
        return amb, body.encode(), "drop", "range"
    if kind == 4:  # NaN / Infinity literals
        lit = rng.choice(["NaN", "Infinity", "-Infinity"])
        return cab, f'{{"temps_c": [{lit}]}}'.encode(), "drop", "json"
    if kind == 5:  # wrong cable length
        n = rng.choice([1, N - 1, N + 1, 150])
        return cab, json.dumps({"temps_c": [20.0] * n}).encode(), "drop", "schema"
    if kind == 6:  # oversized: valid JSON padded with whitespace
        size = rng.choice([17_000, 100_000, 1_000_000] * 6 + [5 * 1024 * 1024])
        body = json.dumps({"temp_c": 10, "rh_pct": 60})
        return amb, (" " * size + body).encode(), "drop", "oversized"
    if kind == 7:  # deep nesting within the size limit
        d = rng.randrange(5, 4000)
        return amb, ("[" * d + "]" * d).encode(), "drop", "nesting"
    if kind == 8:  # a cable not in the allow-list
        name = rng.choice(["rogue", "c9", "C1", "cable-x"]) + str(rng.randrange(1000))
        return (
            f"{base}/cable/{name}",
            json.dumps({"temps_c": [80.0] * N}).encode(),
            "drop",
            "unknown_cable",
        )
    if kind == 9:  # topics outside the layout
        topic = rng.choice([f"{base}/weird", f"{base}/ambient/x", f"{base}/co2/1", f"{base}/cmd"])
        return topic, b'{"ppm": 400}', "drop", "unknown_topic"
    if kind == 10:  # top-level JSON that is not an object
        return amb, rng.choice([b"42", b"[1, 2]", b'"text"', b"true", b"null"]), "drop", "schema"
    if kind == 11:  # empty or whitespace only
        return amb, rng.choice([b"", b"   ", b"\n"]), "drop", "json"
    if kind == 12:  # sub-topic of a cable
        return (
            f"{base}/cable/c1/0",
            json.dumps({"temps_c": [20.0] * N}).encode(),
            "drop",
            "unknown_cable",
        )
    # kind 13: far-off timestamps - stored with a flag, not used for control
    ts = rng.choice([1, now + 31 * 365 * 86400, now - 86400, now + 3600])
    return amb, json.dumps({"ts": ts, "temp_c": 40.0, "rh_pct": 5}).encode(), "flag", "clock"


def test_hostile_payloads_are_counted_and_the_loop_keeps_running(tmp_path: Path) -> None:
    if not _broker_up():
        pytest.skip(f"no MQTT broker at {HOST}:{PORT} (start mosquitto to run this test)")
    mqtt = pytest.importorskip("paho.mqtt.client", reason="paho-mqtt (the mqtt extra) missing")
    from paho.mqtt.enums import CallbackAPIVersion

    from regdev.grain.mqtt import run_live

    store_id = f"fuzz-{uuid.uuid4().hex[:8]}"
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

[sensors]
cables = ["c1", "c2"]

[controller]
strategy = "delta-t"
interval_s = 0.2

[storage]
database = "readings.sqlite"
"""
    )
    cfg = read_store_config(cfg_path)
    stop = threading.Event()
    result: dict[str, object] = {}

    def live() -> None:
        try:
            result["loop"] = run_live(cfg, max_seconds=240.0, stop=stop)
        except Exception as exc:  # surfaced below
            result["error"] = exc

    base = f"regdev/grain/{store_id}/sensors"
    rng = random.Random(2026)
    messages = [hostile(rng, base) for _ in range(N_HOSTILE)]
    expected_drops = Counter(r for _, _, o, r in messages if o == "drop")
    expected_flags = Counter(r for _, _, o, r in messages if o == "flag")
    assert sum(expected_drops.values()) + sum(expected_flags.values()) == N_HOSTILE >= 1000
    # Every kind of refusal is exercised.
    kinds = {"encoding", "json", "nesting", "oversized", "range", "schema", "unknown_cable"}
    kinds.add("unknown_topic")
    assert set(expected_drops) == kinds

    fan: list[dict] = []
    subscribed = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"{store_id}-fuzzer")
    client.on_connect = lambda c, u, f, rc, p: c.subscribe(
        f"regdev/grain/{store_id}/cmd/fan", qos=1
    )
    client.on_subscribe = lambda c, u, mid, rc, p: subscribed.set()
    client.on_message = lambda c, u, msg: fan.append(json.loads(msg.payload))
    client.max_queued_messages_set(0)
    client.connect(HOST, PORT)
    client.loop_start()
    thread = threading.Thread(target=live, daemon=True)
    try:
        assert subscribed.wait(5.0), "could not subscribe to the command topic"
        thread.start()
        time.sleep(1.0)  # let the loop connect and subscribe
        for topic, payload, _, _ in messages:
            info = client.publish(topic, payload, qos=1)
            info.wait_for_publish(30.0)
        # Then honest readings until the loop answers with a valid fan command.
        deadline = time.monotonic() + 60.0
        seen = len(fan)
        while time.monotonic() < deadline:
            client.publish(f"{base}/ambient", json.dumps({"temp_c": 4.0, "rh_pct": 55}), qos=1)
            for c in ("c1", "c2"):
                client.publish(f"{base}/cable/{c}", json.dumps({"temps_c": [24.0] * N}), qos=1)
            time.sleep(0.5)
            if any(f.get("valid") for f in fan[seen:]):
                break
        assert thread.is_alive(), "the live loop stopped"
    finally:
        stop.set()
        thread.join(20.0)
        client.loop_stop()
        client.disconnect()
    assert "error" not in result, result.get("error")
    loop = result["loop"]
    assert any(f.get("valid") and f["fan"] == 1 for f in fan), (
        "no valid fan command after the barrage"
    )
    drops: Counter[str] = loop.drops  # type: ignore[attr-defined]
    flags: Counter[str] = loop.flags  # type: ignore[attr-defined]
    assert dict(drops) == dict(expected_drops)
    assert dict(flags) == dict(expected_flags)
    assert loop.n_dropped == sum(expected_drops.values())  # type: ignore[attr-defined]
    assert loop.n_flagged == sum(expected_flags.values())  # type: ignore[attr-defined]
    store = ReadingStore(tmp_path / "readings.sqlite")  # the loop closed its connection
    rows = store.rows()
    store.close()
    assert {r[3] for r in rows} <= {"ambient", "c1", "c2"}  # nothing from unknown cables
    assert sum(1 for r in rows if r[6] == "clock") == sum(expected_flags.values())
    assert max(len(r[4]) for r in rows) < 400  # stored re-serialised: nothing oversized
    assert loop.n_accepted == sum(1 for r in rows if r[6] is None)  # type: ignore[attr-defined]
