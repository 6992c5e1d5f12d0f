"""Status reports to the monitoring API: mapping of the live state, failures never raise."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from regdev.errors import DataValidationError
from regdev.grain.config import StoreConfig, read_store_config
from regdev.grain.mqtt import LiveLoop, ReadingStore
from regdev.grain.report import (
    DETAIL_FIELDS,
    MAX_ALARM_CHARS,
    MAX_ALARMS,
    MonitoringReporter,
    StoreStatus,
    alarm_texts,
    status_from_loop,
    status_payload,
)
from regdev.grain.safety import Alarm
from regdev.monitoring.schemas import GrainStatusCreate

N = 4
NOW = 1_790_000_000.0  # 2026-09-22 (UTC)


def validate(body: dict[str, object]) -> GrainStatusCreate:
    """Validate against the service's create schema; detail fields only if it has them.

    The detail fields are checked explicitly in the tests; a service version without
    them gets the basic record (see test_service_without_details_gets_basic_record).
    """
    known = GrainStatusCreate.model_fields
    return GrainStatusCreate.model_validate(
        {k: v for k, v in body.items() if k in known or k not in DETAIL_FIELDS}
    )


def make_loop() -> LiveLoop:
    cfg = StoreConfig.model_validate(
        {
            "store": {"id": "s1", "tonnes": 500, "n_layers": N, "depth_m": 8, "m_wb_pct": 14.5},
            "controller": {"strategy": "delta-t", "interval_s": 1},
            "monitoring": {"region_id": "T-A1", "interval_s": 60},
        }
    )
    return LiveLoop(cfg, lambda _t, _p: None, store=ReadingStore(":memory:"))


def feed(loop: LiveLoop, temps: list[float], now: float = NOW, amb: float = 5.0) -> None:
    t = loop.topics
    assert loop.handle_message(t.ambient, json.dumps({"ts": now, "temp_c": amb, "rh_pct": 55}), now)
    assert loop.handle_message(
        t.cable_prefix + "c1", json.dumps({"ts": now, "temps_c": temps}), now
    )


def test_no_status_before_the_first_control_step() -> None:
    loop = make_loop()
    assert status_from_loop(loop, NOW) is None
    feed(loop, [20.0] * N)
    assert status_from_loop(loop, NOW) is None  # readings, but no decision yet
    loop.tick(NOW)
    assert status_from_loop(loop, NOW) is not None


def test_normal_state_maps_to_the_api_schema() -> None:
    loop = make_loop()
    feed(loop, [12.0, 13.0, 14.0, 15.0], amb=2.0)  # cool grain: no insect or hot-spot alarm
    loop.tick(NOW)
    st = status_from_loop(loop, NOW)
    assert st is not None
    assert st.mean_temp_c == pytest.approx(13.5)
    assert st.max_temp_c == pytest.approx(15.0)
    assert st.moisture_pct == pytest.approx(14.5)
    assert st.moisture_source == "sampled"
    assert st.fan == 1  # grain 11 K above cold dry air: the delta-t rule cools
    assert st.reason
    assert st.valid
    body = status_payload(st, "T-A1", details=False)
    assert body == {
        "store_id": "s1",
        "region_id": "T-A1",
        "timestamp": dt.datetime.fromtimestamp(NOW, dt.UTC)
        .replace(tzinfo=None)
        .isoformat(timespec="seconds"),
        "mean_temp_c": 13.5,
        "moisture_pct": 14.5,
        "alarms": [],
    }
    later = status_from_loop(loop)  # stamped with the control step's time, not the clock's
    assert later is not None
    assert later.timestamp == st.timestamp
    parsed = validate(body)
    assert parsed.timestamp.tzinfo is None  # stored as naive UTC by the service
    full = status_payload(st, "T-A1")
    assert {k: v for k, v in full.items() if k not in DETAIL_FIELDS} == body
    assert full["max_temp_c"] == 15.0
    assert full["fan_on"] is True
    assert full["controller_note"] == st.reason
    assert "co2_ppm" not in full  # no CO2 sensor reported: not sent rather than guessed
    validate(full)


def test_hot_spot_and_co2_alarms_most_severe_first() -> None:
    loop = make_loop()
    feed(loop, [20.0, 20.0, 31.0, 20.0])
    t = loop.topics
    assert loop.handle_message(t.co2, json.dumps({"ts": NOW, "ppm": 1500}), NOW)
    assert loop.handle_message(t.moisture, json.dumps({"ts": NOW, "m_wb_pct": 16.2}), NOW)
    loop.tick(NOW)
    st = status_from_loop(loop, NOW)
    assert st is not None
    assert st.co2_ppm == 1500
    assert st.moisture_source == "sensor"
    assert st.moisture_pct == pytest.approx(16.2)
    body = status_payload(st, "T-A1")
    validate(body)
    assert body["co2_ppm"] == 1500
    assert body["max_temp_c"] == 31.0
    alarms = body["alarms"]
    assert len(alarms) == 3
    # Hot spots are judged per sensor and name their cable (issue 14, defect 2).
    assert alarms[0].startswith("critical hot_spot layer 2 cable c1:")
    assert body["cable_max_temp_c"] == {"c1": 31.0}
    assert "31.0 degC" in alarms[0]
    assert alarms[1].startswith("warning insects layer 2:")  # 31 degC grain breeds insects
    assert alarms[2].startswith("watch co2:")
    assert "1500 ppm" in alarms[2]


def test_faulty_cable_jump_is_reported_as_sensor_fault() -> None:
    loop = make_loop()
    feed(loop, [20.0] * N, NOW)
    loop.tick(NOW)
    feed(loop, [20.0, 20.0, 50.0, 20.0], NOW + 60)  # 30 K jump: a fault, not grain
    loop.tick(NOW + 60)
    st = status_from_loop(loop, NOW + 60)
    assert st is not None
    body = status_payload(st, "T-A1")
    assert any("sensor_fault" in a for a in body["alarms"])
    assert not any("hot_spot" in a for a in body["alarms"])
    assert body["mean_temp_c"] == pytest.approx(20.0)  # the faulty value is not averaged


def _status(**kw: object) -> StoreStatus:
    base: dict[str, object] = {
        "store_id": "s1",
        "timestamp": dt.datetime(2026, 11, 27, 12, 0, 0),
        "grain_temp_c": (10.0, 12.0, 14.0),
        "moisture_pct": 15.0,
        "moisture_source": "sensor",
    }
    base.update(kw)
    return StoreStatus(**base)  # type: ignore[arg-type]


def test_no_valid_temperature_refuses_with_the_reason() -> None:
    st = _status(grain_temp_c=(math.nan, math.nan, math.nan), valid=False)
    with pytest.raises(DataValidationError, match="mean_temp_c"):
        status_payload(st, "T-A1")


def test_unknown_moisture_refuses_with_the_reason() -> None:
    with pytest.raises(DataValidationError, match="moisture_pct"):
        status_payload(_status(moisture_pct=None, moisture_source="unknown"), "T-A1")


def test_long_store_id_refused() -> None:
    with pytest.raises(DataValidationError, match="at most 80"):
        status_payload(_status(store_id="s" * 81), "T-A1")


def test_missing_layers_and_invalid_inputs_become_warnings() -> None:
    st = _status(grain_temp_c=(10.0, math.nan, 14.0), valid=False, reason="fail-safe: stale")
    body = status_payload(st, "T-A1")
    assert body["mean_temp_c"] == pytest.approx(12.0)
    assert "warning sensor_fault: no valid temperature in layers 1" in body["alarms"]
    assert any(a.startswith("warning controller:") and "stale" in a for a in body["alarms"])
    validate(body)


def test_alarm_limits_of_the_api() -> None:
    many = tuple(Alarm("insects", "watch", "x" * 500, i) for i in range(150))
    texts = alarm_texts(_status(alarms=(Alarm("co2", "critical", "CO2 4000 ppm"), *many)))
    assert len(texts) == MAX_ALARMS
    assert all(len(t) <= MAX_ALARM_CHARS for t in texts)
    assert texts[0] == "critical co2: CO2 4000 ppm"
    assert texts[-1] == "... and 52 more alarms"
    validate(status_payload(_status(alarms=many), "T-A1"))


def test_config_section_optional_and_token_from_env(tmp_path: Path) -> None:
    p = tmp_path / "store.toml"
    p.write_text('[store]\nid = "s1"\ntonnes = 100\n')
    assert read_store_config(p).monitoring is None
    p.write_text(
        '[store]\nid = "s1"\ntonnes = 100\n[monitoring]\nurl = "http://127.0.0.1:9"\n'
        'region_id = "KP-X"\ninterval_s = 30\ntoken_env = "MY_TOKEN"\n'
    )
    cfg = read_store_config(p)
    assert cfg.monitoring is not None
    rep = MonitoringReporter.from_config(cfg, environ={"MY_TOKEN": "abc"})
    assert rep.token == "abc"
    assert rep.interval_s == 30
    assert rep.endpoint == "http://127.0.0.1:9/api/v1/grain-status"


def test_missing_token_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    loop = make_loop()
    assert loop.config.monitoring is not None
    rep = MonitoringReporter.from_config(loop.config, environ={})
    feed(loop, [20.0] * N)
    loop.tick(NOW)
    with caplog.at_level(logging.ERROR, logger="regdev.grain.report"):
        assert rep.maybe_report(loop, now_mono=0.0, background=False)
    assert rep.n_failed == 1
    assert rep.n_sent == 0
    assert "REGDEV_MONITORING_TOKEN" in caplog.text


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_server_logged_and_retried_next_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    loop = make_loop()
    rep = MonitoringReporter(
        f"http://127.0.0.1:{_closed_port()}", region_id="T-A1", token="t", interval_s=60
    )
    assert not rep.maybe_report(loop, now_mono=0.0, background=False)  # nothing to report yet
    feed(loop, [20.0] * N)
    loop.tick(NOW)
    with caplog.at_level(logging.ERROR, logger="regdev.grain.report"):
        assert rep.maybe_report(loop, now_mono=1.0, background=False)
    assert rep.n_failed == 1
    assert "cannot reach" in caplog.text
    assert not rep.maybe_report(loop, now_mono=30.0, background=False)  # not due yet
    assert rep.maybe_report(loop, now_mono=61.5, background=False)  # retried
    assert rep.n_failed == 2


def test_server_error_logged_with_status(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[dict[str, object]] = []

    def fake_post(url: str, **kw: object) -> httpx.Response:
        seen.append({"url": url, **kw})
        return httpx.Response(503, text="maintenance")

    monkeypatch.setattr(httpx, "post", fake_post)
    rep = MonitoringReporter("http://mon.example", region_id="T-A1", token="tok", timeout_s=2)
    with caplog.at_level(logging.ERROR, logger="regdev.grain.report"):
        assert not rep.report(_status())
    assert "HTTP 503" in caplog.text
    assert "maintenance" in caplog.text
    assert seen[0]["url"] == "http://mon.example/api/v1/grain-status"
    assert seen[0]["headers"] == {"Authorization": "Bearer tok"}
    assert seen[0]["timeout"] == 2
    assert rep.last_error is not None


def test_grain_core_imports_no_web_stack() -> None:
    code = (
        "import sys, regdev.grain.report, regdev.grain.mqtt, regdev.grain.config; "
        "print(','.join(m for m in ('httpx', 'fastapi', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == ""


def test_hanging_server_does_not_hold_up_the_loop(caplog: pytest.LogCaptureFixture) -> None:
    loop = make_loop()
    feed(loop, [20.0] * N)
    loop.tick(NOW)
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        port = silent.getsockname()[1]
        rep = MonitoringReporter(
            f"http://127.0.0.1:{port}", region_id="T-A1", token="t", timeout_s=1.5, interval_s=1
        )
        with caplog.at_level(logging.ERROR, logger="regdev.grain.report"):
            assert rep.maybe_report(loop, now_mono=0.0)  # returns at once; POST in a worker
            assert rep._worker is not None
            assert rep._worker.is_alive()  # still waiting for the silent server
            assert loop.tick(NOW + 1) is not None  # the control loop goes on meanwhile
            assert not rep.maybe_report(loop, now_mono=5.0)  # one report in flight at most
            rep.close()
    assert rep.n_failed == 1
    assert "Timeout" in caplog.text


def test_token_file_is_reread_at_every_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    p = tmp_path / "store.toml"
    p.write_text(
        '[store]\nid = "s1"\ntonnes = 100\n[monitoring]\nregion_id = "T-A1"\n'
        'token_file = "mon.token"\n'
    )
    cfg = read_store_config(p)
    assert cfg.monitoring_token_path() == tmp_path / "mon.token"
    rep = MonitoringReporter.from_config(cfg, environ={"REGDEV_MONITORING_TOKEN": "from-env"})
    auth_headers: list[object] = []

    def fake_post(url: str, **kw: object) -> httpx.Response:
        auth_headers.append(kw["headers"])
        return httpx.Response(201, json={"id": len(auth_headers)})

    monkeypatch.setattr(httpx, "post", fake_post)
    with caplog.at_level(logging.ERROR, logger="regdev.grain.report"):
        assert not rep.report(_status())  # file not there yet: logged, no request
    assert "cannot read token file" in caplog.text
    assert auth_headers == []
    (tmp_path / "mon.token").write_text("first\n")
    assert rep.report(_status())
    (tmp_path / "mon.token").write_text("renewed")
    assert rep.report(_status())
    assert auth_headers == [{"Authorization": "Bearer first"}, {"Authorization": "Bearer renewed"}]
    assert rep.n_sent == 2
    assert rep.last_response == {"id": 2}


def test_service_without_details_gets_basic_record(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    bodies: list[dict[str, object]] = []

    def old_service(url: str, **kw: object) -> httpx.Response:
        body = dict(kw["json"])  # type: ignore[call-overload]
        bodies.append(body)
        extra = [k for k in body if k in DETAIL_FIELDS]
        if extra:
            detail = [{"type": "extra_forbidden", "loc": ["body", k], "msg": "x"} for k in extra]
            return httpx.Response(422, json={"detail": detail})
        return httpx.Response(201, json={"id": len(bodies)})

    monkeypatch.setattr(httpx, "post", old_service)
    rep = MonitoringReporter("http://old.example", region_id="T-A1", token="tok")
    st = _status(
        fan=1,
        reason="grain 8 K warmer than air",
        co2_ppm=450.0,
        cables=(("c1", (10.0, 11.0, 12.0, 13.0)),),
    )
    with caplog.at_level(logging.WARNING, logger="regdev.grain.report"):
        assert rep.report(st)
    assert "does not know" in caplog.text
    assert set(DETAIL_FIELDS) <= set(bodies[0])
    assert not set(DETAIL_FIELDS) & set(bodies[1])
    assert rep.n_sent == 1
    assert rep.n_failed == 0
    assert not rep.details
    assert rep.report(st)  # from now on straight to the basic record
    assert len(bodies) == 3
    assert not set(DETAIL_FIELDS) & set(bodies[2])


def test_other_422_is_a_failure_not_a_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []

    def refuse(url: str, **kw: object) -> httpx.Response:
        calls.append(kw)
        detail = [{"type": "value_error", "loc": ["body", "region_id"], "msg": "unknown"}]
        return httpx.Response(422, json={"detail": detail})

    monkeypatch.setattr(httpx, "post", refuse)
    rep = MonitoringReporter("http://mon.example", region_id="KP-NOPE", token="tok")
    assert not rep.report(_status(fan=0))
    assert len(calls) == 1
    assert rep.details  # still sends details next time
    assert rep.n_failed == 1
    assert "HTTP 422" in (rep.last_error or "")
