"""End to end: grain store status -> real monitoring API (uvicorn) -> county page.

The monitoring app is built with ``create_app`` on an in-memory SQLite database
populated by ``regdev.monitoring.testing.build_world`` (toy regions, one user per
role) and served by uvicorn on a free loopback port in a thread.  The grain reporter
POSTs over real HTTP with a county user's Bearer token; the test then reads
``GET /api/v1/grain-status`` and the county page.  One test also runs the live MQTT
loop (skipped when no broker listens on 127.0.0.1:1883).
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from regdev.grain.config import StoreConfig, read_store_config
from regdev.grain.mqtt import LiveLoop, ReadingStore
from regdev.grain.report import MonitoringReporter
from regdev.monitoring import auth, testing
from regdev.monitoring.app import create_app
from regdev.monitoring.config import Settings
from regdev.monitoring.models import User

N = 4
REGION = "T-A1"
MQTT_HOST, MQTT_PORT = "127.0.0.1", 1883


@dataclass
class Server:
    url: str
    tokens: dict[str, str]
    cookie_name: str

    def get(self, path: str, user: str = "county_a1", **kw: object) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return httpx.get(f"{self.url}{path}", headers=headers, timeout=10, **kw)  # type: ignore[arg-type]

    def grain_rows(self, store_id: str) -> list[dict[str, object]]:
        r = self.get("/api/v1/grain-status", params={"store_id": store_id})
        assert r.status_code == 200, r.text
        return list(r.json()["data"])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    engine = testing.sqlite_memory_engine()
    settings = Settings(database_url="sqlite://")
    from sqlalchemy.orm import Session

    with Session(engine) as s:
        testing.build_world(s)
        tokens = {u.username: auth.create_token(u, settings=settings) for u in s.query(User).all()}
    app = create_app(settings, engine=engine)
    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start within 15 s"
    try:
        yield Server(f"http://127.0.0.1:{port}", tokens, settings.cookie_name)
    finally:
        srv.should_exit = True
        thread.join(10)
        engine.dispose()


def _loop(store_id: str) -> LiveLoop:
    cfg = StoreConfig.model_validate(
        {
            "store": {"id": store_id, "tonnes": 500, "n_layers": N, "depth_m": 8},
            "controller": {"strategy": "delta-t", "interval_s": 1},
            "monitoring": {"region_id": REGION, "interval_s": 60},
        }
    )
    return LiveLoop(cfg, lambda _t, _p: None, store=ReadingStore(":memory:"))


def _feed_hot_spot(loop: LiveLoop, now: float) -> None:
    t = loop.topics
    assert loop.handle_message(t.ambient, json.dumps({"temp_c": 3.0, "rh_pct": 60}), now)
    assert loop.handle_message(
        t.cable_prefix + "c1", json.dumps({"temps_c": [14, 14, 22, 14]}), now
    )
    assert loop.handle_message(t.co2, json.dumps({"ppm": 3400}), now)
    assert loop.handle_message(t.moisture, json.dumps({"m_wb_pct": 15.4}), now)


def test_reported_status_appears_in_api_and_on_county_page(server: Server) -> None:
    store_id = f"store-{uuid.uuid4().hex[:6]}"
    loop = _loop(store_id)
    now = time.time()
    _feed_hot_spot(loop, now)
    loop.tick(now)
    rep = MonitoringReporter(
        server.url, region_id=REGION, token=server.tokens["county_a1"], interval_s=60
    )
    assert rep.maybe_report(loop)  # worker thread
    rep.close()
    assert rep.n_sent == 1, rep.last_error
    rows = server.grain_rows(store_id)
    assert len(rows) == 1
    row = rows[0]
    assert row["region_id"] == REGION
    assert row["mean_temp_c"] == pytest.approx(16.0)
    assert row["moisture_pct"] == pytest.approx(15.4)
    alarms = [str(a) for a in row["alarms"]]  # type: ignore[attr-defined]
    assert alarms[0].startswith("critical ")
    assert any("hot_spot layer 2" in a for a in alarms)
    assert any("co2" in a and "3400 ppm" in a for a in alarms)
    assert rep.last_response is not None
    assert rep.last_response["id"] == row["id"]
    if "max_temp_c" in row:  # a service with the optional detail fields
        assert rep.details
        assert row["max_temp_c"] == pytest.approx(22.0)
        assert row["co2_ppm"] == pytest.approx(3400)
        assert row["fan_on"] is True  # 16 degC grain, 3 degC air: cooling
        assert row["controller_note"] == loop.commands[-1]["reason"]
    else:  # an older service: it refused them and got the basic record
        assert not rep.details

    page = httpx.get(
        f"{server.url}/county/{REGION}",
        cookies={server.cookie_name: server.tokens["county_a1"]},
        timeout=10,
    )
    assert page.status_code == 200
    assert store_id in page.text
    assert "hot_spot layer 2" in page.text
    assert "15.4" in page.text


def test_wrong_token_and_wrong_scope_logged_no_crash(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    store_id = f"store-{uuid.uuid4().hex[:6]}"
    loop = _loop(store_id)
    now = time.time()
    _feed_hot_spot(loop, now)
    loop.tick(now)
    bad = MonitoringReporter(server.url, region_id=REGION, token="not-a-token", interval_s=60)
    other = MonitoringReporter(
        server.url, region_id=REGION, token=server.tokens["county_b1"], interval_s=60
    )
    with caplog.at_level(logging.ERROR, logger="regdev.grain.report"):
        assert bad.maybe_report(loop, background=False)
        assert other.maybe_report(loop, background=False)
    assert bad.n_failed == 1
    assert bad.n_sent == 0
    assert other.n_failed == 1
    assert "HTTP 401" in caplog.text
    assert "HTTP 403" in caplog.text  # county B1 may not write county A1's store
    assert "not-a-token" not in caplog.text  # the token is never logged
    assert loop.tick(now + 1) is not None  # the control loop carries on
    assert server.grain_rows(store_id) == []


def _broker_up() -> bool:
    try:
        with socket.create_connection((MQTT_HOST, MQTT_PORT), timeout=1.0):
            return True
    except OSError:
        return False


@pytest.mark.network
def test_live_mqtt_loop_reports_to_monitoring(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not _broker_up():
        pytest.skip(f"no MQTT broker at {MQTT_HOST}:{MQTT_PORT}; the direct-feed tests still run")
    mqtt = pytest.importorskip("paho.mqtt.client", reason="paho-mqtt (the mqtt extra) missing")
    from paho.mqtt.enums import CallbackAPIVersion

    from regdev.grain.mqtt import run_live

    store_id = f"e2e-mon-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("REGDEV_TEST_GRAIN_TOKEN", server.tokens["county_a1"])
    cfg_path = tmp_path / "store.toml"
    cfg_path.write_text(
        f"""
