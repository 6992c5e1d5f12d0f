from __future__ import annotations

import numpy as np
import pytest

from regdev.errors import ConfigError
from regdev.grain import controller as ctl
from regdev.grain import loop, plant
from regdev.grain.weather import synthetic_weather

SPEC = plant.StoreSpec(tonnes=1000, depth_m=10, n_layers=6)
WEATHER = synthetic_weather(39.0, start="2026-10-01", days=20, rng=11)


class Never:
    def reset(self) -> None:
        pass

    def step(self, observation: ctl.Observation) -> ctl.Action:
        return ctl.Action(fan=0.0, reason="never")


def test_fixed_seed_reproduces_bit_for_bit() -> None:
    runs = [
        loop.simulate(
            SPEC, WEATHER, ctl.TemperatureDifferenceController(), sensor_noise_c=0.5, rng=42
        )
        for _ in range(2)
    ]
    for name in ("temp_c", "m_wb_pct", "dml_pct", "fan", "energy_kwh"):
        a, b = getattr(runs[0], name), getattr(runs[1], name)
        assert a.tobytes() == b.tobytes(), name
    other = loop.simulate(
        SPEC, WEATHER, ctl.TemperatureDifferenceController(), sensor_noise_c=0.5, rng=43
    )
    assert runs[0].metadata["input_hash"] == other.metadata["input_hash"]


@pytest.mark.parametrize("name", ["emc", "delta-t", "mpc"])
def test_controllers_beat_doing_nothing_on_warm_wet_maize(name: str) -> None:
    kwargs = {"horizon_h": 24} if name == "mpc" else {}
    c = ctl.build_controller(name, SPEC, **kwargs)
    r = loop.simulate(SPEC, WEATHER, c, initial_temp_c=25.0, initial_m_wb_pct=17.0)
    idle = loop.simulate(SPEC, WEATHER, Never(), initial_temp_c=25.0, initial_m_wb_pct=17.0)
    s, s0 = r.summary(), idle.summary()
    assert s0["energy_kwh"] == 0.0
    assert s0["fan_hours"] == 0.0
    assert s["fan_hours"] > 0
    assert s["dml_pct"] < s0["dml_pct"]
    assert s["final_mean_temp_c"] < s0["final_mean_temp_c"]
    assert r.temp_c.shape == (len(WEATHER), SPEC.n_layers)
    assert s["energy_kwh"] == pytest.approx(s["fan_hours"] * r.metadata["fan_kw"])


def test_summary_fields() -> None:
    r = loop.simulate(SPEC, WEATHER.slice(0, 48), ctl.EmcWindowController())
    s = r.summary()
    assert set(s) >= {
        "dml_pct",
        "energy_kwh",
        "fan_hours",
        "final_m_wb_pct",
        "insect_generations_max",
    }
    assert np.all(np.diff(r.dml_pct, axis=0) >= 0)  # DML never decreases


def test_empty_weather_is_refused() -> None:
    with pytest.raises(ConfigError, match="empty"):
        loop.simulate(SPEC, WEATHER.slice(0, 0), ctl.EmcWindowController())


def test_forecast_covers_the_predictive_horizon() -> None:
    seen: list[int] = []

    class Spy(ctl.PredictiveController):
        def step(self, observation: ctl.Observation) -> ctl.Action:
            assert observation.forecast_temp_c is not None
            seen.append(len(observation.forecast_temp_c))
            return super().step(observation)

    loop.simulate(SPEC, WEATHER.slice(0, 200), Spy(SPEC, horizon_h=96, block_h=3))
    assert seen[0] == 96
    assert seen[-1] == 1  # the last hour of the series


def test_progress_is_reported_daily_and_at_the_end() -> None:
    calls: list[tuple[int, int]] = []
    w = WEATHER.slice(0, 50)
    loop.simulate(SPEC, w, ctl.EmcWindowController(), progress=lambda d, n: calls.append((d, n)))
    assert calls == [(24, 50), (48, 50), (50, 50)]


def test_comparison_figure_has_shared_axes_legend_and_safe_moisture_line() -> None:
    from regdev.grain.plots import build_comparison_figure

    w = WEATHER.slice(0, 72)
    runs = {
        name: loop.simulate(
            SPEC,
            w,
            ctl.build_controller(name, SPEC, **({"horizon_h": 12} if name == "mpc" else {})),
        )
        for name in ("emc", "delta-t", "mpc")
    }
    fig = build_comparison_figure(runs, safe_m_wb_pct=15.0, title="t")
    axes = fig.axes
    assert len(axes) == 4  # one figure: every strategy in the same four axes
    for ax in axes:
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        for name in runs:
            assert any(lbl.startswith(name) for lbl in labels), (ax.get_ylabel(), labels)
    moisture = axes[1]
    assert any(
        tuple(line.get_ydata()) == (15.0, 15.0) and line.get_linestyle() == "--"
        for line in moisture.get_lines()
    )
    import matplotlib.pyplot as plt

    plt.close(fig)
