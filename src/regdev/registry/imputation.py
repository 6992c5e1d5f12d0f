"""Transparent imputation of missing population, area and coordinates.

Every filled cell is marked in a ``<column>_source`` column
(``census`` for given values, ``imputed:<method>`` otherwise), so any output
that uses an imputed value can say so.  A cell that no method can fill stays
missing and its source says ``missing:<reason>``: imputation never invents a
value it has no basis for, and :func:`impute_missing` reports those cells
separately.  Methods, in order of preference:

population
    ``imputed:province_density``: area × the province's median census
    density (persons/km²); where the area is unknown too,
    ``imputed:province_median``: the province's median census population;
    ``imputed:national_median`` where the province has none.  When *no* row
    has a population, every region gets the schema default (``schema.csv``,
    100,000 persons, about the median 2008-census population of the default
    country's counted regions), ``imputed:schema_default``: an assumption
    that makes all regions equal in size.  An imputed population is never
    below the row's given urban population (``imputed:urban_population``
    where that raised it).
area_km2
    ``imputed:province_density``: census population ÷ the province's median
    density; else ``imputed:province_median`` / ``imputed:national_median``.
    Without any row that has both a population and an area there is no
    density and no area to take a median of: the areas stay missing
    (``missing:no_known_area``).
lat, lon
    ``imputed:province_mean``: the mean of the province's known centroids
    (``imputed:national_mean`` where the province has none).  Without any
    known centroid they stay missing (``missing:no_known_coordinates``) and
    every distance is unknown.
"""

from __future__ import annotations

import pandas as pd

from regdev.registry._schema import schema_by_name

GIVEN = "census"
IMPUTED = "imputed"
MISSING = "missing"
IMPUTED_COLUMNS = ("population", "area_km2", "lat")


def _fill(
    values: pd.Series, source: pd.Series, fill: pd.Series, method: str
) -> tuple[pd.Series, pd.Series]:
    take = values.isna() & fill.notna()
    values = values.where(~take, fill)
    source = source.where(~take, f"{IMPUTED}:{method}")
    return values, source


def population_default() -> float:
    """The population assumed for every region when the table gives none (``schema.csv``)."""
    return float(schema_by_name()["population"].default)


def impute_missing(
    frame: pd.DataFrame,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Fill missing population, area and coordinates and mark the cells.

    Parameters
    ----------
    frame : pandas.DataFrame
        Typed region table (see :func:`regdev.registry.validation.validate_table`).

    Returns
    -------
    frame : pandas.DataFrame
        A copy with the gaps filled where a method applies and
        ``population_source``, ``area_km2_source`` and ``lat_source``
        columns present (``missing:<reason>`` where nothing could be filled).
    counts : dict of str to int
        Number of cells actually filled per column (only columns with
        imputations); cells left missing are not counted (see
        :func:`unfilled_counts`).
    """
    out = frame.copy()
    counts: dict[str, int] = {}
    for col in ("population", "area_km2", "lat", "lon"):
        if col not in out.columns:
            out[col] = float("nan")
    prov = out["province"]
    pop0 = out["population"].astype(float)
    area0 = out["area_km2"].astype(float)
    density = (pop0 / area0).where((area0 > 0) & (pop0 > 0))
    prov_density = density.groupby(prov).transform("median")
    nat_density = density.median()
    prov_density = prov_density.fillna(nat_density)

    def source_of(col: str) -> pd.Series:
        name = f"{col}_source"
        given = pd.Series(GIVEN, index=out.index, dtype=object)
        if name in out.columns:
            existing = out[name].astype(object)
            given = existing.where(existing.notna() & (existing.astype(str) != ""), GIVEN)
        return given.where(out[col].notna(), None)

    # population
    pop, src = pop0.copy(), source_of("population")
    pop, src = _fill(pop, src, (area0 * prov_density).round(), "province_density")
    pop, src = _fill(pop, src, pop0.groupby(prov).transform("median").round(), "province_median")
    pop, src = _fill(pop, src, pd.Series(pop0.median(), index=out.index), "national_median")
    if pop0.notna().sum() == 0:
        pop, src = _fill(
            pop, src, pd.Series(population_default(), index=out.index), "schema_default"
        )
    # an imputed total is never below the urban population the table gives
    if "urban_population" in out.columns:
        urban = out["urban_population"].astype(float)
        raise_to = pop0.isna() & urban.notna() & (urban > pop)
        pop = pop.where(~raise_to, urban)
        src = src.where(~raise_to, f"{IMPUTED}:urban_population")
    counts["population"] = int(pop0.isna().sum() - pop.isna().sum())
    out["population"], out["population_source"] = pop, src

    # area
    area, asrc = area0.copy(), source_of("area_km2")
    area, asrc = _fill(area, asrc, (pop0 / prov_density).round(1), "province_density")
    area, asrc = _fill(area, asrc, area0.groupby(prov).transform("median"), "province_median")
    area, asrc = _fill(area, asrc, pd.Series(area0.median(), index=out.index), "national_median")
    asrc = asrc.where(area.notna(), f"{MISSING}:no_known_area")
    counts["area_km2"] = int(area0.isna().sum() - area.isna().sum())
    out["area_km2"], out["area_km2_source"] = area, asrc

    # coordinates (lat and lon are imputed together; lat_source covers both)
    missing = out["lat"].isna() | out["lon"].isna()
    csrc = source_of("lat").where(~missing, None)
    lat = out["lat"].where(~missing)
    lon = out["lon"].where(~missing)
    for col, series in (("lat", lat), ("lon", lon)):
        mean = series.groupby(prov).transform("mean")
        filled = series.where(~missing, mean).where(lambda s: s.notna(), series.mean())
        out[col] = filled
    filled = missing & out["lat"].notna() & out["lon"].notna()
    csrc = csrc.where(~filled, f"{IMPUTED}:province_mean")
    no_prov = filled & lat.groupby(prov).transform("count").eq(0)
    csrc = csrc.where(~no_prov, f"{IMPUTED}:national_mean")
    csrc = csrc.where(~(missing & ~filled), f"{MISSING}:no_known_coordinates")
    out["lat_source"] = csrc
    counts["lat"] = int(filled.sum())
    return out, {k: v for k, v in counts.items() if v}


def unfilled_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Cells that imputation could not fill, per column (only columns with such cells).

    Parameters
    ----------
    frame : pandas.DataFrame
        An imputed region table.

    Returns
    -------
    dict of str to int
        ``population``, ``area_km2``, ``lat`` (rows without coordinates).
    """
    out: dict[str, int] = {}
    for col in ("population", "area_km2"):
        if col in frame.columns:
            out[col] = int(frame[col].isna().sum())
    if "lat" in frame.columns and "lon" in frame.columns:
        out["lat"] = int((frame["lat"].isna() | frame["lon"].isna()).sum())
    return {k: v for k, v in out.items() if v}
