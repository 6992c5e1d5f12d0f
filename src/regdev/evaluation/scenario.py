"""The appraisal scenario (discount rate, horizon, ramp-up, sensitivity ranges) and data files.

Defaults ship in ``regdev/evaluation/data/appraisal.toml`` with their sources (see
``SOURCES.md`` there); a user passes their own file with the same keys.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources as _res
from pathlib import Path
from typing import Any

from regdev.errors import ConfigError

__all__ = ["AppraisalScenario", "data_path", "load_scenario"]


def data_path(name: str) -> Path:
    """Path of a packaged data file of :mod:`regdev.evaluation`."""
    return Path(str(_res.files("regdev.evaluation") / "data" / name))


@dataclass(frozen=True)
class AppraisalScenario:
    """Parameters of an appraisal (see ``appraisal.toml`` for each one's source).

    Parameters
    ----------
    discount_rate : float
        Real social discount rate per year.
    horizon_years : int
        Years of operation after the investment year 0.
    ramp_up : tuple of float
        Share of steady output in operating years 1, 2, … (later years 1.0).
    residual_share : float
        Residual value at the horizon as a share of the investment.
    default_tier : int
        Modernisation tier when a record does not say.
    discount_rates, price_changes, utilisation_changes : tuple of float
        The sensitivity table's rows.
    source : str
        Where the scenario was read from.
    """

    discount_rate: float = 0.06
    horizon_years: int = 15
    ramp_up: tuple[float, ...] = (0.75, 0.95)
    residual_share: float = 0.0
    default_tier: int = 2
    discount_rates: tuple[float, ...] = (0.03, 0.05, 0.06, 0.09, 0.12)
    price_changes: tuple[float, ...] = (-0.2, -0.1, 0.0, 0.1, 0.2)
    utilisation_changes: tuple[float, ...] = (-0.2, -0.1, 0.0, 0.1, 0.2)
    source: str = "regdev:evaluation/data/appraisal.toml"

    def check(self) -> None:
        """Raise :class:`ConfigError` naming the file and key of a value out of range."""
        rules: list[tuple[str, bool, str]] = [
            ("appraisal.discount_rate", 0 <= self.discount_rate < 1, "a rate in [0, 1)"),
            ("appraisal.horizon_years", 1 <= self.horizon_years <= 100, "1 … 100"),
            ("appraisal.ramp_up", all(0 <= r <= 2 for r in self.ramp_up), "shares in [0, 2]"),
            ("appraisal.residual_share", 0 <= self.residual_share <= 1, "a share in [0, 1]"),
            ("appraisal.default_tier", self.default_tier in (1, 2, 3), "1, 2 or 3"),
            (
                "sensitivity.discount_rates",
                bool(self.discount_rates) and all(0 <= r < 1 for r in self.discount_rates),
                "rates in [0, 1)",
            ),
            (
                "sensitivity.price_changes",
                all(-1 < c < 10 for c in self.price_changes),
                "relative changes > -1",
            ),
            (
                "sensitivity.utilisation_changes",
                all(-1 < c < 10 for c in self.utilisation_changes),
                "relative changes > -1",
            ),
        ]
        for key, ok, expected in rules:
            if not ok:
                msg = f"{self.source}: {key} must be {expected}"
                raise ConfigError(msg)


def _floats(doc: dict[str, Any], key: str, source: str) -> tuple[float, ...]:
    try:
        return tuple(float(v) for v in doc[key])
    except (TypeError, ValueError) as exc:
        msg = f"{source}: {key} must be a list of numbers; got {doc[key]!r}"
        raise ConfigError(msg) from exc


def load_scenario(path: str | Path | None = None) -> AppraisalScenario:
    """Read an appraisal scenario (the packaged defaults when ``path`` is ``None``).

    Raises
    ------
    ConfigError
        For a missing file, bad TOML, an unknown key or a value out of range (the message
        names the file and key).
    """
    src = data_path("appraisal.toml") if path is None else Path(path)
    label = "regdev:evaluation/data/appraisal.toml" if path is None else str(path)
    try:
        doc = tomllib.loads(src.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        msg = f"{label}: no such scenario file"
        raise ConfigError(msg) from exc
    except tomllib.TOMLDecodeError as exc:
        msg = f"{label}: not valid TOML ({exc})"
        raise ConfigError(msg) from exc
    known = {
        "appraisal": {
            "discount_rate",
            "horizon_years",
            "ramp_up",
            "residual_share",
            "default_tier",
        },
        "sensitivity": {"discount_rates", "price_changes", "utilisation_changes"},
    }
    for section, body in doc.items():
        if section not in known or not isinstance(body, dict):
            msg = f"{label}: unknown section [{section}]; expected {sorted(known)}"
            raise ConfigError(msg)
        extra = set(body) - known[section]
        if extra:
            msg = f"{label}: unknown keys {sorted(extra)} in [{section}]; expected {sorted(known[section])}"
            raise ConfigError(msg)
    a = doc.get("appraisal", {})
    s = doc.get("sensitivity", {})
    base = AppraisalScenario()
    try:
        scen = AppraisalScenario(
            discount_rate=float(a.get("discount_rate", base.discount_rate)),
            horizon_years=int(a.get("horizon_years", base.horizon_years)),
            ramp_up=_floats(a, "ramp_up", label) if "ramp_up" in a else base.ramp_up,
            residual_share=float(a.get("residual_share", base.residual_share)),
            default_tier=int(a.get("default_tier", base.default_tier)),
            discount_rates=_floats(s, "discount_rates", label)
            if "discount_rates" in s
            else base.discount_rates,
            price_changes=_floats(s, "price_changes", label)
            if "price_changes" in s
            else base.price_changes,
            utilisation_changes=_floats(s, "utilisation_changes", label)
            if "utilisation_changes" in s
            else base.utilisation_changes,
            source=label,
        )
    except (TypeError, ValueError) as exc:
        msg = f"{label}: {exc}"
        raise ConfigError(msg) from exc
    scen.check()
    return scen
