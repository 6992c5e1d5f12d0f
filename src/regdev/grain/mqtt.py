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
``P/S/alarms``                     out         ``{"ts", "alarms": [{"kind", "level", "message", "layer", "cable"}]}``
=================================  ==========  ==================================================

``rh_pct`` is relative humidity over water, as weather stations report it at all
temperatures (WMO); the loop converts it below 0 degC.

What is refused, in order (every refusal is counted in :attr:`LiveLoop.drops`)
----------------------------------------------------------------------------
1. ``oversized``: more than ``[mqtt] max_payload_bytes`` (16 KiB) - checked on
   the raw bytes, before decoding or parsing;
2. ``encoding``: not UTF-8;
3. ``nesting``: JSON nested deeper than ``[mqtt] max_json_depth`` (4) - checked
   by a scan before parsing, so no parser recursion is reached;
4. ``json``: not JSON, or JSON with ``NaN``/``Infinity``;
5. ``schema``: not the topic's schema in **strict** types (``"12.5"`` and
   ``true`` are not numbers), unknown fields, wrong length; ``range``: a
   well-formed ambient, CO2 or moisture reading with an impossible value - the
   sensor is also marked faulty (``sensor_fault`` alarm until it reads plausibly);
6. ``unknown_topic`` / ``unknown_cable`` / ``not_installed``: topics not in the
   layout, cables not in ``[sensors] cables`` (or beyond ``max_cables`` without
   a list), a CO2 or moisture sensor configured as absent.

Time
----
Staleness and rate limits use the **receive** time.  A reading whose own ``ts``
is further than ``[safety] max_clock_skew_s`` (300 s) from the receive time, or
older than the last reading of that sensor (out of order), is stored with a
``flag`` (``clock``, ``out_of_order``), counted in :attr:`LiveLoop.flags`, and
not used for control.

Stored are the accepted and flagged readings, re-serialised from the validated
model (never the raw text), with their receive time (:class:`ReadingStore`).
Cable readings go through :class:`~regdev.grain.safety.SensorValidator`, which
also raises the stale/faulty sensor alarms.

