"""The planning problem: every parameter of the rollout model as plain arrays.

:func:`build_problem` is the only place in :mod:`regdev.planning` that reads a
region registry or the programme events; everything downstream (checks,
model, greedy baseline, explanations) sees only a :class:`PlanningProblem`.

Index conventions: ``i`` regions (sorted by id), ``f`` facility types (in
:data:`~regdev.planning.scenario.FACILITY_TYPES` order), ``t`` years.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from regdev._version import __version__
from regdev.errors import ConfigError, DataValidationError, InfeasibleSpecificationError
from regdev.planning.scenario import Scenario
from regdev.planning.sizing import size_facilities
from regdev.units import DEFAULT_NAME, UnitOfAccount

if TYPE_CHECKING:
    from collections.abc import Sequence

    from regdev.planning.history import Fact
    from regdev.registry import RegionRegistry

NO_YEAR = -1


@dataclass(frozen=True, eq=False)
class PlanningProblem:
    """All parameters of the rollout model (immutable arrays; build with :func:`build_problem`).

    Parameters
    ----------
    region_ids, names : tuple of str
        Programme regions (sorted by id) and their names.
    provinces : tuple of str
        Province names (sorted); ``province_of[i]`` indexes it.
    province_of : numpy.ndarray of int, shape (n,)
    population : numpy.ndarray, shape (n,)
    development : numpy.ndarray, shape (n,)
        Development index ``d`` in [0.1, 1].
    equity_weight : numpy.ndarray, shape (n,)
        Welfare weight per person served (:func:`welfare_weights`):
        ``(pop / mean pop)^(θ − 1) · (d / mean d)^(−ε)``.
    facilities : tuple of str
        Facility types (F).
    years : tuple of int
        Horizon years (Y).
    tiers, tier_cost, tier_benefit : numpy.ndarray, shape (Y,)
        Modernisation tier of every year and its cost and benefit factors.
    eligible : numpy.ndarray of bool, shape (n, F)
        Whether region ``i`` is a candidate for type ``f`` at all.
    benefit : numpy.ndarray, shape (n, F)
        Benefit per year of operation at tier 1 (population × benefit per person).
    base_cost, size : numpy.ndarray, shape (n, F)
        Base cost (unit of account, tier 1) and size of every facility (see :mod:`.sizing`).
    capacity : numpy.ndarray of int, shape (F, Y)
        Projects per type and year.
    capacity_exact : numpy.ndarray of bool, shape (F,)
        ``True``: exactly ``capacity`` projects (the factory cadence); else at most.
    coverage_exact : numpy.ndarray of bool, shape (F,)
        ``True``: every eligible region gets the type exactly once; else at most once.
    workload : int
        Projects per region and year.
    balance_floor : numpy.ndarray of int, shape (P, Y) or None
        Minimum cumulative factory count per province and year (``None``: off).
    budget : numpy.ndarray, shape (Y,)
        Annual budget (``inf`` = unlimited).
    lock_year : numpy.ndarray of int, shape (n, F)
        Year index a (region, type) is locked to, or ``-1``.
    lock_source : numpy.ndarray of str, shape (n, F)
        ``"history"``, ``"scenario"`` or ``""``.
    forbidden : numpy.ndarray of bool, shape (n, F, Y)
        Banned assignments.
    facilities_table : pandas.DataFrame
        The sizing table (``facilities.csv``).
    metadata : dict
        ``input_hash``, ``registry_source``, ``registry_hash``, ``scenario`` (dict) …
    """

    region_ids: tuple[str, ...]
    names: tuple[str, ...]
    provinces: tuple[str, ...]
    province_of: np.ndarray
    population: np.ndarray
    development: np.ndarray
    equity_weight: np.ndarray
    facilities: tuple[str, ...]
    years: tuple[int, ...]
    tiers: np.ndarray
    tier_cost: np.ndarray
    tier_benefit: np.ndarray
    eligible: np.ndarray
    benefit: np.ndarray
    base_cost: np.ndarray
    size: np.ndarray
    capacity: np.ndarray
    capacity_exact: np.ndarray
    coverage_exact: np.ndarray
    workload: int
    balance_floor: np.ndarray | None
    budget: np.ndarray
    lock_year: np.ndarray
    lock_source: np.ndarray
    forbidden: np.ndarray
    facilities_table: pd.DataFrame = field(repr=False)
    metadata: dict[str, Any] = field(default_factory=dict, repr=False)
    lat: np.ndarray | None = field(default=None, repr=False)
    lon: np.ndarray | None = field(default=None, repr=False)
    kind: tuple[str, ...] | None = field(default=None, repr=False)
    rural_population: np.ndarray | None = field(default=None, repr=False)
    spend_share: np.ndarray | None = field(default=None, repr=False)
    balance_share: np.ndarray | None = field(default=None, repr=False)
    balance_tolerance: int = 0
    staff_need: np.ndarray | None = field(default=None, repr=False)
    staff_supply: np.ndarray | None = field(default=None, repr=False)
    construction_sites: np.ndarray | None = field(default=None, repr=False)
    materials: tuple[str, ...] = ()
    material_need: np.ndarray | None = field(default=None, repr=False)
    material_supply: np.ndarray | None = field(default=None, repr=False)
    material_import_share: float = 0.0
    raw_base_year: np.ndarray | None = field(default=None, repr=False)
    unit_reach: np.ndarray | None = field(default=None, repr=False)

    @property
    def unit_name(self) -> str:
        """Name of the unit of account of the problem's money (issue 10)."""
        return str(self.metadata.get("unit_of_account", {}).get("name", DEFAULT_NAME))

    # ------------------------------------------------------------ dimensions
    @property
    def n_regions(self) -> int:
        """Number of programme regions."""
        return len(self.region_ids)

    @property
    def n_facilities(self) -> int:
        """Number of facility types."""
        return len(self.facilities)

    @property
    def n_years(self) -> int:
        """Number of horizon years."""
        return len(self.years)

    @property
    def factory_index(self) -> int:
        """Index of ``factories`` in :attr:`facilities`."""
        return self.facilities.index("factories")

    @property
    def input_hash(self) -> str:
        """SHA-256 over the registry content and the scenario (or the arrays)."""
        return str(self.metadata.get("input_hash", ""))

    def value(self) -> np.ndarray:
        """Objective coefficient of every (i, f, t): equity-weighted benefit-years.

        ``benefit[i,f] · tier_benefit[t] · e_i · (last_year − year_t + 1)``.
        """
        years_left = self.years[-1] - np.asarray(self.years, dtype=float) + 1.0
        per_year = self.benefit[:, :, None] * self.tier_benefit[None, None, :]
        out: np.ndarray = per_year * self.equity_weight[:, None, None] * years_left[None, None, :]
        return out

    def cost(self) -> np.ndarray:
        """Cost of every (i, f, t): base cost × tier cost factor (unit of account)."""
        out: np.ndarray = self.base_cost[:, :, None] * self.tier_cost[None, None, :]
        return out

    def spend_profile(self) -> np.ndarray:
        """Share of a project's cost paid ``k`` years before completion, shape (F, L).

        Column 0 is the completion year; without a cash flow every cost is
        paid in the completion year (``L = 1``).
        """
        if self.spend_share is None:
            return np.ones((self.n_facilities, 1))
        out: np.ndarray = self.spend_share
        return out

    def spending(self, x: np.ndarray) -> np.ndarray:
        """Money paid in every horizon year by the 0/1 schedule ``x`` (n, F, Y), units of account.

        A project completing in year ``t`` pays ``cost · share[f, k]`` in year
        ``t − k``; what falls before the first year is left out (see
        :meth:`spending_before`).

        Examples
        --------
        A factory completing in the third year with a cash flow of 30 % the
        year before and 70 % in the completion year, at cost 10:

        >>> from regdev.planning.problem import build_problem_from_arrays
        >>> p = build_problem_from_arrays(
        ...     benefit=[[1.0, 1.0]], capacity=[[0, 0, 1], [0, 0, 0]], years=(2024, 2025, 2026),
        ...     base_cost=[[10.0, 5.0]], spend_share=[[0.7, 0.3], [1.0, 0.0]])
        >>> x = np.zeros((1, 2, 3), bool); x[0, 0, 2] = True
        >>> p.spending(x).round(6).tolist()
        [0.0, 3.0, 7.0]
        """
        share = self.spend_profile()
        paid = self.cost() * x
        out = np.zeros(self.n_years)
        for k in range(share.shape[1]):
            by_year = (paid[:, :, k:] * share[None, :, k, None]).sum(axis=(0, 1))
            out[: self.n_years - k] += by_year
        return out

    def spending_before(self, x: np.ndarray) -> float:
        """Money the schedule ``x`` pays before the first horizon year (units of account)."""
        share = self.spend_profile()
        paid = self.cost() * x
        total = 0.0
        for k in range(1, share.shape[1]):
            total += float((paid[:, :, :k] * share[None, :, k, None]).sum())
        return total

    def sites_in_use(self, x: np.ndarray) -> np.ndarray:
        """Building sites of the non-factory projects of ``x`` in use per province and year.

        A project completing in year ``t`` occupies a site in each of its
        build years ``t − k`` with a positive cash-flow share (``k = 0`` only
        without a cash flow); shape (P, Y).
        """
        share = self.spend_profile()
        out = np.zeros((len(self.provinces), self.n_years))
        for f in range(self.n_facilities):
            if f == self.factory_index:
                continue
            per_prov = np.zeros((len(self.provinces), self.n_years))
            np.add.at(per_prov, self.province_of, x[:, f, :].astype(float))
            for k in np.flatnonzero(share[f] > 0).tolist():
                out[:, : self.n_years - k] += per_prov[:, k:]
        return out

    def materials_used(self, x: np.ndarray) -> np.ndarray:
        """Tonnes of every material the schedule ``x`` uses per province and year, shape (M, P, Y).

        A project completing in ``t`` takes ``material_need[i, f, m] · share[f, k]``
        in build year ``t − k`` (deliveries follow the cash flow).

        Examples
        --------
        One factory of 100 t of cement completing in the second year, 30 % the year before:

        >>> from regdev.planning.problem import build_problem_from_arrays
        >>> import dataclasses
        >>> p = build_problem_from_arrays(
        ...     benefit=[[1.0, 1.0]], capacity=[[0, 1], [0, 0]], years=(2024, 2025),
        ...     spend_share=[[0.7, 0.3], [1.0, 0.0]])
        >>> p = dataclasses.replace(p, materials=("cement",),
        ...     material_need=np.array([[[100.0], [0.0]]]), material_supply=np.array([[50.0]]))
        >>> x = np.zeros((1, 2, 2), bool); x[0, 0, 1] = True
        >>> p.materials_used(x).round(6).tolist()
        [[[30.0, 70.0]]]
        """
        need = self.material_need
        n_prov = len(self.provinces)
        if need is None:
            return np.zeros((0, n_prov, self.n_years))
        share = self.spend_profile()
        out = np.zeros((need.shape[2], n_prov, self.n_years))
        xf = x.astype(float)
        for k in range(share.shape[1]):
            # tonnes delivered k years before completion, per region, material and year
            per = np.einsum("ift,ifm,f->mit", xf[:, :, k:], need, share[:, k])
            for m in range(need.shape[2]):
                np.add.at(out[m, :, : self.n_years - k], self.province_of, per[m])
        return out

    def material_imports(self, x: np.ndarray) -> np.ndarray:
        """Tonnes each province must bring in, ``max(0, used − own supply)``, shape (M, P, Y).

        The least inter-provincial shipment of the schedule ``x`` (feasible when
        the ``materials`` rows hold); with a flat cost per tonne moved its cost is
        ``import_cost_per_t`` times the total.
        """
        used = self.materials_used(x)
        if self.material_supply is None:
            return used * 0.0
        out: np.ndarray = np.maximum(used - self.material_supply.T[:, :, None], 0.0)
        return out

    def material_limits(self) -> tuple[np.ndarray, np.ndarray]:
        """Provincial limit (own supply + imports, shape (M, P)) and national supply (M,)."""
        assert self.material_supply is not None
        own = self.material_supply.T
        return own * (1.0 + self.material_import_share), own.sum(axis=1)

    def allowed(self) -> np.ndarray:
        """Mask (n, F, Y) of assignments that get a variable.

        Eligible, not forbidden, capacity > 0 in that year, and consistent
        with a lock (a locked pair keeps only its locked year).
        """
        mask = self.eligible[:, :, None] & ~self.forbidden & (self.capacity[None, :, :] > 0)
        locked = self.lock_year >= 0
        ii, ff = np.nonzero(locked)
        mask[ii, ff, :] = False
        mask[ii, ff, self.lock_year[ii, ff]] = True
        out: np.ndarray = mask
        return out

    def permuted(self, order: np.ndarray) -> PlanningProblem:
        """The same problem with regions in another order (for invariance tests)."""
        o = np.asarray(order)
        pick = {
            "region_ids": tuple(self.region_ids[k] for k in o),
            "names": tuple(self.names[k] for k in o),
            "province_of": self.province_of[o],
            "population": self.population[o],
            "development": self.development[o],
            "equity_weight": self.equity_weight[o],
            "eligible": self.eligible[o],
            "benefit": self.benefit[o],
            "base_cost": self.base_cost[o],
            "size": self.size[o],
            "lock_year": self.lock_year[o],
            "lock_source": self.lock_source[o],
            "forbidden": self.forbidden[o],
            "lat": None if self.lat is None else self.lat[o],
            "lon": None if self.lon is None else self.lon[o],
            "kind": None if self.kind is None else tuple(self.kind[k] for k in o),
            "rural_population": None if self.rural_population is None else self.rural_population[o],
            "staff_need": None if self.staff_need is None else self.staff_need[o],
            "material_need": None if self.material_need is None else self.material_need[o],
            "raw_base_year": None if self.raw_base_year is None else self.raw_base_year[o],
        }
        kw = {k: getattr(self, k) for k in self.__dataclass_fields__}
        kw.update(pick)
        return PlanningProblem(**kw)


