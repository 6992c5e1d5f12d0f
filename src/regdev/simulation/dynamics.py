"""The yearly county economy, vectorised over scenarios × regions × years (no scenario loop).

:func:`run_kernel` is a pure function of :class:`~regdev.simulation.model.ModelArrays` and
:class:`Params` (one row per scenario).  For every scenario ``s``, region ``c`` and year
``t`` (years since the first year):

1. **Opening.**  A facility planned for year ``y0`` breaks ground in month ``m_gb`` and opens
   after ``d[s,c]`` months: ``t_open = y0 + (m_gb - 1)/12 + d/12``.  The share of year
   ``Y`` it operates is ``open = clip(Y + 1 - t_open, 0, 1)``.
2. **Factories.**  Ramp-up ``r = min(1, r0 + (1 - r0) τ / T_tier)`` with ``τ`` the midpoint
   of the operating part of the year since opening; utilisation of class ``k`` is
   ``u = min(r · cap_k, demand_s (1 + g_d)^t, rm_k(z))``, with ``rm_k`` the raw-material
   limit at yield factor ``z = yield[s,t] (1 + g_rm)^t`` (sea class: plus the offshore
   farm's share).  Sales ``V = Σ_k q_k · open · u_k · price_s``.
3. **Injections** (kUSD): agriculture ← local raw materials ``Σ_k m_k open u_k`` + grain saved
   by the store + offshore output; commerce ← trade margin × ``V``; households ← wages of
   the factory, hospital, leisure complex and grain store staff (jobs × wage × open).
4. **Linkages.**  ``Δx = L d`` (Type II Leontief inverse, households last); household
   income gain = ``Δx_h``; indirect jobs = ``Σ_j jobs_per_kusd_j Δx_j``.
5. **Income.**  ``y = y0 (1 + g_s)^t + 1000 Δx_h / pop_t`` (USD per capita; the capital
   grows at ``g_s + premium``).
6. **Prices.**  ``p = 1 - min(max_cut, φ · savings / consumption)`` with savings = transport
   saved + import premium on local materials (both × open × utilisation).  Real income
   ``y / p``; real consumption ``mpc · y / p``.
7. **Access.**  ``a = a0 + (1 - a0)(w_h · health · open_h + w_l · leisure · open_l)``.

With an empty plan every injection is zero and ``p = 1``: the kernel *is* the
counterfactual (tested as a property).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from regdev.simulation.model import NEVER, Z_GRID, ModelArrays


@dataclass(frozen=True, eq=False)
class Params:
    """Uncertain parameters, one row per scenario (S).

    Attributes
    ----------
    growth : (S,)    counterfactual real growth per year
    demand : (S,)    demand factor for the factories' products (1 = design)
    price : (S,)     output price factor (1 = design)
    yields : (S, Y)  raw-material yield factor by year (1 = design)
    duration : (S, C) construction duration, months
    pass_through : (S,) share of cost savings passed to consumer prices
    """

    growth: np.ndarray
    demand: np.ndarray
    price: np.ndarray
    yields: np.ndarray
    duration: np.ndarray
    pass_through: np.ndarray

    @property
    def n_scenarios(self) -> int:
        """Number of scenarios S."""
        return int(self.growth.shape[0])


@dataclass(frozen=True, eq=False)
class KernelOutput:
    """Per scenario × region × year results, shape (S, C, Y) unless noted.

    ``injection`` and ``delta_x`` (S, C, Y, 4) are filled only with ``detail=True``
    (the Monte Carlo does not need them: household income and indirect jobs are the
    dot products of the injection with the last row of ``L`` and with ``jobs · L``).
    """

    income: np.ndarray  # income per capita at base prices, USD
    income_real: np.ndarray  # income / local price index
    counterfactual: np.ndarray  # income without the programme (same scenario), USD
    price_index: np.ndarray
    access: np.ndarray
    jobs_direct: np.ndarray
    jobs_indirect: np.ndarray
    wages: np.ndarray  # wages paid by the new facilities, kUSD
    sales: np.ndarray  # factory sales, kUSD
    output_by_class: np.ndarray | None  # (S, C, K, Y) factory sales by class, kUSD
    injection: np.ndarray | None  # (S, C, Y, 4) first-round demand, kUSD
    delta_x: np.ndarray | None  # (S, C, Y, 4) L @ injection, kUSD
    population: np.ndarray  # (C, Y)

    @property
    def consumption_real(self) -> np.ndarray:
        """Real household consumption per capita, USD (``mpc`` × real income)."""
        return self._mpc * self.income_real

    _mpc: float = 0.85


def _open_share(
    plan_year: np.ndarray,
    duration: np.ndarray,
    years: np.ndarray,
    gb: float,
    origin: float,
    actual: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Operating share of each year (S, C, Y) and the opening time (S, C, 1; 1e9 = never).

    Times are measured from ``origin`` (the first year) so that float32 keeps sub-day
    precision.  ``actual`` (C,): a real opening time (fractional year; NaN = unknown)
    replaces the simulated one — real progress is not uncertain.
    """
    built = plan_year > NEVER
    t_open = (plan_year - origin)[None, :] + (gb - 1.0) / 12.0 + duration / 12.0
    if actual is not None:
        known = np.isfinite(actual)
        t_open = np.where(known[None, :], (actual - origin)[None, :], t_open)
    t_open = np.where(built[None, :], t_open, 1e9)[:, :, None]
    share = years[None, None, :] + 1.0 - t_open
    np.clip(share, 0.0, 1.0, out=share)
    return share, t_open


