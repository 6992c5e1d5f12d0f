from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from regdev.grain import controller as ctl
from regdev.grain.config import StoreConfig
from regdev.grain.mqtt import LiveLoop, ReadingStore, Topics

N = 4


def make_loop(strategy: str = "delta-t") -> tuple[LiveLoop, list[tuple[str, dict]]]:
    cfg = StoreConfig.model_validate(
        {
            "store": {"id": "s1", "tonnes": 500, "n_layers": N, "depth_m": 8},
            "controller": {"strategy": strategy, "interval_s": 1},
            "safety": {"max_age_s": 600},
        }
    )
    sent: list[tuple[str, dict]] = []
    loop = LiveLoop(
        cfg, lambda t, p: sent.append((t, json.loads(p))), store=ReadingStore(":memory:")
    )
    return loop, sent


def feed_normal(loop: LiveLoop, now: float, grain: float = 25.0, amb: float = 5.0) -> None:
    t = loop.topics
    assert loop.handle_message(t.ambient, json.dumps({"ts": now, "temp_c": amb, "rh_pct": 55}), now)
    msg = json.dumps({"ts": now, "temps_c": [grain] * N})
    assert loop.handle_message(t.cable_prefix + "c1", msg, now)


def test_topics() -> None:
    t = Topics("regdev/grain/", "s1")
    assert t.ambient == "regdev/grain/s1/sensors/ambient"
    assert t.fan == "regdev/grain/s1/cmd/fan"
    assert t.sensors == "regdev/grain/s1/sensors/#"


def test_no_command_before_readings_then_fan_on() -> None:
    loop, sent = make_loop()
    assert loop.tick(1000.0) is None
    assert sent == []
    feed_normal(loop, 1000.0)
    action = loop.tick(1000.0)
    assert action is not None
    assert action.fan == 1.0
    topic, payload = sent[0]
    assert topic == "regdev/grain/s1/cmd/fan"
    assert payload["fan"] == 1
    assert payload["valid"] is True
    assert loop.store.count("readings") == 2
    assert loop.store.count("commands") == 1
    status = loop.store.status("s1")
    assert status["n_readings"] == 2
    assert status["last_fan"] == 1.0
    assert status["last_command_ts"] == 1000.0
    assert loop.store.status("other")["last_fan"] is None


@pytest.mark.parametrize(
    ("topic_suffix", "payload"),
    [
        ("sensors/ambient", b"not json"),
        ("sensors/ambient", b"\xff\xfe"),
        ("sensors/ambient", json.dumps({"temp_c": 10})),  # rh missing
        ("sensors/ambient", json.dumps({"temp_c": 10, "rh_pct": 150})),
        ("sensors/ambient", json.dumps({"temp_c": "warm", "rh_pct": 50})),
        ("sensors/ambient", json.dumps([1, 2, 3])),
        ("sensors/cable/c1", json.dumps({"temps_c": [20.0] * (N + 1)})),
        ("sensors/cable/c1", json.dumps({"temps_c": []})),
        ("sensors/moisture", json.dumps({"m_wb_pct": 80})),
        ("sensors/co2", json.dumps({"ppm": -5})),
        ("sensors/weird", json.dumps({"x": 1})),
    ],
)
def test_bad_payloads_are_logged_and_dropped(
    topic_suffix: str, payload: str | bytes, caplog: pytest.LogCaptureFixture
) -> None:
    loop, _ = make_loop()
    with caplog.at_level(logging.WARNING, logger="regdev.grain.mqtt"):
        assert loop.handle_message(f"{loop.topics.base}/{topic_suffix}", payload, 0.0) is False
    assert loop.n_dropped == 1
    assert "dropped bad payload" in caplog.text
    assert loop.store.count("readings") == 0


def test_jumping_sensor_is_ignored_and_alarmed() -> None:
    loop, sent = make_loop()
    feed_normal(loop, 0.0, grain=12.0, amb=5.0)
    temps = [12.0, 12.0, 42.0, 12.0]  # layer 2 jumps 30 K
    loop.handle_message(
        loop.topics.cable_prefix + "c1", json.dumps({"ts": 60.0, "temps_c": temps}), 60.0
    )
    obs = loop.observation(60.0)
    assert obs is not None
    assert obs.grain_temp_c[2] != obs.grain_temp_c[2]  # NaN: the fault is not grain
    loop.tick(60.0)
    alarms = [p for t, p in sent if t.endswith("/alarms")]
    assert alarms
    assert alarms[-1]["alarms"][0]["kind"] == "sensor_fault"
    assert not any(a["kind"] == "hot_spot" for a in alarms[-1]["alarms"])


@pytest.mark.parametrize("strategy", ["emc", "delta-t", "mpc"])
def test_stale_ambient_is_fail_safe(strategy: str) -> None:
    loop, sent = make_loop(strategy)
    feed_normal(loop, 0.0)
    assert loop.tick(10.0) is not None
    # Ambient silent for longer than max_age_s (600 s): fans off.
    loop.handle_message(
        loop.topics.cable_prefix + "c1", json.dumps({"ts": 900.0, "temps_c": [25.0] * N}), 900.0
    )
    a = loop.tick(900.0 + 7200.0)  # well past the minimum run time too
    assert a is not None
    assert a.fan == 0.0
    assert "fail-safe" in a.reason
    fan_cmds = [p for t, p in sent if t.endswith("/cmd/fan")]
    assert fan_cmds[-1]["valid"] is False
    # The silent ambient sensor raises its own alarm (issue 14, defect 3).
    alarms = [p for t, p in sent if t.endswith("/alarms")]
    assert any(
        a["kind"] == "sensor_stale" and "ambient" in a["message"] for a in alarms[-1]["alarms"]
    )


def test_moisture_and_co2_are_used() -> None:
    loop, sent = make_loop()
    feed_normal(loop, 0.0)
    assert loop.handle_message(loop.topics.moisture, json.dumps({"m_wb_pct": 14.5}), 0.0)
    assert loop.handle_message(loop.topics.co2, json.dumps({"ppm": 3500}), 0.0)
    obs = loop.observation(0.0)
    assert obs is not None
    assert list(obs.grain_m_wb_pct) == [14.5] * N
    loop.tick(0.0)
    kinds = [a["kind"] for t, p in sent if t.endswith("/alarms") for a in p["alarms"]]
    assert "co2" in kinds


def test_reading_store_on_disk(tmp_path: Path) -> None:
    store = ReadingStore(tmp_path / "sub" / "r.sqlite")
    store.add_reading(1.0, "s", "co2", "co2", "{}")
    store.close()
    again = ReadingStore(tmp_path / "sub" / "r.sqlite")
    assert again.count() == 1
    again.close()


def test_custom_controller_is_used() -> None:
    loop, _ = make_loop()
    loop.controller = ctl.EmcWindowController()
    feed_normal(loop, 0.0)
    assert loop.tick(0.0) is not None