# ------------------------------------------------------------------ building
def factory_cadence(n_candidates: int, per_year: int, n_years: int) -> np.ndarray:
    """Yearly factory counts: ``per_year`` while enough remain, the remainder once, then 0.

    Examples
    --------
    >>> factory_cadence(179, 20, 10).tolist()
    [20, 20, 20, 20, 20, 20, 20, 20, 19, 0]
    >>> factory_cadence(250, 20, 10).tolist()
    [20, 20, 20, 20, 20, 20, 20, 20, 20, 20]
    """
    done_before = per_year * np.arange(n_years)
    return np.clip(n_candidates - done_before, 0, per_year).astype(np.int64)


def balance_floors(
    province_of: np.ndarray,
    n_provinces: int,
    cumulative_total: np.ndarray,
    tolerance: int,
    population: np.ndarray | None = None,
) -> np.ndarray:
    """``max(0, floor(share_p × T_t) − tol)`` for every province and year.

    ``share_p`` is the province's share of the factory candidates (or, with
    ``population``, of the candidates' residents) and ``T_t`` the cumulative
    factory total at the end of year ``t`` (a constant, since the cadence
    fixes every year's count).  By population the floor is capped at the
    province's candidates.

    Examples
    --------
    Province 0 has three small regions, province 1 one large one; four factory
    groups by the end of the year, tolerance 0:

    >>> prov = np.array([0, 0, 0, 1])
    >>> balance_floors(prov, 2, np.array([4]), 0).ravel().tolist()
    [3, 1]
    >>> balance_floors(prov, 2, np.array([4]), 0, np.array([1e3, 1e3, 1e3, 97e3])).ravel().tolist()
    [0, 1]
    """
    counts = np.bincount(province_of, minlength=n_provinces).astype(np.int64)
    total = cumulative_total[None, :].astype(np.int64)
    if population is None:
        n = max(int(counts.sum()), 1)
        # integer arithmetic: floor(count_p * T / n) without rounding error
        floor = (counts[:, None] * total) // n
    else:
        pop = np.bincount(province_of, weights=population, minlength=n_provinces)
        share = pop / max(float(pop.sum()), 1.0)
        floor = np.minimum(
            np.floor(share[:, None] * total + 1e-9).astype(np.int64), counts[:, None]
        )
    out: np.ndarray = np.maximum(floor - tolerance, 0).astype(np.int64)
    return out


