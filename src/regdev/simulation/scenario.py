"""Scenario draws: the uncertain parameters of :class:`~regdev.simulation.dynamics.Params`.

Distributions (coefficients ``[income]``, ``[uncertainty]``, ``[prices]``):

* growth ~ Normal(``growth_mean``, ``growth_sd``) per scenario;
* demand, price ~ LogNormal(0, ``*_sd_log``) per scenario;
* yields ~ LogNormal(0, ``yield_sd_log``) per scenario and year (weather);
* duration[s, c] = exp(mu + sigma · e[s, c]) · exp(``slip_scale_sd_log`` · e_s) months:
  the log-normal fitted from the real groundbreaking → inauguration dates
  (:mod:`regdev.simulation.slip`) with a common scenario-wide shock (a bad year for the
  whole construction programme);
* pass-through fixed at ``prices.pass_through`` (varied only in the Sobol analysis).

Reproducibility: a run of N scenarios is cut into chunks of a fixed size; chunk ``i``
draws from ``SeedSequence(seed).spawn(n_chunks)[i]`` — the numbers depend on the seed and
the chunk size only, never on which process or worker runs the chunk.
"""

from __future__ import annotations

import numpy as np

from regdev.simulation.dynamics import Params
from regdev.simulation.model import ModelArrays

SOBOL_NAMES: tuple[str, ...] = (
    "growth",
    "demand",
    "price",
    "yields",
    "slip_scale",
    "pass_through",
)
"""Parameters of the Sobol analysis (one scalar each per scenario)."""


def central_params(m: ModelArrays, n: int = 1) -> Params:
    """The central scenario (every factor at its median), repeated ``n`` times."""
    cf = m.coef
    med = np.exp(m.slip.mu)
    return Params(
        growth=np.full(n, float(cf["income"]["growth_mean"])),
        demand=np.ones(n),
        price=np.ones(n),
        yields=np.ones((n, m.n_years)),
        duration=np.full((n, m.n_regions), med),
        pass_through=np.full(n, float(cf["prices"]["pass_through"])),
    )


def draw_params(m: ModelArrays, n: int, seed: np.random.SeedSequence | int | None) -> Params:
    """Draw ``n`` scenarios from one seed (see the module docstring)."""
    rng = np.random.default_rng(seed)
    cf = m.coef
    u = cf["uncertainty"]
    growth = rng.normal(float(cf["income"]["growth_mean"]), float(cf["income"]["growth_sd"]), n)
    demand = np.exp(rng.normal(0.0, float(u["demand_sd_log"]), n))
    price = np.exp(rng.normal(0.0, float(u["price_sd_log"]), n))
    yields = np.exp(rng.normal(0.0, float(u["yield_sd_log"]), (n, m.n_years)))
    common = rng.normal(0.0, float(u["slip_scale_sd_log"]), n)
    e = rng.standard_normal((n, m.n_regions))
    duration = np.exp(m.slip.mu + m.slip.sigma * e + common[:, None])
    return Params(
        growth=growth,
        demand=demand,
        price=price,
        yields=yields,
        duration=duration,
        pass_through=np.full(n, float(cf["prices"]["pass_through"])),
    )


def sobol_problem(m: ModelArrays) -> dict[str, object]:
    """The SALib problem: each parameter between its 2.5 % and 97.5 % quantiles."""
    cf = m.coef
    u = cf["uncertainty"]
    z = 1.959964
    g_m, g_s = float(cf["income"]["growth_mean"]), float(cf["income"]["growth_sd"])
    pt = float(cf["prices"]["pass_through"])

    def ln(sd: float) -> list[float]:
        return [float(np.exp(-z * sd)), float(np.exp(z * sd))]

    bounds = [
        [g_m - z * g_s, g_m + z * g_s],
        ln(float(u["demand_sd_log"])),
        ln(float(u["price_sd_log"])),
        ln(float(u["yield_sd_log"])),
        ln(float(u["slip_scale_sd_log"]) + m.slip.sigma),
        [max(0.0, pt - 0.25), min(1.0, pt + 0.25)],
    ]
    return {"num_vars": len(SOBOL_NAMES), "names": list(SOBOL_NAMES), "bounds": bounds}


def params_from_matrix(m: ModelArrays, x: np.ndarray) -> Params:
    """:class:`Params` from a SALib sample matrix (rows: scenarios; columns: SOBOL_NAMES)."""
    med = np.exp(m.slip.mu)
    return Params(
        growth=x[:, 0].copy(),
        demand=x[:, 1].copy(),
        price=x[:, 2].copy(),
        yields=np.repeat(x[:, 3:4], m.n_years, axis=1),
        duration=np.repeat((med * x[:, 4])[:, None], m.n_regions, axis=1),
        pass_through=x[:, 5].copy(),
    )