[store]
id = "{store_id}"
tonnes = 500
depth_m = 8
n_layers = {N}

[mqtt]
host = "{MQTT_HOST}"
port = {MQTT_PORT}

[controller]
strategy = "delta-t"
interval_s = 0.2

[storage]
database = "readings.sqlite"

[monitoring]
url = "{server.url}"
token_env = "REGDEV_TEST_GRAIN_TOKEN"
region_id = "{REGION}"
interval_s = 0.5
timeout_s = 2
"""
    )
    cfg = read_store_config(cfg_path)
    result: dict[str, object] = {}

    def live() -> None:
        try:
            result["loop"] = run_live(cfg, max_seconds=4.0)
        except Exception as exc:  # surfaced in the main thread below
            result["error"] = exc

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"{store_id}-sensors")
    client.connect(MQTT_HOST, MQTT_PORT)
    client.loop_start()
    thread = threading.Thread(target=live, daemon=True)
    rows: list[dict[str, object]] = []
    try:
        thread.start()
        base = f"regdev/grain/{store_id}/sensors"
        deadline = time.monotonic() + 4.0
        while not rows and time.monotonic() < deadline:
            client.publish(f"{base}/ambient", json.dumps({"temp_c": 3.0, "rh_pct": 60}), qos=1)
            client.publish(f"{base}/cable/c1", json.dumps({"temps_c": [12.0] * N}), qos=1)
            client.publish(f"{base}/co2", json.dumps({"ppm": 1200}), qos=1)
            time.sleep(0.3)
            rows = server.grain_rows(store_id)
        thread.join(10.0)
    finally:
        client.loop_stop()
        client.disconnect()
    assert "error" not in result, result.get("error")
    assert rows, "no grain status reached the monitoring API"
    assert rows[0]["mean_temp_c"] == pytest.approx(12.0)
    assert any("watch co2" in str(a) for a in rows[0]["alarms"])  # type: ignore[attr-defined]
    loop = result["loop"]
    assert isinstance(loop, LiveLoop)
    assert loop.reporter is not None
    assert loop.reporter.n_sent >= 1
    assert loop.reporter.n_failed == 0
