"""Property tests of the region-table validator."""

import pandas as pd
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from regdev.errors import DataValidationError
from regdev.registry import read_regions, to_csv_text
from strategies import region_tables

CORRUPTIONS = {
    "population": ["many", "-3", "1e400x"],
    "area_km2": ["-1", "big"],
    "lat": ["91", "north", "-95"],
    "lon": ["181", "east"],
    "kind": ["hamlet", "City State"],
    "coastal": ["maybe", "2"],
    "physiography": ["swamp", "desert"],
    "resources": ["unobtainium", "rice;moonrock"],
    "region_id": [""],
    "name": [" "],
}


@given(table=region_tables())
def test_accepted_tables_round_trip_through_csv(tmp_path_factory, table):
    d = tmp_path_factory.mktemp("rt")
    first = d / "in.csv"
    table.to_csv(first, index=False)
    reg = read_regions(first, warn=False)
    second = d / "out.csv"
    second.write_text(to_csv_text(reg))
    back = read_regions(second, warn=False)
    pd.testing.assert_frame_equal(back.frame, reg.frame)
    assert to_csv_text(back) == to_csv_text(reg)
    assert back.content_hash() == reg.content_hash()


@given(table=region_tables(min_size=2), data=st.data())
def test_any_corrupted_cell_is_reported_with_row_and_column(tmp_path_factory, table, data):
    row = data.draw(st.integers(0, len(table) - 1), label="row")
    column = data.draw(st.sampled_from(sorted(CORRUPTIONS)), label="column")
    value = data.draw(st.sampled_from(CORRUPTIONS[column]), label="value")
    table = table.copy()
    table.loc[row, column] = value
    path = tmp_path_factory.mktemp("bad") / "regions.csv"
    table.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as info:
        read_regions(path, warn=False)
    problems = info.value.problems
    spreadsheet_row = row + 2
    assert any(p.row == spreadsheet_row and p.column == column for p in problems), problems
    assert all(p.row == spreadsheet_row for p in problems), problems
    assert f"{path}:{spreadsheet_row}:{column}: expected" in str(info.value)


# ------------------------------------------------------------------ issue 17
OPTIONAL = sorted(
    s.name
    for s in __import__("regdev.registry", fromlist=["region_schema"]).region_schema()
    if not s.required
)


@pytest.mark.slow
@pytest.mark.solver
# each example plans and designs 179 regions (seconds): few examples, no shrinking
@settings(max_examples=6, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(removed=st.sets(st.sampled_from(OPTIONAL), min_size=1))
def test_plan_writes_a_folder_whatever_optional_columns_are_missing(tmp_path_factory, removed):
    """`regdev plan` (the pipeline, explanations off) on the embedded registry minus columns."""
    import json
    import warnings

    from regdev.pipeline import PlanOptions
    from regdev.pipeline import plan as run_plan
    from regdev.registry import write_regions
    from regdev.registry.default import default_raw_table
    from regdev.registry.regions import RegionRegistry

    raw = default_raw_table()
    raw = raw.drop(columns=[c for c in removed if c in raw.columns])
    d = tmp_path_factory.mktemp("opt")
    # through a file, as a user would (written, then read and imputed again)
    source = write_regions(RegionRegistry.from_frame(raw, source="variant"), d / "regions.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        registry = read_regions(source)
    result = run_plan(registry, options=PlanOptions(explain_last=0))
    out = result.write(d / "plan")
    names = {p.name for p in out.iterdir()}
    assert names >= {"plan.json", "schedule.csv", "report.html", "factories.csv", "dossiers.json"}
    meta = json.loads((out / "plan.json").read_text("utf-8"))
    assert meta["status"] in ("optimal", "feasible")
    assert meta["extensions"]["factory-design"].get("status") != "skipped"
    assumed = meta["registry"]["assumptions"]
    if {"lat", "lon"} & removed:
        assert any(a.startswith("coordinates: no row has lat/lon") for a in assumed)
    if "population" in removed:
        pop = [a for a in assumed if a.startswith("population:")]
        assert pop and ("schema default" in pop[0] or "schema_default" in pop[0])
    if "coastal" in removed:
        # no coastal flags: no offshore-farm candidates; only the real (history) farms stay
        farms = [r for r in meta["schedule"] if r["facility"] == "offshore_farm"]
        assert all(r["locked"] for r in farms)
        assert any(a.startswith("coastal: no region is marked coastal") for a in assumed)
