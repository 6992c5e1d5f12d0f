"""County siting: the village problem of one county, any model, and all counties in parallel.

Defaults (assumptions, labelled as such)
----------------------------------------
``standard = 60`` minutes
    Access standard to first-level care.  Weiss et al. (2020), "Global maps of
    travel time to healthcare facilities", *Nature Medicine* 26, 1835–1838,
    report access as the share of people within one hour; one hour is used
    here as an **assumption** for a first-aid post reached on foot.
``people_per_post = 8000``
    The planner's hospital norm (``HospitalSizing.people_per_first_aid_post``)
    gives the number of posts ``p = ceil(population / 8000)`` unless ``p``
    is given.
``capacity = 1.5 × people_per_post`` (at least the largest village)
    Post capacity by population in the hierarchical model (**assumption**:
    50 % slack on the norm so whole villages can be assigned).
``min_km = 1.5``
    Posts at least 1.5 km from the county hospital (**assumption**: the
    hospital's own out-patient department serves its neighbourhood; 1.5 km
    × 1.3 circuity at the slowest walking speed, 2.5 km/h, is 47 minutes, so
    a village too near the hospital for a post is always within the
    60-minute standard of the hospital itself).
Hospital: at the region's centre (its registry coordinates).

Candidate post sites are the villages themselves.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from regdev.errors import ConfigError, InfeasibleSpecificationError, NotFoundError
from regdev.health.covering import solve_lscp, solve_mclp
from regdev.health.hierarchical import solve_hierarchical
from regdev.health.pmedian import solve_pmedian
from regdev.health.travel import (
    RoadNetwork,
    TravelParameters,
    crow_minutes,
    great_circle_km,
    network_minutes,
)
from regdev.registry import RegionRegistry

MODELS = ("pmedian", "mclp", "lscp", "hierarchical")
DEFAULT_STANDARD_MIN = 60.0
PEOPLE_PER_POST = 8000.0
CAPACITY_SLACK = 1.5
MIN_KM_FROM_HOSPITAL = 1.5

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CountyProblem:
    """The arrays of one county: villages, candidate posts (= villages), hospital."""

    region_id: str
    terrain: str
    villages: pd.DataFrame
    cost: FloatArray  # walk minutes village × candidate
    hospital_minutes: FloatArray  # walk minutes village → hospital
    post_hospital_km: FloatArray
    referral_minutes: FloatArray  # drive minutes candidate → hospital
    hospital_lat: float
    hospital_lon: float

    @property
    def population(self) -> float:
        """People in the county's villages."""
        return float(self.villages["population"].sum())


def county_problem(
    registry: RegionRegistry,
    settlements: pd.DataFrame,
    region_id: str,
    *,
    params: TravelParameters | None = None,
    network: RoadNetwork | None = None,
) -> CountyProblem:
    """Build the travel arrays of one county."""
    if region_id not in registry.ids:
        msg = f"unknown region {region_id!r}"
        raise NotFoundError(msg)
    p = params or TravelParameters()
    row = registry.frame.loc[region_id]
    v = settlements[settlements["region_id"] == region_id].reset_index(drop=True)
    if v.empty:
        msg = f"region {region_id!r} has no settlements"
        raise InfeasibleSpecificationError(msg)
    terrain = str(row.get("physiography") or "mixed")
    lat, lon = v["lat"].to_numpy(float), v["lon"].to_numpy(float)
    ter = np.full(len(v), terrain, dtype=object)
    hlat, hlon = float(row["lat"]), float(row["lon"])
    if network is not None:
        cost = network_minutes(network, lat, lon, lat, lon, ter, p)
        hosp = network_minutes(network, lat, lon, [hlat], [hlon], ter, p)[:, 0]
    else:
        cost = crow_minutes(lat, lon, lat, lon, ter, p)
        hosp = crow_minutes(lat, lon, [hlat], [hlon], ter, p)[:, 0]
    km = great_circle_km(lat, lon, [hlat], [hlon])[:, 0]
    referral = km * p.circuity / p.drive_kmh * 60.0
    return CountyProblem(region_id, terrain, v, cost, hosp, km, referral, hlat, hlon)


def norm_posts(population: float, people_per_post: float = PEOPLE_PER_POST) -> int:
    """Posts by the planner's norm: ``max(1, ceil(population / people_per_post))``."""
    return max(1, math.ceil(population / people_per_post))


