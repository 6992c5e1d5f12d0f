"""Column mapping: turn a foreign table of regions into a registry table in one step.

Statistical offices publish regions with their own column names, units and
kinds of unit (``Municipality``, ``CSD type = TP``, ``level_name = District``
…).  A :class:`ColumnMapping` says, once, how such a table maps onto
``schema.csv``:

``columns``
    schema column → source column (``name = "Municipality"``); a source
    column may feed several schema columns (``region_id`` and ``name``).
    Source columns already named like a schema column map to themselves.
``constants``
    schema column → one value for every row (``kind = "county"``,
    ``province = "Ontario"``), for tables that lack the column.
``scale``
    schema column → a factor applied to the numbers of that column (unit
    conversion: ``area_km2 = 1e-6`` for m², ``2.589988110336`` for mi²).
``kinds``
    source kind → programme role.  The registry knows three kinds of
    programme region (``city``, ``county``, ``district``: every one is a
    programme site), the ``capital`` (the reference row the programme
    measures regions against, never a site) and ``excluded`` (the row is not
    written: provinces listed among their districts, unpopulated areas …).
    Kinds that already are registry kinds pass unmapped (case-insensitive);
    the source text is kept in ``kind_source``.
``capital``
    The region id or name of the capital row (makes that row ``capital``
    whatever its kind).

:func:`import_regions` applies a mapping, validates the result against the
schema (problems name the *original* file rows), imputes, and returns the
registry with an :class:`ImportReport` of what it mapped, imputed and
refused.  The CLI is ``regdev data import``; a mapping can also live in a
TOML file (:func:`load_mapping`)::

    [columns]
    region_id = "CDUID"
    name = "census_division_name"
    province = "province"
    kind = "geographic_area_type"
    population = "population"
    area_km2 = "area_km2"

    [kinds]
    CTY = "county"
    RM = "city"

    capital = "3506"   # at the top, before the first [table]
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regdev.errors import ConfigError, DataValidationError, Problem
from regdev.i18n import N_, _
from regdev.registry._schema import region_schema, schema_by_name
from regdev.registry.regions import CAPITAL_KIND, RegionRegistry

PROGRAMME_KINDS: tuple[str, ...] = ("city", "county", "district")
"""Registry kinds of programme regions (every one is a programme site)."""
EXCLUDED = "excluded"
ROLES: dict[str, str] = {
    **{k: N_("programme region") for k in PROGRAMME_KINDS},
    CAPITAL_KIND: N_("reference row, never a site"),
    EXCLUDED: N_("not written"),
}
"""Targets of a kind mapping and the programme role each gives."""
REFUSED_ROLE = N_("refused (not a registry kind; map it with --kind-map)")
KIND_SOURCE = "kind_source"
"""Column that keeps a mapped row's kind as written in the source table."""


