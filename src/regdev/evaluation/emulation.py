"""The emulation drive: indicator panels from records, peer groups, league tables.

"Factories conduct an intensive campaign for overtaking and modelling after others and
sharing experience", and the nation-wide drive compares regions by their mountainous,
lowland, coastal and industrial character.  This module turns monitoring records
(DataFrames; the monitoring service reads its database into them) into the panel of
:data:`regdev.evaluation.composite.EMULATION_INDICATORS` per county (or factory) and
year, and the panel into a league table with rank intervals, delta ranking, peer groups
and "learn from" partners (:mod:`regdev.evaluation.composite` does the method).

Indicators per unit and year (a missing one is left out of the unit's composite):

``output_vs_plan``
    recorded output / recorded capacity (the planned capacity of the lines);
``quality``
    1 - defective / inspected over the year's quality samples;
``satisfaction``
    mean survey score (0-10);
``range_growth``
    distinct lines reported in the year / in the previous year (missing in a unit's first
    year);
``self_sufficiency``
    local raw material / all raw material received;
``timeliness``
    line-months with a production report / line-months due since each line first reported
    (or the site opened, whichever is later), within the year up to the last month.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from regdev.errors import ConfigError
from regdev.evaluation.composite import (
    EMULATION_INDICATORS,
    CompositeMethod,
    Indicator,
    delta_ranking,
    learn_from,
    rank_intervals,
)
from regdev.evaluation.scenario import data_path
from regdev.i18n import N_

__all__ = ["PEER_GROUP_LABELS", "League", "league_table", "panel_from_records", "peer_groups"]

#: Names of the default peer groups (marked for translation; shown with ``_(name)``).
PEER_GROUP_LABELS: tuple[str, ...] = (
    N_("mountainous"),
    N_("lowland"),
    N_("coastal"),
    N_("industrial"),
    N_("mixed"),
    N_("other"),
    N_("all"),
)


def peer_groups(regions: pd.DataFrame, path: str | None = None) -> dict[str, str]:
    """Peer group per region from ``kind`` and ``physiography`` (``data/peer_groups.toml``).

    Parameters
    ----------
    regions : pandas.DataFrame
        ``region_id`` (column or index), ``kind``, ``physiography``.
    path : str, optional
        Your own mapping file (same sections ``[kind]`` and ``[physiography]``).
    """
    src = data_path("peer_groups.toml") if path is None else Path(path)
    with src.open("rb") as fh:
        doc = tomllib.load(fh)
    by_kind: dict[str, str] = doc.get("kind", {})
    by_phys: dict[str, str] = doc.get("physiography", {})
    frame = regions.reset_index() if "region_id" not in regions.columns else regions
    out = {}
    for r in frame.to_dict("records"):
        kind = str(r.get("kind") or "")
        phys = str(r.get("physiography") or "")
        out[str(r["region_id"])] = by_kind.get(kind) or by_phys.get(phys) or "other"
    return out


def panel_from_records(
    operations: pd.DataFrame,
    *,
    quality: pd.DataFrame | None = None,
    surveys: pd.DataFrame | None = None,
    sites: pd.DataFrame | None = None,
    unit: str = "region_id",
    until: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """The indicator panel indexed by ``(unit, year)``.

    Parameters
    ----------
    operations : pandas.DataFrame
        ``site_id, region_id, line, year, month, output, capacity, raw_local, raw_imported``.
    quality : pandas.DataFrame, optional
        ``site_id, region_id, date, sample_size, n_defective``.
    surveys : pandas.DataFrame, optional
        ``site_id, region_id, date, score``.
    sites : pandas.DataFrame, optional
        ``site_id, operating_since`` (timeliness counts from the later of the two).
    unit : str
        ``region_id`` (counties) or ``site_id`` (factories).
    until : (year, month), optional
        Last month counted as due (default: the last month with a record).
    """
    if unit not in ("region_id", "site_id"):
        msg = f"unit must be 'region_id' or 'site_id'; got {unit!r}"
        raise ConfigError(msg)
    cols = [
        "output_vs_plan",
        "quality",
        "satisfaction",
        "range_growth",
        "self_sufficiency",
        "timeliness",
    ]
    if operations.empty:
        return pd.DataFrame(
            columns=cols, index=pd.MultiIndex.from_arrays([[], []], names=["unit", "period"])
        )
    ops = operations.copy()
    ops[unit] = ops[unit].astype(str)
    ops["m"] = ops["year"].astype(int) * 12 + ops["month"].astype(int) - 1
    last = int(ops["m"].max()) if until is None else until[0] * 12 + until[1] - 1
    g = ops.groupby([unit, "year"])
    frame = pd.DataFrame(
        {
            "output": g["output"].sum(),
            "capacity": g["capacity"].sum(),
            "raw_local": g["raw_local"].sum(),
            "raw_imported": g["raw_imported"].sum(),
            "n_lines": ops.assign(k=ops["site_id"].astype(str) + "|" + ops["line"])
            .groupby([unit, "year"])["k"]
            .nunique(),
        }
    )
    out = pd.DataFrame(index=frame.index)
    out["output_vs_plan"] = frame["output"] / frame["capacity"].where(frame["capacity"] > 0)
    raw = frame["raw_local"] + frame["raw_imported"]
    out["self_sufficiency"] = frame["raw_local"] / raw.where(raw > 0)
    prev = frame["n_lines"].groupby(level=0).shift(1)
    out["range_growth"] = frame["n_lines"] / prev
    # timeliness: line-months reported / due per year
    since: dict[str, int] = {}
    if sites is not None and not sites.empty:
        for sid, d in zip(sites["site_id"], sites["operating_since"], strict=True):
            ts = pd.Timestamp(d)
            since[str(sid)] = ts.year * 12 + ts.month - 1
    due: dict[tuple[str, int], int] = {}
    for (u, sid, _line), grp in ops.groupby([unit, "site_id", "line"]):
        start = max(int(grp["m"].min()), since.get(str(sid), int(grp["m"].min())))
        for m in range(start, last + 1):
            key = (str(u), m // 12)
            due[key] = due.get(key, 0) + 1
    keys = list(dict.fromkeys([unit, "site_id", "line", "m"]))
    reported = ops[ops["m"] <= last].drop_duplicates(keys).groupby([unit, "year"]).size()
    due_s = pd.Series(due, dtype=float)
    if len(due_s):
        due_s.index = pd.MultiIndex.from_tuples(due_s.index)
        out["timeliness"] = (reported / due_s.reindex(out.index)).clip(upper=1.0)
    else:
        out["timeliness"] = np.nan
    if quality is not None and not quality.empty:
        q = quality.copy()
        q[unit] = q[unit].astype(str)
        q["year"] = pd.to_datetime(q["date"]).dt.year
        qs = q.groupby([unit, "year"])[["sample_size", "n_defective"]].sum()
        qual = 1.0 - qs["n_defective"] / qs["sample_size"].where(qs["sample_size"] > 0)
        out["quality"] = qual.reindex(out.index)
    else:
        out["quality"] = np.nan
    if surveys is not None and not surveys.empty:
        s = surveys.copy()
        s[unit] = s[unit].astype(str)
        s["year"] = pd.to_datetime(s["date"]).dt.year
        out["satisfaction"] = s.groupby([unit, "year"])["score"].mean().reindex(out.index)
    else:
        out["satisfaction"] = np.nan
    out.index = out.index.set_names(["unit", "period"])
    return out[cols].astype(float)


@dataclass(frozen=True)
class League:
    """A league table with its provenance.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per unit of ``period``: ``unit, peer_group, score, rank, rank_median,
        rank_p05, rank_p95, peer_rank, n_peers, delta_score, delta_rank, rank_change`` and
        the indicators' raw values.
    period, previous : object
        The period ranked and the one compared with (``None`` without history).
    delta : pandas.DataFrame
        :func:`regdev.evaluation.composite.delta_ranking` (contributions by indicator).
    learn : pandas.DataFrame
        :func:`regdev.evaluation.composite.learn_from` within peer groups.
    n_draws, seed : int
        Monte Carlo draws and seed.
    """

    table: pd.DataFrame
    period: Any
    previous: Any
    delta: pd.DataFrame
    learn: pd.DataFrame
    n_draws: int
    seed: int | None


def league_table(
    panel: pd.DataFrame,
    *,
    peer: Mapping[str, str] | None = None,
    period: Any = None,
    previous: Any = None,
    indicators: Sequence[Indicator] = EMULATION_INDICATORS,
    method: CompositeMethod | None = None,
    n_draws: int = 1000,
    seed: int | None = 0,
    context: pd.DataFrame | None = None,
) -> League:
    """League table of one period with rank intervals, delta ranking, peers and partners.

    Parameters
    ----------
    panel : pandas.DataFrame
        Indexed by ``(unit, period)`` (see :func:`panel_from_records`).
    peer : mapping, optional
        Peer group per unit.
    period : optional
        Period to rank (default: the latest).
    previous : optional
        Period of the delta ranking (default: the one before ``period``).
    n_draws, seed : int
        Monte Carlo draws of the rank intervals and their seed.
    context : pandas.DataFrame, optional
        Structural facts per unit for the "learn from" similarity.
    """
    periods = sorted(set(panel.index.get_level_values(1)))
    if not periods:
        msg = "no records to rank"
        raise ConfigError(msg)
    period = periods[-1] if period is None else period
    if period not in periods:
        msg = f"period {period!r} has no records (periods: {periods})"
        raise ConfigError(msg)
    before = [p for p in periods if p < period]
    previous = (before[-1] if before else None) if previous is None else previous
    ri = rank_intervals(panel, indicators, method, n_draws=n_draws, seed=seed).table
    cur = ri.xs(period, level="period")
    raw = panel.xs(period, level=1).reindex(cur.index)
    table = cur.join(raw)
    keep = table["score"].notna()
    table = table[keep].copy()
    groups = {u: (peer or {}).get(u, "all") for u in table.index}
    table.insert(0, "peer_group", pd.Series(groups))
    table["peer_rank"] = table.groupby("peer_group")["score"].rank(ascending=False, method="min")
    table["n_peers"] = table.groupby("peer_group")["score"].transform("size")
    if previous is not None:
        delta = delta_ranking(panel, previous, period, indicators, method)
        table = table.join(delta[["delta_score", "delta_rank", "rank_change"]])
    else:
        delta = pd.DataFrame()
        table["delta_score"] = np.nan
        table["delta_rank"] = np.nan
        table["rank_change"] = np.nan
    from regdev.evaluation.composite import composite_scores

    scores = composite_scores(panel, indicators, method).xs(period, level="period")
    scores = scores[scores["score"].notna()]
    if context is None:  # similarity over the period's raw indicator values
        context = panel.xs(period, level=1).reindex(scores.index)[[i.key for i in indicators]]
    learn = learn_from(scores, indicators, peer_group=groups, context=context)
    table.index.name = "unit"
    return League(table.sort_values("rank"), period, previous, delta, learn, n_draws, seed)