@dataclass(frozen=True)
class CountySiting:
    """What one county's siting gave (tables + proof)."""

    region_id: str
    model: str
    standard: float
    p: int
    posts: pd.DataFrame
    assignments: pd.DataFrame
    objective: float
    bound: float
    gap: float
    optimal: bool
    solve_time_s: float
    population: float
    covered_population: float
    synthetic: bool
    hospital: tuple[float, float] = (math.nan, math.nan)
    notes: list[str] = field(default_factory=list)

    @property
    def n_posts(self) -> int:
        """Number of posts sited."""
        return len(self.posts)

    def summary(self) -> dict[str, object]:
        """One row for the coverage table."""
        return {
            "region_id": self.region_id,
            "model": self.model,
            "standard_min": self.standard,
            "posts": self.n_posts,
            "population": self.population,
            "covered_population": self.covered_population,
            "covered_share": self.covered_population / self.population if self.population else 1.0,
            "mean_minutes": float(
                np.average(self.assignments["minutes"], weights=self.assignments["population"])
            )
            if self.population
            else 0.0,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "optimal": self.optimal,
            "solve_time_s": self.solve_time_s,
            "synthetic": self.synthetic,
        }


def site_county(
    problem: CountyProblem,
    *,
    model: str = "pmedian",
    standard: float = DEFAULT_STANDARD_MIN,
    p: int | None = None,
    people_per_post: float = PEOPLE_PER_POST,
    min_km: float = MIN_KM_FROM_HOSPITAL,
    time_limit: float = 60.0,
    synthetic: bool = False,
) -> CountySiting:
    """Site the first-aid posts of one county with ``model``."""
    if model not in MODELS:
        msg = f"model must be one of {', '.join(MODELS)}; got {model!r}"
        raise ConfigError(msg)
    v = problem.villages
    w = v["population"].to_numpy(float)
    n = len(v)
    pop = float(w.sum())
    k = min(norm_posts(pop, people_per_post), n) if p is None else p
    notes: list[str] = []
    t0 = time.perf_counter()
    if model == "pmedian":
        r = solve_pmedian(problem.cost, k, w, time_limit=time_limit)
        sites, objective, bound, gap, optimal = r.sites, r.objective, r.bound, r.gap, r.optimal
        served = r.assignment
    elif model == "mclp":
        c = solve_mclp(problem.cost, standard, k, w, time_limit=time_limit)
        sites, objective, bound, gap, optimal = c.sites, c.covered, c.bound, c.gap, c.optimal
        served = sites[np.argmin(problem.cost[:, sites], axis=1)]
    elif model == "lscp":
        c = solve_lscp(problem.cost, standard, time_limit=time_limit)
        sites, objective, bound, gap, optimal = c.sites, float(c.n_sites), c.bound, c.gap, c.optimal
        served = sites[np.argmin(problem.cost[:, sites], axis=1)]
        k = c.n_sites
    else:
        cap = max(CAPACITY_SLACK * people_per_post, float(w.max()))
        eligible = problem.post_hospital_km >= min_km
        direct = problem.hospital_minutes <= standard
        need = np.flatnonzero(~direct)
        if need.size and p is None:
            cover = problem.cost[need][:, eligible] <= standard
            minimal = solve_lscp(cover.astype(float), standard, time_limit=time_limit).n_sites
            if minimal > k:
                notes.append(
                    f"the norm gives {k} posts; {minimal} are needed to keep every village "
                    f"within {standard:g} minutes"
                )
                k = minimal
        if p is None:
            k = max(k, math.ceil(float(w[~direct].sum()) / cap))
        n_eligible = int(eligible.sum())
        while True:
            try:
                h = solve_hierarchical(
                    problem.cost,
                    problem.hospital_minutes,
                    problem.post_hospital_km,
                    problem.referral_minutes,
                    w,
                    p=k,
                    standard=standard,
                    min_km=min_km,
                    capacity=cap,
                    time_limit=time_limit,
                )
                break
            except InfeasibleSpecificationError:
                # coverage and capacity together may need more posts than either alone
                if p is not None or k >= n_eligible:
                    raise
                k += 1
                notes.append(
                    f"{k - 1} posts cannot serve every village within capacity; trying {k}"
                )
        sites, objective, bound, gap, optimal = h.sites, h.objective, h.bound, h.gap, h.optimal
        served = h.served_by
    elapsed = time.perf_counter() - t0
    by_hospital = served < 0
    minutes = np.where(
        by_hospital, problem.hospital_minutes, problem.cost[np.arange(n), np.maximum(served, 0)]
    )
    ids = v["settlement_id"].to_numpy()
    assignments = pd.DataFrame(
        {
            "region_id": problem.region_id,
            "settlement_id": ids,
            "population": w,
            "served_by": np.where(by_hospital, "hospital", ids[np.maximum(served, 0)]),
            "minutes": np.round(minutes, 2),
            "within_standard": minutes <= standard + 1e-9,
        }
    )
    load = pd.Series(w).groupby(served).sum()
    posts = pd.DataFrame(
        {
            "region_id": problem.region_id,
            "post_id": [f"{problem.region_id}-P{i + 1:03d}" for i in range(len(sites))],
            "settlement_id": ids[sites],
            "lat": v["lat"].to_numpy()[sites],
            "lon": v["lon"].to_numpy()[sites],
            "population_served": [float(load.get(int(s), 0.0)) for s in sites],
            "km_to_hospital": np.round(problem.post_hospital_km[sites], 2),
        }
    )
    covered = float(w[minutes <= standard + 1e-9].sum())
    return CountySiting(
        problem.region_id,
        model,
        standard,
        k,
        posts,
        assignments,
        float(objective),
        float(bound),
        float(gap),
        bool(optimal),
        elapsed,
        pop,
        covered,
        synthetic,
        (problem.hospital_lat, problem.hospital_lon),
        notes,
    )


