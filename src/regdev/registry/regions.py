"""The region registry: an immutable, validated table of cities, counties and districts."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

from regdev.errors import DataValidationError, NotFoundError
from regdev.i18n import _
from regdev.registry._schema import region_schema
from regdev.registry.development import (
    DevelopmentWeights,
    development_index_v0,
    development_notes,
)
from regdev.registry.geography import distance_matrix_km, haversine_km, nearest_neighbours
from regdev.registry.imputation import impute_missing, unfilled_counts

CAPITAL_KIND = "capital"


class RegionRegistry:
    """Immutable, validated table of regions indexed by ``region_id``.

    Build it with :func:`regdev.registry.read_regions`,
    :func:`regdev.registry.load_default` or :meth:`from_frame`; the
    constructor takes an already validated and imputed frame.

    Every column of ``schema.csv`` is present in :attr:`frame`: an optional
    column the input lacked is added all-missing (typed as validation types
    blank cells), so code downstream can read any schema column;
    :meth:`assumptions` says what the gaps mean.

    Parameters
    ----------
    frame : pandas.DataFrame
        Typed region table indexed by ``region_id`` (text) with at least the
        required columns of ``schema.csv`` and ``population`` (imputed
        already: a plan needs a number per region); ``lat``/``lon`` may be
        missing in every row (then there are no distances).
    source : str, default "<memory>"
        Where the table came from (shown in messages and metadata).
    imputed : dict of str to int, optional
        Number of imputed cells per column.

    Attributes
    ----------
    source : str
        Origin of the data.
    imputed : dict of str to int
        Counts of imputed cells.

    Examples
    --------
    >>> from regdev.registry import toy_region
    >>> reg = toy_region()
    >>> len(reg), reg.capital_id
    (6, 'T-CAP')
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        source: str = "<memory>",
        imputed: dict[str, int] | None = None,
    ) -> None:
        required = [s.name for s in region_schema() if s.required and s.name != "region_id"]
        missing = [c for c in [*required, "population"] if c not in frame.columns]
        if missing:
            msg = f"{source}: expected columns {missing} in the registry frame; got {list(frame.columns)}"
            raise DataValidationError([msg])
        if not frame.index.is_unique:
            dup = frame.index[frame.index.duplicated()].tolist()[:5]
            msg = f"{source}: expected unique region ids; got duplicates {dup}"
            raise DataValidationError([msg])
        from regdev.registry.validation import blank_column

        self._frame = frame.copy()
        self._frame.index = self._frame.index.astype(str)
        self._frame.index.name = "region_id"
        for spec in region_schema():
            if spec.name != "region_id" and spec.name not in self._frame.columns:
                self._frame[spec.name] = blank_column(spec, self._frame.index)
        self._frame["coastal"] = self._frame["coastal"].fillna(False).astype(bool)
        self._frame["resources"] = self._frame["resources"].fillna("").astype(str)
        self.source = source
        self.imputed = dict(imputed or {})

    # ----------------------------------------------------------------- builders
    @classmethod
    def from_frame(
        cls,
        raw: pd.DataFrame,
        *,
        source: str = "<memory>",
        impute: bool = True,
        row_offset: int = 2,
        row_numbers: Sequence[int] | np.ndarray | None = None,
    ) -> RegionRegistry:
        """Validate a raw (text) table and build a registry from it.

        Parameters
        ----------
        raw : pandas.DataFrame
            One row per region with the columns of ``schema.csv``; cells may
            be text or numbers.
        source : str
            Name used in problem messages.
        impute : bool, default True
            Fill missing population, area and coordinates (marked in
            ``*_source`` columns).
        row_offset : int, default 2
            Row number of the first data row in messages (2 below a header
            line, 1 for feature collections).
        row_numbers : sequence of int, optional
            Row number of every row in messages, when rows were dropped
            before (column mapping); overrides ``row_offset``.

        Returns
        -------
        RegionRegistry

        Raises
        ------
        DataValidationError
            With every problem found, as ``FILE:ROW:COLUMN: expected …, got …``.
        """
        from regdev.registry.validation import validate_table

        text = raw.astype(object).where(raw.notna(), None)
        text = text.map(lambda v: None if v is None else str(v))
        frame, problems = validate_table(
            text, file=source, row_offset=row_offset, row_numbers=row_numbers
        )
        if problems:
            raise DataValidationError(problems)
        counts: dict[str, int] = {}
        if impute:
            frame, counts = impute_missing(frame)
        return cls(frame, source=source, imputed=counts)

    # ---------------------------------------------------------------- accessors
    @property
    def frame(self) -> pd.DataFrame:
        """A copy of the table (the registry itself never changes)."""
        return self._frame.copy()

    @property
    def ids(self) -> list[str]:
        """Region ids in table order."""
        return [str(i) for i in self._frame.index]

    def __len__(self) -> int:
        return len(self._frame)

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __contains__(self, region_id: object) -> bool:
        return region_id in self._frame.index

    def __repr__(self) -> str:
        return (
            f"RegionRegistry({len(self)} regions, {self._frame['province'].nunique()} provinces, "
            f"source={self.source!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RegionRegistry):
            return NotImplemented
        return bool(self._frame.equals(other._frame))

    __hash__ = None  # type: ignore[assignment]  # mutable-free but frame-valued: not hashable

    @property
    def capital_id(self) -> str | None:
        """Id of the capital row, or ``None`` when the table has none."""
        caps = self._frame.index[self._frame["kind"] == CAPITAL_KIND]
        return str(caps[0]) if len(caps) else None

    def programme(self) -> RegionRegistry:
        """The programme regions: every row except the capital."""
        keep = self._frame["kind"] != CAPITAL_KIND
        return RegionRegistry(self._frame[keep], source=self.source, imputed=self.imputed)

    def provinces(self) -> list[str]:
        """Province names, sorted."""
        return sorted(self._frame["province"].unique().tolist())

    def subset(self, region_ids: list[str]) -> RegionRegistry:
        """A registry of the given regions only (order as given)."""
        unknown = [r for r in region_ids if r not in self._frame.index]
        if unknown:
            raise NotFoundError(self._not_found_message(unknown[0]))
        return RegionRegistry(self._frame.loc[region_ids], source=self.source, imputed=self.imputed)

    def get(self, region_id: str) -> pd.Series:
        """One region's row, by id, name, Korean name or alias (case-insensitive).

        Raises
        ------
        NotFoundError
            With close matches suggested.
        """
        return self._frame.loc[self.resolve(region_id)]

    def resolve(self, key: str) -> str:
        """Return the region id that ``key`` names (id, name, Korean name or alias).

        Raises
        ------
        NotFoundError
            When nothing (or more than one region) matches.
        """
        if key in self._frame.index:
            return key
        k = key.strip().lower()
        f = self._frame
        hits = set(f.index[f.index.str.lower() == k])
        for col in ("name", "name_ko"):
            if col in f.columns:
                hits |= set(f.index[f[col].astype(str).str.lower() == k])
        if not hits and "aliases" in f.columns:
            aliases = f["aliases"].fillna("").astype(str).str.lower().str.split(";")
            hits |= {rid for rid, al in aliases.items() if k in [a.strip() for a in al]}
        if len(hits) == 1:
            return str(next(iter(hits)))
        if len(hits) > 1:
            msg = f"{key!r} names several regions: {sorted(hits)}; use the region id"
            raise NotFoundError(msg)
        raise NotFoundError(self._not_found_message(key))

    def _not_found_message(self, key: str) -> str:
        names = self._frame.index.tolist() + self._frame["name"].astype(str).tolist()
        close = difflib.get_close_matches(key, names, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        return f"unknown region {key!r}{hint}"

    def resources_of(self, region_id: str) -> frozenset[str]:
        """Canonical resources of one region."""
        cell = str(self._frame.at[self.resolve(region_id), "resources"])
        return frozenset(t for t in cell.split(";") if t)

    def has_coordinates(self) -> bool:
        """Whether every region has a centroid (given or imputed); else distances are unknown."""
        f = self._frame
        return bool(len(f)) and bool(f["lat"].notna().all() and f["lon"].notna().all())

    @property
    def unfilled(self) -> dict[str, int]:
        """Cells that imputation could not fill, per column (``lat`` counts rows without coordinates)."""
        return unfilled_counts(self._frame)

    def assumptions(self) -> list[str]:
        """What this table lacks and what regdev assumes in its place, one sentence each.

        Imputed values (with their methods), values no method could fill,
        optional columns that no row has (and the features that then work
        without them), and the development-index components left out.
        Plans and reports repeat these lines so every output says what was
        assumed.

        Returns
        -------
        list of str
            Each line starts with the column or feature it is about.

        Examples
        --------
        >>> from regdev.registry import toy_region
        >>> toy_region().assumptions()
        []
        """
        f = self._frame
        n = len(f)
        notes: list[str] = []
        for col in ("population", "area_km2"):
            src = f.get(f"{col}_source")
            if src is None:
                continue
            methods = src.astype(str).where(src.notna(), "")
            imputed = methods[methods.str.startswith("imputed:")]
            if col == "population" and (methods == "imputed:schema_default").all() and n:
                value = format(float(f[col].iloc[0]), ",.0f")
                notes.append(
                    _(
                        "population: no row has one; every region is assumed to have {value} "
                        "(schema default), so all regions count as the same size",
                        value=value,
                    )
                )
            elif len(imputed):
                by = imputed.str.removeprefix("imputed:").value_counts().sort_index()
                detail = ", ".join(f"{m} {k}" for m, k in by.items())
                notes.append(
                    _(
                        "{column}: {k} of {n} values imputed ({detail})",
                        column=col,
                        k=len(imputed),
                        n=n,
                        detail=detail,
                    )
                )
            if col == "area_km2" and f[col].isna().any():
                k = int(f[col].isna().sum())
                if k == n:
                    notes.append(
                        _(
                            "area_km2: no area in any row and none could be imputed; density "
                            "and area-based raw materials are unknown"
                        )
                    )
                else:
                    notes.append(
                        _(
                            "area_km2: {k} of {n} regions have none and none could be imputed; "
                            "density and area-based raw materials are unknown there",
                            k=k,
                            n=n,
                        )
                    )
        if not self.has_coordinates():
            notes.append(
                _(
                    "coordinates: no row has lat/lon, so none could be imputed; distances are "
                    "unknown: no map, no trade distances between regions, no nearest neighbours"
                )
            )
        else:
            k = int(f["lat_source"].astype(str).str.startswith("imputed:").sum())
            if k:
                notes.append(
                    _("coordinates: {k} of {n} centroids imputed (province mean)", k=k, n=n)
                )
        if not f["coastal"].any():
            notes.append(
                _("coastal: no region is marked coastal, so none is an offshore-farm candidate")
            )
        if not (f["resources"].astype(str) != "").any():
            notes.append(
                _(
                    "resources: no region lists local resources; raw materials are derived "
                    "from terrain and area only"
                )
            )
        if f["physiography"].isna().all():
            notes.append(
                _("physiography: no region has one; terrain is taken as 'mixed' everywhere")
            )
        elif f["physiography"].isna().any():
            k = int(f["physiography"].isna().sum())
            notes.append(
                _("physiography: {k} of {n} regions have none; taken as 'mixed'", k=k, n=n)
            )
        notes.extend(development_notes(f, self.capital_id))
        return notes

    def is_imputed(self, column: str) -> pd.Series:
        """Boolean mask of rows whose ``column`` value was imputed."""
        name = "lat_source" if column in ("lat", "lon") else f"{column}_source"
        if name not in self._frame.columns:
            return pd.Series(False, index=self._frame.index)
        return self._frame[name].astype(str).str.startswith("imputed")

    # --------------------------------------------------------------- geography
    def distance_matrix_km(self) -> pd.DataFrame:
        """Great-circle distances between all regions (km)."""
        d = distance_matrix_km(self._frame["lat"], self._frame["lon"])
        return pd.DataFrame(d, index=self._frame.index, columns=self._frame.index)

    def distance_to_capital_km(self) -> pd.Series:
        """Great-circle distance of every region to the capital (km)."""
        cap = self.capital_id
        if cap is None:
            msg = f"{self.source}: the table has no row of kind 'capital'"
            raise NotFoundError(msg)
        lat, lon = self._frame.at[cap, "lat"], self._frame.at[cap, "lon"]
        d = haversine_km(self._frame["lat"], self._frame["lon"], lat, lon)
        return pd.Series(d, index=self._frame.index, name="distance_to_capital_km")

    def province_seats(self) -> pd.Series:
        """The seat of every province (``province_seat`` column, else its most populous city).

        Returns
        -------
        pandas.Series
            Region id of the seat, indexed by province.
        """
        f = self._frame
        seats: dict[str, str] = {}
        flagged = f.get("province_seat")
        for prov, grp in f.groupby("province", sort=True):
            if flagged is not None and grp["province_seat"].fillna(False).astype(bool).any():
                seats[str(prov)] = str(
                    grp.index[grp["province_seat"].fillna(False).astype(bool)][0]
                )
                continue
            rank = grp.assign(
                _cap=grp["kind"].eq(CAPITAL_KIND), _city=grp["kind"].eq("city")
            ).sort_values(["_cap", "_city", "population"], ascending=False, kind="stable")
            seats[str(prov)] = str(rank.index[0])
        return pd.Series(seats, name="seat")

    def distance_to_province_seat_km(self) -> pd.Series:
        """Great-circle distance of every region to its province seat (km; NaN without coordinates)."""
        f = self._frame
        seat = f["province"].map(self.province_seats())
        d = haversine_km(
            f["lat"], f["lon"], f.loc[seat, "lat"].to_numpy(), f.loc[seat, "lon"].to_numpy()
        )
        return pd.Series(d, index=f.index, name="distance_to_province_seat_km")

    def nearest(self, k: int = 5) -> pd.DataFrame:
        """The ``k`` nearest neighbours of every region.

        Returns
        -------
        pandas.DataFrame
            Long table with columns ``focal``, ``neighbor``, ``rank`` and
            ``distance_km`` (libpysal-style focal/neighbour pairs); empty when
            the table has no coordinates (see :meth:`has_coordinates`).
        """
        if not self.has_coordinates() or k < 1:
            return pd.DataFrame(
                {
                    "focal": pd.Series(dtype=object),
                    "neighbor": pd.Series(dtype=object),
                    "rank": pd.Series(dtype=np.int64),
                    "distance_km": pd.Series(dtype=float),
                }
            )
        idx, dist = nearest_neighbours(self._frame["lat"], self._frame["lon"], k)
        ids = np.asarray(self._frame.index)
        n = len(ids)
        return pd.DataFrame(
            {
                "focal": np.repeat(ids, k),
                "neighbor": ids[idx.ravel()],
                "rank": np.tile(np.arange(1, k + 1), n),
                "distance_km": dist.ravel(),
            }
        )

    # ---------------------------------------------------------------- indices
    def development_index(self, weights: DevelopmentWeights | None = None) -> pd.Series:
        """Development index v0 of every region (see :mod:`regdev.registry.development`)."""
        return development_index_v0(self._frame, self.capital_id, weights)

    def province_summary(self) -> pd.DataFrame:
        """Population totals by province with census and imputed shares.

        Returns
        -------
        pandas.DataFrame
            Indexed by province: ``n_regions``, ``population``,
            ``census_population``, ``imputed_population``, ``census_share``,
            ``n_imputed``; a final ``(total)`` row.
        """
        f = self._frame
        imp = self.is_imputed("population")
        g = pd.DataFrame(
            {
                "province": f["province"],
                "population": f["population"],
                "census": f["population"].where(~imp, 0.0),
                "imputed": f["population"].where(imp, 0.0),
                "n_imputed": imp.astype(int),
            }
        ).groupby("province", sort=True)
        out = pd.DataFrame(
            {
                "n_regions": g.size(),
                "population": g["population"].sum(),
                "census_population": g["census"].sum(),
                "imputed_population": g["imputed"].sum(),
                "n_imputed": g["n_imputed"].sum(),
            }
        )
        out.loc["(total)"] = out.sum()
        out["census_share"] = out["census_population"] / out["population"].where(
            out["population"] > 0
        )
        return out

    def content_hash(self) -> str:
        """SHA-256 of the table's canonical CSV form (for reproducibility metadata)."""
        text = self._frame.sort_index().to_csv(lineterminator="\n")
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
