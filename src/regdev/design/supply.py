"""Raw-material base per county: supply potential per resource (t/yr).

For a county ``i`` and resource ``r`` with coefficients from ``supply.csv``::

    S[i, r] = basis[i, r] · ( listed[r] · 1{r listed for i}
                              + phys[r, physiography_i]
                              + coast_flag[r] · 1{i coastal} )

where ``basis`` is the county area in km² (``basis = area_km2``) or 1
(``basis = flat``), ``physiography`` is one of mountainous / mixed / lowland /
coastal (missing → mixed).  So mountain counties get wild fruit, herbs and
timber, coastal counties fish, shellfish, seaweed and salt, and listed
resources (the registry's ``resources`` column) add substantial quantities.

Users who know their raw-material base give it directly: a registry column
``supply_<resource>`` (t/yr) or the ``override`` frame replaces the derived
value for every county where it is not missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from regdev.design.catalogue import Catalogue
from regdev.errors import DataValidationError
from regdev.registry import RegionRegistry

PHYSIOGRAPHIES = ("mountainous", "mixed", "lowland", "coastal")

SUPPLY_BASES = ("listed", "given", "inferred", "none")
"""Where a region's supply of a resource comes from (:func:`supply_basis`):
``listed`` — the registry's ``resources`` column names it; ``given`` — a
``supply_<resource>`` column or an override states the quantity; ``inferred`` —
derived from terrain, area and coast only (nothing says the region has it);
``none`` — no supply."""


def supply_basis(
    registry: RegionRegistry,
    supply: pd.DataFrame,
    *,
    override: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Where each region's supply of each resource comes from (:data:`SUPPLY_BASES`).

    Parameters
    ----------
    registry : RegionRegistry
        The regions of ``supply`` (``resources`` and optional ``supply_<resource>``).
    supply : pandas.DataFrame
        :func:`build_supply`'s result.
    override : pandas.DataFrame, optional
        The override given to :func:`build_supply`.

    Returns
    -------
    pandas.DataFrame
        Same shape as ``supply``; strings of :data:`SUPPLY_BASES`.

    Examples
    --------
    >>> from regdev.registry import toy_region
    >>> from regdev.design.catalogue import load_catalogue
    >>> reg = toy_region()
    >>> s = build_supply(reg, load_catalogue())
    >>> b = supply_basis(reg, s)
    >>> b.loc["T-A2", "fish"], b.loc["T-B2", "fish"], b.loc["T-A1", "fish"]
    ('listed', 'inferred', 'none')
    """
    f = registry.frame.reindex(supply.index)
    listed_sets = [set(str(x).split(";")) for x in f["resources"].fillna("")]
    out = pd.DataFrame("none", index=supply.index, columns=supply.columns, dtype=object)
    for res in supply.columns:
        has = supply[res].to_numpy(dtype=float) > 0
        listed = np.array([res in s for s in listed_sets], dtype=bool)
        given = np.zeros(len(f), dtype=bool)
        col = f"supply_{res}"
        if col in f.columns:
            given |= pd.to_numeric(f[col], errors="coerce").notna().to_numpy()
        if override is not None and res in override.columns:
            given |= (
                pd.to_numeric(override[res], errors="coerce")
                .reindex(supply.index)
                .notna()
                .to_numpy()
            )
        basis = np.where(
            given, "given", np.where(listed, "listed", np.where(has, "inferred", "none"))
        )
        basis = np.where(given | has, basis, "none")
        out[res] = basis
    return out


def build_supply(
    registry: RegionRegistry,
    catalogue: Catalogue,
    *,
    override: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Annual supply potential of every region for every raw material of the catalogue.

    Parameters
    ----------
    registry : RegionRegistry
        Regions with ``area_km2``, ``physiography``, ``coastal``, ``resources``
        and optional ``supply_<resource>`` columns.
    catalogue : Catalogue
        Supplies the coefficients (``catalogue.supply``).
    override : pandas.DataFrame, optional
        Regions × resources (t/yr); non-missing cells replace the derived values.

    Returns
    -------
    pandas.DataFrame
        Regions × resources (``supply.csv`` order), t/yr, all >= 0.

    Raises
    ------
    DataValidationError
        When an override or ``supply_*`` column holds negative or non-numeric values.

    Examples
    --------
    >>> from regdev.registry import toy_region
    >>> from regdev.design.catalogue import load_catalogue
    >>> s = build_supply(toy_region(), load_catalogue())
    >>> bool(s.loc["T-A2", "fish"] > 0), bool(s.loc["T-A1", "fish"] > 0)
    (True, False)
    """
    f = registry.frame
    coef = catalogue.supply
    n = len(f)
    area = f["area_km2"].astype(float).fillna(0.0).to_numpy()
    phys = f["physiography"].astype(object).where(f["physiography"].notna(), "mixed")
    phys = phys.where(phys.isin(PHYSIOGRAPHIES), "mixed").to_numpy()
    coastal = f["coastal"].astype(bool).to_numpy()
    listed_sets = [set(str(s).split(";")) for s in f["resources"].fillna("")]
    out = np.zeros((n, len(coef)))
    for k, (res, row) in enumerate(coef.iterrows()):
        listed = np.array([res in s for s in listed_sets])
        base = area if row["basis"] == "area_km2" else np.ones(n)
        phys_coef = np.array([float(row[p]) for p in phys])
        rate = float(row["listed"]) * listed + phys_coef + float(row["coast_flag"]) * coastal
        out[:, k] = base * rate
    supply = pd.DataFrame(out, index=f.index, columns=coef.index)
    problems: list[str] = []
    for res in coef.index:
        col = f"supply_{res}"
        if col in f.columns:
            vals = pd.to_numeric(f[col], errors="coerce")
            bad = vals.notna() & (vals < 0)
            bad |= f[col].notna() & vals.isna()
            problems += [
                f"{registry.source}:{rid}:{col}: expected t/yr >= 0; got {f.at[rid, col]!r}"
                for rid in f.index[bad]
            ]
            supply[res] = vals.where(vals.notna(), supply[res])
    if override is not None:
        for res in override.columns:
            if res not in supply.columns:
                problems.append(
                    f"supply override: unknown resource column {res!r}; expected one of {list(supply.columns)}"
                )
                continue
            vals = pd.to_numeric(override[res], errors="coerce").reindex(supply.index)
            if (vals < 0).any():
                problems.append(
                    f"supply override: column {res!r} has negative values; expected t/yr >= 0"
                )
            supply[res] = vals.where(vals.notna(), supply[res])
    if problems:
        raise DataValidationError(problems)
    supply.index.name = "region_id"
    supply.columns.name = "resource"
    return supply
