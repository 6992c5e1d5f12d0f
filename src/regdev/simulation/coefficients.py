"""The simulator's coefficients: ``data/coefficients.toml`` and ``data/io_table.csv``.

Every number the model uses comes from these two files (sources and reasoning in
``data/SOURCES.md``).  A user file is merged over the shipped defaults key by key, so a
user may replace one coefficient and keep the rest.  Unknown keys and wrong types are
refused with the file, the key and what was expected.
"""

from __future__ import annotations

import copy
import io
import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regdev.errors import ConfigError, DataValidationError
from regdev.i18n import _

SECTORS: tuple[str, ...] = ("agriculture", "industry", "commerce", "households")
"""Sectors of the regional input-output table, households last (Type II closure)."""

DEFAULT_SOURCE = "regdev:simulation/data/coefficients.toml"


def _data_text(name: str) -> str:
    return resources.files("regdev.simulation").joinpath(f"data/{name}").read_text("utf-8")


@dataclass(frozen=True)
class Coefficients:
    """All coefficients of the simulator (immutable).

    Attributes
    ----------
    values : dict
        The TOML sections (``income``, ``factories``, ...) after merging.
    io_table : pandas.DataFrame
        Transactions between the sectors (rows sell to columns), ``total_output`` per
        sector and ``jobs_per_kusd``, indexed by sector in the order of :data:`SECTORS`.
    source : str
        Where the values came from (shipped defaults, or the user's file over them).
    """

    values: dict[str, dict[str, Any]]
    io_table: pd.DataFrame
    source: str = DEFAULT_SOURCE

    def __getitem__(self, section: str) -> dict[str, Any]:
        """The section ``section`` (e.g. ``coefficients["income"]``)."""
        return self.values[section]

    @property
    def first_year(self) -> int:
        """First simulated year."""
        return int(self.values["horizon"]["first_year"])

    @property
    def last_year(self) -> int:
        """Last simulated year (inclusive)."""
        return int(self.values["horizon"]["last_year"])

    @property
    def years(self) -> np.ndarray:
        """The simulated years as an int array."""
        return np.arange(self.first_year, self.last_year + 1)

    def with_values(self, **sections: dict[str, Any]) -> Coefficients:
        """A copy with some keys replaced, e.g. ``with_values(prices={"pass_through": 0})``."""
        merged = copy.deepcopy(self.values)
        for name, upd in sections.items():
            if name not in merged:
                msg = f"coefficients: unknown section {name!r}; expected one of {sorted(merged)}"
                raise ConfigError(msg)
            for key, value in upd.items():
                if key not in merged[name]:
                    msg = f"coefficients: unknown key {name}.{key}"
                    raise ConfigError(msg)
                merged[name][key] = value
        return Coefficients(merged, self.io_table, self.source)


def _merge(base: dict[str, Any], user: dict[str, Any], where: str) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for section, body in user.items():
        if section not in base:
            msg = _(
                "{file}: unknown section [{section}]; expected one of: {allowed}",
                file=where,
                section=section,
                allowed=", ".join(sorted(base)),
            )
            raise ConfigError(msg)
        if not isinstance(body, dict):
            msg = _("{file}: [{section}] must be a table", file=where, section=section)
            raise ConfigError(msg)
        for key, value in body.items():
            if key not in base[section]:
                msg = _(
                    "{file}: unknown key {section}.{key}; expected one of: {allowed}",
                    file=where,
                    section=section,
                    key=key,
                    allowed=", ".join(sorted(base[section])),
                )
                raise ConfigError(msg)
            expected = base[section][key]
            ok = (
                isinstance(value, type(expected))
                or (isinstance(expected, float) and isinstance(value, int))
            ) and not (isinstance(value, bool) and not isinstance(expected, bool))
            if isinstance(expected, list):
                ok = isinstance(value, list) and all(
                    isinstance(v, int | float) and not isinstance(v, bool) for v in value
                )
            if not ok:
                msg = _(
                    "{file}: {section}.{key} must be {expected}; got {value!r}",
                    file=where,
                    section=section,
                    key=key,
                    expected=type(expected).__name__,
                    value=value,
                )
                raise ConfigError(msg)
            out[section][key] = value
    return out