@dataclass(frozen=True)
class ColumnMapping:
    """How a foreign table maps onto ``schema.csv`` (see the module docstring).

    Parameters
    ----------
    columns : mapping of str to str
        Schema column → source column.
    constants : mapping of str to str
        Schema column → one value for every row.
    scale : mapping of str to float
        Schema column → factor applied to its numbers.
    kinds : mapping of str to str
        Source kind → ``city``, ``county``, ``district``, ``capital`` or
        ``excluded`` (matched case-insensitively, surrounding blanks ignored).
    capital : str, optional
        Region id or name of the capital row.
    """

    columns: Mapping[str, str] = field(default_factory=dict)
    constants: Mapping[str, str] = field(default_factory=dict)
    scale: Mapping[str, float] = field(default_factory=dict)
    kinds: Mapping[str, str] = field(default_factory=dict)
    capital: str | None = None

    def check(self) -> None:
        """Refuse unknown schema columns, unknown roles, bad factors and conflicts.

        Raises
        ------
        ConfigError
            Naming the offending entry and what is expected.
        """
        schema = schema_by_name()
        known = ", ".join(schema)
        for where, keys in (
            ("map", self.columns),
            ("set", self.constants),
            ("scale", self.scale),
        ):
            for key in keys:
                if key not in schema:
                    msg = f"--{where} {key}=…: expected a schema column ({known}), got {key!r}"
                    raise ConfigError(msg)
        both = sorted(set(self.columns) & set(self.constants))
        if both:
            msg = f"--map and --set both give {both[0]!r}; use one of them"
            raise ConfigError(msg)
        for key, factor in self.scale.items():
            if schema[key].dtype != "float":
                msg = (
                    f"--scale {key}=…: expected a numeric column, got {key!r} ({schema[key].dtype})"
                )
                raise ConfigError(msg)
            if not math.isfinite(factor) or factor <= 0:
                msg = f"--scale {key}=…: expected a factor > 0, got {factor!r}"
                raise ConfigError(msg)
        for value, target in self.kinds.items():
            if target not in ROLES:
                allowed = ", ".join(ROLES)
                msg = f"--kind-map {value}=…: expected one of {allowed}, got {target!r}"
                raise ConfigError(msg)

    def merged(self, other: ColumnMapping) -> ColumnMapping:
        """A copy with ``other``'s entries added (``other`` wins on conflicts)."""
        constants = {k: v for k, v in self.constants.items() if k not in other.columns}
        columns = {k: v for k, v in self.columns.items() if k not in other.constants}
        return ColumnMapping(
            columns={**columns, **other.columns},
            constants={**constants, **other.constants},
            scale={**self.scale, **other.scale},
            kinds={**self.kinds, **other.kinds},
            capital=other.capital if other.capital is not None else self.capital,
        )


def parse_pairs(items: list[str] | None, option: str) -> dict[str, str]:
    """Parse ``KEY=VALUE[,KEY=VALUE…]`` command-line values into a dict.

    Parameters
    ----------
    items : list of str
        The values of a repeatable option (each may hold several pairs).
    option : str
        The option name, for messages.

    Returns
    -------
    dict of str to str

    Raises
    ------
    ConfigError
        For an item without ``=``.

    Examples
    --------
    >>> parse_pairs(["name=Municipality,province=County", "kind=Type"], "--map")
    {'name': 'Municipality', 'province': 'County', 'kind': 'Type'}
    """
    out: dict[str, str] = {}
    for item in items or []:
        for pair in item.split(","):
            if not pair.strip():
                continue
            key, sep, value = pair.partition("=")
            if not sep or not key.strip() or not value.strip():
                msg = f"{option}: expected KEY=VALUE, got {pair.strip()!r}"
                raise ConfigError(msg)
            out[key.strip()] = value.strip()
    return out


def mapping_from_options(
    *,
    columns: list[str] | None = None,
    kinds: list[str] | None = None,
    constants: list[str] | None = None,
    scale: list[str] | None = None,
    capital: str | None = None,
) -> ColumnMapping:
    """Build a mapping from command-line values (``--map``, ``--kind-map``, ``--set``, ``--scale``).

    Raises
    ------
    ConfigError
        For malformed pairs or a factor that is not a number.
    """
    factors: dict[str, float] = {}
    for key, text in parse_pairs(scale, "--scale").items():
        try:
            factors[key] = float(text)
        except ValueError:
            msg = f"--scale {key}=…: expected a number, got {text!r}"
            raise ConfigError(msg) from None
    return ColumnMapping(
        columns=parse_pairs(columns, "--map"),
        constants=parse_pairs(constants, "--set"),
        scale=factors,
        kinds={k: v.lower() for k, v in parse_pairs(kinds, "--kind-map").items()},
        capital=capital,
    )


