"""Tables shown on dashboard pages, with their CSV export.

A page builds :class:`Table` values once; the template renders them as HTML and the
CSV route serialises the very same object, so the download always matches what the
user saw on screen.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from markupsafe import Markup

from regdev.i18n import N_, _
from regdev.monitoring.csvout import to_csv

__all__ = ["STATE_ICONS", "STATE_WORDS", "Column", "Table", "format_cell"]

#: A symbol per state, shown beside the state's word (states are never told by colour only).
STATE_ICONS: dict[str, str] = {
    "none": "·",
    "cancelled": "✕",
    "suspended": "⏸",
    "planned": "○",
    "groundbreaking": "◔",
    "construction": "◑",
    "inauguration": "◕",
    "operating": "●",
    "overdue": "△",
    "missing": "△",
    "late": "△",
    "on time": "○",
    "voided": "×",
    "ok": "○",
}
#: The state words, marked for translation (shown through ``_``).
STATE_WORDS = (
    N_("none"),
    N_("cancelled"),
    N_("suspended"),
    N_("planned"),
    N_("groundbreaking"),
    N_("construction"),
    N_("inauguration"),
    N_("operating"),
    N_("overdue"),
    N_("missing"),
    N_("late"),
    N_("on time"),
    N_("voided"),
    N_("ok"),
)


@dataclass(frozen=True)
class Column:
    """Column of a :class:`Table`.

    Parameters
    ----------
    key : str
        Machine name; the CSV header.
    label : str
        Human label shown in the HTML header.
    kind : str
        ``"text"``, ``"int"``, ``"num"``, ``"pct"`` (a 0-1 share shown as per cent) or
        ``"date"``, ``"ko"`` (Korean text, marked ``lang="ko"``) or ``"state"`` (a
        lifecycle or alert state shown with an icon beside its word, never by colour
        alone); controls HTML formatting and alignment only (CSV keeps raw values).
    """

    key: str
    label: str
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    """A named table: columns plus rows of raw values.

    Parameters
    ----------
    name : str
        Identifier used in the CSV URL and file name (``[a-z0-9_]``).
    title : str
        Caption shown above the table.
    columns : sequence of Column
        Column definitions.
    rows : sequence of sequence
        Raw values, one tuple per row, in column order.
    links : dict
        Optional ``{column key: list of hrefs (one per row, or None)}`` for linked cells.
    """

    name: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    links: dict[str, list[str | None]] = field(default_factory=dict)
    more_url: str | None = None
    #: what an empty table says (what to do next); default "no rows"
    empty: str = ""

    def __post_init__(self) -> None:
        """Check that every row has one value per column."""
        n = len(self.columns)
        for i, row in enumerate(self.rows):
            if len(row) != n:
                msg = f"table {self.name!r} row {i} has {len(row)} values; expected {n} ({', '.join(c.key for c in self.columns)})"
                raise ValueError(msg)

    def to_csv(self) -> str:
        """The table as CSV text (header of column keys, raw values, ISO dates)."""
        return to_csv(
            [c.key for c in self.columns], ([_csv_value(v) for v in row] for row in self.rows)
        )

    def html_rows(self) -> list[list[tuple[str, str, str | None]]]:
        """Rows as ``(text, css class, href)`` triples for the template."""
        out: list[list[tuple[str, str, str | None]]] = []
        kinds = [c.kind for c in self.columns]
        classes = [
            "num" if k in {"int", "num", "pct"} else ("date" if k == "date" else "") for k in kinds
        ]
        links = [self.links.get(c.key) for c in self.columns]
        for i, row in enumerate(self.rows):
            out.append(
                [
                    (format_cell(v, k), cls, None if lk is None else lk[i])
                    for v, k, cls, lk in zip(row, kinds, classes, links, strict=True)
                ]
            )
        return out

    def html_tbody(self) -> Markup:
        """The ``<tr>`` rows as escaped HTML (plain string building: the hot path of a page)."""
        esc = html.escape
        if not self.rows:
            text = esc(self.empty or _("No rows."))
            return Markup(f'<tr><td colspan="{len(self.columns)}" class="muted">{text}</td></tr>')
        parts: list[str] = []
        kinds = [c.kind for c in self.columns]
        for row in self.html_rows():
            parts.append("<tr>")
            for (text, cls, href), kind in zip(row, kinds, strict=True):
                cell = esc(text)
                if kind == "state" and text != "–":
                    icon = STATE_ICONS.get(text, "")
                    label = esc(_(text))
                    cell = f'<span class="state st-{esc(text)}"><span aria-hidden="true">{icon}</span> {label}</span>'
                if href is not None:
                    cell = f'<a href="{esc(href)}">{cell}</a>'
                attrs = f' class="{cls}"' if cls else ""
                if kind == "ko" and text not in ("", "–"):
                    attrs += ' lang="ko"'
                parts.append(f"<td{attrs}>{cell}</td>")
            parts.append("</tr>\n")
        return Markup("".join(parts))


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def format_cell(value: Any, kind: str) -> str:
    """Human formatting of one cell.

    Examples
    --------
    >>> format_cell(0.256, "pct")
    '25.6%'
    >>> format_cell(12345.678, "num")
    '12,345.7'
    >>> format_cell(None, "int")
    '–'
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if kind == "pct":
        return f"{100.0 * float(value):.1f}%"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "num":
        return f"{float(value):,.1f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