def _rm_lookup(table: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Linear interpolation of ``table`` (C, Z) at ``z`` (S, C, Y) → (S, C, Y)."""
    n_z = len(Z_GRID)
    step = Z_GRID[1] - Z_GRID[0]
    pos = (z - Z_GRID[0]) / step
    np.clip(pos, 0.0, n_z - 1.000001, out=pos)
    lo = pos.astype(np.intp)
    pos -= lo
    lo += (np.arange(table.shape[0]) * n_z)[None, :, None]
    flat = table.ravel()
    lo_v = flat.take(lo)
    hi_v = flat.take(lo + 1)
    hi_v -= lo_v
    hi_v *= pos
    hi_v += lo_v
    return np.asarray(hi_v)


def run_kernel(m: ModelArrays, p: Params, *, detail: bool = False) -> KernelOutput:
    """Simulate all scenarios of ``p`` at once (see the module docstring for the equations).

    Parameters
    ----------
    m : ModelArrays
    p : Params
    detail : bool
        Also return the injections, ``Δx`` and the sales by class (memory: 9 × S·C·Y).
    """
    cf = m.coef
    dtype = m.pop0.dtype
    origin = float(m.years[0])
    t = (m.years - m.years[0]).astype(dtype)
    years = t
    gb = float(cf["timing"]["groundbreaking_month"])
    fc = cf["factories"]
    pop = m.pop0[:, None] * (1.0 + m.pop_growth) ** t[None, :]  # (C, Y)
    yrs = years[None, None, :]

    # 1-2: factories
    f_open, t_open = _open_share(m.fac_year, p.duration, years, gb, origin, m.opened.get("fac"))
    # midpoint of the operating part of the year, measured from the opening
    tau = np.maximum(yrs, t_open)
    tau += yrs + 1.0
    tau *= 0.5
    tau -= t_open
    r0 = float(fc["ramp_start"])
    ramp = np.maximum(tau, 0.0)
    ramp *= (1.0 - r0) / m.ramp_years[None, :, None]
    ramp += r0
    np.minimum(ramp, 1.0, out=ramp)
    del tau
    demand = (p.demand[:, None] * (1.0 + float(cf["uncertainty"]["demand_growth"])) ** t[None, :])[
        :, None, :
    ]
    z = (p.yields * (1.0 + float(fc["raw_material_growth"])) ** t[None, :])[:, None, :]
    off_open, _ = _open_share(m.off_year, p.duration, years, gb, origin, m.opened.get("off"))
    sea_boost = np.where(
        m.sea_local_t > 0,
        float(cf["offshore"]["local_use_share"]) * m.off_t / np.maximum(m.sea_local_t, 1e-9),
        0.0,
    )
    shape = f_open.shape
    sales = np.zeros(shape, dtype)
    local_buy = np.zeros(shape, dtype)
    util_sum = np.zeros(shape, dtype)
    n_k = m.q_value.shape[1]
    by_class = np.empty((shape[0], shape[1], n_k, shape[2])) if detail else None
    for k in range(n_k):  # two raw-material classes, not a scenario loop
        if not m.q_value[:, k].any():
            continue
        zk = (
            np.broadcast_to(z, shape) if k == 0 else z * (1.0 + sea_boost[None, :, None] * off_open)
        )
        level = _rm_lookup(m.rm_table[:, k, :], zk)
        np.minimum(level, ramp * m.cap_ratio[None, :, k, None], out=level)
        np.minimum(level, demand, out=level)
        level *= f_open
        value = m.q_value[None, :, k, None] * level
        sales += value
        if by_class is not None:
            by_class[:, :, k, :] = value * p.price[:, None, None]
        local_buy += m.local_mat[None, :, k, None] * level
        util_sum += level * (m.q_value[:, k] > 0)[None, :, None]
    sales *= p.price[:, None, None]
    util_sum /= np.maximum((m.q_value > 0).sum(axis=1), 1)[None, :, None]
    mean_level = util_sum
    del ramp

    # other facilities
    h_open, _ = _open_share(m.hosp_year, p.duration, years, gb, origin, m.opened.get("hosp"))
    l_open, _ = _open_share(m.leis_year, p.duration, years, gb, origin, m.opened.get("leis"))
    g_open, _ = _open_share(m.grain_year, p.duration, years, gb, origin, m.opened.get("grain"))
    growth_path = (1.0 + p.growth[:, None]) ** t[None, :]  # (S, Y)
    wage = (
        float(fc["wage_ratio"])
        * float(cf["income"]["national_per_capita_usd"])
        / 1000.0
        * growth_path[:, None, :]
    )  # kUSD per worker-year
    paid = m.fac_jobs[None, :, None] * f_open
    paid += m.hosp_staff[None, :, None] * h_open
    paid += m.leis_staff[None, :, None] * l_open
    paid += m.grain_staff[None, :, None] * g_open
    off_workers = m.off_jobs[None, :, None] * off_open
    jobs_direct = paid + off_workers
    wages = paid * wage
    yf = p.yields[:, None, :]
    agri = m.grain_saved_t[None, :, None] * (float(cf["grain"]["price_usd_per_t"]) / 1e3) * g_open
    agri += m.off_t[None, :, None] * (float(cf["offshore"]["price_usd_per_t"]) / 1e3) * off_open
    agri *= yf
    agri += local_buy
    commerce = float(fc["commerce_margin"]) * sales

    # 3-4: linkages: household row of L and jobs · L (exactly L @ d, component-wise)
    lmat = m.io.L
    hh = lmat[-1]
    jl = m.io.jobs_per_kusd[:3] @ lmat[:3]
    gain_h = hh[0] * agri + hh[2] * commerce + hh[3] * wages
    jobs_indirect = jl[0] * agri + jl[2] * commerce + jl[3] * wages
    injection = delta_x = None
    if detail:
        injection = np.stack([agri, np.zeros(shape, dtype), commerce, wages], axis=-1)
        delta_x = np.einsum("scyj,ij->scyi", injection, lmat)

    # 5: income
    inc = cf["income"]
    base = m.y0[None, :, None] * growth_path[:, None, :]
    if m.capital >= 0:
        prem = (1.0 + p.growth + float(inc["capital_growth_premium"]))[:, None] ** t[None, :]
        base[:, m.capital, :] = m.y0[m.capital] * prem
    gain_h *= 1000.0 / pop[None, :, :]
    income = gain_h
    income += base

    # 6: prices
    savings = m.transport_saved[None, :, None] * f_open
    savings *= mean_level
    savings += float(fc["import_price_premium"]) * local_buy
    mpc = float(cf["consumption"]["mpc"])
    spend = income * (mpc / 1000.0) * pop[None, :, :]  # kUSD
    np.maximum(spend, 1e-9, out=spend)
    cut = savings
    cut /= spend
    cut *= p.pass_through[:, None, None]
    np.minimum(cut, float(cf["prices"]["max_price_cut"]), out=cut)
    price_index = np.subtract(1.0, cut, out=cut)
    income_real = income / price_index

    # 7: access
    acc = cf["access"]
    gain = float(acc["weight_health"]) * m.health_score[None, :, None] * h_open
    gain += float(acc["weight_leisure"]) * m.leisure_score[None, :, None] * l_open
    np.minimum(gain, 1.0, out=gain)
    gain *= (1.0 - m.access0)[None, :, None]
    gain += m.access0[None, :, None]
    return KernelOutput(
        income=income,
        income_real=income_real,
        counterfactual=base,
        price_index=price_index,
        access=gain,
        jobs_direct=jobs_direct,
        jobs_indirect=jobs_indirect,
        wages=wages,
        sales=sales,
        output_by_class=by_class,
        injection=injection,
        delta_x=delta_x,
        population=pop,
        _mpc=mpc,
    )


def as_dtype(m: ModelArrays, p: Params, dtype: type = np.float32) -> tuple[ModelArrays, Params]:
    """Copies of ``m`` and ``p`` with every float array in ``dtype``.

    The Monte Carlo runs in float32: half the memory traffic; relative rounding about 1e-6.
    """
    import dataclasses

    def cast(v: object) -> object:
        if isinstance(v, np.ndarray) and v.dtype.kind == "f":
            return v.astype(dtype)
        return v

    fields = {f.name: cast(getattr(m, f.name)) for f in dataclasses.fields(m)}
    fields["io"] = dataclasses.replace(
        m.io,
        L=m.io.L.astype(dtype),
        A=m.io.A.astype(dtype),
        jobs_per_kusd=m.io.jobs_per_kusd.astype(dtype),
    )
    fields["opened"] = {k: v.astype(dtype) for k, v in m.opened.items()}
    pf = {f.name: cast(getattr(p, f.name)) for f in dataclasses.fields(p)}
    return ModelArrays(**fields), Params(**pf)  # type: ignore[arg-type]
