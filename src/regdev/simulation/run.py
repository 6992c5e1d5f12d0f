"""``simulate``: plan → model arrays → central run + Monte Carlo (Dask) → :class:`SimulationResult`.

The CLI (``regdev simulate``) and the Python API call this one function.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from regdev._version import __version__
from regdev.errors import ConfigError
from regdev.simulation.chunks import NEVER_REACHED, ChunkResult, thresholds
from regdev.simulation.coefficients import Coefficients, load_coefficients
from regdev.simulation.dynamics import run_kernel
from regdev.simulation.engine import chunk_plan, run_chunks
from regdev.simulation.indicators import INDICATORS
from regdev.simulation.model import SEA_GROUPS, ModelArrays, build_model
from regdev.simulation.planfolder import PlanInputs, load_plan
from regdev.simulation.result import QUANTILES, SimulationResult
from regdev.simulation.scenario import central_params
from regdev.simulation.slip import SlipModel, fit_slip

if TYPE_CHECKING:
    from regdev.pipeline import PlanResult
    from regdev.registry import RegionRegistry

PlanLike = "PlanInputs | PlanResult | str | os.PathLike[str]"
ProgressFn = Callable[[str, int, int], None]


def _slip(coef: Coefficients, durations: Sequence[float]) -> SlipModel:
    from regdev.registry import load_programme_events

    t = coef["timing"]
    return fit_slip(
        load_programme_events(),
        durations_months=durations,
        fallback_months=float(t["fallback_duration_months"]),
        fallback_sd_log=float(t["fallback_duration_sd_log"]),
    )


def _openings(given: pd.DataFrame | None, use_events: bool) -> pd.DataFrame | None:
    frames = []
    if use_events:
        from regdev.registry import load_programme_events
        from regdev.simulation.slip import event_openings

        frames.append(event_openings(load_programme_events()))
    if given is not None and len(given):
        frames.append(given[["region_id", "facility", "opened"]])
    if not frames:
        return None
    return pd.concat(frames, ignore_index=True)


def _central_tables(
    m: ModelArrays, plan: PlanInputs
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    out = run_kernel(m, central_params(m), detail=True)
    th = thresholds(m)
    n_c, n_y = m.n_regions, m.n_years
    base_access = np.broadcast_to(m.access0[:, None], (n_c, n_y))
    cy = pd.DataFrame(
        {
            "region_id": np.repeat(m.region_ids, n_y),
            "year": np.tile(m.years, n_c),
            "population": out.population.ravel(),
            "income": out.income[0].ravel(),
            "income_real": out.income_real[0].ravel(),
            "consumption_real": out.consumption_real[0].ravel(),
            "counterfactual": out.counterfactual[0].ravel(),
            "price_index": out.price_index[0].ravel(),
            "access": out.access[0].ravel(),
            "access_counterfactual": base_access.ravel(),
            "jobs_direct": out.jobs_direct[0].ravel(),
            "jobs_indirect": out.jobs_indirect[0].ravel(),
            "wages_kusd": out.wages[0].ravel(),
            "household_income_gain_kusd": (
                (out.income[0] - out.counterfactual[0]) * out.population / 1000.0
            ).ravel(),
            "sales_kusd": out.sales[0].ravel(),
            "target_reached": (out.income_real[0] >= th.target).ravel(),
        }
    )
    # output by line: each line's design value scaled as its class in its region
    by_class = out.output_by_class[0] if out.output_by_class is not None else None
    fx = plan.factories[plan.factories["region_id"].isin(m.region_ids)].reset_index(drop=True)
    rows = []
    if by_class is not None and len(fx):
        pos = {r: i for i, r in enumerate(m.region_ids)}
        ii = fx["region_id"].map(pos).to_numpy()
        kk = fx["group"].isin(SEA_GROUPS).astype(int).to_numpy()
        design = m.q_value[ii, kk]
        share = np.where(
            design[:, None] > 0, by_class[ii, kk, :] / np.where(design > 0, design, 1)[:, None], 0.0
        )
        markup = 1.0 + float(m.coef["factories"]["markup"])
        # the class scales all its lines alike; a line never makes more than its capacity
        prod = fx["production"].to_numpy()
        cap = fx["capacity"].fillna(fx["production"]).to_numpy()
        limit = np.where(prod > 0, np.maximum(cap, prod) / np.where(prod > 0, prod, 1.0), 1.0)
        share = np.minimum(share, limit[:, None])
        value = fx["annual_cost"].to_numpy()[:, None] * markup * share
        qty = prod[:, None] * share
        for j, year in enumerate(m.years):
            rows.append(
                pd.DataFrame(
                    {
                        "region_id": fx["region_id"],
                        "line": fx["line"],
                        "group": fx["group"],
                        "year": int(year),
                        "output": qty[:, j],
                        "sales_kusd": value[:, j],
                    }
                )
            )
    lines = (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(columns=["region_id", "line", "group", "year", "output", "sales_kusd"])
    )
    reached = out.income_real[0] >= th.target
    first = np.where(reached.any(axis=1), m.years[np.argmax(reached, axis=1)], NEVER_REACHED)
    return cy, lines, first


def _assemble(m: ModelArrays, res: list[ChunkResult], cy: pd.DataFrame) -> dict[str, Any]:
    inc = np.concatenate([r.income_real for r in res])
    q = np.quantile(inc, QUANTILES, axis=0)
    del inc
    # counterfactual quantiles: y0 · quantile of (1 + g)^t (see ChunkResult.growth)
    growth = np.concatenate([r.growth for r in res])
    t = (m.years - m.years[0]).astype(float)
    qg = np.quantile((1.0 + growth[:, None]) ** t[None, :], QUANTILES, axis=0)  # (3, Y)
    qc = m.y0[None, :, None] * qg[:, None, :]
    if m.capital >= 0:
        prem = float(m.coef["income"]["capital_growth_premium"])
        qcap = np.quantile((1.0 + growth[:, None] + prem) ** t[None, :], QUANTILES, axis=0)
        qc[:, m.capital, :] = m.y0[m.capital] * qcap
    n = sum(r.income_real.shape[0] for r in res)
    mpc = float(m.coef["consumption"]["mpc"])
    cy = cy.copy()
    for j, name in enumerate(("q05", "q50", "q95")):
        cy[f"income_real_{name}"] = q[j].ravel()
        cy[f"counterfactual_{name}"] = qc[j].ravel()
    cy["consumption_real_q50"] = mpc * q[1].ravel()
    sums = {k: sum(r.sums[k] for r in res) / n for k in res[0].sums}
    cy["access_mean"] = sums["access"].ravel()
    cy["jobs_mean"] = (sums["jobs_direct"] + sums["jobs_indirect"]).ravel()
    cy["sales_mean_kusd"] = sums["sales"].ravel()
    cy["price_index_mean"] = sums["price_index"].ravel()

    ind = np.concatenate([r.indicators for r in res])
    ind_cf = np.concatenate([r.indicators_cf for r in res])
    reached = np.concatenate([r.year_reached for r in res])
    return {"cy": cy, "ind": ind, "ind_cf": ind_cf, "reached": reached, "n": n}


def _indicator_table(
    m: ModelArrays, ind: np.ndarray, ind_cf: np.ndarray, central: dict[str, np.ndarray]
) -> pd.DataFrame:
    frames = []
    for variant, arr in (("plan", ind), ("counterfactual", ind_cf)):
        q = np.quantile(arr, QUANTILES, axis=0)  # (3, Y, I)
        mean = arr.mean(axis=0)
        for i, name in enumerate(INDICATORS):
            frames.append(
                pd.DataFrame(
                    {
                        "year": m.years,
                        "indicator": name,
                        "variant": variant,
                        "central": central[variant][:, i],
                        "mean": mean[:, i],
                        "q05": q[0, :, i],
                        "q50": q[1, :, i],
                        "q95": q[2, :, i],
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def simulate(
    plan: PlanInputs | PlanResult | str | os.PathLike[str],
    *,
    regions: RegionRegistry | None = None,
    coefficients: Coefficients | str | os.PathLike[str] | None = None,
    n_scenarios: int = 1000,
    seed: int = 0,
    scheduler: str = "local",
    n_workers: int = 2,
    chunk_size: int = 500,
    compare: PlanInputs | PlanResult | str | os.PathLike[str] | None = None,
    sobol_samples: int = 0,
    slip_durations_months: Sequence[float] = (),
    openings: pd.DataFrame | None = None,
    use_programme_events: bool = True,
    progress: ProgressFn | None = None,
) -> SimulationResult:
    """Simulate what a plan does to the regional economy and to the gap between regions.

    Parameters
    ----------
    plan : plan folder path, PlanResult or PlanInputs
        What ``regdev plan --out DIR`` wrote, or :func:`regdev.plan`'s result.
    regions : RegionRegistry, optional
        The regions the plan was made for (default: the embedded country).
    coefficients : Coefficients or path, optional
        A TOML merged over the shipped coefficients (default: shipped).
    n_scenarios : int
        Monte Carlo scenarios.
    seed : int
        Same seed (and chunk size) → same numbers, serial or distributed.
    scheduler : str
        ``"local"`` (a local Dask cluster), ``"serial"`` or ``tcp://HOST:PORT``.
    compare : plan-like, optional
        An alternative plan simulated under the same scenarios.
    sobol_samples : int
        Base sample size of the Sobol analysis (0 = skip; a power of two).
    slip_durations_months : sequence of float
        Further observed construction durations (e.g. from a monitoring database),
        pooled with the programme events' when fitting the slip.
    openings : pandas.DataFrame, optional
        Real openings ``region_id, facility, opened`` (fractional year), e.g. from a
        monitoring database: a planned facility that has opened does so at that time in
        every scenario.
    use_programme_events : bool
        Also take the real inaugurations recorded in the package's programme events.
    progress : callable(stage, done, total), optional

    Returns
    -------
    SimulationResult
    """
    from regdev.registry import load_default

    if sobol_samples < 0 or (sobol_samples and sobol_samples & (sobol_samples - 1)):
        msg = f"sobol_samples must be 0 or a power of two (Saltelli sampling); got {sobol_samples}"
        raise ConfigError(msg)
    t0 = time.perf_counter()
    say = progress or (lambda stage, done, total: None)
    registry = regions if regions is not None else load_default()
    coef = (
        coefficients if isinstance(coefficients, Coefficients) else load_coefficients(coefficients)
    )
    slip = _slip(coef, slip_durations_months)
    inputs = load_plan(plan)
    real = _openings(openings, use_programme_events)
    m = build_model(inputs, registry, coef, slip, real)
    chunks = chunk_plan(n_scenarios, chunk_size, seed)
    res = run_chunks(
        m,
        chunks,
        scheduler=scheduler,
        n_workers=n_workers,
        progress=lambda d, t: say("scenarios", d, t),
    )
    result = _result(m, inputs, res, n_scenarios, seed, scheduler, chunk_size, sobol_samples)
    if compare is not None:
        other_inputs = load_plan(compare)
        m2 = build_model(other_inputs, registry, coef, slip, real)
        res2 = run_chunks(
            m2,
            chunks,
            scheduler=scheduler,
            n_workers=n_workers,
            progress=lambda d, t: say("alternative plan", d, t),
        )
        other = _result(m2, other_inputs, res2, n_scenarios, seed, scheduler, chunk_size, 0)
        result = SimulationResult(**{**result.__dict__, "compare": other})
    result.metadata["elapsed_s"] = round(time.perf_counter() - t0, 3)
    return result


def _result(
    m: ModelArrays,
    inputs: PlanInputs,
    res: list[ChunkResult],
    n_scenarios: int,
    seed: int,
    scheduler: str,
    chunk_size: int,
    sobol_samples: int,
) -> SimulationResult:
    from regdev.simulation.chunks import reduce_indicators

    cy, lines, first = _central_tables(m, inputs)
    a = _assemble(m, res, cy)
    central_out = run_kernel(m, central_params(m))
    th = thresholds(m)
    central = {
        "plan": reduce_indicators(central_out.income_real, m, central_out.population, th)[0],
        "counterfactual": reduce_indicators(
            central_out.counterfactual, m, central_out.population, th
        )[0],
    }
    indicators = _indicator_table(m, a["ind"], a["ind_cf"], central)
    reached = a["reached"]
    prob = pd.DataFrame(
        {str(y): (reached <= y).mean(axis=0) for y in m.years},
        index=pd.Index(m.region_ids, name="region_id"),
    )
    prob.insert(
        0, "year_reached", pd.array(np.where(first == NEVER_REACHED, pd.NA, first), dtype="Int64")
    )
    ind = a["ind"]
    scen = pd.DataFrame(
        {
            "scenario": np.repeat(np.arange(a["n"]), m.n_years),
            "year": np.tile(m.years, a["n"]),
            **{
                k: ind[:, :, INDICATORS.index(k)].ravel()
                for k in ("gini", "theil_t", "capital_ratio", "mean_income")
            },
        }
    )
    sobol = None
    if sobol_samples > 0:
        from regdev.simulation.sensitivity import sobol_indices

        sobol = sobol_indices(m, sobol_samples, seed)
    frame_regions = pd.DataFrame(
        {
            "region_id": m.region_ids,
            "name": m.names,
            "province": [m.provinces[i] for i in m.province_index],
            "population": m.pop0,
            "capital": [i == m.capital for i in range(m.n_regions)],
        }
    )
    meta: dict[str, Any] = {
        "regdev_version": __version__,
        "plan": inputs.name,
        "plan_content_hash": inputs.content_hash,
        "n_scenarios": n_scenarios,
        "seed": seed,
        "chunk_size": chunk_size,
        "scheduler": "serial" if scheduler == "serial" else "dask",
        "years": [int(m.years[0]), int(m.years[-1])],
        "slip": {
            "median_months": m.slip.median_months,
            "sigma_log": m.slip.sigma,
            "n_observed": m.slip.n,
            "source": m.slip.source,
        },
        "grain_loss": {
            "traditional": m.grain_loss.traditional,
            "modern": m.grain_loss.modern,
        },
        "io_income_multipliers": m.io.income_multipliers().tolist(),
        "io_output_multipliers": m.io.output_multipliers().tolist(),
        "target_income_usd": th.target,
        "poverty_line_usd": th.poverty_line,
        "coefficients_source": m.coef.get("_source", {}),
        "notes": list(m.notes),
    }
    return SimulationResult(
        plan_name=inputs.name,
        county_year=a["cy"],
        indicators=indicators,
        target_probability=prob,
        output_by_line=lines,
        scenarios=scen,
        regions=frame_regions,
        sobol=sobol,
        metadata=meta,
    )
