"""``store.toml``: configuration of one store for the live loop.

Example::

    [store]
    id = "kimhwa-1"
    grain = "maize"
    tonnes = 2000
    depth_m = 15
    n_layers = 10
    airflow_m3_min_t = 0.15
    m_wb_pct = 15.5          # last sampled moisture, used until a moisture sensor reports

    [mqtt]
    host = "127.0.0.1"
    port = 1883                 # 8883 is the usual TLS port
    prefix = "regdev/grain"
    username = "grain-kimhwa-1"             # optional broker login
    password_file = "mqtt.password"         # or password_env = "REGDEV_MQTT_PASSWORD"
    max_payload_bytes = 16384               # larger messages are dropped unread
    [mqtt.tls]                              # optional: TLS, with a client certificate
    ca_file = "ca.crt"
    cert_file = "client.crt"
    key_file = "client.key"

    [sensors]                   # allow-list: readings from anything else are dropped
    cables = ["c1", "c2", "c3"]
    co2 = true                  # a CO2 sensor is installed (silence raises an alarm)
    moisture = false            # no moisture cable: use [store] m_wb_pct

    [controller]
    strategy = "delta-t"     # emc | delta-t | mpc
    interval_s = 60
    [controller.params]
    start_k = 8

    [safety]
    max_jump_k = 10
    max_rate_k_per_h = 3
    max_age_s = 900
    max_clock_skew_s = 300      # readings dated further from the receive time are not used

    [storage]
    database = "grain-readings.sqlite"   # relative to the TOML file

    [monitoring]                         # optional: report status to the monitoring API
    url = "http://127.0.0.1:8000"
    token_env = "REGDEV_MONITORING_TOKEN"  # name of the env var holding the Bearer token
    # token_file = "monitoring.token"    # or a file, re-read at every report
    region_id = "KP-..."                 # the city or county the store belongs to
    interval_s = 300
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from regdev.errors import ConfigError
from regdev.grain import plant
from regdev.grain.safety import SensorLimits


class StoreSection(BaseModel):
    """``[store]``: the physical store."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="store id, used in MQTT topics")
    grain: str = "maize"
    tonnes: float = Field(gt=0)
    depth_m: float = Field(default=15.0, gt=0)
    n_layers: int = Field(default=10, ge=1, le=100)
    airflow_m3_min_t: float = Field(default=0.15, gt=0)
    m_wb_pct: float = Field(default=15.0, gt=0, lt=60)

    def to_spec(self) -> plant.StoreSpec:
        """The :class:`~regdev.grain.plant.StoreSpec` for this store."""
        return plant.StoreSpec(
            grain=self.grain,
            tonnes=self.tonnes,
            depth_m=self.depth_m,
            n_layers=self.n_layers,
            airflow_m3_min_t=self.airflow_m3_min_t,
        )


class TlsSection(BaseModel):
    """``[mqtt.tls]``: TLS to the broker, optionally with a client certificate.

    Paths are relative to the TOML file.  ``insecure`` skips the host-name check
    (only for test brokers with self-signed certificates).
    """

    model_config = ConfigDict(extra="forbid")
    ca_file: str | None = Field(default=None, description="CA bundle; None: the system CAs")
    cert_file: str | None = None
    key_file: str | None = None
    insecure: bool = False

    @model_validator(mode="after")
    def _pair(self) -> TlsSection:
        if (self.cert_file is None) != (self.key_file is None):
            msg = "mqtt.tls: give both cert_file and key_file (client certificate) or neither"
            raise ValueError(msg)
        return self


class MqttSection(BaseModel):
    """``[mqtt]``: broker, topic prefix, authentication and message limits.

    Authentication: ``username`` with the password from ``password_file`` (re-read
    at every connect; relative to the TOML file) or the environment variable named
    by ``password_env`` - never in the file itself - and/or TLS client certificates
    (``[mqtt.tls]``).  A test broker may stay anonymous.
    """

    model_config = ConfigDict(extra="forbid")
    host: str = "127.0.0.1"
    port: int = Field(default=1883, ge=1, le=65535)
    prefix: str = "regdev/grain"
    client_id: str = ""
    keepalive_s: int = Field(default=30, ge=5)
    username: str | None = Field(default=None, min_length=1, max_length=256)
    password_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    password_file: str | None = None
    tls: TlsSection | None = None
    max_payload_bytes: int = Field(
        default=16384, ge=256, le=1_048_576, description="larger messages are dropped unread"
    )
    max_json_depth: int = Field(default=4, ge=2, le=32)

    @model_validator(mode="after")
    def _password_needs_user(self) -> MqttSection:
        if (self.password_env or self.password_file) and not self.username:
            msg = "mqtt: password_env/password_file need a username"
            raise ValueError(msg)
        if self.password_env and self.password_file:
            msg = "mqtt: give password_env or password_file, not both"
            raise ValueError(msg)
        return self


class ControllerSection(BaseModel):
    """``[controller]``: strategy, decision interval and parameters."""

    model_config = ConfigDict(extra="forbid")
    strategy: Literal["emc", "delta-t", "mpc"] = "delta-t"
    interval_s: float = Field(default=60.0, gt=0)
    params: dict[str, float] = Field(default_factory=dict)


