"""Tiny, packaged, deterministic example registries for docs and tests."""

from __future__ import annotations

import pandas as pd

from regdev.registry.regions import RegionRegistry


def toy_region() -> RegionRegistry:
    """A 6-row country: a capital and five regions in two provinces.

    Small enough to check by hand (see the planner's hand-solved cases).

    Returns
    -------
    RegionRegistry

    Examples
    --------
    >>> toy_region().ids
    ['T-CAP', 'T-A1', 'T-A2', 'T-B1', 'T-B2', 'T-B3']
    """
    raw = pd.DataFrame(
        {
            "region_id": ["T-CAP", "T-A1", "T-A2", "T-B1", "T-B2", "T-B3"],
            "name": ["Capital", "Alpha", "Anchor", "Beta", "Bay", "Birch"],
            "province": ["Capital", "A", "A", "B", "B", "B"],
            "kind": ["capital", "city", "county", "county", "county", "county"],
            "population": [1_000_000, 200_000, 80_000, 60_000, 50_000, 40_000],
            "urban_population": [900_000, 150_000, None, None, None, None],
            "area_km2": [1000, 300, 600, 800, 500, 900],
            "lat": [39.0, 39.5, 39.8, 40.5, 40.2, 40.9],
            "lon": [125.7, 125.2, 124.9, 127.5, 128.3, 127.0],
            "coastal": [False, False, True, False, True, False],
            "physiography": ["lowland", "lowland", "coastal", "mountainous", "coastal", "mixed"],
            "resources": [
                "",
                "rice;maize",
                "fish;seaweed",
                "wild fruit;timber",
                "shellfish",
                "livestock",
            ],
        }
    )
    return RegionRegistry.from_frame(raw, source="regdev:toy_region")