def _check(values: dict[str, Any], where: str) -> None:
    h = values["horizon"]
    if not (2000 <= h["first_year"] < h["last_year"] <= 2200):
        msg = _(
            "{file}: horizon must satisfy 2000 <= first_year < last_year <= 2200; got {a}-{b}",
            file=where,
            a=h["first_year"],
            b=h["last_year"],
        )
        raise ConfigError(msg)
    shares = [
        ("consumption", "mpc"),
        ("prices", "pass_through"),
        ("prices", "max_price_cut"),
        ("grain", "stored_fraction"),
        ("factories", "ramp_start"),
        ("offshore", "local_use_share"),
    ]
    for section, key in shares:
        v = float(values[section][key])
        if not 0.0 <= v <= 1.0:
            msg = _(
                "{file}: {section}.{key} must be within 0-1; got {value}",
                file=where,
                section=section,
                key=key,
                value=v,
            )
            raise ConfigError(msg)
    if (
        len(values["factories"]["ramp_years_by_tier"]) < 1
        or min(values["factories"]["ramp_years_by_tier"]) <= 0
    ):
        msg = _("{file}: factories.ramp_years_by_tier must be positive numbers", file=where)
        raise ConfigError(msg)


def read_io_table(text: str, where: str) -> pd.DataFrame:
    """Parse and check an input-output table (see ``data/io_table.csv``).

    Raises
    ------
    DataValidationError
        Naming the file, row and column of the first problem.
    """
    frame = pd.read_csv(io.StringIO(text))
    need = ["sector", *SECTORS, "total_output", "jobs_per_kusd"]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        msg = _("{file}: missing column(s) {cols}", file=where, cols=", ".join(missing))
        raise DataValidationError([msg])
    if list(frame["sector"]) != list(SECTORS):
        msg = _(
            "{file}: column sector: expected the rows {rows} in this order; got {got}",
            file=where,
            rows=", ".join(SECTORS),
            got=", ".join(map(str, frame["sector"])),
        )
        raise DataValidationError([msg])
    frame = frame.set_index("sector")[list(need[1:])]
    for row_no, (sector, row) in enumerate(frame.iterrows(), start=2):
        for col, value in row.items():
            if not np.isfinite(value) or value < 0:
                msg = _(
                    "{file}:{row}:{col}: expected a finite number >= 0; got {value}",
                    file=where,
                    row=row_no,
                    col=col,
                    value=value,
                )
                raise DataValidationError([msg])
        spent = float(frame.loc[list(SECTORS), sector].sum())
        if row["total_output"] <= 0 or spent >= row["total_output"]:
            msg = _(
                "{file}:{row}:total_output: expected more than the column's purchases ({spent}) "
                "for sector {sector}; got {value}",
                file=where,
                row=row_no,
                spent=spent,
                sector=sector,
                value=row["total_output"],
            )
            raise DataValidationError([msg])
    return frame.astype(float)


def load_coefficients(
    path: str | os.PathLike[str] | None = None,
    *,
    io_table: str | os.PathLike[str] | None = None,
) -> Coefficients:
    """Load the coefficients: the shipped defaults, with ``path`` merged over them.

    Parameters
    ----------
    path : path-like, optional
        A TOML file with some or all keys of ``data/coefficients.toml``.
    io_table : path-like, optional
        A CSV replacing ``data/io_table.csv``.

    Returns
    -------
    Coefficients

    Raises
    ------
    ConfigError
        Unknown key, wrong type or out-of-range value (naming the file and key).

    Examples
    --------
    >>> c = load_coefficients()
    >>> c.first_year, c.last_year, c["consumption"]["mpc"]
    (2024, 2040, 0.85)
    """
    base = tomllib.loads(_data_text("coefficients.toml"))
    source = DEFAULT_SOURCE
    values = base
    if path is not None:
        p = Path(path)
        try:
            user = tomllib.loads(p.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            msg = _("{file}: cannot read coefficients: {err}", file=str(p), err=str(exc))
            raise ConfigError(msg) from exc
        values = _merge(base, user, str(p))
        source = f"{p} over {DEFAULT_SOURCE}"
    _check(values, str(path) if path is not None else DEFAULT_SOURCE)
    if io_table is None:
        table = read_io_table(_data_text("io_table.csv"), "regdev:simulation/data/io_table.csv")
    else:
        q = Path(io_table)
        table = read_io_table(q.read_text(encoding="utf-8"), str(q))
    return Coefficients(values, table, source)