:class:`LiveLoop` holds the logic and is testable without a broker
(:meth:`LiveLoop.handle_message`, :meth:`LiveLoop.tick`); :func:`run_live`
connects it to a broker with paho-mqtt (the ``mqtt`` extra), with
username/password and/or TLS client certificates from ``store.toml``.
"""

from __future__ import annotations

import json
import logging
import math
import re
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from regdev.errors import ConfigError
from regdev.grain import controller as ctl
from regdev.grain import properties as props
from regdev.grain.config import StoreConfig
from regdev.grain.safety import Alarm, AlarmMonitor, SensorValidator

if TYPE_CHECKING:
    from regdev.grain.report import MonitoringReporter

log = logging.getLogger(__name__)

Publish = Callable[[str, str], None]

_CABLE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_RANGE_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})


class _Reading(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)
    ts: float | None = Field(default=None, ge=0)


class AmbientReading(_Reading):
    """Ambient temperature and humidity (RH over water, as stations report it)."""

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


class _Drop(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Internal: a message is refused for ``reason``."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def _refuse(reason: str, detail: str) -> NoReturn:
    """Refuse the message being handled (caught in :meth:`LiveLoop.handle_message`)."""
    raise _Drop(reason, detail)


def _json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether JSON ``text`` nests arrays/objects deeper than ``limit`` (scan, no parsing)."""
    depth = 0
    in_str = False
    esc = False
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def _no_constants(name: str) -> float:
    msg = f"JSON constant {name} is not a number"
    raise ValueError(msg)


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
    """Append-only SQLite store of readings and issued commands.

    Each reading row keeps the sensor's own time ``ts`` (the receive time when it
    sent none), the ``received`` time, the validated payload re-serialised, and a
    ``flag`` (NULL, ``clock`` or ``out_of_order``; flagged rows are kept for the
    record but were not used for control).  Databases of older versions get the
    two new columns on open.

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
                "sensor TEXT NOT NULL, payload TEXT NOT NULL, received REAL, flag TEXT)"
            )
            cols = {r[1] for r in self._db.execute("PRAGMA table_info(readings)")}
            for col, typ in (("received", "REAL"), ("flag", "TEXT")):
                if col not in cols:  # a database written by an older version
                    self._db.execute(f"ALTER TABLE readings ADD COLUMN {col} {typ}")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS commands "
                "(ts REAL NOT NULL, store TEXT NOT NULL, fan REAL NOT NULL, reason TEXT NOT NULL)"
            )

    def add_reading(
        self,
        ts: float,
        store: str,
        kind: str,
        sensor: str,
        payload: str,
        *,
        received: float | None = None,
        flag: str | None = None,
    ) -> None:
        """Store one reading (one transaction)."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO readings (ts, store, kind, sensor, payload, received, flag) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (ts, store, kind, sensor, payload, ts if received is None else received, flag),
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

    def max_payload_chars(self) -> int:
        """Length of the longest stored payload (0 when empty)."""
        with self._lock:
            row = self._db.execute("SELECT MAX(LENGTH(payload)) FROM readings").fetchone()
        return int(row[0] or 0)

    def rows(self, store: str | None = None) -> list[tuple[Any, ...]]:
        """All reading rows ``(ts, store, kind, sensor, payload, received, flag)``."""
        sql = "SELECT ts, store, kind, sensor, payload, received, flag FROM readings"
        with self._lock:
            if store is None:
                return list(self._db.execute(sql))
            return list(self._db.execute(sql + " WHERE store = ?", (store,)))

    def status(self, store: str) -> dict[str, Any]:
        """Latest state of one store, for dashboards (e.g. the county page).

        Returns
        -------
        dict
            ``store``, ``n_readings``, ``last_reading_ts`` (receive time),
            ``last_fan``, ``last_reason``, ``last_command_ts`` (None where nothing
            is stored yet).
        """
        with self._lock:
            n, last_ts = self._db.execute(
                "SELECT COUNT(*), MAX(COALESCE(received, ts)) FROM readings WHERE store = ?",
                (store,),
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

    Attributes
    ----------
    n_accepted, n_dropped, n_flagged : int
        Messages used, refused, and stored but not used (clock, out of order).
    drops, flags : collections.Counter
        The same counts by reason (see the module docstring).
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
        self.validator = SensorValidator(config.safety.limits())
        self.alarms = AlarmMonitor()
        self.n_dropped = 0
        self.n_accepted = 0
        self.n_flagged = 0
        self.drops: Counter[str] = Counter()
        self.flags: Counter[str] = Counter()
        self.n_layers = config.store.n_layers
        self._lock = threading.Lock()
        self._ambient: tuple[float, float, float] | None = None  # received, temp, rh (internal)
        self._cables: dict[str, int] = {}
        self._last_ts: dict[str, float] = {}
        self._moisture = np.full(self.n_layers, config.store.m_wb_pct)
        self.moisture_source = "sampled"  # "sensor" once a moisture reading arrives
        self._co2: float | None = None
        self._started: float | None = None
        self.commands: list[dict[str, Any]] = []
        self.last_observation: ctl.Observation | None = None
        self.last_alarms: list[Alarm] = []
        self.reporter: MonitoringReporter | None = None  # set by run_live
        if config.sensors.cables is None:
            log.warning(
                "store %s: no [sensors] cables allow-list; accepting the first %d cable ids",
                config.store.id,
                config.sensors.max_cables,
            )

    # ------------------------------------------------------------------ input
    def handle_message(self, topic: str, payload: bytes | str, now_s: float | None = None) -> bool:
        """Check, store and apply one message; return True if it is used for control.

        Never raises on bad input: a refused message is logged, counted in
        :attr:`drops` under its reason and :attr:`n_dropped`; a flagged one (clock
        or order) in :attr:`flags` and :attr:`n_flagged`.

        Parameters
        ----------
        topic : str
            MQTT topic.
        payload : bytes or str
            Raw payload.
        now_s : float, optional
            Receive time, Unix s (default: now).
        """
        now = time.time() if now_s is None else now_s
        try:
            used = self._handle(topic, payload, now)
        except _Drop as exc:
            self._drop(exc.reason, topic, str(exc))
            return False
        except Exception as exc:  # noqa: BLE001 - the loop must survive any input
            log.exception("unexpected error handling %s", topic)
            self._drop("internal", topic, f"{type(exc).__name__}: {exc}")
            return False
        if used:
            self.n_accepted += 1
        return used

    def _drop(self, reason: str, topic: str, detail: str) -> None:
        with self._lock:
            self.n_dropped += 1
            self.drops[reason] += 1
        log.warning("dropped bad payload on %s (%s): %s", topic[:200], reason, detail[:300])

    def _parse(self, payload: bytes | str) -> Any:
        m = self.config.mqtt
        raw = payload.encode("utf-8", "surrogatepass") if isinstance(payload, str) else payload
        if len(raw) > m.max_payload_bytes:
            detail = f"{len(raw)} bytes, limit {m.max_payload_bytes}"
            _refuse("oversized", detail)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            _refuse("encoding", f"not UTF-8: {exc}")
        if _json_depth_exceeds(text, m.max_json_depth):
            _refuse("nesting", f"JSON nested deeper than {m.max_json_depth}")
        try:
            return json.loads(text, parse_constant=_no_constants)
        except ValueError as exc:
            _refuse("json", f"not JSON: {exc}")

    def _handle(self, topic: str, payload: bytes | str, now: float) -> bool:
        t = self.topics
        sens = self.config.sensors
        kind: str
        model: type[_Reading]
        if topic == t.ambient:
            kind, key, model = "ambient", "ambient", AmbientReading
        elif topic.startswith(t.cable_prefix):
            cable = topic[len(t.cable_prefix) :]
            if not _CABLE_ID.match(cable):
                _refuse("unknown_cable", f"cable id {cable[:80]!r} is not a valid id")
            allowed = sens.cables
            if allowed is not None and cable not in allowed:
                _refuse("unknown_cable", f"cable {cable!r} is not in [sensors] cables")
            if (
                allowed is None
                and cable not in self._cables
                and len(self._cables) >= sens.max_cables
            ):
                detail = f"cable {cable!r}: already {sens.max_cables} cables (max_cables)"
                _refuse("unknown_cable", detail)
            kind, key, model = "cable", cable, CableReading
        elif topic == t.moisture:
            if sens.moisture is False:
                _refuse("not_installed", "[sensors] moisture = false")
            kind, key, model = "moisture", "moisture", MoistureReading
        elif topic == t.co2:
            if sens.co2 is False:
                _refuse("not_installed", "[sensors] co2 = false")
            kind, key, model = "co2", "co2", Co2Reading
        else:
            _refuse("unknown_topic", f"unknown topic {topic[:200]}")
        data = self._parse(payload)
        try:
            reading = model.model_validate(data)
        except ValidationError as exc:
            errs = exc.errors()
            if (
                kind != "cable"
                and errs
                and all(e["type"] in _RANGE_ERRORS and e["loc"][:1] != ("ts",) for e in errs)
            ):
                self._implausible(key, _first_error(exc))
            _refuse("schema", str(exc).splitlines()[0] + ": " + _first_error(exc))
        self._check_shape(kind, reading)
        ts = reading.ts
        flag: str | None = None
        if ts is not None:
            if abs(ts - now) > self.config.safety.max_clock_skew_s:
                flag = "clock"
            elif key in self._last_ts and ts < self._last_ts[key]:
                flag = "out_of_order"
        text = reading.model_dump_json(exclude_none=True)
        sid = self.config.store.id
        self.store.add_reading(
            ts if ts is not None else now, sid, kind, key, text, received=now, flag=flag
        )
        if flag is not None:
            with self._lock:
                self.n_flagged += 1
                self.flags[flag] += 1
            log.warning(
                "flagged %s reading of %s: ts %.0f vs received %.0f (%s); not used for control",
                kind,
                key,
                ts,
                now,
                flag,
            )
            return False
        if ts is not None:
            self._last_ts[key] = ts
        with self._lock:
            self._apply(kind, key, reading, now)
        return True

    def _check_shape(self, kind: str, reading: _Reading) -> None:
        if isinstance(reading, CableReading) and len(reading.temps_c) != self.n_layers:
            detail = f"expected {self.n_layers} values, got {len(reading.temps_c)}"
            _refuse("schema", detail)
        if isinstance(reading, MoistureReading):
            values = np.asarray(reading.m_wb_pct, dtype=np.float64)
            if values.ndim and values.size not in (1, self.n_layers):
                detail = f"moisture: expected 1 or {self.n_layers} values, got {values.size}"
                _refuse("schema", detail)
            if np.any(values <= 0) or np.any(values >= 60):
                self._implausible("moisture", f"{reading.m_wb_pct} outside (0, 60) % w.b.")

    def _implausible(self, key: str, why: str) -> NoReturn:
        """A well-formed reading with a physically impossible value: the sensor is faulty.

        The reading is refused (reason ``range``) and the sensor marked faulty, so a
        ``sensor_fault`` alarm names it until it reads plausibly again.
        """
        with self._lock:
            self.validator.faults_[key] = f"{key}: implausible reading ({why})"
        _refuse("range", why)

    def _apply(self, kind: str, key: str, reading: _Reading, now: float) -> None:
        v = self.validator
        s = self.config.safety
        if isinstance(reading, AmbientReading):
            rh = float(props.rh_internal_from_over_water(reading.temp_c, reading.rh_pct / 100.0))
            self._ambient = (now, reading.temp_c, rh)
            v.check_value("ambient", reading.temp_c, now, -60.0, 70.0)
        elif isinstance(reading, CableReading):
            for i, value in enumerate(reading.temps_c):
                fault = v.check_temperature(f"{key}/{i}", value, now)
                if fault is not None:
                    log.warning("sensor fault: %s", fault)
            self._cables[key] = len(reading.temps_c)
        elif isinstance(reading, MoistureReading):
            values = np.asarray(reading.m_wb_pct, dtype=np.float64)
            self._moisture = np.broadcast_to(values, (self.n_layers,)).copy()
            self.moisture_source = "sensor"
            v.check_value(
                "moisture", float(np.mean(values)), now, 0.0, 60.0, max_age_s=s.moisture_max_age_s
            )
        elif isinstance(reading, Co2Reading):
            self._co2 = reading.ppm
            v.check_value("co2", reading.ppm, now, 0.0, 100_000.0, max_age_s=s.co2_max_age_s)

    # ------------------------------------------------------------------ control
    def cable_temperatures(self, now_s: float) -> dict[str, np.ndarray]:
        """Good (valid and fresh) temperature of every sensor, per cable; NaN elsewhere."""
        return {
            c: np.array([self.validator.good_value(f"{c}/{i}", now_s) for i in range(n)])
            for c, n in self._cables.items()
        }

    def observation(self, now_s: float) -> ctl.Observation | None:
        """Current observation, or None before the first ambient and cable reading."""
        with self._lock:
            if self._ambient is None or not self._cables:
                return None
            cables = self.cable_temperatures(now_s)
            mat = np.vstack(list(cables.values()))
            counts = np.sum(np.isfinite(mat), axis=0)
            sums = np.nansum(mat, axis=0)
            temps = np.where(counts > 0, sums / np.maximum(counts, 1), math.nan)
            _, t_amb, rh_amb = self._ambient
            ambient_ok = math.isfinite(self.validator.good_value("ambient", now_s))
            valid = ambient_ok and bool(np.any(np.isfinite(temps)))
            co2_ok = self._co2 is not None and math.isfinite(
                self.validator.good_value("co2", now_s)
            )
            return ctl.Observation(
                time_h=now_s / 3600.0,
                ambient_temp_c=t_amb if ambient_ok else math.nan,
                ambient_rh=rh_amb if ambient_ok else math.nan,
                grain_temp_c=temps,
                grain_m_wb_pct=self._moisture.copy(),
                co2_ppm=self._co2 if co2_ok else None,
                valid=valid,
                cables=cables,
            )

    def stale_sensors(self, now_s: float) -> dict[str, str]:
        """Sensors that should report but are silent, and why (for ``sensor_stale`` alarms).

        Ambient, every allow-listed or seen cable, and the CO2 and moisture sensors
        when installed (``true`` in ``[sensors]``) or once they have reported.  A
        sensor that never reported is only reported after one maximum age since
        the loop started.
        """
        v = self.validator
        lim = v.limits
        started = self._started if self._started is not None else now_s
        out: dict[str, str] = {}

        def check(name: str, sensors: list[str], max_age: float, expected: bool) -> None:
            ages = [v.age_s(x, now_s) for x in sensors]
            known = [a for a in ages if a is not None]
            if not known:
                if expected and now_s - started > max_age:
                    out[name] = f"{name}: no reading since the loop started"
                return
            if min(known) > max_age:
                out[name] = f"{name}: silent for {min(known):.0f} s (limit {max_age:.0f} s)"

        check("ambient sensor", ["ambient"], lim.max_age_s, expected=True)
        sens = self.config.sensors
        cables = list(dict.fromkeys([*(sens.cables or []), *self._cables]))
        for c in cables:
            n = self._cables.get(c, self.n_layers)
            check(f"cable {c}", [f"{c}/{i}" for i in range(n)], lim.max_age_s, expected=True)
        check("CO2 sensor", ["co2"], lim.co2_max_age_s, expected=sens.co2 is True)
        check("moisture sensor", ["moisture"], lim.moisture_max_age_s, sens.moisture is True)
        return out

    def tick(self, now_s: float | None = None) -> ctl.Action | None:
        """Run the controller once and publish the fan command and alarms."""
        now = time.time() if now_s is None else now_s
        if self._started is None:
            self._started = now
        obs = self.observation(now)
        if obs is None:
            return None
        action = self.controller.step(obs)
        with self._lock:
            faults = dict(self.validator.faults_)
            events = self.validator.pop_events()
            stale = self.stale_sensors(now)
        if self.moisture_source.startswith("sensor"):
            self.moisture_source = "sensor (stale)" if "moisture sensor" in stale else "sensor"
        alarms = self.alarms.update(
            obs.time_h,
            obs.grain_temp_c,
            obs.grain_m_wb_pct,
            ambient_temp_c=obs.ambient_temp_c,
            ambient_rh=obs.ambient_rh,
            co2_ppm=obs.co2_ppm,
            faults=faults,
            cables=obs.cables,
            stale=stale,
            events=events,
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
                                "cable": a.cable,
                            }
                            for a in alarms
                        ],
                    }
                ),
            )
        return action