def load_mapping(path: str | os.PathLike[str]) -> ColumnMapping:
    """Read a mapping file (TOML: ``[columns]``, ``[constants]``, ``[scale]``, ``[kinds]``, ``capital``).

    Raises
    ------
    ConfigError
        When the file is missing, not TOML, or has an unknown section or a
        value of the wrong type (the message names the file and the key).
    """
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text("utf-8"))
    except FileNotFoundError:
        msg = f"{p}: mapping file not found"
        raise ConfigError(msg) from None
    except tomllib.TOMLDecodeError as exc:
        msg = f"{p}: not valid TOML: {exc}"
        raise ConfigError(msg) from None
    allowed = {"columns", "constants", "scale", "kinds", "capital"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        msg = f"{p}: unknown key {unknown[0]!r}; expected {', '.join(sorted(allowed))}"
        raise ConfigError(msg)

    def table(key: str, kind: type) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            msg = f"{p}: [{key}] must be a table of name = value"
            raise ConfigError(msg)
        for k, v in value.items():
            ok = isinstance(v, kind) and not isinstance(v, bool)
            if kind is float:
                ok = isinstance(v, int | float) and not isinstance(v, bool)
            if not ok:
                msg = f"{p}: {key}.{k}: expected a {kind.__name__}, got {v!r}"
                raise ConfigError(msg)
        return dict(value)

    capital = data.get("capital")
    if capital is not None and not isinstance(capital, str | int):
        msg = f"{p}: capital: expected a region id or name, got {capital!r}"
        raise ConfigError(msg)
    return ColumnMapping(
        columns=table("columns", str),
        constants={k: str(v) for k, v in table("constants", str).items()},
        scale={k: float(v) for k, v in table("scale", float).items()},
        kinds={str(k): str(v).lower() for k, v in table("kinds", str).items()},
        capital=None if capital is None else str(capital),
    )


@dataclass
class ImportReport:
    """What :func:`import_regions` did, for the summary a person reads.

    Attributes
    ----------
    source : str
        The input file.
    n_rows : int
        Data rows in the input.
    n_written : int
        Regions in the result.
    columns : dict of str to str
        Schema column → source column used.
    constants : dict of str to str
        Schema column → value given to every row.
    scale : dict of str to float
        Factors applied.
    ignored_columns : list of str
        Source columns not used (not written).
    kinds : list of dict
        One entry per source kind: ``source``, ``kind``, ``role``, ``rows``.
    capital : str or None
        Id of the capital row.
    imputed, unfilled : dict of str to int
        Cells filled by imputation / left missing, per column.
    refused : list of Problem
        Problems of the rows not written (with ``skip_invalid``).
    refused_rows : list of int
        Their row numbers.
    excluded_rows : int
        Rows not written because their kind maps to ``excluded``.
    assumptions : list of str
        :meth:`RegionRegistry.assumptions` of the result.
    """

    source: str
    n_rows: int = 0
    n_written: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    kinds: list[dict[str, Any]] = field(default_factory=list)
    capital: str | None = None
    imputed: dict[str, int] = field(default_factory=dict)
    unfilled: dict[str, int] = field(default_factory=dict)
    refused: list[Problem] = field(default_factory=list)
    refused_rows: list[int] = field(default_factory=list)
    excluded_rows: int = 0
    assumptions: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[tuple[str, str]]:
        """The report as short lines: mapped, kinds and roles, imputed, refused, assumed.

        Returns
        -------
        list of (str, str)
            ``(tag, text)``: the tag (``read``, ``mapped``, ``kind``, ``imputed``,
            ``unfilled``, ``excluded``, ``refused``, ``assumed`` …) lets a
            renderer highlight warnings whatever the language of the text.
        """
        lines = [
            (
                "read",
                _(
                    "read {n_rows} rows from {source}; wrote {n_written} regions",
                    n_rows=self.n_rows,
                    source=self.source,
                    n_written=self.n_written,
                ),
            )
        ]
        if self.columns:
            pairs = ", ".join(f"{k} <- {v}" for k, v in self.columns.items())
            lines.append(("mapped", _("mapped columns: {pairs}", pairs=pairs)))
        if self.constants:
            pairs = ", ".join(f"{k} = {v!r}" for k, v in self.constants.items())
            lines.append(("set", _("set for every row: {pairs}", pairs=pairs)))
        if self.scale:
            pairs = ", ".join(f"{k} x {v:g}" for k, v in self.scale.items())
            lines.append(("scaled", _("scaled: {pairs}", pairs=pairs)))
        if self.ignored_columns:
            cols = ", ".join(self.ignored_columns[:12])
            extra = len(self.ignored_columns) - 12
            if extra > 0:
                cols += _(" and {n} more", n=extra)
            lines.append(("unused", _("not used: {columns}", columns=cols)))
        for k in self.kinds:
            # two messages, not ngettext: the catalogue check cannot read compiled plurals yet
            rows = _("{n} row", n=1) if k["rows"] == 1 else _("{n} rows", n=k["rows"])
            lines.append(
                (
                    "kind",
                    _(
                        "kind {source} -> {kind} ({role}): {rows}",
                        source=repr(k["source"]),
                        kind=k["kind"],
                        role=_(k["role"]),
                        rows=rows,
                    ),
                )
            )
        capital = self.capital or _("none (no capital row)")
        lines.append(("capital", _("capital: {capital}", capital=capital)))
        if self.imputed:
            detail = ", ".join(f"{n} {c}" for c, n in self.imputed.items())
            lines.append(("imputed", _("imputed: {detail}", detail=detail)))
        if self.unfilled:
            detail = ", ".join(f"{n} {c}" for c, n in self.unfilled.items())
            lines.append(("unfilled", _("could not impute: {detail}", detail=detail)))
        if self.excluded_rows:
            lines.append(
                ("excluded", _("excluded by the kind map: {n} rows", n=self.excluded_rows))
            )
        if self.refused_rows:
            lines.append(
                (
                    "refused",
                    _("refused: {n} rows (problems listed above)", n=len(self.refused_rows)),
                )
            )
        lines.extend(("assumed", _("assumed: {text}", text=a)) for a in self.assumptions)
        return lines

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (``--json``)."""
        return {
            "source": self.source,
            "n_rows": self.n_rows,
            "n_written": self.n_written,
            "columns": self.columns,
            "constants": self.constants,
            "scale": self.scale,
            "ignored_columns": self.ignored_columns,
            "kinds": self.kinds,
            "capital": self.capital,
            "imputed": self.imputed,
            "unfilled": self.unfilled,
            "excluded_rows": self.excluded_rows,
            "refused_rows": self.refused_rows,
            "refused": [str(p) for p in self.refused],
            "assumptions": self.assumptions,
        }


def _key(text: object) -> str:
    return " ".join(str(text).split()).lower()


def apply_mapping(
    raw: pd.DataFrame, mapping: ColumnMapping, *, file: str, first_row: int = 2
) -> tuple[pd.DataFrame, np.ndarray, ImportReport]:
    """Rename, fill, scale and re-kind a raw text table; drop the excluded rows.

    Parameters
    ----------
    raw : pandas.DataFrame
        The table as read (text cells), e.g. from
        :func:`regdev.registry.io.read_raw_table`.
    mapping : ColumnMapping
    file : str
        Name used in messages.
    first_row : int, default 2
        Row number of the first data row.

    Returns
    -------
    table : pandas.DataFrame
        Text cells under schema column names (plus ``kind_source``).
    row_numbers : numpy.ndarray
        The original row number of every remaining row.
    report : ImportReport
        Filled in with the mapping part (columns, kinds, exclusions).

    Raises
    ------
    DataValidationError
        A mapped source column that does not exist, or a capital that names
        no row (or several).
    ConfigError
        A malformed mapping.
    """
    mapping.check()
    raw = raw.reset_index(drop=True)
    raw.columns = [str(c).strip() for c in raw.columns]
    rows = np.arange(len(raw)) + first_row
    report = ImportReport(source=file, n_rows=len(raw))
    schema = schema_by_name()
    problems: list[Problem] = []
    absent = [src for src in mapping.columns.values() if src not in raw.columns]
    for tgt, src in mapping.columns.items():
        if src in absent:
            near = ", ".join(repr(c) for c in raw.columns[:40])
            problems.append(
                Problem(
                    file,
                    None,
                    src,
                    f"expected a column named {src!r} (mapped to {tgt}), got none; "
                    f"the columns are {near}",
                )
            )
    if problems:
        raise DataValidationError(problems)
    out: dict[str, pd.Series] = {}
    for spec in region_schema():
        if spec.name in mapping.columns:
            out[spec.name] = raw[mapping.columns[spec.name]]
            report.columns[spec.name] = mapping.columns[spec.name]
        elif spec.name in mapping.constants:
            out[spec.name] = pd.Series(mapping.constants[spec.name], index=raw.index, dtype=object)
            report.constants[spec.name] = mapping.constants[spec.name]
        elif spec.name in raw.columns:
            out[spec.name] = raw[spec.name]
            report.columns[spec.name] = spec.name
    # *_source columns of a table written by regdev travel with their values
    for col in raw.columns:
        if col.endswith("_source") and col not in out and col.removesuffix("_source") in out:
            out[col] = raw[col]
    used = set(mapping.columns.values()) | set(out)
    report.ignored_columns = [c for c in raw.columns if c not in used]
    table = pd.DataFrame(out, index=raw.index)
    for col, factor in mapping.scale.items():
        if col not in table.columns:
            msg = f"--scale {col}=…: the table has no {col} column (map one with --map)"
            raise ConfigError(msg)
        numbers = pd.to_numeric(table[col], errors="coerce")
        scaled = (numbers * factor).map(lambda v: None if pd.isna(v) else repr(float(v)))
        # cells that are not numbers stay as written: validation reports them
        table[col] = scaled.where(numbers.notna(), table[col])
        report.scale[col] = factor
    keep = np.ones(len(table), dtype=bool)
    original = table["kind"].copy() if "kind" in table.columns else None
    if original is not None:
        table, keep = _map_kinds(table, mapping, schema["kind"].allowed)
    if mapping.capital is not None:
        table = _mark_capital(table, mapping.capital, rows, keep, file)
    if original is not None:
        report.kinds = _kind_summary(original, table["kind"])
    report.excluded_rows = int((~keep).sum())
    table = table[keep].reset_index(drop=True)
    kinds = table["kind"].astype(str).str.strip().str.lower() if "kind" in table else None
    if kinds is not None:
        caps = np.flatnonzero((kinds == CAPITAL_KIND).to_numpy())
        if len(caps) > 1:
            where = ", ".join(str(r) for r in rows[keep][caps][:5])
            msg = f"expected at most one capital row, got {len(caps)} (rows {where})"
            raise DataValidationError([Problem(file, None, "kind", msg)])
    return table, rows[keep], report


def _map_kinds(
    table: pd.DataFrame, mapping: ColumnMapping, allowed: tuple[str, ...]
) -> tuple[pd.DataFrame, np.ndarray]:
    lookup = {_key(k): v for k, v in mapping.kinds.items()}
    original = table["kind"]
    keys = original.map(lambda v: None if v is None else _key(v))
    mapped = keys.map(lambda k: lookup.get(k, k) if k is not None else None)
    is_known = mapped.isin([*allowed, EXCLUDED])
    table = table.copy()
    table["kind"] = mapped.where(is_known, original)
    changed = (keys.map(lambda k: k in lookup) | (mapped != original)) & original.notna()
    if changed.any():
        table[KIND_SOURCE] = original.where(changed, None)
    keep = (table["kind"] != EXCLUDED).to_numpy()
    return table, keep


def _kind_summary(original: pd.Series, final: pd.Series) -> list[dict[str, Any]]:
    """Rows per (source kind, registry kind) with the programme role each gives."""
    counts = (
        pd.DataFrame({"source": original.astype(str), "kind": final.astype(str)})
        .value_counts(sort=False)
        .reset_index(name="rows")
        .sort_values(["kind", "source"])
    )
    out = []
    for rec in counts.to_dict(orient="records"):
        role = ROLES.get(str(rec["kind"]), REFUSED_ROLE)
        out.append(
            {"source": rec["source"], "kind": rec["kind"], "role": role, "rows": int(rec["rows"])}
        )
    return out


def _mark_capital(
    table: pd.DataFrame, capital: str, rows: np.ndarray, keep: np.ndarray, file: str
) -> pd.DataFrame:
    k = _key(capital)
    hits = np.zeros(len(table), dtype=bool)
    for col in ("region_id", "name"):
        if col in table.columns:
            hits |= table[col].map(lambda v: v is not None and _key(v) == k).to_numpy(dtype=bool)
    hits &= keep
    if hits.sum() != 1:
        got = "no row" if not hits.any() else f"rows {', '.join(map(str, rows[hits][:5]))}"
        msg = f"--capital {capital!r}: expected exactly one region with that id or name, got {got}"
        raise DataValidationError([Problem(file, None, "region_id", msg)])
    table = table.copy()
    if KIND_SOURCE not in table.columns:
        table[KIND_SOURCE] = None
    i = int(np.flatnonzero(hits)[0])
    if pd.isna(table.at[i, KIND_SOURCE]) and table.at[i, "kind"] != CAPITAL_KIND:
        table.at[i, KIND_SOURCE] = table.at[i, "kind"]
    table.at[i, "kind"] = CAPITAL_KIND
    return table


def import_regions(
    raw: pd.DataFrame,
    mapping: ColumnMapping,
    *,
    file: str,
    first_row: int = 2,
    skip_invalid: bool = False,
) -> tuple[RegionRegistry, ImportReport]:
    """Map, validate and impute a foreign table; say what was mapped, imputed and refused.

    Parameters
    ----------
    raw : pandas.DataFrame
        The table as read (text cells).
    mapping : ColumnMapping
    file : str
        The input file (messages, registry source).
    first_row : int, default 2
        Row number of the first data row.
    skip_invalid : bool, default False
        Refuse (leave out) rows with problems and import the rest; by
        default any problem fails the import (nothing is written).

    Returns
    -------
    registry : RegionRegistry
    report : ImportReport

    Raises
    ------
    DataValidationError
        Every problem as ``FILE:ROW:COLUMN`` (rows of the original file),
        with summary lines when many rows fail the same way; also with
        ``skip_invalid`` when a problem concerns the whole table (a missing
        required column) or no row is left.
    """
    table, row_numbers, report = apply_mapping(raw, mapping, file=file, first_row=first_row)
    try:
        registry = RegionRegistry.from_frame(table, source=file, row_numbers=row_numbers)
    except DataValidationError as exc:
        problems = [p for p in exc.problems if isinstance(p, Problem)]
        whole = [p for p in problems if p.row is None]
        if not skip_invalid or whole or len(problems) != len(exc.problems):
            raise
        bad_rows = sorted({int(p.row) for p in problems if p.row is not None})
        keep = ~np.isin(row_numbers, bad_rows)
        if not keep.any():
            raise
        report.refused = problems
        report.refused_rows = bad_rows
        registry = RegionRegistry.from_frame(
            table[keep].reset_index(drop=True), source=file, row_numbers=row_numbers[keep]
        )
    report.n_written = len(registry)
    report.capital = registry.capital_id
    report.imputed = dict(registry.imputed)
    report.unfilled = registry.unfilled
    report.assumptions = registry.assumptions()
    return registry, report
