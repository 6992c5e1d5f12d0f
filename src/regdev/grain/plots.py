"""Figures of a simulation (matplotlib, Agg backend, written atomically as PNG).

matplotlib is imported inside the function, so importing this module is cheap
and the core works without it.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from regdev._atomic import atomic_write_bytes
from regdev.errors import ConfigError
from regdev.grain.loop import SimulationResult


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
    try:
        import matplotlib as mpl  # noqa: PLC0415 - optional, heavy

        mpl.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - depends on the environment
        msg = "plots need matplotlib: pip install matplotlib"
        raise ConfigError(msg) from exc
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