def yearly_capacity(
    scenario: Scenario,
    facility: str,
    n_candidates: int,
    locked: list[int] | None = None,
) -> tuple[list[int], int | None]:
    """The yearly capacity of one facility type, with ``auto`` scaling resolved.

    Parameters
    ----------
    scenario : Scenario
    facility : str
        One of :data:`~regdev.planning.scenario.FACILITY_TYPES`.
    n_candidates : int
        Regions that may get this type (programme regions; coastal ones for
        offshore farms).
    locked : list of int, optional
        Projects of this type locked in each horizon year (history, locks).

    Returns
    -------
    capacity : list of int
        One number per horizon year.
    per_year : int or None
        For factories, the cadence used (``"auto"`` resolved); else ``None``.

    Notes
    -----
    Factories: ``per_year = "auto"`` is ``max(ceil(n / years), max locked)``,
    the smallest constant cadence that reaches every candidate within the
    horizon and keeps every locked cohort; the yearly counts then follow
    :func:`factory_cadence`.  Other types with
    ``capacity.scale = "auto"``: ``cap'(y) = max(ceil(cap(y) · n / Σ cap),
    locked(y))``, so ``Σ cap' >= n``; a type whose capacity is zero in every
    year stays zero.

    Examples
    --------
    >>> sc = Scenario().with_updates(factories={"per_year": "auto"}, capacity={"scale": "auto"})
    >>> yearly_capacity(sc, "factories", 414)[1]
    42
    >>> cap, _ = yearly_capacity(sc, "hospital", 414)
    >>> cap[:3], sum(cap) >= 414
    ([0, 21, 50], True)
    """
    years = scenario.horizon.years
    n_years = len(years)
    lock = list(locked or [0] * n_years)
    if facility == "factories":
        per_year = scenario.factories.per_year
        if per_year == "auto":
            per_year = max(math.ceil(n_candidates / n_years), max(lock, default=0))
        return factory_cadence(n_candidates, int(per_year), n_years).tolist(), int(per_year)
    base = [scenario.capacity.of(facility).at(y) for y in years]
    total = sum(base)
    if scenario.capacity.scale == "fixed" or total == 0:
        return base, None
    k = n_candidates / total
    return [max(math.ceil(c * k - 1e-9), lk) for c, lk in zip(base, lock, strict=True)], None


