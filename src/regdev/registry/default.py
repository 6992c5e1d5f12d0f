"""The embedded default country: the DPRK's cities and counties.

The facts (``data/regions.csv``), the real programme events
(``data/programme_events.csv``) and the national outline
(``data/outline.geojson``) ship with the package; ``data/SOURCES.md`` is
their provenance.  The shipped CSV keeps its original column names
(``population_2008`` …); :func:`load_default` maps them onto the schema.
"""

from __future__ import annotations

import functools
import io
import json
from importlib import resources
from typing import Any

import pandas as pd

from regdev.registry.regions import RegionRegistry

DEFAULT_COUNTRY = "KP"
CENSUS_YEAR = 2008
_RENAME = {"population_2008": "population", "urban_population_2008": "urban_population"}
_DROP = ("rural_population_2008", "source_urls")
# Provincial seats (administrative centres); the capital row is the seat of Pyongyang.
_SEATS = (
    "KP-CHA-KANGGYE",
    "KP-PYP-SINUIJU",
    "KP-PYN-PHYONGSONG",
    "KP-HAN-HAMHUNG",
    "KP-HAB-CHONGJIN",
    "KP-YAN-HYESAN",
    "KP-HWB-SARIWON",
    "KP-HWN-HAEJU",
    "KP-KAN-WONSAN",
    "KP-PYY-PYONGYANG",
    "KP-NAM-NAMPHO",
    "KP-KAE-KAESONG",
    "KP-RAS-RASON",
)


def _data_text(name: str) -> str:
    return resources.files("regdev.registry").joinpath(f"data/{name}").read_text("utf-8")


def default_raw_table() -> pd.DataFrame:
    """The embedded table as text cells under schema names, before validation and imputation.

    Returns
    -------
    pandas.DataFrame
        One row per region; what :func:`load_default` validates (useful to
        build variants of the default country, e.g. with columns removed).
    """
    raw = pd.read_csv(io.StringIO(_data_text("regions.csv")), dtype=str, keep_default_na=False)
    raw = raw.rename(columns=_RENAME).drop(columns=list(_DROP)).replace({"": None})
    raw["province_seat"] = raw["region_id"].isin(_SEATS).map({True: "true", False: "false"})
    return raw


@functools.cache
def _default_registry() -> RegionRegistry:
    return RegionRegistry.from_frame(
        default_raw_table(), source="regdev:data/regions.csv (DPRK, 2008 census)"
    )


def load_default() -> RegionRegistry:
    """Load the embedded default country (the DPRK's 180 regions incl. the capital row).

    Missing populations, areas and one missing centroid are imputed
    (marked ``imputed:<method>`` in the ``*_source`` columns; no warning is
    emitted because the gaps are documented in ``SOURCES.md``).

    Returns
    -------
    RegionRegistry
        The registry; ``registry.capital_id`` is ``"KP-PYY-PYONGYANG"``.

    Examples
    --------
    >>> reg = load_default()
    >>> len(reg), reg.capital_id
    (180, 'KP-PYY-PYONGYANG')
    """
    return _default_registry()


def load_programme_events() -> pd.DataFrame:
    """The dated facts about the 20×10 programme shipped with the package.

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (int, the cohort), ``region_name``, ``region_id``
        (empty for national items), ``facility``, ``event``, ``date`` (ISO
        text of reduced precision where the day is unknown), ``note``,
        ``source_url``.
    """
    frame = pd.read_csv(
        io.StringIO(_data_text("programme_events.csv")), dtype=str, keep_default_na=False
    )
    frame["year"] = frame["year"].astype(int)
    return frame


def historical_cohorts(facility: str = "regional_industry_factories") -> dict[int, list[str]]:
    """The real yearly cohorts of a facility type, from the programme events.

    A region belongs to cohort ``y`` when any event of that facility in
    programme year ``y`` names it (groundbreaking, construction or
    inauguration); pre-policy pilots (announced only) are excluded.

    Parameters
    ----------
    facility : str
        Facility as written in the events file (``regional_industry_factories``,
        ``hospital``, ``leisure_complex``, ``grain_storage``, ``offshore_farm``).

    Returns
    -------
    dict of int to list of str
        Sorted region ids per year.
    """
    ev = load_programme_events()
    ev = ev[(ev["facility"] == facility) & (ev["region_id"] != "") & (ev["event"] != "announced")]
    out: dict[int, list[str]] = {}
    for year, grp in ev.groupby("year"):
        out[int(year)] = sorted(set(grp["region_id"]))
    return out


def load_outline() -> dict[str, Any]:
    """The national outline (GeoJSON FeatureCollection; Natural Earth 1:110m, coarse)."""
    data: dict[str, Any] = json.loads(_data_text("outline.geojson"))
    return data