class SafetySection(BaseModel):
    """``[safety]``: sensor plausibility limits (see :mod:`regdev.grain.safety`)."""

    model_config = ConfigDict(extra="forbid")
    max_jump_k: float = Field(default=10.0, gt=0)
    max_rate_k_per_h: float = Field(default=3.0, gt=0)
    max_age_s: float = Field(default=900.0, gt=0)
    confirm_readings: int = Field(default=3, ge=2, le=100)
    co2_max_age_s: float = Field(default=1800.0, gt=0)
    moisture_max_age_s: float = Field(default=21600.0, gt=0)
    max_clock_skew_s: float = Field(default=300.0, gt=0)

    def limits(self) -> SensorLimits:
        """The :class:`~regdev.grain.safety.SensorLimits` of this section."""
        return SensorLimits(
            max_jump_k=self.max_jump_k,
            max_rate_k_per_h=self.max_rate_k_per_h,
            max_age_s=self.max_age_s,
            confirm_readings=self.confirm_readings,
            co2_max_age_s=self.co2_max_age_s,
            moisture_max_age_s=self.moisture_max_age_s,
        )


class SensorsSection(BaseModel):
    """``[sensors]``: the sensors installed in this store (an allow-list).

    ``cables`` lists the temperature cables; a reading on any other cable topic
    is dropped and counted.  Without the list the loop accepts at most
    ``max_cables`` distinct cable ids (first come) and logs a warning at start:
    configure the list in production.  ``co2``/``moisture``: ``true`` - installed
    (silence raises an alarm from the start); ``false`` - not installed (its
    topic is dropped); omitted - accepted if it reports, alarmed once it falls
    silent.
    """

    model_config = ConfigDict(extra="forbid")
    cables: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]] | None = Field(
        default=None, min_length=1, max_length=256
    )
    max_cables: int = Field(default=16, ge=1, le=256)
    co2: bool | None = None
    moisture: bool | None = None


class StorageSection(BaseModel):
    """``[storage]``: where readings are stored."""

    model_config = ConfigDict(extra="forbid")
    database: str = "grain-readings.sqlite"


class MonitoringSection(BaseModel):
    """``[monitoring]``: where and how often to report storage status (optional).

    The token itself never goes into the file: ``token_env`` names the environment
    variable that holds it.
    """

    model_config = ConfigDict(extra="forbid")
    url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^\s]+$")
    api_prefix: str = "/api/v1"
    token_env: str = Field(default="REGDEV_MONITORING_TOKEN", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    token_file: str | None = Field(
        default=None,
        description="file holding the token, re-read at every report (rotation without "
        "restart); relative to the TOML file; takes precedence over token_env",
    )
    region_id: str = Field(min_length=1, max_length=64)
    interval_s: float = Field(default=300.0, gt=0)
    timeout_s: float = Field(default=5.0, gt=0, le=60)


class StoreConfig(BaseModel):
    """The whole ``store.toml``."""

    model_config = ConfigDict(extra="forbid")
    store: StoreSection
    mqtt: MqttSection = Field(default_factory=MqttSection)
    controller: ControllerSection = Field(default_factory=ControllerSection)
    safety: SafetySection = Field(default_factory=SafetySection)
    sensors: SensorsSection = Field(default_factory=SensorsSection)
    storage: StorageSection = Field(default_factory=StorageSection)
    monitoring: MonitoringSection | None = None
    base_dir: Path = Field(default=Path(), exclude=True)

    def monitoring_token_path(self) -> Path | None:
        """``[monitoring] token_file`` resolved against the TOML file's folder (or None)."""
        if self.monitoring is None or self.monitoring.token_file is None:
            return None
        p = Path(self.monitoring.token_file)
        return p if p.is_absolute() else self.base_dir / p

    def resolve(self, path: str) -> Path:
        """A path from the file, relative paths taken from the TOML file's folder."""
        p = Path(path)
        return p if p.is_absolute() else self.base_dir / p

    def mqtt_password(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The broker password from ``password_file`` or ``password_env`` (None: no password).

        Raises
        ------
        ConfigError
            If the file cannot be read or the variable is not set.
        """
        m = self.mqtt
        if m.password_file:
            path = self.resolve(m.password_file)
            try:
                return path.read_text(encoding="utf-8").strip()
            except OSError as exc:
                msg = f"mqtt.password_file {path}: cannot read: {exc}"
                raise ConfigError(msg) from exc
        if m.password_env:
            env = os.environ if environ is None else environ
            value = env.get(m.password_env)
            if value is None:
                msg = f"mqtt.password_env: environment variable {m.password_env} is not set"
                raise ConfigError(msg)
            return value
        return None

    def database_path(self) -> Path:
        """Database path, relative paths taken from the TOML file's folder."""
        p = Path(self.storage.database)
        return p if p.is_absolute() else self.base_dir / p


def read_store_config(path: str | Path) -> StoreConfig:
    """Read and validate ``store.toml``.

    Raises
    ------
    ConfigError
        Naming the file and every invalid key.
    """
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        msg = f"{p}: cannot read store config: {exc}"
        raise ConfigError(msg) from exc
    except tomllib.TOMLDecodeError as exc:
        msg = f"{p}: not valid TOML: {exc}"
        raise ConfigError(msg) from exc
    try:
        cfg = StoreConfig.model_validate(raw)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        msg = f"{p}: invalid store config: {details}"
        raise ConfigError(msg) from exc
    return cfg.model_copy(update={"base_dir": p.resolve().parent})
