"""Report sections of issue 10: what the plan takes as given, and what changed since the last plan.

* :func:`history_section` — how many projects the data fixed (programme
  events, actuals), the Kimhwa pilot assumption, and every conflict between a
  scenario lock and the data (never silent);
* :func:`changes_section` — ``changes.csv`` (moved, added, dropped, with the
  reason) as a table, when the plan was made against a previous plan.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from regdev.i18n import N_, _
from regdev.planning.history import REASONS, message_text, reason_text
from regdev.reporting.sections import ReportSection
from regdev.reporting.svg import esc

HISTORY_SECTION_ID = "history"
CHANGES_SECTION_ID = "changes"


def history_section(history: dict[str, Any] | None) -> ReportSection | None:
    """The "what the plan takes as given" section from ``plan.json["history"]`` (None: nothing fixed)."""
    if not history:
        return None
    counts = history.get("counts", {})
    parts = [
        "<p>"
        + esc(
            _(
                "Projects fixed from the data (not re-planned): {built} built, "
                "{building} under construction; {late} late (no earlier than their slip "
                "allows); {cancelled} cancelled (back in the pool).",
                built=counts.get("built", 0),
                building=counts.get("under_construction", 0),
                late=counts.get("late", 0),
                cancelled=counts.get("cancelled", 0),
            )
        )
        + "</p>"
    ]
    source = history.get("actuals_source")
    if source:
        parts.append("<p>" + esc(_("Actuals read from {source}.", source=source)) + "</p>")
    assumption = _("Assumption")
    for text in history.get("assumptions", []):
        parts.append(f"<p><b>{esc(assumption)}:</b> {esc(_(text))}</p>")
    conflicts = history.get("conflicts", [])
    conflicts_title = _("Conflicts with the data")
    if conflicts:
        rows = "".join(
            f"<tr><td>{esc(c['region_id'])}</td><td>{esc(c['facility'])}</td>"
            f"<td>{esc(message_text(c, 'other'))}</td><td>{esc(message_text(c, 'data'))}</td>"
            f"<td>{esc(message_text(c, 'resolution'))}</td></tr>"
            for c in conflicts
        )
        head = "".join(
            f"<th>{esc(h)}</th>"
            for h in (_("region"), _("type"), _("asked"), _("the data says"), _("resolution"))
        )
        parts.append(f"<p><b>{esc(conflicts_title)}</b></p><table><tr>{head}</tr>{rows}</table>")
    else:
        parts.append("<p>" + esc(_("No scenario lock contradicts the data.")) + "</p>")
    return ReportSection(HISTORY_SECTION_ID, _("What the plan takes as given"), "".join(parts), 15)


CHANGE_HEADERS: dict[str, str] = {
    "region_id": N_("region"),
    "facility": N_("type"),
    "change": N_("change"),
    "old_year": N_("last plan"),
    "new_year": N_("this plan"),
    "reason": N_("why"),
}
CHANGE_WORDS: dict[str, str] = {
    "moved": N_("moved"),
    "added": N_("added"),
    "dropped": N_("dropped"),
}


def _reasons(changes: pd.DataFrame) -> list[str]:
    """Each row's reason in the report's language (the stored English text as a fallback)."""
    args = changes.attrs.get("reason_args")
    codes = changes.get("reason_code", None)
    out = []
    for k, text in enumerate(changes["reason"]):
        code = str(codes.iloc[k]) if codes is not None else ""
        if code in REASONS and args is not None and len(args) == len(changes):
            out.append(reason_text(code, args[k]))
        elif code in REASONS and code in NO_ARGS:
            out.append(reason_text(code, {}))
        else:
            out.append("" if pd.isna(text) else str(text))
    return out


NO_ARGS = ("not_candidate", "reoptimised")
"""Reasons a ``changes.csv`` read back can translate without the in-memory arguments."""


def _cell(row: pd.Series, col: str, reason: str) -> str:
    if col == "reason":
        return reason
    value = row[col]
    if pd.isna(value):
        return ""
    if col == "change" and value in CHANGE_WORDS:
        return _(CHANGE_WORDS[str(value)])
    return str(value)


def changes_section(changes: pd.DataFrame | None, previous: str | None) -> ReportSection | None:
    """The "what changed since the last plan" section from ``changes.csv`` (None: no previous plan)."""
    if changes is None:
        return None
    if changes.empty:
        body = (
            "<p>"
            + esc(_("Nothing changed since the last plan ({previous}).", previous=previous))
            + "</p>"
        )
    else:
        n = changes["change"].value_counts()
        body = (
            "<p>"
            + esc(
                _(
                    "Against the last plan ({previous}): {moved} moved, {added} added, "
                    "{dropped} dropped.",
                    previous=previous,
                    moved=int(n.get("moved", 0)),
                    added=int(n.get("added", 0)),
                    dropped=int(n.get("dropped", 0)),
                )
            )
            + "</p>"
        )
        cols = ["region_id", "facility", "change", "old_year", "new_year", "reason"]
        head = "".join(f"<th>{esc(_(CHANGE_HEADERS[c]))}</th>" for c in cols)
        reasons = _reasons(changes)
        rows = "".join(
            "<tr>" + "".join(f"<td>{esc(_cell(r, c, reasons[k]))}</td>" for c in cols) + "</tr>"
            for k, (_i, r) in enumerate(changes.iterrows())
        )
        body += f"<table><tr>{head}</tr>{rows}</table>"
    return ReportSection(CHANGES_SECTION_ID, _("What changed since the last plan"), body, 16)