def build_problem(
    registry: RegionRegistry,
    scenario: Scenario | None = None,
    *,
    history: bool | None = None,
    actuals: Sequence[Fact] | None = None,
    actuals_source: str | None = None,
    open_from: int | None = None,
) -> PlanningProblem:
    """Turn a region registry and a scenario into a :class:`PlanningProblem`.

    Parameters
    ----------
    registry : RegionRegistry
        Regions; the capital row (kind ``capital``) is dropped.
    scenario : Scenario, optional
        Defaults to :func:`~regdev.planning.scenario.load_scenario` ``()``.
    history : bool, optional
        Override ``scenario.history.enabled`` (``False`` = plan from scratch).
    actuals : sequence of regdev.planning.history.Fact, optional
        What a monitoring database says exists (:mod:`regdev.planning.actuals`);
        overrides the programme events pair by pair.
    actuals_source : str, optional
        Where the actuals came from (for ``plan.json``).
    open_from : int, optional
        First year new projects may go in (:func:`regdev.planning.actuals.first_open_year`);
        earlier years keep only their fixed projects.

    Returns
    -------
    PlanningProblem

    Raises
    ------
    ConfigError
        A lock or ban names an unknown region or a year outside the horizon.
    InfeasibleSpecificationError
        A lock contradicts a ban or eligibility.
    """
    from regdev.planning.scenario import load_scenario

    sc = load_scenario() if scenario is None else scenario
    if history is not None and history != sc.history.enabled:
        sc = sc.with_updates(history={"enabled": history})
    prog = registry.programme()
    frame = prog.frame.sort_index(kind="stable")
    if len(frame) == 0:
        msg = f"{registry.source}: no programme regions (every row is the capital)"
        raise DataValidationError([msg])
    ids = [str(i) for i in frame.index]
    pos = {rid: k for k, rid in enumerate(ids)}
    n = len(ids)
    facilities = tuple(sc.facilities)
    years = tuple(sc.horizon.years)
    n_fac, n_years = len(facilities), len(years)

    provinces = tuple(sorted(frame["province"].astype(str).unique().tolist()))
    province_of = np.searchsorted(np.array(provinces), frame["province"].astype(str).to_numpy())
    population = frame["population"].to_numpy(dtype=float)
    dev_all = registry.development_index()
    development = dev_all.reindex(ids).to_numpy(dtype=float)
    equity = welfare_weights(
        population, development, epsilon=sc.equity.epsilon, theta=sc.equity.theta
    )

    tiers = np.asarray(sc.tier_levels(), dtype=np.int64)
    tier_cost = (1.0 + sc.tiers.cost_step) ** (tiers - 1)
    tier_benefit = (1.0 + sc.tiers.benefit_step) ** (tiers - 1)

    # eligibility
    eligible = np.ones((n, n_fac), dtype=bool)
    if "offshore_farm" in facilities:
        fo = facilities.index("offshore_farm")
        candidates = sc.offshore.candidates
        if candidates == "coastal":
            eligible[:, fo] = frame["coastal"].to_numpy(dtype=bool)
        else:
            cand = list(candidates)
            unknown = [r for r in cand if r not in pos]
            if unknown:
                msg = f"offshore.candidates: unknown programme region(s) {unknown[:5]}"
                raise ConfigError(msg)
            eligible[:, fo] = False
            eligible[[pos[r] for r in cand], fo] = True

    # issue 9: a place too small to staff a factory group at the minimum efficient scale
    norms = sc.sizing.factories
    too_small = norms.min_workers > norms.max_workforce_share * population
    eligible[too_small, facilities.index("factories")] = False

    # forbidden
    forbidden = np.zeros((n, n_fac, n_years), dtype=bool)
    for ban in sc.forbid:
        i = _region_index(registry, pos, ban.region, "forbid")
        if ban.facility not in facilities:
            continue
        f = facilities.index(ban.facility)
        if ban.year is None:
            forbidden[i, f, :] = True
        else:
            forbidden[i, f, _year_index(years, ban.year, "forbid")] = True
    fully_banned = forbidden.all(axis=2)
    eligible &= ~fully_banned

    # locks: what the data says exists first (history / actuals, regdev.planning.history),
    # then the scenario's own; a scenario lock contradicting the data is a reported conflict
    from regdev.planning import history as hist

    lock_year = np.full((n, n_fac), NO_YEAR, dtype=np.int64)
    lock_source = np.full((n, n_fac), "", dtype=object)
    done_before = np.zeros((n, n_fac), dtype=bool)
    locks = hist.Locks(lock_year, lock_source, done_before, eligible, forbidden)
    facts, conflicts = hist.merge_facts(hist.programme_facts(sc), list(actuals or []))
    conflicts += hist.apply_facts(facts, locks, pos=pos, facilities=facilities, years=years)
    for lock in sc.locks:
        i = _region_index(registry, pos, lock.region, "locks")
        if lock.facility not in facilities:
            msg = f"locks: facility {lock.facility!r} is not planned (scenario facilities {list(facilities)})"
            raise ConfigError(msg)
        f = facilities.index(lock.facility)
        t = _year_index(years, int(lock.year or 0), "locks")
        clash_with_data = hist.lock_conflict(ids[i], lock.facility, years[t], locks, i, f, years)
        if clash_with_data is not None:
            conflicts.append(clash_with_data)
            continue
        if not eligible[i, f]:
            msg = (
                f"lock: {ids[i]} is locked to {lock.facility} in {lock.year} but is not a "
                f"candidate for {lock.facility} (not coastal / not listed, or banned in every year)"
            )
            raise InfeasibleSpecificationError(msg, constraint="lock")
        lock_year[i, f] = t
        lock_source[i, f] = "scenario"
    hist.warn_conflicts(conflicts)
    ii, ff = np.nonzero(lock_year >= 0)
    clash = forbidden[ii, ff, lock_year[ii, ff]]
    if clash.any():
        k = int(np.flatnonzero(clash)[0])
        i, f = int(ii[k]), int(ff[k])
        msg = (
            f"lock: {ids[i]} is locked to {facilities[f]} in {years[lock_year[i, f]]} "
            f"({lock_source[i, f]}) but the scenario forbids that assignment"
        )
        raise InfeasibleSpecificationError(msg, constraint="lock")

    # capacity
    n_elig = eligible.sum(axis=0)
    capacity = np.zeros((n_fac, n_years), dtype=np.int64)
    capacity_exact = np.zeros(n_fac, dtype=bool)
    per_year_used = sc.factories.per_year
    for f, fac in enumerate(facilities):
        # issue 17: "auto" cadence / capacities scale with the country (yearly_capacity)
        locked_f = [int((lock_year[:, f] == t).sum()) for t in range(n_years)]
        cap_f, cadence = yearly_capacity(sc, fac, int(n_elig[f]), locked_f)
        capacity[f] = cap_f
        if fac == "factories":
            per_year_used = cadence if cadence is not None else per_year_used
            capacity_exact[f] = True
    if open_from is not None:
        # issue 10: re-planning from actuals; a year that has passed takes only what is fixed in it
        for t, year in enumerate(years):
            if year < open_from:
                fixed_t = lock_year == t
                forbidden[:, :, t] |= ~fixed_t
                capacity[:, t] = fixed_t.sum(axis=0)
    coverage_exact = capacity.sum(axis=1) >= n_elig
    if sc.coverage.mode == "exact":
        coverage_exact[:] = True

    balance_floor = None
    if sc.balance.enabled:
        fi = facilities.index("factories")
        fac_cand = eligible[:, fi]
        cum = np.cumsum(capacity[fi])
        balance_floor = balance_floors(
            province_of[fac_cand],
            len(provinces),
            cum,
            sc.balance.tolerance,
            population[fac_cand] if sc.balance.by == "population" else None,
        )

    # issue 10: one unit of account; the cost norms and the budget are converted into it
    unit = UnitOfAccount(sc.money.name, sc.money.usd_per_unit, sc.money.norm_units)
    budget = np.full(
        n_years, np.inf if sc.budget.default is None else unit.from_norm(float(sc.budget.default))
    )
    for year, amount in sc.budget.by_year.items():
        budget[_year_index(years, int(year), "budget")] = unit.from_norm(float(amount))

    table = size_facilities(ids, population, list(facilities), sc.sizing)
    table["base_cost"] = table["base_cost"] * unit.norm_units
    size = table["size"].to_numpy(dtype=float).reshape(n, n_fac)
    base_cost = table["base_cost"].to_numpy(dtype=float).reshape(n, n_fac)
    per_person = np.array([sc.benefit.of(fac) for fac in facilities])
    benefit = population[:, None] * per_person[None, :]
    staff_need = staff_supply = None
    if sc.staff.enabled and "hospital" in facilities:
        fh = facilities.index("hospital")
        staff_need = table["doctors"].to_numpy(dtype=float).reshape(n, n_fac)[:, fh]
        prov_pop = np.bincount(province_of, weights=population, minlength=len(provinces))
        trained_years = np.maximum(np.arange(n_years) + 1 - sc.staff.lag_years, 0)
        initial = prov_pop * sc.staff.initial_per_1000 / 1000.0
        per_year = prov_pop * sc.staff.training_per_1000_per_year / 1000.0
        # never less training than lets every candidate get its hospital by the last year
        # (many tiny places need a doctor each: the per-1,000 rate alone may fall short)
        need_p = np.bincount(
            province_of, weights=staff_need * eligible[:, fh], minlength=len(provinces)
        )
        per_year = np.maximum(per_year, (need_p - initial) / max(int(trained_years[-1]), 1))
        staff_supply = initial[:, None] + per_year[:, None] * trained_years[None, :]
    construction_sites = None
    if sc.construction.enabled:
        prov_pop = np.bincount(province_of, weights=population, minlength=len(provinces))
        # never fewer sites than the province needs, on average over the years with
        # capacity, to build every candidate's projects within the horizon
        profile = sc.cashflow.profile(list(facilities))
        build_years = np.array([len(r) for r in profile] if profile else [1] * n_fac)
        other = np.array([fac != "factories" for fac in facilities])
        site_years = np.bincount(
            province_of,
            weights=(eligible[:, other] * build_years[other][None, :]).sum(axis=1),
            minlength=len(provinces),
        )
        active = max(int((capacity[other].sum(axis=0) > 0).sum()), 1)
        construction_sites = np.maximum.reduce(
            [
                np.ceil(prov_pop * sc.construction.sites_per_100k / 1e5 - 1e-9),
                np.full(len(provinces), float(sc.construction.min_sites)),
                np.ceil(1.25 * site_years / active - 1e-9),
            ]
        )
    materials: tuple[str, ...] = ()
    material_need = material_supply = None
    if sc.materials.enabled and sc.materials.materials:
        # issue 9: cement and steel per project (tonnes per unit of account of its cost)
        mat = sc.materials
        materials = tuple(mat.materials)
        for name in materials:
            if name not in mat.intensity or name not in mat.supply_t_per_1000:
                msg = f"materials: {name!r} needs materials.intensity.{name} and supply_t_per_1000"
                raise ConfigError(msg)
        per_unit = np.array(
            [[mat.intensity[name].get(fac, 0.0) for name in materials] for fac in facilities]
        )
        material_need = base_cost[:, :, None] * per_unit[None, :, :] * eligible[:, :, None]
        prov_pop = np.bincount(province_of, weights=population, minlength=len(provinces))
        rate = np.array([mat.supply_t_per_1000[name] for name in materials])
        own = prov_pop[:, None] * rate[None, :] / 1000.0
        # never less than headroom x the share of the province's whole need that the
        # busiest year's capacities could ask for (cash flow left aside)
        whole = np.zeros((len(provinces), len(materials)))
        np.add.at(whole, province_of, material_need.sum(axis=1))
        need_f = material_need.sum(axis=(0, 2))
        n_el = np.maximum(eligible.sum(axis=0), 1)
        year_share = (np.minimum(capacity, n_el[:, None]) / n_el[:, None] * need_f[:, None]).sum(
            axis=0
        ) / max(float(need_f.sum()), 1e-12)
        material_supply = np.maximum(own, mat.headroom * whole * float(year_share.max()))
    raw_base_year = None
    planning_notes: list[str] = []
    res = frame["resources"] if "resources" in frame.columns else pd.Series("", frame.index)
    lists_resources = bool(res.fillna("").astype(str).str.strip().ne("").any())
    if sc.raw_materials.enabled and sc.raw_materials.lag_years > 0 and not lists_resources:
        # issue 17: an optional column missing is never fatal: without any listed
        # resource the raw-material lead time cannot tell developed bases from others
        planning_notes.append(
            "raw-material lead time not applied: no region lists its resources, so no "
            "raw-material base is known to be developed or missing"
        )
    elif sc.raw_materials.enabled and sc.raw_materials.lag_years > 0:
        # issue 9: a factory line needs its raw-material base developed lag_years before
        ready = set(sc.raw_materials.developed)
        has_base = np.array(
            [bool(ready & {r.strip() for r in str(v or "").split(";")}) for v in res.fillna("")]
        )
        has_base |= lock_year[:, facilities.index("factories")] >= 0
        raw_base_year = np.where(has_base, 0, sc.raw_materials.lag_years).astype(np.int64)
    unit_reach = None
    if sc.units.enabled and registry.has_coordinates() and per_year_used not in (None, "auto"):
        unit_reach = unit_reach_by_province(
            frame,
            province_of,
            provinces,
            eligible[:, facilities.index("factories")],
            int(per_year_used),
            sc.units.reach,
        )
    table = table[eligible.reshape(-1)].reset_index(drop=True)

    scenario_dict = sc.model_dump(mode="json")
    reg_hash = registry.content_hash()
    h = hashlib.sha256()
    h.update(reg_hash.encode())
    h.update(sc.canonical_json().encode())
    if actuals or open_from is not None:
        # issue 10: a plan re-made from actuals is identified by them too
        h.update(json.dumps([[f.to_dict() for f in actuals or []], open_from]).encode())
    metadata: dict[str, Any] = {
        "input_hash": h.hexdigest(),
        "registry_source": registry.source,
        "registry_hash": reg_hash,
        "scenario": scenario_dict,
        "scenario_name": sc.name,
        "regdev_version": __version__,
        "epsilon": sc.equity.epsilon,
        "welfare": {
            "objective": sc.equity.objective,
            "epsilon": sc.equity.epsilon,
            "population_exponent": sc.equity.theta,
        },
        "balance_tolerance": sc.balance.tolerance if sc.balance.enabled else None,
        "factories_per_year": per_year_used,
        # issue 17: what the region table lacks and what was assumed in its place
        "registry_assumptions": [*registry.assumptions(), *planning_notes],
        # issue 10: what was fixed from the data, the conflicts and the Kimhwa assumption
        "history": {**hist.summary(facts, conflicts, actuals_source), "open_from": open_from},
        "unit_of_account": unit.to_dict(),
        "too_small_for_factories": [ids[i] for i in np.flatnonzero(too_small).tolist()],
        "balance_by": sc.balance.by,
        "material_import_cost_per_t": sc.materials.import_cost_per_t * unit.norm_units,
        "done_before_horizon": {
            fac: [ids[i] for i in np.flatnonzero(done_before[:, f]).tolist()]
            for f, fac in enumerate(facilities)
            if done_before[:, f].any()
        },
    }
    profile = sc.cashflow.profile(list(facilities))
    spend_share = None
    if profile is not None:
        width = max(len(r) for r in profile)
        spend_share = np.zeros((n_fac, width))
        for f, row in enumerate(profile):
            spend_share[f, : len(row)] = row
    problem = PlanningProblem(
        region_ids=tuple(ids),
        names=tuple(frame["name"].astype(str).tolist()),
        provinces=provinces,
        province_of=province_of.astype(np.int64),
        population=population,
        development=development,
        equity_weight=equity,
        facilities=facilities,
        years=years,
        tiers=tiers,
        tier_cost=tier_cost,
        tier_benefit=tier_benefit,
        eligible=eligible,
        benefit=benefit,
        base_cost=base_cost,
        size=size,
        capacity=capacity,
        capacity_exact=capacity_exact,
        coverage_exact=coverage_exact,
        workload=sc.workload.max_per_county_year,
        balance_floor=balance_floor,
        budget=budget,
        lock_year=lock_year,
        lock_source=lock_source,
        forbidden=forbidden,
        facilities_table=table,
        metadata=metadata,
        # issue 17: without coordinates (none known, none imputable) there is no map
        lat=frame["lat"].to_numpy(dtype=float) if registry.has_coordinates() else None,
        lon=frame["lon"].to_numpy(dtype=float) if registry.has_coordinates() else None,
        kind=tuple(frame["kind"].astype(str).tolist()) if "kind" in frame.columns else None,
        rural_population=_rural_population(frame, population),
        spend_share=spend_share,
        balance_tolerance=sc.balance.tolerance if sc.balance.enabled else 0,
        staff_need=staff_need,
        staff_supply=staff_supply,
        construction_sites=construction_sites,
        materials=materials,
        material_need=material_need,
        material_supply=material_supply,
        material_import_share=sc.materials.import_share,
        raw_base_year=raw_base_year,
        unit_reach=unit_reach,
    )
    if problem.material_supply is not None:
        problem = _supply_for_locks(problem)
    if sc.coverage.mode == "within_budget":
        problem = within_budget(problem, balance=sc.balance.enabled)
    return problem


