"""The result of :func:`regdev.simulation.simulate` and its outcomes folder."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regdev._atomic import atomic_directory

QUANTILES: tuple[float, float, float] = (0.05, 0.5, 0.95)
"""Quantiles of the fan charts and tables."""


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Outcomes of one plan (and optionally of an alternative plan, same seed).

    Attributes
    ----------
    plan_name : str
    county_year : pandas.DataFrame
        One row per region and year: the central scenario (``income``, ``income_real``,
        ``consumption_real``, ``counterfactual``, ``price_index``, ``access``,
        ``access_counterfactual``, ``jobs_direct``, ``jobs_indirect``, ``wages_kusd``,
        ``household_income_gain_kusd``, ``sales_kusd``),
        the Monte Carlo quantiles ``income_real_q05/q50/q95``,
        ``counterfactual_q05/q50/q95``, ``consumption_real_q50`` and the scenario means
        ``access_mean``, ``jobs_mean``, ``sales_mean_kusd``.
    indicators : pandas.DataFrame
        ``year, indicator, variant`` (``plan`` / ``counterfactual``), ``central``, ``mean``,
        ``q05``, ``q50``, ``q95``.
    target_probability : pandas.DataFrame
        Probability that each region reaches its target by each year (regions × years),
        with ``year_reached`` (central scenario; empty = not within the horizon).
    output_by_line : pandas.DataFrame
        Factory sales by line and year in the central scenario, kUSD.
    scenarios : pandas.DataFrame
        Per scenario and year: ``gini``, ``theil_t``, ``capital_ratio``, ``mean_income``.
    sobol : pandas.DataFrame or None
        First-order and total Sobol indices (``S1``, ``S1_conf``, ``ST``, ``ST_conf``) per
        parameter and output.
    regions : pandas.DataFrame
        ``region_id, name, province, population, lat, lon, capital`` (for maps).
    compare : SimulationResult or None
        The alternative plan's result (same scenarios).
    metadata : dict
    """

    plan_name: str
    county_year: pd.DataFrame
    indicators: pd.DataFrame
    target_probability: pd.DataFrame
    output_by_line: pd.DataFrame
    scenarios: pd.DataFrame
    regions: pd.DataFrame
    sobol: pd.DataFrame | None = None
    compare: SimulationResult | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def indicator(self, name: str, variant: str = "plan") -> pd.DataFrame:
        """One indicator's yearly rows (``year`` index)."""
        f = self.indicators
        return f[(f["indicator"] == name) & (f["variant"] == variant)].set_index("year")

    def summary(self) -> dict[str, Any]:
        """Key figures (JSON-ready) for the CLI."""
        last = int(self.county_year["year"].max())
        out: dict[str, Any] = {
            "plan": self.plan_name,
            "n_scenarios": self.metadata.get("n_scenarios"),
            "seed": self.metadata.get("seed"),
            "last_year": last,
        }
        for name in ("gini", "theil_t", "capital_ratio", "share_below", "mean_income"):
            for variant in ("plan", "counterfactual"):
                row = self.indicator(name, variant).loc[last]
                out[f"{name}_{variant}_{last}"] = {
                    "q05": float(row["q05"]),
                    "q50": float(row["q50"]),
                    "q95": float(row["q95"]),
                }
        tp = self.target_probability
        out["regions_reaching_target_p50"] = int((tp[str(last)] >= 0.5).sum())
        return out

    def write(self, out_dir: str | os.PathLike[str], *, html: str | None = None) -> Path:
        """Write the outcomes folder atomically (all files or none).

        Files: ``county_year.csv`` / ``.parquet``, ``indicators.csv`` / ``.parquet``,
        ``target_probability.csv``, ``output_by_line.csv``, ``scenarios.parquet``,
        ``sobol.csv`` (when computed), ``summary.json``, ``simulation.html`` (when given),
        and ``compare/`` with the alternative plan's tables.
        """
        with atomic_directory(out_dir) as tmp:
            self._write_tables(tmp)
            if html is not None:
                (tmp / "simulation.html").write_text(html, encoding="utf-8")
            if self.compare is not None:
                sub = tmp / "compare"
                sub.mkdir()
                self.compare._write_tables(sub)
        return Path(out_dir)

    def _write_tables(self, folder: Path) -> None:
        fmt = "%.6g"
        self.county_year.to_csv(folder / "county_year.csv", index=False, float_format=fmt)
        self.county_year.to_parquet(folder / "county_year.parquet", index=False)
        self.indicators.to_csv(folder / "indicators.csv", index=False, float_format=fmt)
        self.indicators.to_parquet(folder / "indicators.parquet", index=False)
        self.target_probability.to_csv(
            folder / "target_probability.csv", index=True, float_format=fmt
        )
        self.output_by_line.to_csv(folder / "output_by_line.csv", index=False, float_format=fmt)
        self.scenarios.to_parquet(folder / "scenarios.parquet", index=False)
        if self.sobol is not None:
            self.sobol.to_csv(folder / "sobol.csv", index=False, float_format=fmt)
        meta = {**self.metadata, "summary": self.summary()}
        (folder / "summary.json").write_text(
            json.dumps(meta, indent=2, sort_keys=True, default=_json_default), encoding="utf-8"
        )


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)
