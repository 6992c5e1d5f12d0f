"""Sensors and commands over MQTT: topic layout, payload validation, the live loop.

Topic layout (``P`` = ``[mqtt] prefix``, default ``regdev/grain``; ``S`` = store id)
-------------------------------------------------------------------------------------
=================================  ==========  ==================================================
topic                              direction   JSON payload
=================================  ==========  ==================================================
``P/S/sensors/ambient``            in          ``{"ts": 1764250000.0, "temp_c": 12.5, "rh_pct": 71}``
``P/S/sensors/cable/<cable>``      in          ``{"ts": ..., "temps_c": [t0, t1, ...]}`` bottom first
``P/S/sensors/moisture``           in          ``{"ts": ..., "m_wb_pct": 15.2}`` or a list per layer
``P/S/sensors/co2``                in          ``{"ts": ..., "ppm": 480}``
``P/S/cmd/fan``                    out         ``{"ts", "fan": 0|1, "reason", "strategy", "valid"}``
``P/S/alarms``                     out         ``{"ts", "alarms": [{"kind", "level", "message", "layer"}]}``
=================================  ==========  ==================================================

``ts`` is a Unix time in seconds (optional; the receive time is used when
missing).  A payload that is not JSON, does not match its schema, or comes on
an unknown topic is logged at WARNING and dropped; the loop never crashes on
input.  Every accepted reading is stored in SQLite (:class:`ReadingStore`).
Cable readings go through :class:`~regdev.grain.safety.SensorValidator`, so a
jump of 30 K is treated as a sensor fault, not as grain.

:class:`LiveLoop` holds the logic and is testable without a broker
(:meth:`LiveLoop.handle_message`, :meth:`LiveLoop.tick`); :func:`run_live`
connects it to a broker with paho-mqtt (the ``mqtt`` extra).
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from regdev.errors import ConfigError
from regdev.grain import controller as ctl
from regdev.grain.config import StoreConfig
from regdev.grain.safety import Alarm, AlarmMonitor, SensorLimits, SensorValidator

if TYPE_CHECKING:
    from regdev.grain.report import MonitoringReporter

log = logging.getLogger(__name__)

Publish = Callable[[str, str], None]


class _Reading(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    ts: float | None = None


class AmbientReading(_Reading):
    """Ambient temperature and humidity."""

    temp_c: float = Field(ge=-60, le=70)
    rh_pct: float = Field(ge=0, le=100)


class CableReading(_Reading):
    """One temperature cable: one value per layer, bottom first."""

    temps_c: list[float] = Field(min_length=1, max_length=200)


class MoistureReading(_Reading):
    """Grain moisture, % w.b. (one value or one per layer)."""

    m_wb_pct: float | list[float]


class Co2Reading(_Reading):
    """Headspace CO2, ppm."""

    ppm: float = Field(ge=0, le=100_000)


class Topics:
    """Topic names of one store."""

    def __init__(self, prefix: str, store_id: str) -> None:
        self.base = f"{prefix.rstrip('/')}/{store_id}"
        self.sensors = f"{self.base}/sensors/#"
        self.ambient = f"{self.base}/sensors/ambient"
        self.cable_prefix = f"{self.base}/sensors/cable/"
        self.moisture = f"{self.base}/sensors/moisture"
        self.co2 = f"{self.base}/sensors/co2"
        self.fan = f"{self.base}/cmd/fan"
        self.alarms = f"{self.base}/alarms"


class ReadingStore:
    """Append-only SQLite store of accepted readings and issued commands.

    Parameters
    ----------
    path : str or Path
        Database file (``":memory:"`` for tests).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        with self._db:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS readings "
                "(ts REAL NOT NULL, store TEXT NOT NULL, kind TEXT NOT NULL, "
                "sensor TEXT NOT NULL, payload TEXT NOT NULL)"
            )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS commands "
                "(ts REAL NOT NULL, store TEXT NOT NULL, fan REAL NOT NULL, reason TEXT NOT NULL)"
            )

    def add_reading(self, ts: float, store: str, kind: str, sensor: str, payload: str) -> None:
        """Store one accepted reading (one transaction)."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO readings VALUES (?, ?, ?, ?, ?)", (ts, store, kind, sensor, payload)
            )

    def add_command(self, ts: float, store: str, fan: float, reason: str) -> None:
        """Store one issued command."""
        with self._lock, self._db:
            self._db.execute("INSERT INTO commands VALUES (?, ?, ?, ?)", (ts, store, fan, reason))

    def count(self, table: str = "readings") -> int:
        """Number of rows in ``readings`` or ``commands``."""
        if table not in ("readings", "commands"):
            msg = f"table must be readings or commands; got {table!r}"
            raise ConfigError(msg)
        with self._lock:
            row = self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()  # noqa: S608
        return int(row[0])

    def status(self, store: str) -> dict[str, Any]:
        """Latest state of one store, for dashboards (e.g. the county page).

        Returns
        -------
        dict
            ``store``, ``n_readings``, ``last_reading_ts``, ``last_fan``,
            ``last_reason``, ``last_command_ts`` (None where nothing is stored yet).
        """
        with self._lock:
            n, last_ts = self._db.execute(
                "SELECT COUNT(*), MAX(ts) FROM readings WHERE store = ?", (store,)
            ).fetchone()
            cmd = self._db.execute(
                "SELECT ts, fan, reason FROM commands WHERE store = ? ORDER BY ts DESC LIMIT 1",
                (store,),
            ).fetchone()
        return {
            "store": store,
            "n_readings": int(n),
            "last_reading_ts": last_ts,
            "last_command_ts": cmd[0] if cmd else None,
            "last_fan": cmd[1] if cmd else None,
            "last_reason": cmd[2] if cmd else None,
        }

    def close(self) -> None:
        """Close the database."""
        self._db.close()


class LiveLoop:
    """The live control loop of one store, independent of the MQTT client.

    Parameters
    ----------
    config : StoreConfig
        The validated ``store.toml``.
    publish : callable
        ``publish(topic, payload_json)``; the MQTT client's publish in production.
    store : ReadingStore, optional
        Where readings go; by default the database named in the config.
    controller : Controller, optional
        Defaults to the strategy named in the config.
    """

    def __init__(
        self,
        config: StoreConfig,
        publish: Publish,
        store: ReadingStore | None = None,
        controller: ctl.Controller | None = None,
    ) -> None:
        self.config = config
        self.publish = publish
        self.topics = Topics(config.mqtt.prefix, config.store.id)
        self.store = store if store is not None else ReadingStore(config.database_path())
        self.controller = controller or ctl.build_controller(
            config.controller.strategy, config.store.to_spec(), **config.controller.params
        )
        self.validator = SensorValidator(
            SensorLimits(max_jump_k=config.safety.max_jump_k, max_age_s=config.safety.max_age_s)
        )
        self.alarms = AlarmMonitor()
        self.n_dropped = 0
        self.n_accepted = 0
        self.n_layers = config.store.n_layers
        self._lock = threading.Lock()
        self._ambient: tuple[float, float, float] | None = None  # ts, temp, rh
        self._cables: dict[str, int] = {}
        self._moisture = np.full(self.n_layers, config.store.m_wb_pct)
        self.moisture_source = "sampled"  # "sensor" once a moisture reading arrives
        self._co2: float | None = None
        self.commands: list[dict[str, Any]] = []
        self.last_observation: ctl.Observation | None = None
        self.last_alarms: list[Alarm] = []
        self.reporter: MonitoringReporter | None = None  # set by run_live

    # ------------------------------------------------------------------ input
    def handle_message(self, topic: str, payload: bytes | str, now_s: float | None = None) -> bool:
        """Validate, store and apply one message; return False if it was dropped.

        Never raises on bad input: the problem is logged and the message dropped.
        """
        now = time.time() if now_s is None else now_s
        try:
            text = payload.decode("utf-8") if isinstance(payload, bytes) else payload
            data = json.loads(text)
            accepted = self._apply(topic, data, text, now)
        except (UnicodeDecodeError, json.JSONDecodeError, ValidationError, ValueError) as exc:
            log.warning("dropped bad payload on %s: %s", topic, str(exc).splitlines()[0])
            accepted = False
        if accepted:
            self.n_accepted += 1
        else:
            self.n_dropped += 1
        return accepted

    def _apply(self, topic: str, data: Any, text: str, now: float) -> bool:
        t = self.topics
        sid = self.config.store.id
        with self._lock:
            if topic == t.ambient:
                amb = AmbientReading.model_validate(data)
                ts = amb.ts if amb.ts is not None else now
                self._ambient = (ts, amb.temp_c, amb.rh_pct / 100.0)
                self.validator.touch("ambient", ts)
                self.store.add_reading(ts, sid, "ambient", "ambient", text)
                return True
            if topic.startswith(t.cable_prefix):
                cable = topic[len(t.cable_prefix) :] or "cable"
                rd = CableReading.model_validate(data)
                ts = rd.ts if rd.ts is not None else now
                if len(rd.temps_c) != self.n_layers:
                    msg = f"cable {cable}: expected {self.n_layers} values, got {len(rd.temps_c)}"
                    raise ValueError(msg)
                faults = [
                    self.validator.check_temperature(f"{cable}/{i}", v, ts)
                    for i, v in enumerate(rd.temps_c)
                ]
                for f in faults:
                    if f is not None:
                        log.warning("sensor fault: %s", f)
                self._cables[cable] = len(rd.temps_c)
                self.store.add_reading(ts, sid, "cable", cable, text)
                return True
            if topic == t.moisture:
                mo = MoistureReading.model_validate(data)
                values = np.asarray(mo.m_wb_pct, dtype=np.float64)
                if np.any(values <= 0) or np.any(values >= 60):
                    msg = f"moisture must be within (0, 60) % w.b.; got {mo.m_wb_pct}"
                    raise ValueError(msg)
                if values.ndim == 0 or values.size == self.n_layers:
                    self._moisture = np.broadcast_to(values, (self.n_layers,)).copy()
                else:
                    msg = f"moisture: expected 1 or {self.n_layers} values, got {values.size}"
                    raise ValueError(msg)
                self.moisture_source = "sensor"
                self.store.add_reading(mo.ts or now, sid, "moisture", "moisture", text)
                return True
            if topic == t.co2:
                co = Co2Reading.model_validate(data)
                self._co2 = co.ppm
                self.store.add_reading(co.ts or now, sid, "co2", "co2", text)
                return True
        msg = f"unknown topic {topic}"
        raise ValueError(msg)

    # ------------------------------------------------------------------ control
    def observation(self, now_s: float) -> ctl.Observation | None:
        """Current observation, or None before the first ambient and cable reading."""
        with self._lock:
            if self._ambient is None or not self._cables:
                return None
            temps = np.full(self.n_layers, math.nan)
            for i in range(self.n_layers):
                vals = [self.validator.good_value(f"{c}/{i}", now_s) for c in self._cables]
                vals = [v for v in vals if math.isfinite(v)]
                if vals:
                    temps[i] = float(np.mean(vals))
            _, t_amb, rh_amb = self._ambient
            ambient_ok = not self.validator.is_stale("ambient", now_s)
            valid = ambient_ok and bool(np.any(np.isfinite(temps)))
            return ctl.Observation(
                time_h=now_s / 3600.0,
                ambient_temp_c=t_amb if ambient_ok else math.nan,
                ambient_rh=rh_amb if ambient_ok else math.nan,
                grain_temp_c=temps,
                grain_m_wb_pct=self._moisture.copy(),
                co2_ppm=self._co2,
                valid=valid,
            )

    def tick(self, now_s: float | None = None) -> ctl.Action | None:
        """Run the controller once and publish the fan command and alarms."""
        now = time.time() if now_s is None else now_s
        obs = self.observation(now)
        if obs is None:
            return None
        action = self.controller.step(obs)
        faults = dict(self.validator.faults_)
        alarms = self.alarms.update(
            obs.time_h,
            obs.grain_temp_c,
            obs.grain_m_wb_pct,
            ambient_temp_c=obs.ambient_temp_c,
            ambient_rh=obs.ambient_rh,
            co2_ppm=obs.co2_ppm,
            faults=faults,
        )
        self.last_observation = obs
        self.last_alarms = list(alarms)
        cmd = {
            "ts": now,
            "fan": int(action.fan > 0),
            "reason": action.reason,
            "strategy": self.config.controller.strategy,
            "valid": obs.valid,
        }
        self.commands.append(cmd)
        self.store.add_command(now, self.config.store.id, action.fan, action.reason)
        self.publish(self.topics.fan, json.dumps(cmd))
        if alarms:
            self.publish(
                self.topics.alarms,
                json.dumps(
                    {
                        "ts": now,
                        "alarms": [
                            {
                                "kind": a.kind,
                                "level": a.level,
                                "message": a.message,
                                "layer": a.layer,
                            }
                            for a in alarms
                        ],
                    }
                ),
            )
        return action


def run_live(
    config: StoreConfig,
    *,
    max_seconds: float | None = None,
    once: bool = False,
    connect_timeout_s: float = 10.0,
) -> LiveLoop:
    """Connect to the broker and run the live loop.

    Parameters
    ----------
    config : StoreConfig
        The store configuration.
    max_seconds : float, optional
        Stop after this many seconds (None: run until interrupted).
    once : bool
        Stop after the first fan command has been published.
    connect_timeout_s : float
        How long to wait for the broker's CONNACK.

    Returns
    -------
    LiveLoop
        The loop (for its counters and commands).

    Raises
    ------
    ConfigError
        If paho-mqtt is missing or the broker cannot be reached.
    """
    try:
        import paho.mqtt.client as mqtt  # noqa: PLC0415 - optional extra
    except ImportError as exc:  # pragma: no cover - depends on the environment
        msg = "the live loop needs paho-mqtt: pip install 'regdev[mqtt]'"
        raise ConfigError(msg) from exc
    cid = config.mqtt.client_id or f"regdev-grain-{config.store.id}-{int(time.time() * 1000)}"
    from paho.mqtt.enums import CallbackAPIVersion  # noqa: PLC0415 - optional extra

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=cid)
    connected = threading.Event()

    def publish(topic: str, payload: str) -> None:
        client.publish(topic, payload, qos=1)

    loop = LiveLoop(config, publish)
    reporter = None
    if config.monitoring is not None:
        from regdev.grain.report import MonitoringReporter  # noqa: PLC0415 - optional part

        reporter = MonitoringReporter.from_config(config)
        loop.reporter = reporter

    def on_connect(c: Any, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if not getattr(reason, "is_failure", False):
            c.subscribe(loop.topics.sensors, qos=1)
            connected.set()
        else:
            log.error("broker refused connection: %s", reason)

    def on_message(_c: Any, _u: Any, msg: Any) -> None:
        try:
            loop.handle_message(msg.topic, msg.payload)
        except Exception:  # never let a callback kill the network thread
            log.exception("unexpected error handling %s", msg.topic)

    client.on_connect = on_connect
    client.on_message = on_message
    try:
        client.connect(config.mqtt.host, config.mqtt.port, keepalive=config.mqtt.keepalive_s)
    except OSError as exc:
        msg = f"cannot reach MQTT broker {config.mqtt.host}:{config.mqtt.port}: {exc}"
        raise ConfigError(msg) from exc
    client.loop_start()
    try:
        if not connected.wait(connect_timeout_s):
            msg = f"MQTT broker {config.mqtt.host}:{config.mqtt.port} did not accept the connection"
            raise ConfigError(msg)
        start = time.monotonic()
        next_tick = start
        while max_seconds is None or time.monotonic() - start < max_seconds:
            now = time.monotonic()
            if now >= next_tick:
                action = loop.tick()
                next_tick = now + config.controller.interval_s
                if once and action is not None:
                    time.sleep(0.2)  # let the QoS-1 publish leave
                    break
            if reporter is not None:
                reporter.maybe_report(loop)  # posts in a worker thread, never blocks
            time.sleep(min(0.05, max(0.0, next_tick - time.monotonic())))
    finally:
        if reporter is not None:
            reporter.close()
        client.loop_stop()
        client.disconnect()
        loop.store.close()
    return loop