def unit_reach_by_province(
    frame: pd.DataFrame,
    province_of: np.ndarray,
    provinces: tuple[str, ...],
    candidates: np.ndarray,
    n_units: int,
    reach: int,
) -> np.ndarray:
    """Factory groups a province can start in one season: its units plus its neighbours'.

    Units are based at the province seats (``province_seat``; else the most
    populous region), shared out by factory candidates with the largest
    remainder; a province reaches the ``reach`` provinces with the nearest seats.

    Examples
    --------
    Three provinces on the equator at 0°, 1° and 10°, candidates 2, 1, 1, four units
    (shares 2, 1, 1), reach 1: province 0 and 1 reach each other (2 + 1 = 3); province 2's
    nearest is province 1 (1 + 1 = 2).

    >>> f = pd.DataFrame({"lat": [0.0, 0.0, 0.0, 0.0], "lon": [0.0, 0.1, 1.0, 10.0],
    ...                   "population": [9.0, 1.0, 5.0, 5.0], "province_seat": [True, False, True, True]})
    >>> unit_reach_by_province(f, np.array([0, 0, 1, 2]), ("a", "b", "c"),
    ...                        np.ones(4, bool), 4, 1).tolist()
    [3, 3, 2]
    """
    from regdev.planning.units import great_circle_km

    n_prov = len(provinces)
    cand = np.bincount(province_of, weights=candidates.astype(float), minlength=n_prov)
    quota = n_units * cand / max(float(cand.sum()), 1.0)
    units = np.floor(quota).astype(np.int64)
    rest = n_units - int(units.sum())
    if rest > 0:
        units[np.argsort(-(quota - units), kind="stable")[:rest]] += 1
    seat = None
    if "province_seat" in frame.columns:
        seat = frame["province_seat"].astype("boolean").fillna(False).to_numpy(bool)
    pop = frame["population"].to_numpy(float)
    lat, lon = frame["lat"].to_numpy(float), frame["lon"].to_numpy(float)
    slat, slon = np.zeros(n_prov), np.zeros(n_prov)
    for p in range(n_prov):
        mine = np.flatnonzero(province_of == p)
        pick = mine[seat[mine]] if seat is not None and seat[mine].any() else mine
        k = pick[int(np.argmax(pop[pick]))]
        slat[p], slon[p] = lat[k], lon[k]
    dist = great_circle_km(slat, slon, slat, slon)
    np.fill_diagonal(dist, np.inf)
    out = units.copy()
    for p in range(n_prov):
        near = np.argsort(dist[p], kind="stable")[: min(reach, n_prov - 1)]
        out[p] += int(units[near].sum())
    result: np.ndarray = out
    return result


