"""Figures of simulations (matplotlib, Agg backend, written atomically as PNG).

:func:`write_comparison_png` draws every strategy of a comparison in one figure
with shared scales; :func:`write_simulation_png` details one run by layer.

matplotlib is imported inside the function, so importing this module is cheap
and the core works without it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from regdev._atomic import atomic_write_bytes
from regdev.errors import ConfigError
from regdev.grain.loop import SimulationResult
from regdev.i18n import _


def write_simulation_png(result: SimulationResult, path: str | Path, title: str = "") -> Path:
    """Write a four-panel PNG: temperature and moisture by layer, DML, energy and fan hours.

    Parameters
    ----------
    result : SimulationResult
        A closed-loop run.
    path : str or Path
        Destination ``.png``.
    title : str
        Figure title.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    ConfigError
        If matplotlib is not installed.
    """
    plt = _pyplot()
    days = np.arange(len(result.fan)) / 24.0
    n_layers = result.temp_c.shape[1]
    fig, axes = plt.subplots(2, 2, figsize=(12, 7), sharex=True)
    cmap = plt.get_cmap("viridis")
    ax = axes[0, 0]
    ax.plot(days, result.ambient_temp_c, color="0.8", lw=0.5, label="ambient")
    for i in range(n_layers):
        ax.plot(days, result.temp_c[:, i], color=cmap(i / max(n_layers - 1, 1)), lw=1)
    ax.set_ylabel("temperature, degC")
    ax.set_title("grain temperature by layer (dark = bottom)")
    ax = axes[0, 1]
    for i in range(n_layers):
        ax.plot(days, result.m_wb_pct[:, i], color=cmap(i / max(n_layers - 1, 1)), lw=1)
    ax.set_ylabel("moisture, % w.b.")
    ax.set_title("grain moisture by layer")
    ax = axes[1, 0]
    ax.plot(days, result.dml_pct.mean(axis=1), color="C3", label="mean")
    ax.plot(days, result.dml_pct.max(axis=1), color="C3", ls="--", label="worst layer")
    ax.set_ylabel("dry-matter loss, %")
    ax.set_xlabel("day")
    ax.legend()
    ax = axes[1, 1]
    ax.plot(days, np.cumsum(result.energy_kwh), color="C0")
    ax.set_ylabel("energy, kWh", color="C0")
    ax2 = ax.twinx()
    ax2.plot(days, np.cumsum(result.fan), color="C1")
    ax2.set_ylabel("fan hours", color="C1")
    ax.set_xlabel("day")
    fig.suptitle(title or str(result.metadata.get("strategy", "")))
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, metadata={"Software": None})
    plt.close(fig)
    return atomic_write_bytes(path, buf.getvalue())


def write_comparison_png(
    results: Mapping[str, SimulationResult],
    path: str | Path,
    *,
    safe_m_wb_pct: float | None = None,
    title: str = "",
) -> Path:
    """Write one PNG comparing strategies on shared scales.

    Four panels, every strategy in the same axes (so the scales are shared by
    construction) with one colour per strategy and a legend: mean grain
    temperature (with the ambient daily mean in grey), mean grain moisture (with
    the wettest layer dotted and the safe-storage moisture as a dashed line),
    cumulative dry-matter loss, and cumulative fan energy.

    Parameters
    ----------
    results : mapping of str to SimulationResult
        Runs over the same weather, by strategy name.
    path : str or Path
        Destination ``.png``.
    safe_m_wb_pct : float, optional
        Safe storage moisture to draw, % w.b. (e.g.
        :func:`regdev.grain.properties.safe_moisture_pct`).
    title : str
        Figure title.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    ConfigError
        If matplotlib is missing, no result is given, or the runs differ in length.
    """
    plt = _pyplot()
    with _korean_fonts():
        fig = build_comparison_figure(results, safe_m_wb_pct=safe_m_wb_pct, title=title)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90, metadata={"Software": None})
    plt.close(fig)
    return atomic_write_bytes(path, buf.getvalue())


def build_comparison_figure(
    results: Mapping[str, SimulationResult],
    *,
    safe_m_wb_pct: float | None = None,
    title: str = "",
) -> Any:
    """The matplotlib figure of :func:`write_comparison_png` (for tests and notebooks).

    Labels are in the current :mod:`regdev.i18n` language (``regdev --lang ko``); the
    bundled Korean font is used (:func:`regdev.fonts.matplotlib_rc`).
    """
    if not results:
        msg = "write_comparison_png needs at least one result"
        raise ConfigError(msg)
    lengths = {len(r.fan) for r in results.values()}
    if len(lengths) != 1:
        msg = f"all runs must cover the same hours; got lengths {sorted(lengths)}"
        raise ConfigError(msg)
    plt = _pyplot()
    first = next(iter(results.values()))
    days = np.arange(len(first.fan)) / 24.0
    with _korean_fonts():
        fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), sharex=True)
    ax_t, ax_m, ax_d, ax_e = axes[0, 0], axes[0, 1], axes[1, 0], axes[1, 1]
    n_days = len(first.fan) // 24
    if n_days:
        daily = first.ambient_temp_c[: n_days * 24].reshape(n_days, 24).mean(axis=1)
        ax_t.plot(
            np.arange(n_days) + 0.5, daily, color="0.65", lw=1.0, label=_("ambient (daily mean)")
        )
    for k, (name, r) in enumerate(results.items()):
        colour = f"C{k}"
        ax_t.plot(days, r.temp_c.mean(axis=1), color=colour, lw=1.4, label=name)
        ax_m.plot(
            days, r.m_wb_pct.mean(axis=1), color=colour, lw=1.4, label=_("{name} (mean)", name=name)
        )
        ax_m.plot(
            days,
            r.m_wb_pct.max(axis=1),
            color=colour,
            lw=0.8,
            ls=":",
            label=_("{name} (wettest layer)", name=name),
        )
        ax_d.plot(days, r.dml_pct.mean(axis=1), color=colour, lw=1.4, label=name)
        ax_e.plot(days, np.cumsum(r.energy_kwh), color=colour, lw=1.4, label=name)
    if safe_m_wb_pct is not None:
        ax_m.axhline(
            safe_m_wb_pct,
            color="k",
            ls="--",
            lw=1.0,
            label=_("safe storage moisture {value} %", value=format(safe_m_wb_pct, "g")),
        )
    ax_t.set_ylabel(_("mean grain temperature, °C"))
    ax_m.set_ylabel(_("grain moisture, % w.b."))
    ax_d.set_ylabel(_("dry-matter loss (mean), %"))
    ax_e.set_ylabel(_("fan energy, kWh (cumulative)"))
    for ax in (ax_d, ax_e):
        ax.set_xlabel(_("day"))
    for ax in axes.ravel():
        ax.grid(True, color="0.9", lw=0.6)
        ax.legend(fontsize=7, loc="best")
    with _korean_fonts():
        fig.suptitle(title or _("aeration strategies compared"))
        fig.tight_layout()
    return fig


def _korean_fonts() -> Any:
    """A matplotlib rc context with the bundled Korean font first (no-op without it)."""
    import contextlib

    import matplotlib as mpl  # noqa: PLC0415 - optional, heavy

    try:
        from regdev.fonts import matplotlib_rc

        return mpl.rc_context(matplotlib_rc())  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - the figure still renders with the default fonts
        return contextlib.nullcontext()


def _pyplot() -> Any:
    try:
        import matplotlib as mpl  # noqa: PLC0415 - optional, heavy

        mpl.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - depends on the environment
        msg = "plots need matplotlib: pip install matplotlib"
        raise ConfigError(msg) from exc
    return plt
