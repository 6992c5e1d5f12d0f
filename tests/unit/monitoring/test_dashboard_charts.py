from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from regdev.monitoring.dashboard.charts import (
    Series,
    monthly_output_chart,
    nice_ticks,
    stacked_bars,
)

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("vmax", "expected_last"),
    [(87, 100.0), (1, 1.0), (0.03, 0.03), (1234, 1250.0), (5, 5.0)],
)
def test_nice_ticks_cover_the_maximum(vmax: float, expected_last: float) -> None:
    ticks = nice_ticks(vmax)
    assert ticks[0] == 0.0
    assert ticks[-1] >= vmax
    assert ticks[-1] == pytest.approx(expected_last)
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1
    assert 2 <= len(ticks) <= 11


def test_nice_ticks_degenerate() -> None:
    assert nice_ticks(0) == [0.0, 1.0]
    assert nice_ticks(float("nan")) == [0.0, 1.0]


def _rects(svg: str) -> list[ET.Element]:
    return [r for r in ET.fromstring(svg).iter(f"{SVG}rect") if "data-value" in r.attrib]


def test_stacked_bars_heights_are_proportional_and_stacked() -> None:
    svg = str(
        stacked_bars(
            ["2024", "2025"],
            [Series("planned", [10, 5]), Series("operating", [10, 0])],
            title="t",
            height=240.0,
        )
    )
    rects = _rects(svg)
    assert len(rects) == 3  # zero values are not drawn
    by = {(r.attrib["data-category"], r.attrib["data-series"]): r for r in rects}
    h_a = float(by[("2024", "planned")].attrib["height"])
    h_b = float(by[("2024", "operating")].attrib["height"])
    h_c = float(by[("2025", "planned")].attrib["height"])
    assert h_a == pytest.approx(h_b, abs=0.11)
    assert h_a == pytest.approx(2 * h_c, abs=0.2)
    # operating sits on top of planned in the same column
    y_a = float(by[("2024", "planned")].attrib["y"])
    y_b = float(by[("2024", "operating")].attrib["y"])
    assert y_b + h_b == pytest.approx(y_a, abs=0.11)


def test_stacked_bars_horizontal_and_fixed_max() -> None:
    svg = str(
        stacked_bars(
            ["North Pyongan", "Rason"],
            [Series("on time", [50, 100])],
            title="share",
            horizontal=True,
            y_max=100,
            unit="%",
        )
    )
    rects = _rects(svg)
    w = {r.attrib["data-category"]: float(r.attrib["width"]) for r in rects}
    assert w["Rason"] == pytest.approx(2 * w["North Pyongan"], abs=0.2)
    assert "Rason · on time: 100%" in svg


def test_stacked_bars_rejects_ragged_series() -> None:
    with pytest.raises(ValueError, match="expected 2"):
        stacked_bars(["a", "b"], [Series("s", [1])], title="t")


def test_monthly_chart_marks_each_reported_month() -> None:
    months = ["2026-01", "2026-02", "2026-03"]
    svg = str(
        monthly_output_chart(
            months, [80.0, None, 120.0], [100.0, 100.0, 100.0], title="Line 1", unit="t"
        )
    )
    root = ET.fromstring(svg)
    bars = [r for r in root.iter(f"{SVG}rect") if r.attrib.get("class") == "output"]
    assert [b.attrib["data-month"] for b in bars] == ["2026-01", "2026-03"]
    assert [float(b.attrib["data-value"]) for b in bars] == [80.0, 120.0]
    assert "capacity use 120%" in svg
    assert len(list(root.iter(f"{SVG}polyline"))) == 1


def test_monthly_chart_empty_and_mismatch() -> None:
    assert "no reports yet" in str(monthly_output_chart([], [], [], title="x"))
    with pytest.raises(ValueError, match="equal length"):
        monthly_output_chart(["2026-01"], [], [1.0], title="x")