def _supply_for_locks(problem: PlanningProblem) -> PlanningProblem:
    """Raise the default material supply to what the locked (real) projects used in any year.

    What was built was supplied: each province's own production is at least its
    locked use divided by ``1 + import_share``, and all supplies are scaled up
    together until the country covers the locked national use of every year.
    """
    assert problem.material_supply is not None
    locked = np.zeros((problem.n_regions, problem.n_facilities, problem.n_years), dtype=bool)
    ii, ff = np.nonzero(problem.lock_year >= 0)
    locked[ii, ff, problem.lock_year[ii, ff]] = True
    use = problem.materials_used(locked)  # (M, P, Y)
    supply = np.maximum(
        problem.material_supply, use.max(axis=2).T / (1.0 + problem.material_import_share)
    )
    national = use.sum(axis=1).max(axis=1)  # (M,)
    scale = np.maximum(national / np.maximum(supply.sum(axis=0), 1e-12), 1.0)
    return dataclasses.replace(problem, material_supply=supply * scale[None, :])


def within_budget(
    problem: PlanningProblem, budget: np.ndarray | float | None = None, *, balance: bool = True
) -> PlanningProblem:
    """The problem in coverage mode "at most once within budget".

    Every pair at most once, every capacity (the factory cadence too) an upper
    limit, and — when ``balance`` — the provincial balance *relative to what
    is built*: each province's cumulative factory count at least its share of
    the cumulative total minus the tolerance,
    ``Σ_{c∈p, t'≤t} x ≥ share_p · Σ_{c, t'≤t} x − tol``.  Doing nothing then
    satisfies every row except the locks, so any budget that pays for the
    locked projects has a plan.

    Parameters
    ----------
    problem : PlanningProblem
    budget : numpy.ndarray or float, optional
        A new annual budget (one number: the same every year).
    balance : bool, default True
        Keep the (relative) provincial balance.
    """
    fi = problem.factory_index
    cand = problem.eligible[:, fi]
    by_pop = problem.metadata.get("balance_by") == "population"
    weights = problem.population[cand] if by_pop else None
    counts = np.bincount(
        problem.province_of[cand], weights=weights, minlength=len(problem.provinces)
    )
    share = counts / max(float(counts.sum()), 1.0)
    new_budget = problem.budget
    if budget is not None:
        new_budget = np.broadcast_to(np.asarray(budget, dtype=float), (problem.n_years,)).copy()
    return dataclasses.replace(
        problem,
        capacity_exact=np.zeros(problem.n_facilities, dtype=bool),
        coverage_exact=np.zeros(problem.n_facilities, dtype=bool),
        balance_floor=None,
        balance_share=share.astype(float) if balance else None,
        budget=new_budget,
    )


