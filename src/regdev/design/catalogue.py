"""The production-line catalogue, per-capita demand and raw-material supply coefficients.

Three CSV tables ship as package data in ``regdev/design/data`` and can be
replaced by the user's own files (same columns):

``lines.csv`` — one row per production line
    ``line_id`` (unique text), ``name``, ``group`` (``foodstuffs``,
    ``daily_necessities``, ``textiles``, ``school_paper`` for the standard
    groups every county gets; any other text for characteristic groups),
    ``kind`` (``standard`` or ``characteristic``), ``category`` (the product
    category the line makes; a key of ``demand.csv``), ``unit`` (output unit:
    ``t``, ``k_pieces``, ``k_pairs``), ``tonnes_per_unit`` (shipping weight of
    one output unit, t), ``inputs`` (raw-material inputs per output unit,
    ``resource:amount`` pairs joined by ``;``, amounts in t per output unit,
    resource names from the registry vocabulary ``registry/data/resources.csv``),
    ``requires`` (characteristic lines: the resource that must exist locally),
    ``mes`` (minimum efficient scale, output units per year), ``module_size``
    (capacity of one module, output units per year), ``capex_t1``,
    ``capex_t2``, ``capex_t3`` (capital cost of one module at modernisation
    tier 1, 2, 3, thousand USD), ``labour_per_module`` (workers per module at
    tier 1; tiers 2 and 3 need :data:`TIER_LABOUR_FACTOR` of that),
    ``opex_per_unit`` (operating cost per output unit except raw materials of the
    vocabulary and labour: energy, packaging, bought-in chemicals, USD).

``demand.csv`` — one row per product category
    ``category``, ``unit``, ``per_capita`` (output units per person and year),
    ``reasoning`` (where the figure comes from).

``supply.csv`` — one row per raw material
    ``resource``, ``basis`` (``area_km2``: coefficients are t/yr per km² of
    county area; ``flat``: t/yr per county), ``price_usd_per_t`` (farm-gate
    or landed price), ``listed`` (added when the registry lists the resource
    for the county), ``mountainous``, ``mixed``, ``lowland``, ``coastal``
    (by physiography), ``coast_flag`` (added for counties on the coast),
    ``reasoning``.  See :mod:`regdev.design.supply`.

``unused.csv`` — optional, one row per resource listed as unused on purpose
    ``resource``, ``reason``: resources of the registry vocabulary that no line
    takes (metal ores, energy, services, existing industries, health hazards),
    each with why.  A resource may not be both a line input and listed here.
    The packaged list goes with the packaged ``lines.csv``: own lines without an
    own ``unused.csv`` have an empty list.

The figures are order-of-magnitude planning defaults, documented row by row
in the ``reasoning`` columns and in ``docs/design-model.md``; replace them
with surveyed values where available.

**A catalogue folder** (``regdev plan --catalogue DIR``,
``regdev plan design --catalogue DIR``, :func:`load_catalogue_dir`) holds any of
``lines.csv``, ``demand.csv``, ``supply.csv`` and ``unused.csv``; a file the
folder lacks is taken from the packaged catalogue (the source says which).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources as _res
from pathlib import Path

import numpy as np
import pandas as pd

from regdev.errors import DataValidationError, Problem
from regdev.i18n import _
from regdev.registry.vocabulary import resource_vocabulary

STANDARD_GROUPS: tuple[str, ...] = (
    "foodstuffs",
    "daily_necessities",
    "textiles",
    "school_paper",
)
"""Standard groups: every factory group gets at least one line of each."""

N_TIERS = 3
"""Number of modernisation tiers priced in the catalogue (``capex_t1`` … ``capex_t3``)."""

TIER_LABOUR_FACTOR: dict[int, float] = {1: 1.0, 2: 0.85, 3: 0.7}
"""Labour per module relative to tier 1 (more modern lines need fewer workers)."""

_LINE_COLUMNS = [
    "line_id",
    "name",
    "group",
    "kind",
    "category",
    "unit",
    "tonnes_per_unit",
    "inputs",
    "requires",
    "mes",
    "module_size",
    "capex_t1",
    "capex_t2",
    "capex_t3",
    "labour_per_module",
    "opex_per_unit",
]
_LINE_NUMERIC = [
    "tonnes_per_unit",
    "mes",
    "module_size",
    "capex_t1",
    "capex_t2",
    "capex_t3",
    "labour_per_module",
    "opex_per_unit",
]
_DEMAND_COLUMNS = ["category", "unit", "per_capita"]
_SUPPLY_COLUMNS = [
    "resource",
    "basis",
    "price_usd_per_t",
    "listed",
    "mountainous",
    "mixed",
    "lowland",
    "coastal",
    "coast_flag",
]
_SUPPLY_NUMERIC = _SUPPLY_COLUMNS[2:]


@dataclass(frozen=True, eq=False)
class Catalogue:
    """Validated production-line catalogue with demand and supply coefficients.

    Build it with :func:`load_catalogue`; the constructor takes validated frames.

    Parameters
    ----------
    lines : pandas.DataFrame
        Indexed by ``line_id``; the columns of ``lines.csv`` (numbers as float).
    inputs : pandas.DataFrame
        Raw-material input coefficients, lines × resources (t per output unit).
    demand : pandas.DataFrame
        Indexed by ``category``: ``unit``, ``per_capita``.
    supply : pandas.DataFrame
        Indexed by ``resource``: the columns of ``supply.csv``.
    source : str
        Where the tables came from.
    unused : pandas.DataFrame, optional
        Indexed by ``resource``: ``reason`` (``unused.csv``).

    Examples
    --------
    >>> cat = load_catalogue()
    >>> len(cat.lines) >= 25, sorted(cat.standard_groups)[0]
    (True, 'daily_necessities')
    """

    lines: pd.DataFrame
    inputs: pd.DataFrame
    demand: pd.DataFrame
    supply: pd.DataFrame
    source: str = "regdev:design/data"
    unused: pd.DataFrame | None = None
    """Resources listed as unused on purpose (index ``resource``, column ``reason``)."""

    @property
    def line_ids(self) -> list[str]:
        """Line ids in catalogue order."""
        return [str(x) for x in self.lines.index]

    @property
    def categories(self) -> list[str]:
        """Product categories in ``demand.csv`` order."""
        return [str(x) for x in self.demand.index]

    @property
    def resources(self) -> list[str]:
        """Raw materials that appear as line inputs (catalogue order of ``supply.csv``)."""
        used = set(self.inputs.columns[(self.inputs > 0).any(axis=0)])
        return [str(r) for r in self.supply.index if r in used]

    @property
    def standard_groups(self) -> list[str]:
        """Groups of the standard lines, in :data:`STANDARD_GROUPS` order then others."""
        groups = self.lines.loc[self.lines["kind"] == "standard", "group"].unique().tolist()
        first = [g for g in STANDARD_GROUPS if g in groups]
        return first + sorted(g for g in groups if g not in first)

    def capex(self, tier: int) -> pd.Series:
        """Capital cost per module at modernisation ``tier`` (1 … 3), thousand USD."""
        t = min(max(int(tier), 1), N_TIERS)
        return self.lines[f"capex_t{t}"].astype(float)

    def labour(self, tier: int) -> pd.Series:
        """Workers per module at modernisation ``tier`` (1 … 3)."""
        t = min(max(int(tier), 1), N_TIERS)
        return self.lines["labour_per_module"].astype(float) * TIER_LABOUR_FACTOR[t]

    def min_modules(self) -> pd.Series:
        """Modules needed to reach the minimum efficient scale, ``ceil(mes / module_size)``."""
        ratio = self.lines["mes"].astype(float) / self.lines["module_size"].astype(float)
        return ratio.map(lambda v: max(1, math.ceil(v - 1e-9))).astype(int)


# --------------------------------------------------------------------- loading
def _data_path(name: str) -> Path:
    return Path(str(_res.files("regdev.design") / "data" / name))


def _read(path: str | Path | None, default: str) -> tuple[pd.DataFrame, str]:
    p = _data_path(default) if path is None else Path(path)
    label = f"regdev:design/data/{default}" if path is None else str(p)
    if not p.exists():
        msg = f"{label}: file not found; expected a CSV table like the packaged {default}"
        raise DataValidationError([msg])
    frame = pd.read_csv(p, dtype=str, keep_default_na=False)
    frame.columns = [c.strip() for c in frame.columns]
    return frame, label


def _check_columns(frame: pd.DataFrame, needed: list[str], label: str) -> list[Problem | str]:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        return [Problem(label, None, c, f"expected column {c!r}; not found") for c in missing]
    return []


def _numbers(
    frame: pd.DataFrame, columns: list[str], label: str, problems: list[Problem | str]
) -> pd.DataFrame:
    out = frame.copy()
    for col in columns:
        vals = pd.to_numeric(frame[col].str.strip(), errors="coerce")
        for i in np.flatnonzero(vals.isna().to_numpy() | (vals.to_numpy() < 0)):
            given = frame[col].iloc[i]
            problems.append(
                Problem(label, int(i) + 2, col, f"expected a number >= 0; got {given!r}")
            )
        out[col] = vals.astype(float)
    return out


def _parse_inputs(
    text: str, row: int, label: str, vocab: set[str], problems: list[Problem | str]
) -> dict[str, float]:
    pairs: dict[str, float] = {}
    for token in (t.strip() for t in text.split(";")):
        if not token:
            continue
        name, sep, amount = token.partition(":")
        name = name.strip()
        try:
            value = float(amount)
        except ValueError:
            value = float("nan")
        if not sep or not math.isfinite(value) or value < 0:
            problems.append(
                Problem(
                    label,
                    row,
                    "inputs",
                    f"expected 'resource:amount' with amount >= 0; got {token!r}",
                )
            )
            continue
        if name not in vocab:
            problems.append(
                Problem(
                    label,
                    row,
                    "inputs",
                    f"expected a resource of the registry vocabulary; got {name!r}",
                )
            )
            continue
        pairs[name] = pairs.get(name, 0.0) + value
    return pairs


CATALOGUE_FILES: tuple[str, ...] = ("lines.csv", "demand.csv", "supply.csv", "unused.csv")
"""The files of a catalogue folder (each optional; missing ones are the packaged defaults)."""


def load_catalogue_dir(directory: str | Path) -> Catalogue:
    """Read a catalogue folder (see the module docstring for its layout).

    Parameters
    ----------
    directory : path
        A folder with any of :data:`CATALOGUE_FILES`; the others are the packaged ones.

    Returns
    -------
    Catalogue

    Raises
    ------
    DataValidationError
        When the folder does not exist, holds none of the files, or a file has problems
        (``FILE:ROW:COLUMN: expected …; got …``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "demand.csv").write_text(
    ...     (_data_path("demand.csv")).read_text("utf-8").replace("pickles,t,0.030", "pickles,t,0.001"),
    ...     encoding="utf-8")
    >>> cat = load_catalogue_dir(d)
    >>> float(cat.demand.loc["pickles", "per_capita"])
    0.001
    """
    d = Path(directory)
    if not d.is_dir():
        msg = _(
            "{path}: expected a catalogue folder with {files}; not a folder",
            path=str(d),
            files=", ".join(CATALOGUE_FILES),
        )
        raise DataValidationError([msg])
    found = {name: d / name for name in CATALOGUE_FILES if (d / name).is_file()}
    if not found:
        msg = _(
            "{path}: expected at least one of {files}; found none",
            path=str(d),
            files=", ".join(CATALOGUE_FILES),
        )
        raise DataValidationError([msg])
    return load_catalogue(
        lines=found.get("lines.csv"),
        demand=found.get("demand.csv"),
        supply=found.get("supply.csv"),
        unused=found.get("unused.csv"),
    )


def _check_unused(
    path: str | Path | None, vocab: set[str], used: set[str], problems: list[Problem | str]
) -> pd.DataFrame:
    frame, label = _read(path, "unused.csv")
    missing = _check_columns(frame, ["resource", "reason"], label)
    if missing:
        problems += missing
        return pd.DataFrame({"reason": []}, index=pd.Index([], name="resource"))
    res = frame["resource"].str.strip()
    for i, name in enumerate(res):
        row = i + 2
        if name not in vocab:
            problems.append(
                Problem(
                    label,
                    row,
                    "resource",
                    _(
                        "expected a resource of the registry vocabulary; got {name}",
                        name=repr(name),
                    ),
                )
            )
        elif name in used:
            problems.append(
                Problem(
                    label,
                    row,
                    "resource",
                    _(
                        "expected a resource no line takes; {name} is an input of a line",
                        name=repr(name),
                    ),
                )
            )
        if not frame["reason"].iloc[i].strip():
            problems.append(
                Problem(label, row, "reason", _("expected why it is unused; got an empty cell"))
            )
    for j in np.flatnonzero(res.duplicated().to_numpy()):
        problems.append(
            Problem(
                label,
                int(j) + 2,
                "resource",
                _("duplicate resource {name}", name=repr(res.iloc[j])),
            )
        )
    return frame.assign(resource=res, reason=frame["reason"].str.strip()).set_index("resource")[
        ["reason"]
    ]


def load_catalogue(
    lines: str | Path | None = None,
    demand: str | Path | None = None,
    supply: str | Path | None = None,
    unused: str | Path | None = None,
) -> Catalogue:
    """Read and validate the catalogue tables (package defaults where a path is ``None``).

    Parameters
    ----------
    lines, demand, supply, unused : path, optional
        CSV files with the columns described in the module docstring.

    Returns
    -------
    Catalogue

    Raises
    ------
    DataValidationError
        Listing every problem as ``FILE:ROW:COLUMN: expected …; got …``.
    """
    vocab = set(resource_vocabulary())
    problems: list[Problem | str] = []
    lf, llabel = _read(lines, "lines.csv")
    df, dlabel = _read(demand, "demand.csv")
    sf, slabel = _read(supply, "supply.csv")
    problems += _check_columns(lf, _LINE_COLUMNS, llabel)
    problems += _check_columns(df, _DEMAND_COLUMNS, dlabel)
    problems += _check_columns(sf, _SUPPLY_COLUMNS, slabel)
    if problems:
        raise DataValidationError(problems)

    lf = _numbers(lf, _LINE_NUMERIC, llabel, problems)
    df = _numbers(df, ["per_capita"], dlabel, problems)
    sf = _numbers(sf, _SUPPLY_NUMERIC, slabel, problems)

    categories = df["category"].str.strip()
    for j in np.flatnonzero(categories.duplicated().to_numpy()):
        problems.append(
            Problem(dlabel, int(j) + 2, "category", f"duplicate category {categories.iloc[j]!r}")
        )
    for i, res in enumerate(sf["resource"].str.strip()):
        if res not in vocab:
            problems.append(
                Problem(
                    slabel,
                    i + 2,
                    "resource",
                    f"expected a resource of the registry vocabulary; got {res!r}",
                )
            )
        if sf["basis"].iloc[i].strip() not in ("area_km2", "flat"):
            problems.append(
                Problem(
                    slabel,
                    i + 2,
                    "basis",
                    f"expected 'area_km2' or 'flat'; got {sf['basis'].iloc[i]!r}",
                )
            )

    ids = lf["line_id"].str.strip()
    for j in np.flatnonzero(ids.duplicated().to_numpy()):
        problems.append(
            Problem(llabel, int(j) + 2, "line_id", f"duplicate line id {ids.iloc[j]!r}")
        )
    inputs: dict[str, dict[str, float]] = {}
    known_cats = set(categories)
    for i in range(len(lf)):
        row = i + 2
        lid = ids.iloc[i]
        if not lid:
            problems.append(Problem(llabel, row, "line_id", "expected a non-empty id"))
        kind = lf["kind"].iloc[i].strip()
        if kind not in ("standard", "characteristic"):
            problems.append(
                Problem(
                    llabel, row, "kind", f"expected 'standard' or 'characteristic'; got {kind!r}"
                )
            )
        cat = lf["category"].iloc[i].strip()
        if cat not in known_cats:
            problems.append(
                Problem(llabel, row, "category", f"expected a category of {dlabel}; got {cat!r}")
            )
        pairs = _parse_inputs(lf["inputs"].iloc[i], row, llabel, vocab, problems)
        inputs[lid] = pairs
        req = lf["requires"].iloc[i].strip()
        if kind == "characteristic" and not req:
            problems.append(
                Problem(
                    llabel,
                    row,
                    "requires",
                    "expected the resource a characteristic line needs locally; got an empty cell",
                )
            )
        if req and req not in pairs:
            problems.append(
                Problem(
                    llabel,
                    row,
                    "requires",
                    f"expected one of the line's inputs {sorted(pairs)}; got {req!r}",
                )
            )
        for col in ("mes", "module_size", "tonnes_per_unit"):
            v = lf[col].iloc[i]
            if isinstance(v, float) and v == 0:
                problems.append(Problem(llabel, row, col, "expected a number > 0; got 0"))
        used_supply = set(sf["resource"].str.strip())
        for res in pairs:
            if res not in used_supply:
                problems.append(
                    Problem(
                        llabel,
                        row,
                        "inputs",
                        f"resource {res!r} has no row in {slabel}; add its supply coefficients",
                    )
                )
    used_inputs = {res for pairs in inputs.values() for res in pairs}
    if unused is None and lines is not None:
        # the packaged list of unused resources belongs to the packaged lines: a country's
        # own lines without its own unused.csv have no such list
        unused_frame = pd.DataFrame({"reason": []}, index=pd.Index([], name="resource"))
    else:
        unused_frame = _check_unused(unused, vocab, used_inputs, problems)
    if problems:
        raise DataValidationError(problems)

    lf = lf.assign(
        line_id=ids,
        kind=lf["kind"].str.strip(),
        group=lf["group"].str.strip(),
        category=lf["category"].str.strip(),
        requires=lf["requires"].str.strip(),
    ).set_index("line_id")
    resources = sf["resource"].str.strip().tolist()
    mat = pd.DataFrame(0.0, index=lf.index, columns=resources)
    for lid, pairs in inputs.items():
        for res, amount in pairs.items():
            mat.loc[lid, res] = amount
    demand_frame = df.assign(category=categories).set_index("category")
    supply_frame = sf.assign(resource=sf["resource"].str.strip(), basis=sf["basis"].str.strip())
    return Catalogue(
        lines=lf,
        inputs=mat,
        demand=demand_frame,
        supply=supply_frame.set_index("resource"),
        source=f"{llabel}; {dlabel}; {slabel}",
        unused=unused_frame,
    )