def _one(args: tuple[CountyProblem, dict[str, object]]) -> CountySiting:
    problem, kw = args
    return site_county(problem, **kw)  # type: ignore[arg-type]


def hospital_regions(registry: RegionRegistry) -> list[str]:
    """Regions with a county hospital: every region except the capital (179 of 180)."""
    frame = registry.frame
    return [r for r in frame.index if str(frame.loc[r, "kind"]) != "capital"]


def site_all(
    registry: RegionRegistry,
    settlements: pd.DataFrame,
    regions: Sequence[str] | None = None,
    *,
    model: str = "pmedian",
    standard: float = DEFAULT_STANDARD_MIN,
    params: TravelParameters | None = None,
    network: RoadNetwork | None = None,
    workers: int | None = None,
    time_limit: float = 60.0,
    progress: Callable[[CountySiting], None] | None = None,
) -> list[CountySiting]:
    """Site every county's posts: decomposition by county, run in parallel processes.

    The national optimum is the sum of the county optima (counties do not
    share villages or posts), so the national gap is at most the largest
    county gap.
    """
    ids = list(regions) if regions is not None else hospital_regions(registry)
    synthetic = bool((settlements.get("source") == "synthetic").any())
    kw: dict[str, object] = {
        "model": model,
        "standard": standard,
        "time_limit": time_limit,
        "synthetic": synthetic,
    }
    problems = [
        county_problem(registry, settlements, r, params=params, network=network) for r in ids
    ]
    # largest first so the pool stays busy
    order = sorted(range(len(problems)), key=lambda i: -len(problems[i].villages))
    jobs = [(problems[i], kw) for i in order]
    n_workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    out: dict[str, CountySiting] = {}
    if n_workers <= 1 or len(jobs) == 1:
        for job in jobs:
            res = _one(job)
            out[res.region_id] = res
            if progress:
                progress(res)
    else:
        # spawn, not fork: a forked child inherits HiGHS's thread-pool state from a parent that
        # already solved something, and then crawls (seen: 179 counties 10 s → > 8 min)
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx) as pool:
            for res in pool.map(_one, jobs, chunksize=4):
                out[res.region_id] = res
                if progress:
                    progress(res)
    return [out[r] for r in ids]


def posts_per_region(sitings: Sequence[CountySiting]) -> pd.Series:
    """Sited post counts by region (for the planner's ``facilities.csv`` first-aid posts)."""
    return pd.Series(
        {s.region_id: s.n_posts for s in sitings}, name="first_aid_posts", dtype="int64"
    )


def coverage_table(sitings: Sequence[CountySiting]) -> pd.DataFrame:
    """One row per county (posts, population within the standard, gap, time)."""
    return pd.DataFrame([s.summary() for s in sitings])


def coverage_curve(
    problem: CountyProblem,
    standard: float,
    max_posts: int,
    *,
    points: int = 16,
    time_limit: float = 30.0,
) -> pd.DataFrame:
    """Population within ``standard`` minutes vs number of posts (exact MCLP per count).

    At most ``points`` post counts between 0 and ``max_posts`` are solved.
    """
    w = problem.villages["population"].to_numpy(float)
    rows = []
    top = min(max_posts, len(w))
    counts = np.unique(np.round(np.linspace(0, top, min(points, top + 1))).astype(int))
    for k in counts.tolist():
        if k == 0:
            covered = float(w[problem.hospital_minutes <= standard].sum())
            rows.append({"posts": 0, "covered_population": covered, "optimal": True})
            continue
        c = solve_mclp(problem.cost, standard, k, w, time_limit=time_limit)
        rows.append({"posts": k, "covered_population": c.covered, "optimal": c.optimal})
    return pd.DataFrame(rows)