def _rural_population(frame: pd.DataFrame, population: np.ndarray) -> np.ndarray | None:
    """Rural residents of every region: population − urban population (``None`` when unknown)."""
    if "urban_population" not in frame.columns:
        return None
    urban = pd.to_numeric(frame["urban_population"], errors="coerce").to_numpy(dtype=float)
    if np.isnan(urban).all():
        return None
    rural = np.clip(population - np.nan_to_num(urban, nan=0.0), 0.0, population)
    # regions without an urban figure count by kind: a county is rural, a city urban
    if "kind" in frame.columns:
        county = frame["kind"].astype(str).eq("county").to_numpy()
        rural = np.where(np.isnan(urban), np.where(county, population, 0.0), rural)
    out: np.ndarray = rural
    return out


def welfare_weights(
    population: np.ndarray, development: np.ndarray, *, epsilon: float, theta: float
) -> np.ndarray:
    """Welfare weight per person served: ``(pop / mean pop)^(theta − 1) · (d / mean d)^(−epsilon)``.

    The objective values a project of type ``f`` in region ``c`` at
    ``population_c · b_f · e_c`` per year, which with this ``e_c`` is
    ``mean pop · b_f · (pop_c / mean pop)^theta · (d_c / mean d)^(−epsilon)``:
    the per-capita gain ``b_f`` (the same for everyone a facility serves)
    weighted by need (Atkinson marginal social value ``d^(−epsilon)`` of a
    region at development level ``d``) and by size through ``theta``.
    ``theta = 1`` is the headcount objective (every person counts once);
    ``theta = 0`` counts every region as one, whatever its size.  Because
    regions compare by the ratio of their weights, a region half as
    developed comes before one ``2^(epsilon/theta)`` times as populous.

    Parameters
    ----------
    population, development : numpy.ndarray, shape (n,)
        Residents and development index (``> 0``).
    epsilon : float
        Inequality aversion (>= 0).
    theta : float
        Population exponent in [0, 1].

    Returns
    -------
    numpy.ndarray, shape (n,)

    Examples
    --------
    Two regions of equal need, one four times as populous, and a third as
    populous as the first but half as developed (``epsilon = 2``,
    ``theta = 0.25``): the region weights ``pop · e`` order need first.

    >>> pop = np.array([10_000.0, 40_000.0, 10_000.0])
    >>> dev = np.array([0.4, 0.4, 0.2])
    >>> e = welfare_weights(pop, dev, epsilon=2.0, theta=0.25)
    >>> (pop * e / (pop * e)[0]).round(3).tolist()
    [1.0, 1.414, 4.0]
    >>> welfare_weights(pop, dev, epsilon=0.0, theta=1.0).tolist()
    [1.0, 1.0, 1.0]
    """
    pop = np.asarray(population, dtype=float)
    dev = np.asarray(development, dtype=float)
    size = (pop / pop.mean()) ** (theta - 1.0)
    need = (dev / dev.mean()) ** (-epsilon)
    out: np.ndarray = size * need
    return out


