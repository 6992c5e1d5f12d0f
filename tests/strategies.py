"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

import string

import pandas as pd
from hypothesis import strategies as st

from regdev.registry.vocabulary import resource_vocabulary

KINDS = ("city", "county", "district")
PHYSIOGRAPHY = ("mountainous", "lowland", "coastal", "mixed")

_text = (
    st.text(alphabet=string.ascii_letters + string.digits + " -'", min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool)
)


@st.composite
def region_tables(draw: st.DrawFn, min_size: int = 1, max_size: int = 12) -> pd.DataFrame:
    """Valid raw region tables (text cells, as a CSV would give them)."""
    n = draw(st.integers(min_size, max_size))
    ids = draw(
        st.lists(
            st.text(
                alphabet=string.ascii_uppercase + string.digits + "-", min_size=1, max_size=8
            ).map(lambda s: "R" + s),
            min_size=n,
            max_size=n,
            unique=True,
        )
    )
    resources = sorted(resource_vocabulary())
    rows = []
    for rid in ids:
        pop = draw(st.integers(1, 5_000_000))
        rows.append(
            {
                "region_id": rid,
                "name": draw(_text),
                "province": draw(st.sampled_from(["North", "South", "East"])),
                "kind": draw(st.sampled_from(KINDS)),
                "population": str(pop),
                "urban_population": str(draw(st.integers(0, pop))),
                "area_km2": repr(
                    draw(st.floats(1, 5000, allow_nan=False).map(lambda x: round(x, 2)))
                ),
                "lat": repr(draw(st.floats(-89.9, 89.9).map(lambda x: round(x, 4)))),
                "lon": repr(draw(st.floats(-179.9, 179.9).map(lambda x: round(x, 4)))),
                "coastal": draw(st.sampled_from(["true", "false"])),
                "physiography": draw(st.sampled_from(PHYSIOGRAPHY)),
                "resources": ";".join(
                    draw(st.lists(st.sampled_from(resources), max_size=4, unique=True))
                ),
            }
        )
    return pd.DataFrame(rows)
