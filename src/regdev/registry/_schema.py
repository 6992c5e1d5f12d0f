"""The column specification of the region table, read from ``data/schema.csv``.

One file drives validation *and* the generated documentation table
(:func:`schema_markdown`), as PyPSA's attribute CSVs do.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources

DTYPES = ("str", "float", "bool", "category", "list")


@dataclass(frozen=True)
class ColumnSpec:
    """Specification of one column of the region table.

    Parameters
    ----------
    name : str
        Column name.
    dtype : {"str", "float", "bool", "category", "list"}
        Logical type; ``list`` is a ``;``-separated text cell.
    unit : str
        Physical unit, empty when dimensionless.
    required : bool
        Whether the column must be present and non-empty in every row.
    default : str
        Default used when the column is absent (empty: no default).
    allowed : tuple of str
        Allowed values for ``category`` columns; ``("@resources",)`` means
        the controlled resource vocabulary.
    min, max : float or None
        Inclusive numeric bounds.
    description : str
        Meaning of the column (used in the docs).
    """

    name: str
    dtype: str
    unit: str
    required: bool
    default: str
    allowed: tuple[str, ...]
    min: float | None
    max: float | None
    description: str


def _opt_float(text: str) -> float | None:
    return float(text) if text.strip() else None


@functools.cache
def region_schema() -> tuple[ColumnSpec, ...]:
    """Return the column specifications of the region table, in order.

    Returns
    -------
    tuple of ColumnSpec
        One entry per column of ``schema.csv``.
    """
    text = resources.files("regdev.registry").joinpath("data/schema.csv").read_text("utf-8")
    specs = []
    for row in csv.DictReader(io.StringIO(text)):
        specs.append(
            ColumnSpec(
                name=row["column"],
                dtype=row["dtype"],
                unit=row["unit"],
                required=row["required"].strip().lower() == "true",
                default=row["default"],
                allowed=tuple(a for a in row["allowed"].split(";") if a),
                min=_opt_float(row["min"]),
                max=_opt_float(row["max"]),
                description=row["description"],
            )
        )
    return tuple(specs)


def schema_by_name() -> dict[str, ColumnSpec]:
    """Return the column specifications keyed by column name."""
    return {s.name: s for s in region_schema()}


def schema_markdown() -> str:
    """Render the column specification as a Markdown table (for the docs).

    Returns
    -------
    str
        A Markdown table with one row per column.
    """
    lines = [
        "| column | type | unit | required | default | allowed values | description |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in region_schema():
        allowed = "see resources.csv" if s.allowed == ("@resources",) else ", ".join(s.allowed)
        bounds = ""
        if s.min is not None or s.max is not None:
            lo = "" if s.min is None else f"{s.min:g}"
            hi = "" if s.max is None else f"{s.max:g}"
            bounds = f" [{lo}, {hi}]"
        lines.append(
            f"| `{s.name}` | {s.dtype}{bounds} | {s.unit} | {'yes' if s.required else 'no'} "
            f"| {s.default} | {allowed} | {s.description} |"
        )
    return "\n".join(lines) + "\n"
