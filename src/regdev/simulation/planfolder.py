"""The ONE adapter between a plan (folder or :class:`~regdev.pipeline.PlanResult`) and the simulator.

Everything the simulator knows about a plan's files is in this module: which files,
which columns, which defaults.  Extra columns are ignored; optional columns and files
that are absent get documented defaults; a missing required column or a bad value is
reported with the file, the row and the column.

Files read (all written by ``regdev plan --out DIR``):

``schedule.csv`` (required)
    ``region_id, facility, year`` (required), ``tier`` (default 1), ``size``.
``facilities.csv``
    ``region_id, facility, size`` and, where present, ``doctors``, ``library_seats``,
    ``output_t_per_year`` (offshore farms).  Absent: facility effects other than
    factories are left out (a note says so).
``factories.csv``
    Factory design by line: ``region_id, line, group, production, capacity, jobs,
    annual_cost``.  Absent: no factory effects (a note says so).
``factory_raw_materials.csv``
    ``region_id, resource, need_t, local_supply_t, imported_t``.
``factory_claims.csv``
    ``region_id, transport_saved_kusd`` (default 0).
``plan.json``
    ``content_hash`` and ``scenario.name`` for the record (optional), and
    ``unit_of_account``: a plan folder writes money in its unit of account
    (issue 10: ``annual_cost`` of ``factories.csv``, ``transport_saved`` of
    ``factory_claims.csv``); they are read back into thousand USD here.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from regdev.errors import DataValidationError, NotFoundError
from regdev.i18n import _

if TYPE_CHECKING:
    from regdev.pipeline import PlanResult

FACTORIES = "factories"
"""Facility name of the factory groups in a schedule."""

_SPECS: dict[str, dict[str, tuple[str, Any]]] = {
    # file -> column -> (kind, default); default None = required
    "schedule.csv": {
        "region_id": ("str", None),
        "facility": ("str", None),
        "year": ("int", None),
        "tier": ("int", 1),
        "size": ("float", np.nan),
    },
    "facilities.csv": {
        "region_id": ("str", None),
        "facility": ("str", None),
        "size": ("float", 0.0),
        "doctors": ("float", 0.0),
        "library_seats": ("float", 0.0),
        "output_t_per_year": ("float", 0.0),
    },
    "factories.csv": {
        "region_id": ("str", None),
        "line": ("str", None),
        "group": ("str", ""),
        "production": ("float", None),
        "capacity": ("float", np.nan),
        "jobs": ("float", 0.0),
        "annual_cost": ("float", None),
    },
    "factory_raw_materials.csv": {
        "region_id": ("str", None),
        "resource": ("str", None),
        "need_t": ("float", None),
        "local_supply_t": ("float", 0.0),
        "imported_t": ("float", 0.0),
    },
    "factory_claims.csv": {
        "region_id": ("str", None),
        "transport_saved_kusd": ("float", 0.0),
    },
}


@dataclass(frozen=True)
class PlanInputs:
    """What the simulator takes from a plan: normalised tables (extra columns dropped).

    Attributes
    ----------
    schedule, facilities, factories, raw_materials, claims : pandas.DataFrame
        Columns as in :data:`_SPECS` (module docstring); possibly empty.
    name : str
        A label for outputs (folder name or the scenario name).
    content_hash : str
        ``plan.json``'s content hash when known, else ``""``.
    notes : tuple of str
        What was missing and assumed.
    """

    schedule: pd.DataFrame
    facilities: pd.DataFrame
    factories: pd.DataFrame
    raw_materials: pd.DataFrame
    claims: pd.DataFrame
    name: str = "plan"
    content_hash: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def region_ids(self) -> list[str]:
        """Regions the plan schedules anything in (sorted)."""
        return sorted(set(self.schedule["region_id"]))


def _normalise(frame: pd.DataFrame, file: str) -> pd.DataFrame:
    spec = _SPECS[file]
    missing = [c for c, (_k, d) in spec.items() if d is None and c not in frame.columns]
    if missing:
        msg = _(
            "{file}: missing required column(s) {cols}; expected at least: {need}",
            file=file,
            cols=", ".join(missing),
            need=", ".join(c for c, (_k, d) in spec.items() if d is None),
        )
        raise DataValidationError([msg])
    out = pd.DataFrame(index=range(len(frame)))
    frame = frame.reset_index(drop=True)
    for col, (kind, default) in spec.items():
        if col not in frame.columns:
            out[col] = default
            continue
        raw = frame[col]
        if kind == "str":
            values = raw.astype(str).str.strip()
            bad = raw.isna() | (values == "")
            if default is None and bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
                msg = _(
                    "{file}:{row}:{col}: expected a non-empty text; got nothing",
                    file=file,
                    row=row,
                    col=col,
                )
                raise DataValidationError([msg])
            out[col] = values
            continue
        num = pd.to_numeric(raw, errors="coerce")
        bad = num.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
        if default is None:
            bad |= num.isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            msg = _(
                "{file}:{row}:{col}: expected a number; got {value!r}",
                file=file,
                row=row,
                col=col,
                value=frame[col].iloc[row - 2],
            )
            raise DataValidationError([msg])
        num = num.fillna(default) if default is not None else num
        if kind == "int":
            out[col] = num.astype(int)
        else:
            out[col] = num.astype(float)
    return out


def _empty(file: str) -> pd.DataFrame:
    return _normalise(pd.DataFrame({c: [] for c in _SPECS[file]}), file)


def read_plan_folder(path: str | os.PathLike[str]) -> PlanInputs:
    """Read a plan folder written by ``regdev plan --out DIR``.

    Raises
    ------
    NotFoundError
        When the folder or its ``schedule.csv`` does not exist.
    DataValidationError
        A required column is missing or a value is not a number (file, row, column).
    """
    folder = Path(path)
    if not (folder / "schedule.csv").is_file():
        msg = _(
            "{path}: not a plan folder (no schedule.csv); write one with `regdev plan --out DIR`",
            path=str(folder),
        )
        raise NotFoundError(msg)
    tables: dict[str, pd.DataFrame] = {}
    notes: list[str] = []
    unit_data = None
    if (folder / "plan.json").is_file():
        try:
            unit_data = json.loads((folder / "plan.json").read_text("utf-8")).get("unit_of_account")
        except json.JSONDecodeError:
            unit_data = None
    for file in _SPECS:
        p = folder / file
        if p.is_file():
            raw = _renamed_money(
                pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""]), file
            )
            try:
                tables[file] = _normalise(raw, file)
            except DataValidationError as exc:
                msg = f"{folder.name}/{exc.problems[0]}"
                raise DataValidationError([msg]) from exc
        else:
            tables[file] = _empty(file)
            notes.append(_("{file} absent: its effects are left out", file=file))
    _money_to_kusd(tables, unit_data)
    name, chash = folder.name, ""
    pj = folder / "plan.json"
    if pj.is_file():
        try:
            meta = json.loads(pj.read_text(encoding="utf-8"))
            chash = str(meta.get("content_hash", ""))
        except json.JSONDecodeError:
            notes.append(_("plan.json unreadable: no content hash recorded"))
    return _inputs(tables, name=name, content_hash=chash, notes=notes)


def from_plan_result(result: PlanResult, name: str = "plan") -> PlanInputs:
    """The same tables from an in-memory :class:`~regdev.pipeline.PlanResult`."""
    frames: dict[str, pd.DataFrame] = {
        "schedule.csv": result.schedule,
        "facilities.csv": result.plan.problem.facilities_table,
    }
    for file in ("factories.csv", "factory_raw_materials.csv", "factory_claims.csv"):
        if file in result.tables:
            frames[file] = result.tables[file]
    tables: dict[str, pd.DataFrame] = {}
    notes: list[str] = []
    for file in _SPECS:
        if file in frames:
            raw = _renamed_money(frames[file].reset_index(drop=True), file)
            tables[file] = _normalise(raw, file)
        else:
            tables[file] = _empty(file)
            notes.append(_("{file} absent: its effects are left out", file=file))
    _money_to_kusd(tables, result.plan.problem.metadata.get("unit_of_account"))
    return _inputs(tables, name=name, content_hash="", notes=notes)


def _renamed_money(frame: pd.DataFrame, file: str) -> pd.DataFrame:
    """``factory_claims.csv`` of a plan written in a unit of account names it ``transport_saved``."""
    if file == "factory_claims.csv" and "transport_saved_kusd" not in frame.columns:
        return frame.rename(columns={"transport_saved": "transport_saved_kusd"})
    return frame


def _money_to_kusd(tables: dict[str, pd.DataFrame], unit_data: dict[str, Any] | None) -> None:
    """Money of a plan's unit of account back into thousand USD (in place); no unit: already kUSD."""
    if not unit_data:
        return
    from regdev.units import UnitOfAccount

    to_kusd = 1.0 / UnitOfAccount.from_dict(unit_data).from_kusd(1.0)
    tables["factories.csv"]["annual_cost"] = tables["factories.csv"]["annual_cost"] * to_kusd
    claims = tables["factory_claims.csv"]
    claims["transport_saved_kusd"] = claims["transport_saved_kusd"] * to_kusd


def _inputs(
    tables: dict[str, pd.DataFrame], *, name: str, content_hash: str, notes: list[str]
) -> PlanInputs:
    return PlanInputs(
        schedule=tables["schedule.csv"],
        facilities=tables["facilities.csv"],
        factories=tables["factories.csv"],
        raw_materials=tables["factory_raw_materials.csv"],
        claims=tables["factory_claims.csv"],
        name=name,
        content_hash=content_hash,
        notes=tuple(notes),
    )


def empty_plan(name: str = "no programme") -> PlanInputs:
    """A plan that builds nothing (the counterfactual as a plan)."""
    return _inputs({f: _empty(f) for f in _SPECS}, name=name, content_hash="", notes=[])


def load_plan(plan: PlanInputs | PlanResult | str | os.PathLike[str]) -> PlanInputs:
    """Any accepted plan form as :class:`PlanInputs`."""
    if isinstance(plan, PlanInputs):
        return plan
    if isinstance(plan, str | os.PathLike):
        return read_plan_folder(plan)
    return from_plan_result(plan)
