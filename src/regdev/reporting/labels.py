"""Human labels of the report: facility types, units, constraint families, number formats.

Every label is marked for translation (domain ``report``) and translated when shown, so
the same plan reads in Korean or English (``regdev --lang ko plan``).  Nothing in a report
shows a snake_case key or an internal id where a name exists.
"""

from __future__ import annotations

import math
from typing import Any

from babel.numbers import format_decimal, format_percent

from regdev.i18n import N_, _, current_language

__all__ = [
    "FACILITY_LABELS",
    "FAMILY_LABELS",
    "UNIT_LABELS",
    "facility_label",
    "family_label",
    "fmt_int",
    "fmt_num",
    "fmt_pct",
    "humanise",
    "unit_label",
]

FACILITY_LABELS: dict[str, str] = {
    "factories": N_("Regional-industry factories"),
    "hospital": N_("County hospital"),
    "leisure_complex": N_("Leisure complex"),
    "grain_storage": N_("Grain storage"),
    "offshore_farm": N_("Offshore farm"),
}
"""Facility type → label (types of other scenarios are humanised)."""

FAMILY_LABELS: dict[str, str] = {
    "capacity": N_("national building capacity of that year was full"),
    "balance": N_("its province was exactly at its fair-share minimum"),
    "budget": N_("the year's budget was spent"),
    "workload": N_("the county already had its maximum number of projects that year"),
    "lock": N_("the year is fixed (already built or decided)"),
}
"""Constraint family → why a project is not earlier, as a clause."""

UNIT_LABELS: dict[str, str] = {
    "m2": N_("m² of floor space"),
    "beds": N_("beds"),
    "t": N_("tonnes of storage"),
    "ha": N_("hectares of water"),
}

LOCK_LABELS: dict[str, str] = {
    "history": N_("already built or under way (real cohort)"),
    "scenario": N_("fixed by the scenario"),
}

MONEY_UNIT = N_("million cost units")
"""Unit of a plan's ``cost`` column when the plan names none (older plans)."""


def money_unit(plan: Any) -> str:
    """The plan's unit of account (issue 10: ``plan.json["unit_of_account"]``, default M USD)."""
    name = (plan.problem.metadata.get("unit_of_account") or {}).get("name")
    return str(name) if name else _(MONEY_UNIT)


def humanise(key: str) -> str:
    """``leisure_complex`` → ``Leisure complex`` (for keys without a label)."""
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def facility_label(key: str) -> str:
    """The translated name of a facility type."""
    label = FACILITY_LABELS.get(key)
    return _(label) if label else humanise(key)


def family_label(key: str) -> str:
    """Why a project is not earlier, for a binding constraint family."""
    label = FAMILY_LABELS.get(key)
    return _(label) if label else humanise(key)


def unit_label(key: str) -> str:
    """The translated unit of a size column value (``m2``, ``beds`` …)."""
    label = UNIT_LABELS.get(key)
    return _(label) if label else str(key)


def lock_label(key: str | None) -> str:
    """Why a project's year is fixed."""
    label = LOCK_LABELS.get(key or "")
    return _(label) if label else _(LOCK_LABELS["scenario"])


def fmt_num(value: float | None, digits: int = 1) -> str:
    """A number in the current language's format (``—`` when missing)."""
    if value is None or not math.isfinite(float(value)):
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(float(value), format=pattern, locale=current_language())


def fmt_int(value: float | None) -> str:
    """A whole number with digit grouping."""
    return fmt_num(value, 0)


def fmt_pct(share: float | None, digits: int = 0) -> str:
    """A share (0–1) as a percentage."""
    if share is None or not math.isfinite(float(share)):
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
    return format_percent(float(share), format=pattern, locale=current_language())
