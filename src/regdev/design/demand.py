"""Annual demand per county and product category: per-capita consumption × population.

``demand[i, c] = per_capita[c] · population[i] · (1 + growth) ** (year − base_year)``

The per-capita figures are the ``demand.csv`` table of the catalogue (output
units per person and year, with the reasoning for each); ``growth`` is the
annual population growth rate (default 0.5 %/yr, the UN estimate for the DPRK
in the 2010s) and ``base_year`` the census year of the registry's population
(2008 for the default country), so the factory's size follows the population.
"""

from __future__ import annotations

import pandas as pd

from regdev.design.catalogue import Catalogue
from regdev.errors import ConfigError
from regdev.registry import RegionRegistry

DEFAULT_GROWTH = 0.005
"""Annual population growth rate used to project the census population."""

DEFAULT_BASE_YEAR = 2008
"""Census year of the default country's population figures."""


def build_demand(
    registry: RegionRegistry,
    catalogue: Catalogue,
    *,
    year: int = 2030,
    growth: float = DEFAULT_GROWTH,
    base_year: int = DEFAULT_BASE_YEAR,
    per_capita: pd.Series | None = None,
) -> pd.DataFrame:
    """Annual demand of every region for every product category.

    Parameters
    ----------
    registry : RegionRegistry
        The regions (``population`` column).
    catalogue : Catalogue
        Supplies the categories and the default per-capita consumption.
    year : int, default 2030
        Year the demand is projected to.
    growth : float, default 0.005
        Annual population growth rate (−0.05 … 0.1).
    base_year : int, default 2008
        Year of the registry's population figures.
    per_capita : pandas.Series, optional
        Per-capita consumption by category overriding the catalogue's
        (categories not given keep the default).

    Returns
    -------
    pandas.DataFrame
        Regions × categories, output units per year.

    Raises
    ------
    ConfigError
        For a growth rate outside −0.05 … 0.1 or an unknown category.

    Examples
    --------
    >>> from regdev.registry import toy_region
    >>> from regdev.design.catalogue import load_catalogue
    >>> d = build_demand(toy_region(), load_catalogue(), year=2008)
    >>> round(float(d.loc["T-A1", "condiments"]), 1)
    2000.0
    """
    if not -0.05 <= growth <= 0.1:
        msg = f"population growth must be within -0.05 … 0.1 per year; got {growth}"
        raise ConfigError(msg)
    pc = catalogue.demand["per_capita"].astype(float).copy()
    if per_capita is not None:
        unknown = sorted(set(per_capita.index) - set(pc.index))
        if unknown:
            msg = f"per-capita demand given for unknown categories {unknown}; expected some of {list(pc.index)}"
            raise ConfigError(msg)
        pc.loc[per_capita.index] = per_capita.astype(float)
    pop = registry.frame["population"].astype(float) * (1.0 + growth) ** (year - base_year)
    out = pd.DataFrame(
        pop.to_numpy()[:, None] * pc.to_numpy()[None, :], index=pop.index, columns=pc.index
    )
    out.index.name = "region_id"
    out.columns.name = "category"
    return out
