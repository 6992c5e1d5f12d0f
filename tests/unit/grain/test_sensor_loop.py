"""Issue 14: per-sensor hot spots, time-aware sensor faults, and the hardened MQTT input."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from regdev.errors import ConfigError
from regdev.grain.config import StoreConfig
from regdev.grain.mqtt import LiveLoop, ReadingStore
from regdev.grain.report import status_from_loop, status_payload
from regdev.grain.safety import AlarmMonitor, SensorLimits, SensorValidator

N = 10
T0 = 1_790_000_000.0


def make_loop(**sections: dict[str, object]) -> tuple[LiveLoop, list[tuple[str, dict]]]:
    raw: dict[str, object] = {
        "store": {"id": "s1", "tonnes": 500, "n_layers": N, "depth_m": 8},
        "controller": {"strategy": "delta-t", "interval_s": 60},
        "safety": {"max_age_s": 900},
    }
    for k, v in sections.items():
        base = raw.get(k, {})
        raw[k] = {**base, **v} if isinstance(base, dict) else v  # type: ignore[dict-item]
    cfg = StoreConfig.model_validate(raw)
    sent: list[tuple[str, dict]] = []
    loop = LiveLoop(
        cfg, lambda t, p: sent.append((t, json.loads(p))), store=ReadingStore(":memory:")
    )
    return loop, sent


def ambient(loop: LiveLoop, now: float, temp: float = 5.0, rh: float = 60.0) -> None:
    msg = json.dumps({"ts": now, "temp_c": temp, "rh_pct": rh})
    assert loop.handle_message(loop.topics.ambient, msg, now)


def cable(
    loop: LiveLoop, name: str, temps: list[float], now: float, ts: float | None = None
) -> bool:
    body: dict[str, object] = {"temps_c": temps}
    if ts is not None:
        body["ts"] = ts
    return loop.handle_message(loop.topics.cable_prefix + name, json.dumps(body), now)


def alarms_of(sent: list[tuple[str, dict]]) -> list[dict]:
    msgs = [p for t, p in sent if t.endswith("/alarms")]
    return msgs[-1]["alarms"] if msgs else []


# --------------------------------------------------------------------------- defect 2
@pytest.mark.parametrize("n_cables", [1, 2, 4, 7])
def test_single_cable_hot_spot_alarms_with_any_number_of_cables(n_cables: int) -> None:
    # Before: layers were averaged across cables, so a +9 K spot on one cable
    # alarmed with one cable and not with 2, 4 or 7.
    loop, sent = make_loop()
    ambient(loop, T0, temp=15.0)
    for i in range(n_cables):
        temps = [20.0] * N
        if i == n_cables - 1:
            temps[6] = 29.0
        assert cable(loop, f"c{i}", temps, T0)
    loop.tick(T0)
    hot = [a for a in alarms_of(sent) if a["kind"] == "hot_spot" and a["level"] == "critical"]
    assert len(hot) == 1, alarms_of(sent)
    assert hot[0]["layer"] == 6
    assert hot[0]["cable"] == f"c{n_cables - 1}"
    # The per-cable field is kept in the state and the status report.
    obs = loop.last_observation
    assert obs is not None and obs.cables is not None
    assert set(obs.cables) == {f"c{i}" for i in range(n_cables)}
    st = status_from_loop(loop, T0)
    assert st is not None
    body = status_payload(st, "T-A1")
    assert body["max_temp_c"] == 29.0  # the warmest sensor, not a layer mean
    assert body["cable_max_temp_c"][f"c{n_cables - 1}"] == 29.0
    assert any(f"cable c{n_cables - 1}" in a for a in body["alarms"])


def test_two_sensor_pocket_on_a_single_cable_alarms() -> None:
    m = AlarmMonitor()
    temps = [20.0] * N
    temps[4] = temps[5] = 28.0
    hot = [a for a in m.update(0, temps, 14.0, cables={"c1": temps}) if a.kind == "hot_spot"]
    assert {a.layer for a in hot} == {4, 5}


@pytest.mark.parametrize("n_cables", [1, 3])
def test_a_cooling_front_is_not_a_hot_spot(n_cables: int) -> None:
    # Aeration front halfway up: bottom cold, top warm; horizontal across cables.
    front = [5.0] * 5 + [25.0] * 5
    cab = {f"c{i}": np.array(front) for i in range(n_cables)}
    alarms = AlarmMonitor().update(0, front, 14.0, cables=cab, ambient_temp_c=3.0)
    assert not [a for a in alarms if a.kind == "hot_spot"]


def test_local_rise_per_sensor_and_whole_store_rise() -> None:
    m = AlarmMonitor()
    for h in range(13):
        c1 = np.full(N, 15.0)
        c2 = np.full(N, 15.0)
        c2[3] = 15.0 + 0.1 * h  # 2.4 K/day on one sensor of one cable
        alarms = m.update(h, (c1 + c2) / 2, 14.0, cables={"c1": c1, "c2": c2}, ambient_temp_c=5.0)
    rising = [a for a in alarms if a.kind == "hot_spot" and a.level == "warning"]
    assert [(a.cable, a.layer) for a in rising] == [("c2", 3)]
    m.reset()
    for h in range(13):
        t = np.full(N, 15.0 + 0.1 * h)  # the whole store heats
        alarms = m.update(h, t, 14.0, cables={"c1": t, "c2": t}, ambient_temp_c=5.0)
    assert any("whole store" in a.message for a in alarms)


# --------------------------------------------------------------------------- defect 3
def test_one_bad_first_reading_does_not_lock_the_sensor_out() -> None:
    # Before: a bad first reading kept the sensor faulty through 199 good readings.
    v = SensorValidator()
    assert v.check_temperature("c1/0", 40.0, 0.0) is None  # bad, but nothing to compare with
    faulty = [v.check_temperature("c1/0", 12.0, 60.0 * i) is not None for i in range(1, 200)]
    assert faulty[:2] == [True, True]
    assert not any(faulty[2:])
    assert v.good_value("c1/0", 200 * 60.0) == 12.0
    assert any("re-baselined" in e for e in v.pop_events())


def test_rate_limit_is_time_aware() -> None:
    v = SensorValidator(SensorLimits(max_jump_k=10.0, max_rate_k_per_h=3.0, max_age_s=10_000.0))
    assert v.check_temperature("s", 10.0, 0.0) is None
    assert v.check_temperature("s", 22.0, 600.0) is not None  # 12 K > 10 + 0.5
    v.reset()
    assert v.check_temperature("s", 10.0, 0.0) is None
    assert v.check_temperature("s", 22.0, 3 * 3600.0) is None  # 12 K <= 10 + 9 after 3 h


def test_real_change_after_a_three_day_outage_is_accepted() -> None:
    # Before: +12 K after a 3-day outage marked every layer faulty and stopped the fan.
    loop, sent = make_loop()
    ambient(loop, T0)
    assert cable(loop, "c1", [12.0] * N, T0)
    assert loop.tick(T0) is not None
    later = T0 + 3 * 86400.0
    ambient(loop, later)
    assert cable(loop, "c1", [24.0] * N, later)
    a = loop.tick(later)
    assert a is not None
    obs = loop.last_observation
    assert obs is not None and obs.valid
    np.testing.assert_allclose(obs.grain_temp_c, 24.0)
    assert not loop.validator.faults_
    assert a.fan == 1.0  # grain 19 K warmer than the air: cool it
    assert not [x for x in alarms_of(sent) if x["kind"] == "sensor_fault"]


def test_dead_co2_sensor_is_not_critical_forever() -> None:
    loop, sent = make_loop(safety={"co2_max_age_s": 1800})
    ambient(loop, T0)
    cable(loop, "c1", [15.0] * N, T0)
    assert loop.handle_message(loop.topics.co2, json.dumps({"ts": T0, "ppm": 3500}), T0)
    loop.tick(T0)
    assert any(a["kind"] == "co2" and a["level"] == "critical" for a in alarms_of(sent))
    later = T0 + 2 * 3600.0
    ambient(loop, later)
    cable(loop, "c1", [15.0] * N, later)
    loop.tick(later)
    now_alarms = alarms_of(sent)
    assert not [a for a in now_alarms if a["kind"] == "co2"]
    assert any(a["kind"] == "sensor_stale" and "CO2" in a["message"] for a in now_alarms)
    assert loop.last_observation is not None and loop.last_observation.co2_ppm is None


def test_moisture_and_installed_sensors_raise_their_own_stale_alarms() -> None:
    loop, sent = make_loop(
        sensors={"cables": ["c1", "c2"], "co2": True},
        safety={"moisture_max_age_s": 3600, "co2_max_age_s": 1800},
    )
    ambient(loop, T0)
    cable(loop, "c1", [15.0] * N, T0)
    loop.handle_message(loop.topics.moisture, json.dumps({"ts": T0, "m_wb_pct": 14.5}), T0)
    loop.tick(T0)
    later = T0 + 2 * 3600.0
    ambient(loop, later)
    cable(loop, "c1", [15.0] * N, later)
    loop.tick(later)
    stale = {a["message"].split(":")[0] for a in alarms_of(sent) if a["kind"] == "sensor_stale"}
    assert {"moisture sensor", "CO2 sensor", "cable c2"} <= stale
    assert loop.moisture_source == "sensor (stale)"


def test_faulty_sensor_raises_its_own_alarm_and_is_not_averaged() -> None:
    loop, sent = make_loop()
    ambient(loop, T0)
    cable(loop, "c1", [15.0] * N, T0)
    loop.tick(T0)
    temps = [15.0] * N
    temps[3] = 60.0
    cable(loop, "c1", temps, T0 + 60)
    loop.tick(T0 + 60)
    obs = loop.last_observation
    assert obs is not None and math.isnan(obs.grain_temp_c[3])
    assert any(a["kind"] == "sensor_fault" and "c1/3" in a["message"] for a in alarms_of(sent))


# --------------------------------------------------------------------------- MQTT input
@pytest.mark.parametrize(
    "body",
    [
        {"temp_c": "12.5", "rh_pct": 60},  # a string is not a number
        {"temp_c": True, "rh_pct": 60},  # nor is a boolean (stored as 1.0 before)
        {"temp_c": 12.5, "rh_pct": [60]},
        {"temp_c": 12.5, "rh_pct": 60, "ts": "1790000000"},
    ],
)
def test_wrong_types_are_refused(body: dict[str, object]) -> None:
    loop, _ = make_loop()
    assert not loop.handle_message(loop.topics.ambient, json.dumps(body), T0)
    assert loop.drops["schema"] == 1
    assert loop.store.count() == 0


def test_size_limit_applies_before_parsing_and_nothing_oversized_is_stored() -> None:
    loop, _ = make_loop()
    valid = json.dumps({"temp_c": 12.5, "rh_pct": 60})
    padded = " " * (5 * 1024 * 1024) + valid + " " * 1000
    assert not loop.handle_message(loop.topics.ambient, padded, T0)
    assert loop.drops["oversized"] == 1
    assert loop.store.count() == 0
    # Whitespace inside the limit is accepted, but the stored payload is the
    # validated, re-serialised reading (never the raw text).
    assert loop.handle_message(loop.topics.ambient, " " * 5000 + valid, T0)
    (row,) = loop.store.rows()
    assert row[4] == '{"temp_c":12.5,"rh_pct":60.0}'


@pytest.mark.parametrize("depth", [5, 200_000])
def test_deep_nesting_is_refused_without_recursion(depth: int) -> None:
    loop, _ = make_loop()
    payload = "[" * depth + "]" * depth
    assert not loop.handle_message(loop.topics.ambient, payload, T0)  # no RecursionError
    reason = "nesting" if depth < 100 else "oversized"
    assert loop.drops[reason] == 1


@pytest.mark.parametrize(
    "text", ['{"temp_c": NaN, "rh_pct": 60}', '{"temp_c": Infinity, "rh_pct": 1}']
)
def test_nan_and_infinity_are_refused(text: str) -> None:
    loop, _ = make_loop()
    assert not loop.handle_message(loop.topics.ambient, text, T0)
    assert loop.drops["json"] == 1


def test_far_future_timestamp_is_flagged_and_staleness_uses_receive_time() -> None:
    # Before: a reading dated 31 years ahead made its sensor never stale.
    loop, _ = make_loop()
    future = T0 + 31 * 365 * 86400.0
    msg = json.dumps({"ts": future, "temp_c": 5.0, "rh_pct": 60})
    assert not loop.handle_message(loop.topics.ambient, msg, T0)
    assert loop.flags["clock"] == 1
    (row,) = loop.store.rows()
    assert row[6] == "clock" and row[5] == T0
    ambient(loop, T0)  # an honest reading at T0
    cable(loop, "c1", [20.0] * N, T0)
    obs = loop.observation(T0 + 2000)  # 2000 s > max_age 900 s after receipt
    assert obs is not None and not obs.valid


def test_ts_1_does_not_switch_the_fan_off() -> None:
    loop, _ = make_loop()
    ambient(loop, T0)
    cable(loop, "c1", [25.0] * N, T0)
    assert not loop.handle_message(
        loop.topics.ambient, json.dumps({"ts": 1, "temp_c": 5.0, "rh_pct": 60}), T0 + 10
    )
    a = loop.tick(T0 + 20)
    assert a is not None and a.fan == 1.0
    assert loop.last_observation is not None and loop.last_observation.valid


def test_out_of_order_reading_does_not_overwrite_the_last_time() -> None:
    loop, _ = make_loop()
    ambient(loop, T0)
    assert cable(loop, "c1", [20.0] * N, T0, ts=T0)
    assert not cable(loop, "c1", [21.0] * N, T0 + 5, ts=T0 - 100)
    assert loop.flags["out_of_order"] == 1
    obs = loop.observation(T0 + 5)
    assert obs is not None
    np.testing.assert_allclose(obs.grain_temp_c, 20.0)  # the late value is not used


def test_cable_allow_list_and_the_cap_without_one() -> None:
    loop, _ = make_loop(sensors={"cables": ["c1"]})
    ambient(loop, T0)
    assert cable(loop, "c1", [20.0] * N, T0)
    assert not cable(loop, "rogue", [80.0] * N, T0)
    assert not cable(loop, "c1/extra", [80.0] * N, T0)
    assert loop.drops["unknown_cable"] == 2
    obs = loop.observation(T0)
    assert obs is not None and obs.cables is not None and set(obs.cables) == {"c1"}
    loop2, _ = make_loop(sensors={"max_cables": 2})
    assert cable(loop2, "a", [20.0] * N, T0)
    assert cable(loop2, "b", [20.0] * N, T0)
    assert not cable(loop2, "c", [20.0] * N, T0)
    assert loop2.drops["unknown_cable"] == 1


def test_sensors_configured_absent_are_dropped() -> None:
    loop, _ = make_loop(sensors={"co2": False})
    assert not loop.handle_message(loop.topics.co2, json.dumps({"ppm": 500}), T0)
    assert loop.drops["not_installed"] == 1


def test_station_rh_below_zero_is_converted() -> None:
    loop, _ = make_loop()
    ambient(loop, T0, temp=-10.0, rh=80.0)
    cable(loop, "c1", [5.0] * N, T0)
    obs = loop.observation(T0)
    assert obs is not None
    assert obs.ambient_rh == pytest.approx(0.8836, abs=1e-4)


def test_old_reading_database_gets_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE readings (ts REAL NOT NULL, store TEXT NOT NULL, kind TEXT NOT NULL, "
        "sensor TEXT NOT NULL, payload TEXT NOT NULL)"
    )
    db.execute("INSERT INTO readings VALUES (1.0, 's', 'co2', 'co2', '{}')")
    db.commit()
    db.close()
    store = ReadingStore(path)
    store.add_reading(2.0, "s", "co2", "co2", "{}", received=3.0, flag="clock")
    assert store.rows() == [
        (1.0, "s", "co2", "co2", "{}", None, None),
        (2.0, "s", "co2", "co2", "{}", 3.0, "clock"),
    ]
    assert store.status("s")["last_reading_ts"] == 3.0
    store.close()


def test_broker_authentication_settings(tmp_path: Path) -> None:
    base = {"store": {"id": "s1", "tonnes": 100}}
    pw = tmp_path / "mqtt.password"
    pw.write_text("s3cret\n")
    cfg = StoreConfig.model_validate(
        {**base, "mqtt": {"username": "grain", "password_file": str(pw)}}
    )
    assert cfg.mqtt_password() == "s3cret"
    env_cfg = StoreConfig.model_validate(
        {**base, "mqtt": {"username": "g", "password_env": "PW_X"}}
    )
    assert env_cfg.mqtt_password({"PW_X": "abc"}) == "abc"
    with pytest.raises(ConfigError, match="PW_X"):
        env_cfg.mqtt_password({})
    with pytest.raises(ValueError, match="need a username"):
        StoreConfig.model_validate({**base, "mqtt": {"password_env": "PW"}})
    with pytest.raises(ValueError, match="cert_file and key_file"):
        StoreConfig.model_validate({**base, "mqtt": {"tls": {"cert_file": "c.crt"}}})


def test_configure_client_sets_login_and_tls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from regdev.grain.mqtt import configure_client

    for name in ("ca.crt", "c.crt", "c.key"):
        (tmp_path / name).write_text("x")
    cfg = StoreConfig.model_validate(
        {
            "store": {"id": "s1", "tonnes": 100},
            "mqtt": {
                "username": "grain",
                "password_env": "PW_Y",
                "tls": {"ca_file": "ca.crt", "cert_file": "c.crt", "key_file": "c.key"},
            },
        }
    ).model_copy(update={"base_dir": tmp_path})

    class FakeClient:
        def __init__(self) -> None:
            self.calls: list[tuple[str, object]] = []

        def username_pw_set(self, user: str, pw: str | None) -> None:
            self.calls.append(("login", (user, pw)))

        def tls_set(self, **kw: object) -> None:
            self.calls.append(("tls", kw))

        def tls_insecure_set(self, value: bool) -> None:
            self.calls.append(("insecure", value))

    client = FakeClient()
    monkeypatch.setenv("PW_Y", "pw")
    configure_client(client, cfg)
    assert client.calls[0] == ("login", ("grain", "pw"))
    kind, kw = client.calls[1]
    assert kind == "tls"
    assert kw["certfile"] == str(tmp_path / "c.crt")  # type: ignore[index]
    (tmp_path / "c.key").unlink()
    with pytest.raises(ConfigError, match="key_file"):
        configure_client(FakeClient(), cfg)


def test_implausible_co2_and_moisture_readings_raise_sensor_faults() -> None:
    loop, sent = make_loop()
    ambient(loop, T0)
    cable(loop, "c1", [15.0] * N, T0)
    assert not loop.handle_message(loop.topics.co2, json.dumps({"ppm": 250_000}), T0)
    assert not loop.handle_message(loop.topics.moisture, json.dumps({"m_wb_pct": 75}), T0)
    assert loop.drops["range"] == 2
    assert loop.store.count() == 2  # the ambient and cable readings only
    loop.tick(T0)
    faults = [a["message"] for a in alarms_of(sent) if a["kind"] == "sensor_fault"]
    assert any(m.startswith("co2:") for m in faults)
    assert any(m.startswith("moisture:") for m in faults)
    assert loop.handle_message(loop.topics.co2, json.dumps({"ppm": 450}), T0 + 60)
    loop.tick(T0 + 60)
    assert not [a for a in alarms_of(sent) if a["message"].startswith("co2:")]
