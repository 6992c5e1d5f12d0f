from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data" / "grain"


@pytest.fixture
def read_check_table() -> Callable[[str], list[dict[str, str]]]:
    """Return a reader of the copied check tables in tests/data/grain/."""

    def read(name: str) -> list[dict[str, str]]:
        with (DATA / name).open(encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    return read
