"""The design problem: every parameter of the factory-design MILP as labelled arrays.

:func:`build_design_problem` is the only place that reads a registry and the
catalogue; the model (:mod:`regdev.design.model`) sees arrays only.  Tests and
users with their own data may also build a :class:`DesignProblem` directly
(see the two-county case in the tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from regdev.design.catalogue import Catalogue, load_catalogue
from regdev.design.demand import DEFAULT_BASE_YEAR, DEFAULT_GROWTH, build_demand
from regdev.design.supply import build_supply, supply_basis
from regdev.errors import ConfigError, DataValidationError
from regdev.registry import RegionRegistry
from regdev.registry.geography import nearest_neighbours

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class DesignOptions:
    """Parameters of the design model (all with documented defaults).

    Parameters
    ----------
    year : int, default 2030
        Year the demand is projected to.
    growth : float, default 0.005
        Annual population growth since ``base_year``.
    base_year : int, default 2008
        Year of the registry's population.
    coverage_target : float, default 0.6
        Share of each county's demand for every *basic* category (one made by
        a standard line) that must come from local or nearby production.
    k_neighbours : int, default 5
        Each county trades with its ``k`` nearest design counties (both ways)
        and with its province seat.
    circuity : float, default 1.3
        Road distance / great-circle distance.
    cost_per_tkm_usd : float, default 0.10
        Freight cost, USD per tonne-km (road and rail mix).
    discount_rate, lifetime_years : float, int, default 0.08, 15
        Capital is annualised with the capital-recovery factor.
    wage_usd : float, default 1200
        Annual cost of one worker, USD.
    specialty_bonus_kusd : float, default 30
        Bonus (thousand USD per year) for each characteristic line opened on
        its local raw material; 0 switches it off.
    min_local_share : float, default 0.5
        A characteristic line is allowed only where the local supply of its
        required resource covers this share of the raw need at minimum
        efficient scale ("the raw material exists in commercial quantity").
    central_cost_factor : float, default 1.0
        Unit production cost of central (capital / province-seat) supply
        relative to a fully used local line of ``central_tier``.
    central_tier : int, default 2
        Modernisation tier of the central factories.
    default_import_km : float, default 300
        Haul of an imported raw material when no region supplies it.
    scale_exponent_capex : float, default 0.6
        Economies of scale of the *central* plants of the fair baseline: a plant
        of ``q`` modules' capacity costs ``capex_module · q ** 0.6`` (the
        "six-tenths rule", Williams 1947; see :mod:`regdev.design.baseline`).
    scale_exponent_labour : float, default 0.75
        Workers of a central plant of ``q`` modules: ``labour_module · q ** 0.75``
        (planning assumption; see :mod:`regdev.design.baseline`).
    time_limit : float, default 60
        Solver time limit, seconds.
    mip_rel_gap : float, default 0.005
        Relative MIP gap at which HiGHS stops.
    threads : int, default 0
        Solver threads (0 = HiGHS default).
    """

    year: int = 2030
    growth: float = DEFAULT_GROWTH
    base_year: int = DEFAULT_BASE_YEAR
    coverage_target: float = 0.6
    k_neighbours: int = 5
    circuity: float = 1.3
    cost_per_tkm_usd: float = 0.10
    discount_rate: float = 0.08
    lifetime_years: int = 15
    wage_usd: float = 1200.0
    specialty_bonus_kusd: float = 30.0
    min_local_share: float = 0.5
    central_cost_factor: float = 1.0
    central_tier: int = 2
    default_import_km: float = 300.0
    scale_exponent_capex: float = 0.6
    scale_exponent_labour: float = 0.75
    time_limit: float = 60.0
    mip_rel_gap: float = 0.005
    threads: int = 0

    def check(self) -> None:
        """Validate the ranges; raise :class:`ConfigError` naming the option."""
        rules: list[tuple[str, bool, str]] = [
            ("coverage_target", 0.0 <= self.coverage_target <= 1.0, "0 … 1"),
            ("k_neighbours", self.k_neighbours >= 0, ">= 0"),
            ("circuity", self.circuity >= 1.0, ">= 1"),
            ("cost_per_tkm_usd", self.cost_per_tkm_usd >= 0, ">= 0"),
            ("discount_rate", 0 <= self.discount_rate < 1, "0 … 1"),
            ("lifetime_years", self.lifetime_years >= 1, ">= 1"),
            ("wage_usd", self.wage_usd >= 0, ">= 0"),
            ("specialty_bonus_kusd", self.specialty_bonus_kusd >= 0, ">= 0"),
            ("min_local_share", 0 <= self.min_local_share <= 1, "0 … 1"),
            ("central_cost_factor", self.central_cost_factor > 0, "> 0"),
            ("central_tier", 1 <= self.central_tier <= 3, "1 … 3"),
            ("default_import_km", self.default_import_km >= 0, ">= 0"),
            ("scale_exponent_capex", 0 < self.scale_exponent_capex <= 1, "0 … 1 (> 0)"),
            ("scale_exponent_labour", 0 < self.scale_exponent_labour <= 1, "0 … 1 (> 0)"),
            ("time_limit", self.time_limit > 0, "> 0"),
            ("mip_rel_gap", 0 <= self.mip_rel_gap < 1, "0 … 1"),
        ]
        for name, ok, expected in rules:
            if not ok:
                msg = f"design option {name} must be {expected}; got {getattr(self, name)!r}"
                raise ConfigError(msg)

    @property
    def crf(self) -> float:
        """Capital-recovery factor ``r / (1 − (1 + r)^−n)`` (``1/n`` when ``r = 0``)."""
        r, n = self.discount_rate, self.lifetime_years
        return 1.0 / n if r == 0 else r / (1.0 - (1.0 + r) ** (-n))


@dataclass(frozen=True, eq=False)
class DesignProblem:
    """All parameters of one design instance (money in thousand USD per year).

    Dimensions: ``n`` regions, ``L`` lines, ``C`` categories, ``R`` resources,
    ``A`` trade arcs.  Arrays are indexed in the order of the id lists.

    Parameters
    ----------
    region_ids, region_names, provinces : list of str
        The design regions.
    line_ids, line_groups, line_kinds : list of str
        Catalogue lines; kinds are ``standard`` / ``characteristic``.
    line_category : ndarray of int, shape (L,)
        Category position of each line.
    line_requires : ndarray of int, shape (L,)
        Resource a characteristic line needs locally (−1 for none).
    categories, resources : list of str
    category_basic : ndarray of bool, shape (C,)
        Categories made by a standard line (subject to the coverage target).
    tonnes_per_unit : ndarray, shape (C,)
        Shipping weight of one unit of each category, t.
    module_size, mes : ndarray, shape (L,)
        Module capacity and minimum efficient scale (output units per year).
    module_cost : ndarray, shape (n, L)
        Annualised capital + labour cost of one module, kUSD/yr.
    capex_per_module : ndarray, shape (n, L)
        Capital cost of one module at the region's tier, kUSD (reporting).
    labour_per_module : ndarray, shape (n, L)
        Workers per module at the region's tier.
    unit_cost : ndarray, shape (L,)
        Operating + raw-material cost per output unit, kUSD.
    inputs : ndarray, shape (L, R)
        Raw material per output unit, t.
    supply : ndarray, shape (n, R)
        Local raw-material supply, t/yr.
    demand : ndarray, shape (n, C)
        Demand, output units per year.
    allowed : ndarray of bool, shape (n, L)
        Candidate lines (standard everywhere; characteristic where the
        required resource exists).
    arc_from, arc_to : ndarray of int, shape (A,)
        Trade arcs (region positions).
    arc_km : ndarray, shape (A,)
        Road distance of each arc, km.
    import_km : ndarray, shape (n, R)
        Haul of an imported tonne of each resource, km.
    external_cost : ndarray, shape (n, C)
        Cost of a unit supplied centrally (production + transport), kUSD.
    baseline_tkm : ndarray, shape (n, C)
        Tonne-km of central supply per unit (delivery + raw-material haul).
    bonus : ndarray, shape (n, L)
        Local-specialty bonus, kUSD/yr per opened line.
    coverage_target : float
    cost_per_tkm : float
        kUSD per tonne-km.
    standard_groups : list of str
    tiers : ndarray of int, shape (n,)
    options : DesignOptions
    metadata : dict
    lat, lon : ndarray, shape (n,), optional
        Coordinates (degrees) for maps.
    supply_basis : ndarray of str, shape (n, R), optional
        Where each local supply comes from: ``listed``, ``given``, ``inferred``
        (terrain, area and coast only) or ``none``
        (:func:`regdev.design.supply.supply_basis`); ``None``: unknown.
    """

    region_ids: list[str]
    region_names: list[str]
    provinces: list[str]
    line_ids: list[str]
    line_groups: list[str]
    line_kinds: list[str]
    line_category: IntArray
    line_requires: IntArray
    categories: list[str]
    resources: list[str]
    category_basic: BoolArray
    tonnes_per_unit: FloatArray
    module_size: FloatArray
    mes: FloatArray
    module_cost: FloatArray
    capex_per_module: FloatArray
    labour_per_module: FloatArray
    unit_cost: FloatArray
    inputs: FloatArray
    supply: FloatArray
    demand: FloatArray
    allowed: BoolArray
    arc_from: IntArray
    arc_to: IntArray
    arc_km: FloatArray
    import_km: FloatArray
    external_cost: FloatArray
    baseline_tkm: FloatArray
    bonus: FloatArray
    coverage_target: float
    cost_per_tkm: float
    standard_groups: list[str]
    tiers: IntArray
    options: DesignOptions = field(default_factory=DesignOptions)
    metadata: dict[str, Any] = field(default_factory=dict)
    lat: FloatArray | None = None
    lon: FloatArray | None = None
    supply_basis: npt.NDArray[np.str_] | None = None

    @property
    def n_regions(self) -> int:
        """Number of design regions."""
        return len(self.region_ids)

    @property
    def n_lines(self) -> int:
        """Number of catalogue lines."""
        return len(self.line_ids)

    def region_pos(self, region_id: str) -> int:
        """Position of ``region_id`` in the problem."""
        return self.region_ids.index(region_id)

    def line_pos(self, line_id: str) -> int:
        """Position of ``line_id`` in the problem."""
        return self.line_ids.index(line_id)

    def check(self) -> None:
        """Check shapes and signs; raise :class:`DataValidationError` listing every problem."""
        n, ell, c, r = self.n_regions, self.n_lines, len(self.categories), len(self.resources)
        shapes = {
            "line_category": (ell,),
            "line_requires": (ell,),
            "category_basic": (c,),
            "tonnes_per_unit": (c,),
            "module_size": (ell,),
            "mes": (ell,),
            "module_cost": (n, ell),
            "unit_cost": (ell,),
            "inputs": (ell, r),
            "supply": (n, r),
            "demand": (n, c),
            "allowed": (n, ell),
            "import_km": (n, r),
            "external_cost": (n, c),
            "baseline_tkm": (n, c),
            "bonus": (n, ell),
            "tiers": (n,),
        }
        problems: list[str] = []
        for name, shape in shapes.items():
            got = np.shape(getattr(self, name))
            if got != shape:
                problems.append(f"design problem: {name} must have shape {shape}; got {got}")
        if problems:
            raise DataValidationError(problems)
        for name in ("supply", "demand", "module_size", "inputs", "arc_km", "import_km"):
            arr = np.asarray(getattr(self, name), dtype=float)
            if arr.size and (not np.isfinite(arr).all() or (arr < 0).any()):
                problems.append(f"design problem: {name} must be finite and >= 0")
        if (np.asarray(self.module_size) <= 0).any():
            problems.append("design problem: module_size must be > 0")
        if problems:
            raise DataValidationError(problems)


# ------------------------------------------------------------------- building
def _nearest_source_km(
    dist: FloatArray, supply: FloatArray, *, include_self: bool, default_km: float
) -> FloatArray:
    """Distance from every region to the nearest region with supply > 0, per resource."""
    n, n_res = supply.shape
    out = np.empty((n, n_res))
    for k in range(n_res):
        has = supply[:, k] > 0
        d = np.where(has[None, :], dist, np.inf)
        if not include_self:
            np.fill_diagonal(d, np.inf)
        best = d.min(axis=1) if n else np.zeros(0)
        out[:, k] = np.where(np.isfinite(best), best, default_km)
    return out


def build_design_problem(
    registry: RegionRegistry,
    *,
    regions: list[str] | None = None,
    catalogue: Catalogue | None = None,
    options: DesignOptions | None = None,
    tiers: pd.Series | dict[str, int] | int = 2,
    supply_override: pd.DataFrame | None = None,
    force: dict[tuple[str, str], bool] | None = None,
) -> DesignProblem:
    """Compute every parameter of the design model from a registry and the catalogue.

    Parameters
    ----------
    registry : RegionRegistry
        The whole country: raw-material sources, province seats and the capital
        (central supply of the baseline) are looked up here.
    regions : list of str, optional
        Regions to design factory groups for (default: every programme region).
    catalogue : Catalogue, optional
        Default: the packaged catalogue.
    options : DesignOptions, optional
    tiers : int, dict or Series, default 2
        Modernisation tier (1 … 3) per region, or one tier for all.
    supply_override : pandas.DataFrame, optional
        Regions × resources (t/yr) replacing the derived raw-material base.
    force : dict, optional
        ``{(region_id, line_id): True/False}``: force a line open (it becomes a
        candidate even without local raw material) or forbid it.  Stored in
        ``metadata['force']`` and applied by the model.

    Returns
    -------
    DesignProblem

    Raises
    ------
    NotFoundError
        For an unknown region.
    ConfigError
        For bad options or tiers.
    """
    opts = options or DesignOptions()
    opts.check()
    cat = catalogue or load_catalogue()
    full = registry
    ids = list(regions) if regions is not None else full.programme().ids
    ids = [full.resolve(r) for r in ids]
    if len(set(ids)) != len(ids):
        msg = "design regions must be unique"
        raise ConfigError(msg)
    if not ids:
        msg = "design needs at least one region"
        raise ConfigError(msg)
    design = full.subset(ids)
    f_full = full.frame
    f = design.frame
    n = len(ids)

    # --- catalogue arrays
    lines = cat.lines
    categories = cat.categories
    cat_pos = {c: k for k, c in enumerate(categories)}
    resources = cat.resources
    res_pos = {r: k for k, r in enumerate(resources)}
    line_ids = cat.line_ids
    ell = len(line_ids)
    line_category = np.array([cat_pos[c] for c in lines["category"]], dtype=np.int64)
    line_requires = np.array(
        [res_pos.get(str(r), -1) if r else -1 for r in lines["requires"]], dtype=np.int64
    )
    kinds = lines["kind"].astype(str).tolist()
    inputs = cat.inputs[resources].to_numpy(dtype=float)
    size = lines["module_size"].to_numpy(dtype=float)
    mes = lines["mes"].to_numpy(dtype=float)
    price = cat.supply.loc[resources, "price_usd_per_t"].to_numpy(dtype=float) / 1000.0
    unit_cost = lines["opex_per_unit"].to_numpy(dtype=float) / 1000.0 + inputs @ price
    tpu_line = lines["tonnes_per_unit"].to_numpy(dtype=float)
    tpu = np.ones(len(categories))
    for k in range(ell):
        tpu[line_category[k]] = tpu_line[k]
    basic = np.zeros(len(categories), dtype=bool)
    for k in range(ell):
        if kinds[k] == "standard":
            basic[line_category[k]] = True

    # --- tiers and per-region module costs
    if isinstance(tiers, int):
        tier_arr = np.full(n, tiers, dtype=np.int64)
    else:
        ser = pd.Series(tiers)
        missing = [r for r in ids if r not in ser.index]
        if missing:
            msg = f"tiers: no tier given for regions {missing[:5]}"
            raise ConfigError(msg)
        tier_arr = ser.loc[ids].astype(int).to_numpy(dtype=np.int64)
    if ((tier_arr < 1) | (tier_arr > 3)).any():
        msg = f"tiers must be within 1 … 3; got {sorted(set(tier_arr.tolist()))}"
        raise ConfigError(msg)
    capex = (
        np.stack([cat.capex(int(t)).to_numpy(dtype=float) for t in tier_arr])
        if n
        else np.zeros((0, ell))
    )
    labour = (
        np.stack([cat.labour(int(t)).to_numpy(dtype=float) for t in tier_arr])
        if n
        else np.zeros((0, ell))
    )
    module_cost = capex * opts.crf + labour * opts.wage_usd / 1000.0

    # --- demand and supply
    demand = build_demand(design, cat, year=opts.year, growth=opts.growth, base_year=opts.base_year)
    supply_full = build_supply(full, cat, override=supply_override)[resources]
    supply = supply_full.loc[ids].to_numpy(dtype=float)
    basis = supply_basis(full, supply_full, override=supply_override).loc[ids]

    # --- candidates: characteristic lines need their resource in commercial quantity
    allowed = np.ones((n, ell), dtype=bool)
    for k in range(ell):
        r = line_requires[k]
        if kinds[k] == "characteristic" and r >= 0:
            need = opts.min_local_share * mes[k] * inputs[k, r]
            allowed[:, k] = supply[:, r] >= max(need, 1e-9)
    bonus = np.where(
        allowed & (np.array(kinds) == "characteristic")[None, :], opts.specialty_bonus_kusd, 0.0
    )

    # --- distances
    lat_full = f_full["lat"].to_numpy(dtype=float)
    lon_full = f_full["lon"].to_numpy(dtype=float)
    from regdev.registry.geography import distance_matrix_km

    # Issue 17: a region table without coordinates has no distances.  Then there is no
    # trade between regions (no arcs below) and every other haul (imports, central
    # supply of the baseline) is priced at the default import distance; noted in
    # metadata["assumptions"].
    has_xy = bool(np.isfinite(lat_full).all() and np.isfinite(lon_full).all())
    if has_xy:
        dist_full = distance_matrix_km(lat_full, lon_full) * opts.circuity
    else:
        dist_full = np.full((len(lat_full), len(lat_full)), float(opts.default_import_km))
        np.fill_diagonal(dist_full, 0.0)
    full_pos = {rid: k for k, rid in enumerate(f_full.index)}
    dpos = np.array([full_pos[r] for r in ids], dtype=np.int64)
    dist = dist_full[np.ix_(dpos, dpos)]

    # trade arcs: k nearest (both directions) + province seat
    pairs: set[tuple[int, int]] = set()
    k_nn = min(opts.k_neighbours, n - 1) if has_xy else 0  # issue 17: no coordinates, no trade
    if k_nn >= 1:
        nn, _ = nearest_neighbours(f["lat"], f["lon"], k_nn)
        for i in range(n):
            for j in nn[i]:
                pairs.add((i, int(j)))
                pairs.add((int(j), i))
    seats = full.province_seats()
    id_pos = {r: k for k, r in enumerate(ids)}
    provinces = f["province"].astype(str).tolist()
    # also the k nearest within the province (trade inside a province even where
    # a neighbouring province's counties are nearer)
    prov_arr = np.array(provinces)
    for prov in sorted(set(provinces)):
        members = np.flatnonzero(prov_arr == prov)
        k_p = min(opts.k_neighbours, len(members) - 1) if has_xy else 0
        if k_p < 1:
            continue
        nn_p, _ = nearest_neighbours(f["lat"].iloc[members], f["lon"].iloc[members], k_p)
        for a, row in enumerate(nn_p):
            for b in row:
                i, j = int(members[a]), int(members[int(b)])
                pairs.add((i, j))
                pairs.add((j, i))
    for i, prov in enumerate(provinces):
        seat = seats.get(prov)
        if has_xy and seat is not None and seat in id_pos and id_pos[seat] != i:
            pairs.add((i, id_pos[seat]))
            pairs.add((id_pos[seat], i))
    arcs = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    arc_km = dist[arcs[:, 0], arcs[:, 1]] if len(arcs) else np.zeros(0)

    # --- imports and central supply
    supply_full_arr = supply_full.to_numpy(dtype=float)
    import_km_full = _nearest_source_km(
        dist_full, supply_full_arr, include_self=False, default_km=opts.default_import_km
    )
    centre_raw_km = _nearest_source_km(
        dist_full, supply_full_arr, include_self=True, default_km=opts.default_import_km
    )
    import_km = import_km_full[dpos]

    cap_id = full.capital_id
    if cap_id is None:
        cap_id = str(f_full["population"].astype(float).idxmax())
    cap_full = full_pos[cap_id]
    seat_full = np.array([full_pos[str(seats.get(p, cap_id))] for p in provinces], dtype=np.int64)
    # cheapest fully used line per category at the central tier
    c_capex = cat.capex(opts.central_tier).to_numpy(dtype=float)
    c_lab = cat.labour(opts.central_tier).to_numpy(dtype=float)
    full_unit = (c_capex * opts.crf + c_lab * opts.wage_usd / 1000.0) / size + unit_cost
    best_line = np.full(len(categories), -1, dtype=np.int64)
    for k in range(ell):
        c = line_category[k]
        if best_line[c] < 0 or full_unit[k] < full_unit[best_line[c]]:
            best_line[c] = k
    central_unit = np.where(best_line >= 0, full_unit[np.maximum(best_line, 0)], 0.0)
    central_unit = central_unit * opts.central_cost_factor
    baseline_tkm = np.zeros((n, len(categories)))
    for c in range(len(categories)):
        centre = seat_full if basic[c] else np.full(n, cap_full, dtype=np.int64)
        deliver = dist_full[centre, dpos] * tpu[c]
        k = best_line[c]
        raw = (centre_raw_km[centre] @ inputs[k]) if k >= 0 else np.zeros(n)
        baseline_tkm[:, c] = deliver + raw
    cost_tkm = opts.cost_per_tkm_usd / 1000.0
    external_cost = central_unit[None, :] + cost_tkm * baseline_tkm

    meta: dict[str, Any] = {
        "registry_hash": full.content_hash(),
        "catalogue": cat.source,
        "capital_id": cap_id,
        "centre_seat": [str(f_full.index[s]) for s in seat_full],
        "force": dict(force or {}),
        "central_unit_cost": central_unit.tolist(),
        "central_best_line": best_line.tolist(),
        "central_capex_module": c_capex.tolist(),
        "central_labour_module": c_lab.tolist(),
        "line_names": lines["name"].astype(str).tolist(),
        "line_units": lines["unit"].astype(str).tolist(),
        "assumptions": []
        if has_xy
        else [
            "no coordinates: no trade between regions; imports and central supply are "
            f"hauled {opts.default_import_km:g} km (default import distance)"
        ],
    }
    if force:
        for rid, lid in force:
            if rid not in id_pos:
                msg = f"force/forbid: region {rid!r} is not among the design regions"
                raise ConfigError(msg)
            if lid not in line_ids:
                msg = f"force/forbid: unknown line {lid!r}; expected one of {line_ids}"
                raise ConfigError(msg)

    problem = DesignProblem(
        region_ids=ids,
        region_names=f["name"].astype(str).tolist(),
        provinces=provinces,
        line_ids=line_ids,
        line_groups=lines["group"].astype(str).tolist(),
        line_kinds=kinds,
        line_category=line_category,
        line_requires=line_requires,
        categories=categories,
        resources=resources,
        category_basic=basic,
        tonnes_per_unit=tpu,
        module_size=size,
        mes=mes,
        module_cost=module_cost,
        capex_per_module=capex,
        labour_per_module=labour,
        unit_cost=unit_cost,
        inputs=inputs,
        supply=supply,
        demand=demand.to_numpy(dtype=float),
        allowed=allowed,
        arc_from=arcs[:, 0].copy(),
        arc_to=arcs[:, 1].copy(),
        arc_km=arc_km,
        import_km=import_km,
        external_cost=external_cost,
        baseline_tkm=baseline_tkm,
        bonus=bonus,
        coverage_target=opts.coverage_target,
        cost_per_tkm=cost_tkm,
        standard_groups=cat.standard_groups,
        tiers=tier_arr,
        options=opts,
        metadata=meta,
        lat=f["lat"].to_numpy(dtype=float) if has_xy else None,
        lon=f["lon"].to_numpy(dtype=float) if has_xy else None,
        supply_basis=basis.to_numpy(dtype=str),
    )
    problem.check()
    return problem


def module_bound(problem: DesignProblem) -> IntArray:
    """Upper bound on modules per (region, line): the demand the plant can reach.

    A plant serves its own region and its direct trading partners, so
    ``M[i, l] = ceil((D[i, c] + Σ_{j: i→j} D[j, c]) / module_size[l])``,
    at least the modules needed for the minimum efficient scale.

    Returns
    -------
    ndarray of int, shape (n, L)
    """
    n = problem.n_regions
    reach = problem.demand.copy()
    if len(problem.arc_from):
        np.add.at(reach, problem.arc_from, problem.demand[problem.arc_to])
    per_line = reach[:, problem.line_category]
    bound = np.ceil(per_line / problem.module_size[None, :] - 1e-9)
    need = np.ceil(problem.mes / problem.module_size - 1e-9)
    out = np.maximum(bound, need[None, :]).astype(np.int64)
    return out.reshape(n, problem.n_lines)
