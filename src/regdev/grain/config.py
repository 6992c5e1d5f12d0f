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
    port = 1883
    prefix = "regdev/grain"

    [controller]
    strategy = "delta-t"     # emc | delta-t | mpc
    interval_s = 60
    [controller.params]
    start_k = 8

    [safety]
    max_jump_k = 10
    max_age_s = 900

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

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from regdev.errors import ConfigError
from regdev.grain import plant


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


class MqttSection(BaseModel):
    """``[mqtt]``: broker and topic prefix."""

    model_config = ConfigDict(extra="forbid")
    host: str = "127.0.0.1"
    port: int = Field(default=1883, ge=1, le=65535)
    prefix: str = "regdev/grain"
    client_id: str = ""
    keepalive_s: int = Field(default=30, ge=5)


class ControllerSection(BaseModel):
    """``[controller]``: strategy, decision interval and parameters."""

    model_config = ConfigDict(extra="forbid")
    strategy: Literal["emc", "delta-t", "mpc"] = "delta-t"
    interval_s: float = Field(default=60.0, gt=0)
    params: dict[str, float] = Field(default_factory=dict)


class SafetySection(BaseModel):
    """``[safety]``: sensor plausibility limits."""

    model_config = ConfigDict(extra="forbid")
    max_jump_k: float = Field(default=10.0, gt=0)
    max_age_s: float = Field(default=900.0, gt=0)


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
    storage: StorageSection = Field(default_factory=StorageSection)
    monitoring: MonitoringSection | None = None
    base_dir: Path = Field(default=Path(), exclude=True)

    def monitoring_token_path(self) -> Path | None:
        """``[monitoring] token_file`` resolved against the TOML file's folder (or None)."""
        if self.monitoring is None or self.monitoring.token_file is None:
            return None
        p = Path(self.monitoring.token_file)
        return p if p.is_absolute() else self.base_dir / p

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