def _first_error(exc: ValidationError) -> str:
    errs = exc.errors()
    if not errs:
        return ""
    e = errs[0]
    return f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}"


def configure_client(client: Any, config: StoreConfig) -> None:
    """Set the broker login and TLS of a paho client from ``[mqtt]``.

    Raises
    ------
    ConfigError
        If the password cannot be read or a TLS file is missing.
    """
    m = config.mqtt
    if m.username:
        client.username_pw_set(m.username, config.mqtt_password())
    if m.tls is not None:
        files = {
            "ca_file": m.tls.ca_file,
            "cert_file": m.tls.cert_file,
            "key_file": m.tls.key_file,
        }
        paths = {k: (None if v is None else config.resolve(v)) for k, v in files.items()}
        for key, path in paths.items():
            if path is not None and not path.is_file():
                msg = f"mqtt.tls.{key}: {path} does not exist"
                raise ConfigError(msg)
        client.tls_set(
            ca_certs=None if paths["ca_file"] is None else str(paths["ca_file"]),
            certfile=None if paths["cert_file"] is None else str(paths["cert_file"]),
            keyfile=None if paths["key_file"] is None else str(paths["key_file"]),
        )
        if m.tls.insecure:
            client.tls_insecure_set(True)


def run_live(
    config: StoreConfig,
    *,
    max_seconds: float | None = None,
    once: bool = False,
    connect_timeout_s: float = 10.0,
    stop: threading.Event | None = None,
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
    stop : threading.Event, optional
        Set it to stop the loop (from another thread, e.g. a service manager).

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
    configure_client(client, config)
    connected = threading.Event()
    refused: list[str] = []

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
            refused.append(str(reason))
            log.error("broker refused connection: %s", reason)

    def on_message(_c: Any, _u: Any, msg: Any) -> None:
        loop.handle_message(msg.topic, msg.payload)  # never raises on input

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
            why = f": {refused[-1]}" if refused else ""
            msg = (
                f"MQTT broker {config.mqtt.host}:{config.mqtt.port} did not accept the "
                f"connection{why}"
            )
            raise ConfigError(msg)
        start = time.monotonic()
        next_tick = start
        while (max_seconds is None or time.monotonic() - start < max_seconds) and not (
            stop is not None and stop.is_set()
        ):
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
