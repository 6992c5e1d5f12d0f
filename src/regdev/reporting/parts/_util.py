"""Small HTML helpers shared by the report's sections."""

from __future__ import annotations

import html
from collections.abc import Sequence


def esc(text: object) -> str:
    """HTML-escape ``text``."""
    return html.escape(str(text), quote=True)


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    left: int = 1,
    cls: str = "",
    caption: str | None = None,
) -> str:
    """A table in a horizontally scrollable wrapper (it never spills out of its card).

    ``rows`` hold HTML already escaped; the first ``left`` columns are left-aligned.
    """
    lcls = ' class="l"'
    head = "".join(
        f'<th scope="col"{lcls if k < left else ""}>{esc(h)}</th>' for k, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td{lcls if k < left else ''}>{c}</td>" for k, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    klass = f' class="{cls}"' if cls else ""
    return (
        f'<div class="scroll" tabindex="0"><table{klass}>{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def dossier_link(region_id: str, text: str) -> str:
    """A link to a region's dossier."""
    return f'<a href="#dossier-{esc(region_id)}">{esc(text)}</a>'


def para(text: str, cls: str | None = None) -> str:
    """A paragraph of (translated) plain text."""
    klass = f' class="{cls}"' if cls else ""
    return f"<p{klass}>{esc(text)}</p>"


def small(text: str) -> str:
    """A small-print paragraph of plain text."""
    return para(text, "small")


def h3(text: str) -> str:
    """A sub-heading of plain text."""
    return f"<h3>{esc(text)}</h3>"
