"""Report a store's status to the monitoring service (the county page's grain table).

The live loop (:class:`~regdev.grain.mqtt.LiveLoop`) knows the latest grain
temperatures per layer, the moisture, CO2, the active alarms and the last fan
command.  :func:`status_from_loop` takes that state as a :class:`StoreStatus`;
:func:`status_payload` maps it onto the monitoring API's ``GrainStatusCreate``
schema; :class:`MonitoringReporter` POSTs it to ``<url><api_prefix>/grain-status``
with a Bearer token at a fixed interval.

What the API record holds, and what it cannot (yet)
---------------------------------------------------
``GrainStatusCreate`` has ``store_id``, ``region_id``, ``timestamp`` (naive UTC),
``mean_temp_c``, ``moisture_pct`` and ``alarms`` (up to 100 strings of up to 200
characters); newer services also take the optional ``max_temp_c``, ``co2_ppm``,
``fan_on`` and ``controller_note``, and ``cable_max_temp_c`` (the warmest sensor of
each cable; :data:`DETAIL_FIELDS`).  The reporter sends them; the fields a service
refuses as unknown (HTTP 422 ``extra_forbidden``) are logged, left out of that
report, which is resent at once, and of every later one.  ``max_temp_c`` is the
warmest *sensor* of any cable (a hot spot on one of several cables is not averaged
away).  Alarms are sent as ``"<level> <kind>[ layer <i>][ cable <c>]: <message>"``,
most severe first.

Failures never reach the control loop: a missing token, an unreachable server or a
4xx/5xx answer is logged at ERROR and the next attempt waits for the next interval.
Posts run in one worker thread with a short timeout, so a hanging server cannot
hold up a control decision.  This module imports :mod:`httpx` lazily (only when a
report is sent); the grain core imports no web framework.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from regdev.errors import DataValidationError
from regdev.grain.safety import Alarm

if TYPE_CHECKING:
    from regdev.grain.config import StoreConfig
    from regdev.grain.mqtt import LiveLoop

log = logging.getLogger(__name__)

#: Limits of the monitoring API's ``GrainStatusCreate`` schema.
MAX_ALARMS = 100
MAX_ALARM_CHARS = 200
MAX_STORE_ID_CHARS = 80
#: Optional fields of newer services (warmest layer, CO2, fan, controller's reason).
DETAIL_FIELDS = ("max_temp_c", "co2_ppm", "fan_on", "controller_note", "cable_max_temp_c")
_LEVEL_ORDER = {"critical": 0, "warning": 1, "watch": 2}


@dataclass(frozen=True)
class StoreStatus:
    """The live state of one store at one moment.

    Attributes
    ----------
    store_id : str
        Store id (``[store] id``).
    timestamp : datetime.datetime
        Time of the state, naive UTC.
    grain_temp_c : tuple of float
        Grain temperature per layer, bottom first; NaN where no valid reading.
    moisture_pct : float or None
        Mean grain moisture, % w.b.; None when unknown.
    moisture_source : str
        ``"sensor"`` (a moisture reading arrived) or ``"sampled"`` (the last
        sampled value from ``store.toml``), ``"unknown"`` when ``moisture_pct`` is None.
    co2_ppm : float or None
        Headspace CO2, ppm.
    alarms : tuple of Alarm
        Alarms active at the last control step.
    fan : int or None
        Last fan command (0/1), None before the first.
    reason : str or None
        The controller's reason for it.
    valid : bool
        Whether the controller's inputs were valid (False: fail-safe).
    cables : tuple of (str, tuple of float)
        Temperature of every sensor per cable (NaN where invalid); empty when the
        source has no cables (then ``grain_temp_c`` stands for one).
    """

    store_id: str
    timestamp: dt.datetime
    grain_temp_c: tuple[float, ...]
    moisture_pct: float | None = None
    moisture_source: str = "unknown"
    co2_ppm: float | None = None
    alarms: tuple[Alarm, ...] = ()
    fan: int | None = None
    reason: str | None = None
    valid: bool = True
    cables: tuple[tuple[str, tuple[float, ...]], ...] = ()

    @property
    def known_layers(self) -> list[int]:
        """Indices of layers with a valid temperature."""
        return [i for i, t in enumerate(self.grain_temp_c) if math.isfinite(t)]

    @property
    def mean_temp_c(self) -> float | None:
        """Mean grain temperature over the layers with a valid reading (None if none)."""
        vals = [self.grain_temp_c[i] for i in self.known_layers]
        return float(np.mean(vals)) if vals else None

    @property
    def max_temp_c(self) -> float | None:
        """Warmest valid sensor of any cable (warmest layer without cables; None if none)."""
        vals = [t for _, temps in self.cables for t in temps if math.isfinite(t)]
        if not vals:
            vals = [self.grain_temp_c[i] for i in self.known_layers]
        return float(max(vals)) if vals else None

    @property
    def cable_max_temp_c(self) -> dict[str, float]:
        """Warmest valid sensor of each cable that has one."""
        out: dict[str, float] = {}
        for name, temps in self.cables:
            ok = [t for t in temps if math.isfinite(t)]
            if ok:
                out[name] = float(max(ok))
        return out


def _utc_naive(ts_s: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(round(ts_s), dt.UTC).replace(tzinfo=None)


def status_from_loop(loop: LiveLoop, now_s: float | None = None) -> StoreStatus | None:
    """The state of a live loop after its last control step (None before the first).

    Parameters
    ----------
    loop : LiveLoop
        The running loop.
    now_s : float, optional
        Unix time to stamp the status with (default: the time of the last control
        step, i.e. of the data, not of the report).

    Returns
    -------
    StoreStatus or None
        None until the loop has made a control decision (no readings yet).
    """
    obs = loop.last_observation
    if obs is None:
        return None
    now = obs.time_h * 3600.0 if now_s is None else now_s  # the live loop's time_h is Unix h
    sid = loop.config.store.id
    last = loop.store.status(sid)  # the reading store's hook: last command and its reason
    m = np.asarray(obs.grain_m_wb_pct, dtype=np.float64)
    m_ok = m[np.isfinite(m)]
    moisture = float(np.mean(m_ok)) if m_ok.size else None
    source = "unknown" if moisture is None else loop.moisture_source
    fan = last["last_fan"]
    return StoreStatus(
        store_id=sid,
        timestamp=_utc_naive(now),
        grain_temp_c=tuple(float(t) for t in np.asarray(obs.grain_temp_c, dtype=np.float64)),
        moisture_pct=moisture,
        moisture_source=source,
        co2_ppm=obs.co2_ppm,
        alarms=tuple(loop.last_alarms),
        fan=None if fan is None else int(float(fan) > 0),
        reason=last["last_reason"],
        valid=bool(obs.valid),
        cables=tuple(
            (name, tuple(float(t) for t in np.asarray(temps, dtype=np.float64)))
            for name, temps in (obs.cables or {}).items()
        ),
    )


def _alarm_text(
    level: str, kind: str, message: str, layer: int | None = None, cable: str | None = None
) -> str:
    where = (f" layer {layer}" if layer is not None else "") + (
        f" cable {cable}" if cable is not None else ""
    )
    text = f"{level} {kind}{where}: {message}"
    if len(text) > MAX_ALARM_CHARS:
        text = text[: MAX_ALARM_CHARS - 3] + "..."
    return text


def alarm_texts(status: StoreStatus) -> list[str]:
    """The alarms of a status as the API's strings, most severe first (at most 100).

    Besides the controller's alarms this adds a ``sensor_fault`` warning naming the
    layers without a valid temperature, and a ``controller`` warning when the inputs
    were invalid (the controller then runs its fail-safe).
    """
    items: list[tuple[int, str]] = [
        (_LEVEL_ORDER.get(a.level, 3), _alarm_text(a.level, a.kind, a.message, a.layer, a.cable))
        for a in status.alarms
    ]
    n = len(status.grain_temp_c)
    missing = [i for i in range(n) if i not in set(status.known_layers)]
    if missing and len(missing) < n:
        layers = ", ".join(str(i) for i in missing)
        items.append(
            (1, _alarm_text("warning", "sensor_fault", f"no valid temperature in layers {layers}"))
        )
    if not status.valid:
        why = f" ({status.reason})" if status.reason else ""
        items.append(
            (1, _alarm_text("warning", "controller", f"inputs invalid or stale, fail-safe{why}"))
        )
    texts = [t for _, t in sorted(items, key=lambda x: x[0])]
    if len(texts) > MAX_ALARMS:
        extra = len(texts) - (MAX_ALARMS - 1)
        texts = [*texts[: MAX_ALARMS - 1], f"... and {extra} more alarms"]
    return texts


def status_payload(
    status: StoreStatus, region_id: str, *, details: bool | Collection[str] = True
) -> dict[str, Any]:
    """Map a status onto the monitoring API's ``GrainStatusCreate`` body.

    Parameters
    ----------
    status : StoreStatus
        The store's state.
    region_id : str
        The region (city or county) the store belongs to.
    details : bool or collection of str
        Also send the optional :data:`DETAIL_FIELDS` that are known (warmest
        sensor, CO2, fan state, controller's reason, warmest sensor per cable):
        ``True`` for all, or the names of those to send; services that predate
        them refuse them, see :meth:`MonitoringReporter.post`.

    Returns
    -------
    dict
        ``store_id``, ``region_id``, ``timestamp`` (ISO, naive UTC),
        ``mean_temp_c``, ``moisture_pct`` (rounded to 0.01) and ``alarms``;
        with ``details`` also ``max_temp_c``, ``co2_ppm``, ``fan_on`` and
        ``controller_note`` where known.

    Raises
    ------
    DataValidationError
        When the record cannot be made: no layer has a valid temperature, the
        moisture is unknown (the API requires both), or the store id is longer
        than the API's 80 characters.
    """
    problems: list[str] = []
    mean = status.mean_temp_c
    if mean is None:
        problems.append(
            f"store {status.store_id}: no layer has a valid grain temperature; "
            "the monitoring API requires mean_temp_c"
        )
    if status.moisture_pct is None or not math.isfinite(status.moisture_pct):
        problems.append(
            f"store {status.store_id}: grain moisture unknown; "
            "the monitoring API requires moisture_pct"
        )
    if len(status.store_id) > MAX_STORE_ID_CHARS:
        problems.append(
            f"store id {status.store_id!r} has {len(status.store_id)} characters; "
            f"the monitoring API accepts at most {MAX_STORE_ID_CHARS}"
        )
    if problems or mean is None or status.moisture_pct is None:
        raise DataValidationError(problems)
    body: dict[str, Any] = {
        "store_id": status.store_id,
        "region_id": region_id,
        "timestamp": status.timestamp.replace(tzinfo=None).isoformat(timespec="seconds"),
        "mean_temp_c": round(mean, 2),
        "moisture_pct": round(status.moisture_pct, 2),
        "alarms": alarm_texts(status),
    }
    send = set(DETAIL_FIELDS) if details is True else set(details or ())
    warmest = status.max_temp_c
    if "max_temp_c" in send and warmest is not None:
        body["max_temp_c"] = round(warmest, 2)
    if "co2_ppm" in send and status.co2_ppm is not None and math.isfinite(status.co2_ppm):
        body["co2_ppm"] = round(float(status.co2_ppm), 1)
    if "fan_on" in send and status.fan is not None:
        body["fan_on"] = bool(status.fan)
    if "controller_note" in send and status.reason:
        note = status.reason
        if len(note) > MAX_ALARM_CHARS:
            note = note[: MAX_ALARM_CHARS - 3] + "..."
        body["controller_note"] = note
    per_cable = status.cable_max_temp_c
    if "cable_max_temp_c" in send and per_cable:
        body["cable_max_temp_c"] = {k: round(v, 2) for k, v in list(per_cable.items())[:64]}
    return body


def _refuses_details(response: Any) -> list[str]:
    """Detail fields a 422 answer names as unknown (``extra_forbidden``)."""
    try:
        items = response.json().get("detail", [])
    except (ValueError, AttributeError):
        return []
    if not isinstance(items, list):
        return []
    out = []
    for item in items:
        loc = item.get("loc", []) if isinstance(item, dict) else []
        if item.get("type") == "extra_forbidden" and loc and loc[-1] in DETAIL_FIELDS:
            out.append(str(loc[-1]))
    return out


class MonitoringReporter:
    """POST store status to the monitoring API every ``interval_s`` seconds.

    Parameters
    ----------
    url : str
        Base URL of the monitoring service, e.g. ``http://127.0.0.1:8000``.
    region_id : str
        Region of the store.
    token : str or None
        Bearer token of a user allowed to write grain status for that region
        (national, or the county/provincial user of it); None: every report is
        refused locally and logged.
    interval_s : float
        Seconds between reports.
    timeout_s : float
        HTTP timeout of one report.
    api_prefix : str
        The API's prefix (``/api/v1``).
    token_env : str
        Name of the variable the token came from (for messages only).
    token_file : Path, optional
        File holding the token, re-read at every report (so a renewed token is
        picked up without restarting the loop); takes precedence over ``token``.

    Attributes
    ----------
    n_sent, n_failed, n_skipped : int
        Reports accepted (HTTP 201), failed (refused, error, unreachable), and not
        made (no status yet or the record could not be built).
    last_error : str or None
        Text of the last failure.
    last_response : dict or None
        The API's answer to the last accepted report.
    """

    def __init__(
        self,
        url: str,
        *,
        region_id: str,
        token: str | None,
        interval_s: float = 300.0,
        timeout_s: float = 5.0,
        api_prefix: str = "/api/v1",
        token_env: str = "REGDEV_MONITORING_TOKEN",
        token_file: Path | None = None,
    ) -> None:
        self.url = url
        self.region_id = region_id
        self.token = token
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self.api_prefix = api_prefix
        self.token_env = token_env
        self.token_file = token_file
        self.n_sent = 0
        self.n_failed = 0
        self.n_skipped = 0
        self.last_error: str | None = None
        self.last_response: dict[str, Any] | None = None
        self.details: bool | list[str] = True
        self.refused_fields: set[str] = set()
        self._next_due = -math.inf
        self._worker: threading.Thread | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_config(
        cls, config: StoreConfig, environ: Mapping[str, str] | None = None
    ) -> MonitoringReporter:
        """Build the reporter from ``[monitoring]`` (token from ``token_file`` or ``token_env``).

        Raises
        ------
        ValueError
            If the config has no ``[monitoring]`` section.
        """
        mon = config.monitoring
        if mon is None:
            msg = "store config has no [monitoring] section"
            raise ValueError(msg)
        env = os.environ if environ is None else environ
        token_file = config.monitoring_token_path()
        token = env.get(mon.token_env) or None
        if token is None and token_file is None:
            log.error(
                "monitoring: environment variable %s is not set; status reports will fail",
                mon.token_env,
            )
        return cls(
            mon.url,
            region_id=mon.region_id,
            token=token,
            interval_s=mon.interval_s,
            timeout_s=mon.timeout_s,
            api_prefix=mon.api_prefix,
            token_env=mon.token_env,
            token_file=token_file,
        )

    @property
    def endpoint(self) -> str:
        """The URL reports are POSTed to."""
        prefix = self.api_prefix.strip("/")
        parts = [self.url.rstrip("/"), *([prefix] if prefix else []), "grain-status"]
        return "/".join(parts)

    def _fail(self, text: str) -> bool:
        with self._lock:
            self.n_failed += 1
            self.last_error = text
        log.error("monitoring: %s; retrying in %.0f s", text, self.interval_s)
        return False

    def post(self, payload: dict[str, Any]) -> bool:
        """POST one record; True if the API accepted it.  Never raises."""
        token = self.token
        if self.token_file is not None:
            try:
                token = self.token_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                return self._fail(f"cannot read token file {self.token_file}: {exc}")
            if not token:
                return self._fail(f"token file {self.token_file} is empty")
        if not token:
            return self._fail(f"no token (environment variable {self.token_env} is not set)")
        try:
            import httpx  # noqa: PLC0415 - only the reporter needs an HTTP client

            r = httpx.post(
                self.endpoint,
                json=payload,
                headers={"Authorization": f"Bearer {token}"},
                timeout=self.timeout_s,
            )
            refused = _refuses_details(r) if r.status_code == 422 else []
            if refused:
                log.warning(
                    "monitoring: %s does not know %s; leaving them out from now on",
                    self.endpoint,
                    ", ".join(refused),
                )
                with self._lock:
                    self.refused_fields |= set(refused)
                    self.details = [f for f in DETAIL_FIELDS if f not in self.refused_fields]
                payload = {k: v for k, v in payload.items() if k not in refused}
                r = httpx.post(
                    self.endpoint,
                    json=payload,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=self.timeout_s,
                )
        except Exception as exc:  # noqa: BLE001 - any transport failure is logged, not raised
            return self._fail(f"cannot reach {self.endpoint}: {type(exc).__name__}: {exc}")
        if r.status_code != 201:
            detail = r.text.replace("\n", " ")[:300]
            return self._fail(f"{self.endpoint} answered HTTP {r.status_code}: {detail}")
        try:
            body = r.json()
        except ValueError:
            body = {}
        with self._lock:
            self.n_sent += 1
            self.last_error = None
            self.last_response = body if isinstance(body, dict) else {}
        log.info(
            "monitoring: reported store %s (mean %.1f degC, %d alarms)",
            payload.get("store_id"),
            payload.get("mean_temp_c", math.nan),
            len(payload.get("alarms", [])),
        )
        return True

    def report(self, status: StoreStatus) -> bool:
        """Build the record of ``status`` and POST it; True if accepted.  Never raises."""
        try:
            payload = status_payload(status, self.region_id, details=self.details)
        except DataValidationError as exc:
            with self._lock:
                self.n_skipped += 1
                self.last_error = str(exc)
            log.warning("monitoring: status not reported: %s", exc)
            return False
        return self.post(payload)

    def due(self, now_mono: float | None = None) -> bool:
        """Whether the next report is due (monotonic clock)."""
        now = time.monotonic() if now_mono is None else now_mono
        return now >= self._next_due

    def maybe_report(
        self,
        loop: LiveLoop,
        *,
        now_mono: float | None = None,
        background: bool = True,
    ) -> bool:
        """Report the loop's status if due; True if a report was started.

        Nothing happens before the loop's first control step (the interval only
        starts counting with the first report), while a previous report is still in
        flight, or before the interval has passed.  With ``background`` the POST
        runs in a worker thread so the caller never waits for the network.
        """
        mono = time.monotonic() if now_mono is None else now_mono
        if not self.due(mono):
            return False
        if self._worker is not None and self._worker.is_alive():
            return False
        try:
            status = status_from_loop(loop)
        except Exception:  # never let reporting break the control loop
            log.exception("monitoring: could not read the loop's status")
            self._next_due = mono + self.interval_s
            return False
        if status is None:
            return False
        self._next_due = mono + self.interval_s
        if not background:
            self.report(status)
            return True
        self._worker = threading.Thread(
            target=self.report, args=(status,), name="grain-monitoring-report", daemon=True
        )
        self._worker.start()
        return True

    def close(self, timeout_s: float | None = None) -> None:
        """Wait (at most the HTTP timeout, by default) for a report in flight."""
        worker = self._worker
        if worker is not None:
            worker.join(self.timeout_s + 1.0 if timeout_s is None else timeout_s)
