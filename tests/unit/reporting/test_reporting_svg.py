from __future__ import annotations

from regdev.reporting.svg import esc, lines, scatter, stacked_bars, year_colour


def test_stacked_bars_draw_one_rect_per_positive_value():
    svg = stacked_bars(["2024", "2025"], [("a", [1, 0], "#000"), ("b", [2, 3], "#fff")])
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<rect") == 3 + 2  # three bars + two legend swatches
    assert "xmlns" not in svg


def test_lines_and_scatter():
    svg = lines(["a", "b", "c"], [("s", [0, 50, 100], "#123456")], y_max=100)
    assert "<polyline" in svg
    sc = scatter([(0.0, 1.0, "#000", "x<y")], x_ticks=[(0.0, "2024")])
    assert "x&lt;y" in sc


def test_year_colours_span_the_palette():
    assert year_colour(0, 10) != year_colour(9, 10)
    assert year_colour(0, 1) == year_colour(0, 10)
    assert esc('"<&>') == "&quot;&lt;&amp;&gt;"