def build_problem_from_arrays(
    *,
    benefit: np.ndarray,
    capacity: np.ndarray,
    years: tuple[int, ...],
    facilities: tuple[str, ...] = ("factories", "hospital"),
    region_ids: tuple[str, ...] | None = None,
    provinces: tuple[str, ...] | None = None,
    province_of: np.ndarray | None = None,
    equity_weight: np.ndarray | None = None,
    capacity_exact: np.ndarray | None = None,
    coverage_exact: np.ndarray | None = None,
    workload: int = 2,
    balance_floor: np.ndarray | None = None,
    base_cost: np.ndarray | None = None,
    budget: np.ndarray | None = None,
    lock_year: np.ndarray | None = None,
    forbidden: np.ndarray | None = None,
    eligible: np.ndarray | None = None,
    tier_benefit: np.ndarray | None = None,
    spend_share: np.ndarray | None = None,
) -> PlanningProblem:
    """A problem straight from arrays (tests, hand-solved cases, benchmarks).

    Only ``benefit`` (n, F), ``capacity`` (F, Y) and ``years`` are required;
    everything else defaults to the neutral value (equity weight 1, one
    province, no balance, no budget, no locks, all eligible, tier factor 1,
    factories exact per year, coverage exact when capacity allows).
    """
    benefit = np.asarray(benefit, dtype=float)
    n, n_fac = benefit.shape
    n_years = len(years)
    capacity = np.asarray(capacity, dtype=np.int64)
    ids = region_ids or tuple(f"R{k:04d}" for k in range(n))
    elig = np.ones((n, n_fac), dtype=bool) if eligible is None else np.asarray(eligible, bool)
    if capacity_exact is None:
        capacity_exact = np.array([fac == "factories" for fac in facilities])
    if coverage_exact is None:
        coverage_exact = capacity.sum(axis=1) >= elig.sum(axis=0)
    lock = np.full((n, n_fac), NO_YEAR, np.int64) if lock_year is None else np.asarray(lock_year)
    src = np.where(lock >= 0, "scenario", "").astype(object)
    cost = np.ones((n, n_fac)) if base_cost is None else np.asarray(base_cost, dtype=float)
    h = hashlib.sha256(
        json.dumps(
            [benefit.tolist(), capacity.tolist(), list(years), list(facilities)], sort_keys=True
        ).encode()
    ).hexdigest()
    return PlanningProblem(
        region_ids=tuple(ids),
        names=tuple(ids),
        provinces=provinces or ("P",),
        province_of=np.zeros(n, np.int64) if province_of is None else np.asarray(province_of),
        population=benefit[:, 0].copy(),
        development=np.ones(n),
        equity_weight=np.ones(n) if equity_weight is None else np.asarray(equity_weight, float),
        facilities=tuple(facilities),
        years=tuple(years),
        tiers=np.ones(n_years, np.int64),
        tier_cost=np.ones(n_years),
        tier_benefit=np.ones(n_years) if tier_benefit is None else np.asarray(tier_benefit),
        eligible=elig,
        benefit=benefit,
        base_cost=cost,
        size=np.ones((n, n_fac)),
        capacity=capacity,
        capacity_exact=np.asarray(capacity_exact, bool),
        coverage_exact=np.asarray(coverage_exact, bool),
        workload=workload,
        balance_floor=balance_floor,
        budget=np.full(n_years, np.inf) if budget is None else np.asarray(budget, float),
        lock_year=lock,
        lock_source=src,
        forbidden=np.zeros((n, n_fac, n_years), bool) if forbidden is None else forbidden,
        facilities_table=pd.DataFrame(),
        metadata={"input_hash": h, "scenario": None, "regdev_version": __version__},
        spend_share=None if spend_share is None else np.asarray(spend_share, dtype=float),
    )


def _region_index(registry: RegionRegistry, pos: dict[str, int], key: str, where: str) -> int:
    try:
        rid = registry.resolve(key)
    except LookupError as exc:
        msg = f"{where}: {exc}"
        raise ConfigError(msg) from None
    if rid not in pos:
        msg = f"{where}: {rid} is not a programme region (the capital is never a site)"
        raise ConfigError(msg)
    return pos[rid]


def _year_index(years: tuple[int, ...], year: int, where: str) -> int:
    if year not in years:
        msg = f"{where}: year must be within {years[0]}–{years[-1]}; got {year}"
        raise ConfigError(msg)
    return years.index(year)
