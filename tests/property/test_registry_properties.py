"""Property tests of the region-table validator."""

import pandas as pd
import pytest
from hypothesis import given
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
