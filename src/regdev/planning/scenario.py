"""The planning scenario: every policy number the rollout model uses, with defaults.

A scenario is a frozen pydantic model loaded from TOML (:func:`load_scenario`).
The shipped ``data/default_scenario.toml`` spells out every default with a
comment; a user file only needs the keys it changes (it is merged over the
defaults key by key).

Sections
--------
``horizon``      first and last programme year (2024–2033).
``factories``    the 20-per-year cadence.
``capacity``     annual capacities of the other facility types.
``tiers``        modernisation tier per year and its cost / benefit factors.
``benefit``      benefit per person served per year, per facility type.
``equity``       inequality aversion ε of the Atkinson-style weight.
``coverage``     exactly once where capacity allows (``auto``) or always (``exact``).
``workload``     projects per county and year.
``balance``      provincial balance of the factory rollout.
``budget``       optional annual budget.
``offshore``     which counties are offshore-farm candidates.
``history``      which real cohorts are locked.
``locks`` / ``forbid``   explicit (region, facility, year) assignments.
``sizing``       facility sizing norms (see :mod:`regdev.planning.sizing`).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from regdev.errors import ConfigError

FACILITY_TYPES: tuple[str, ...] = (
    "factories",
    "hospital",
    "leisure_complex",
    "grain_storage",
    "offshore_farm",
)
"""Facility types in canonical order (schedule.csv ``facility`` values)."""

EVENT_FACILITY: dict[str, str] = {
    "factories": "regional_industry_factories",
    "hospital": "hospital",
    "leisure_complex": "leisure_complex",
    "grain_storage": "grain_storage",
    "offshore_farm": "offshore_farm",
}
"""Facility names as written in the programme events file."""

Facility = Literal["factories", "hospital", "leisure_complex", "grain_storage", "offshore_farm"]


def _all_facilities() -> list[Facility]:
    return ["factories", "hospital", "leisure_complex", "grain_storage", "offshore_farm"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


YEAR_MIN, YEAR_MAX = 1900, 2200
"""Plausible calendar years (issue 17: impossible years are refused, not planned)."""
MAX_HORIZON_YEARS = 100

Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]
"""A calendar year within :data:`YEAR_MIN`–:data:`YEAR_MAX`."""


class Horizon(_Frozen):
    """Planning horizon (inclusive programme years, at most :data:`MAX_HORIZON_YEARS`)."""

    first_year: Year = 2024
    last_year: Year = 2033

    @model_validator(mode="after")
    def _check(self) -> Horizon:
        if self.last_year < self.first_year:
            msg = (
                f"horizon: last_year must be >= first_year; got {self.first_year}–{self.last_year}"
            )
            raise ValueError(msg)
        if self.last_year - self.first_year + 1 > MAX_HORIZON_YEARS:
            msg = (
                f"horizon: at most {MAX_HORIZON_YEARS} years; got "
                f"{self.first_year}–{self.last_year}"
            )
            raise ValueError(msg)
        return self

    @property
    def years(self) -> list[int]:
        """The programme years, in order."""
        return list(range(self.first_year, self.last_year + 1))


class FactoryCadence(_Frozen):
    """The factory cadence: exactly ``per_year`` counties a year while enough remain.

    With ``n`` programme counties the yearly count is ``min(per_year, n - already
    done)``: full cohorts until the counties run out, the remainder in the year
    it runs out, then none.  When ``n > per_year × years`` every year is full
    and the counties that do not fit are left out (listed in the plan).

    ``per_year = "auto"`` scales the cadence with the country: the smallest
    count that reaches every candidate within the horizon, ``ceil(n / years)``
    (at least the largest locked cohort); see
    :func:`regdev.planning.problem.yearly_capacity`.
    """

    per_year: int | Literal["auto"] = 20

    @field_validator("per_year", mode="before")
    @classmethod
    def _per_year(cls, value: Any) -> Any:
        ok = value == "auto" or (
            isinstance(value, int) and not isinstance(value, bool) and value >= 0
        )
        if not ok:
            msg = "expected a whole number >= 0 or 'auto'"
            raise ValueError(msg)
        return value


class TypeCapacity(_Frozen):
    """Annual capacity of one facility type: a default plus per-year overrides."""

    default: int = Field(default=0, ge=0)
    by_year: dict[Year, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)

    def at(self, year: int) -> int:
        """Capacity in ``year``."""
        return int(self.by_year.get(year, self.default))


def _cap(default: int, **by_year: int) -> TypeCapacity:
    return TypeCapacity(default=default, by_year={int(k[1:]): v for k, v in by_year.items()})


class Capacities(_Frozen):
    """Annual capacities (projects completed per year) of the non-factory types.

    ``scale = "fixed"`` takes the numbers as written; ``"auto"`` scales every
    type's yearly capacities by ``n_candidates / Σ capacity`` (rounded up per
    year, never below the projects locked in that year), so each type can
    reach every candidate within the horizon while keeping its yearly shape
    (e.g. none before 2025); see :func:`regdev.planning.problem.yearly_capacity`.
    """

    scale: Literal["fixed", "auto"] = "fixed"
    hospital: TypeCapacity = Field(default_factory=lambda: _cap(24, y2024=0, y2025=10))
    leisure_complex: TypeCapacity = Field(default_factory=lambda: _cap(24, y2024=0, y2025=10))
    grain_storage: TypeCapacity = Field(default_factory=lambda: _cap(24, y2024=0, y2025=10))
    offshore_farm: TypeCapacity = Field(default_factory=lambda: _cap(8, y2024=1, y2025=4))

    def of(self, facility: str) -> TypeCapacity:
        """The capacity of ``facility``."""
        cap: TypeCapacity = getattr(self, facility)
        return cap


class Tiers(_Frozen):
    """Modernisation tiers.

    ``levels`` gives the tier of each year (empty: 1, 2, 3, … rising every
    year); it must never decrease.  Tier ``t`` multiplies cost by
    ``(1 + cost_step)^(t-1)`` and yearly benefit by ``(1 + benefit_step)^(t-1)``.
    """

    levels: list[int] = Field(default_factory=list)
    cost_step: float = Field(default=0.04, ge=0.0)
    benefit_step: float = Field(default=0.03, ge=0.0)


class Benefit(_Frozen):
    """Benefit per person served and year, per facility type (benefit points)."""

    factories: float = Field(default=1.0, ge=0.0)
    hospital: float = Field(default=0.8, ge=0.0)
    leisure_complex: float = Field(default=0.4, ge=0.0)
    grain_storage: float = Field(default=0.6, ge=0.0)
    offshore_farm: float = Field(default=0.5, ge=0.0)

    def of(self, facility: str) -> float:
        """Benefit per person and year of ``facility``."""
        value: float = getattr(self, facility)
        return value


class Equity(_Frozen):
    """The welfare function the plan maximises (see docs/planning.md, "The objective").

    ``objective = "prioritarian"`` (default): a region's per-capita gain is
    valued at ``(pop_c / mean pop)^theta · (d_c / mean d)^(−epsilon)``
    average-region equivalents, with ``theta = population_exponent`` (< 1: need
    first, population second).  ``objective = "headcount"``: the wave-1
    utilitarian headcount objective, every person served counts once times
    ``(d_c / mean d)^(−epsilon)`` (``theta = 1``; ``epsilon = 0`` is plain
    utilitarian).
    """

    objective: Literal["prioritarian", "headcount"] = "prioritarian"
    epsilon: float = Field(default=2.0, ge=0.0)
    population_exponent: float = Field(default=0.25, ge=0.0, le=1.0)

    @property
    def theta(self) -> float:
        """The population exponent in use (1 for the headcount objective)."""
        return 1.0 if self.objective == "headcount" else self.population_exponent


class Coverage(_Frozen):
    """Coverage rule of every facility type.

    ``auto``: exactly once where capacity allows, else at most once;
    ``exact``: exactly once always (an infeasible specification when capacity is short);
    ``within_budget``: at most once, the factory cadence and every capacity an upper
    limit, and the provincial balance relative to what is built — so that any budget
    the locked projects fit has a plan ("the best plan for X per year").
    """

    mode: Literal["auto", "exact", "within_budget"] = "auto"


class Workload(_Frozen):
    """At most ``max_per_county_year`` projects per county and year."""

    max_per_county_year: int = Field(default=2, ge=1)


class Balance(_Frozen):
    """Provincial balance of the factory rollout.

    Each province's cumulative factory count at the end of every year is at
    least ``floor(share_p × cumulative total) − tolerance``, with ``share_p``
    the province's share of the factory candidates (``by = "count"``) or of
    their residents (``by = "population"``; the floor never exceeds the
    province's candidates).
    """

    enabled: bool = True
    tolerance: int = Field(default=1, ge=0)
    by: Literal["count", "population"] = "count"


class Budget(_Frozen):
    """Optional annual budget (million cost units, >= 0).

    ``by_year`` gives single years; ``default`` every other year (``None``:
    unlimited).  With a cash flow (:class:`CashFlow`) the budget of a year
    bounds what is *paid* in that year, not the cost of what completes.
    """

    by_year: dict[Year, Annotated[float, Field(ge=0.0, allow_inf_nan=False)]] = Field(
        default_factory=dict
    )
    default: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] | None = None


def _default_shares() -> dict[Facility, list[float]]:
    return {
        "factories": [0.3, 0.7],
        "hospital": [0.2, 0.4, 0.4],
        "leisure_complex": [0.4, 0.6],
        "grain_storage": [1.0],
        "offshore_farm": [0.5, 0.5],
    }


class CashFlow(_Frozen):
    """Multi-year cash flow: each project's cost spread over its build years.

    ``shares[type]`` lists the share of the cost paid in each build year, from
    the first build year to the completion year (summing to 1).  Off
    (``enabled = false``): the whole cost in the completion year.
    """

    enabled: bool = True
    shares: dict[Facility, list[Annotated[float, Field(ge=0.0, le=1.0)]]] = Field(
        default_factory=_default_shares
    )

    @model_validator(mode="after")
    def _check(self) -> CashFlow:
        for fac, share in self.shares.items():
            if not share or abs(sum(share) - 1.0) > 1e-6:
                msg = f"cashflow.shares.{fac} must be a non-empty list summing to 1; got {share}"
                raise ValueError(msg)
        return self

    def profile(self, facilities: list[str]) -> list[list[float]] | None:
        """Share paid ``k`` years before completion, per type (``None`` when off)."""
        if not self.enabled:
            return None
        shares: dict[str, list[float]] = {str(k): list(v) for k, v in self.shares.items()}
        return [list(reversed(shares.get(fac, [1.0]))) for fac in facilities]


class Staff(_Frozen):
    """Lead time of the hospitals: their doctors trained beforehand (issue 9).

    A province trains ``training_per_1000_per_year`` doctors per 1,000 of its
    residents each year from the first horizon year; they can staff a hospital
    ``lag_years`` later.  ``initial_per_1000`` doctors per 1,000 residents are
    available for redeployment from the start.  Cumulative doctors of the
    province's hospitals completed by year ``t`` ≤ what is trained and
    available by ``t``.  Defaults are planning assumptions.
    """

    enabled: bool = True
    training_per_1000_per_year: float = Field(default=0.25, ge=0.0)
    lag_years: int = Field(default=1, ge=0)
    initial_per_1000: float = Field(default=0.5, ge=0.0)


class Construction(_Frozen):
    """Provincial construction capacity for the facilities other than the factories (issue 9).

    A project occupies one of its province's building sites in each of its build
    years (the cash-flow years).  Province ``p`` can run at most
    ``ceil(sites_per_100k · pop_p / 100,000)`` such sites at once (at least
    ``min_sites``).  The factory groups are built by the construction units
    (their count is the factory cadence) and do not draw on it.
    """

    enabled: bool = True
    sites_per_100k: float = Field(default=1.2, gt=0.0)
    min_sites: int = Field(default=3, ge=1)


class RawMaterials(_Frozen):
    """Lead time of the raw-material bases of the factory lines (issue 9).

    A factory group processes its region's raw material (fruit, herbs, livestock,
    fish ...).  A region whose ``resources`` list names one of ``developed`` has
    its base already; any other region (including one whose resources are
    unknown) first develops it, so its factory group completes no earlier than
    ``first horizon year + lag_years``.  Locked (real) factory groups are exempt.
    """

    enabled: bool = True
    lag_years: int = Field(default=1, ge=0)
    developed: list[str] = Field(
        default_factory=lambda: [
            "fruit",
            "fish",
            "livestock",
            "medicinal_herbs",
            "honey",
            "silk",
            "rice",
            "maize",
            "potato",
            "soybean",
            "agriculture",
            "timber",
        ]
    )


class Units(_Frozen):
    """Home bases of the construction units and how far they reach (issue 9, linear proxy).

    The ``per_year`` factory units are based at the province seats, shared out by
    the provinces' factory candidates (largest remainder).  In a season a
    province's factory groups are at most the units based there plus those of
    the ``reach`` provinces whose seats are nearest to its seat.
    """

    enabled: bool = False
    reach: int = Field(default=2, ge=0)


class Materials(_Frozen):
    """Cement and steel against provincial supply, with capped imports (issue 9).

    Every project needs ``intensity[material][type]`` tonnes per unit of account
    of its cost, delivered with its cash flow (share ``k`` in build year ``t − k``).
    Province ``p`` produces ``supply_t_per_1000[material] · pop_p / 1000`` tonnes a
    year (never less than ``headroom ×`` its candidates' whole need × the largest share of
    it one year's capacities could ask for, nor than its locked projects used) and can
    bring in at most ``import_share`` of that from
    other provinces; the country as a whole uses no more than it produces.  Imports
    are costed ex post at ``import_cost_per_t`` (units of account per tonne) in the
    plan summary (they are not in the objective).
    """

    enabled: bool = True
    materials: list[str] = Field(default_factory=lambda: ["cement", "steel"])
    intensity: dict[str, dict[str, float]] = Field(
        default_factory=lambda: {
            "cement": {
                "factories": 300.0,
                "hospital": 350.0,
                "leisure_complex": 300.0,
                "grain_storage": 400.0,
                "offshore_farm": 100.0,
            },
            "steel": {
                "factories": 90.0,
                "hospital": 70.0,
                "leisure_complex": 70.0,
                "grain_storage": 120.0,
                "offshore_farm": 150.0,
            },
        }
    )
    supply_t_per_1000: dict[str, float] = Field(
        default_factory=lambda: {"cement": 3.0, "steel": 0.8}
    )
    import_share: float = Field(default=0.5, ge=0.0)
    headroom: float = Field(default=2.0, gt=0.0)
    import_cost_per_t: float = Field(default=0.00004, ge=0.0)


class Money(_Frozen):
    """The unit of account of every output (see :mod:`regdev.units`).

    Default: million US dollars; the cost norms of ``[sizing]`` and ``[budget]``
    are read as that unit (``norm_units = 1``, a planning assumption).
    """

    name: Annotated[str, Field(min_length=1, max_length=40)] = "M USD"
    usd_per_unit: Annotated[float, Field(gt=0.0, allow_inf_nan=False)] = 1_000_000.0
    norm_units: Annotated[float, Field(gt=0.0, allow_inf_nan=False)] = 1.0


class Offshore(_Frozen):
    """Offshore-farm candidates: ``"coastal"`` programme regions, or an explicit list."""

    candidates: Literal["coastal"] | list[str] = "coastal"


class History(_Frozen):
    """Locking of the real programme cohorts (from the package's programme events).

    Every (region, type) that has a dated groundbreaking, construction or
    inauguration event in a programme year within ``years`` is locked to that
    year.  ``enabled = false`` (CLI ``--no-history``) plans from scratch.
    """

    enabled: bool = True
    years: list[Year] = Field(default_factory=lambda: [2024, 2025, 2026])
    facilities: list[Facility] = Field(default_factory=lambda: _all_facilities())


class Assignment(_Frozen):
    """One explicit (region, facility, year) lock or ban.

    ``year`` may be omitted for a ban (forbidden in every year).
    """

    region: str
    facility: Facility
    year: Year | None = None


class FactorySizing(_Frozen):
    """Factory-group sizing norms."""

    workers_per_1000: float = 2.5
    min_workers: int = 120
    # issue 9: a region whose residents cannot staff a factory group at the minimum
    # efficient scale (min_workers > max_workforce_share x population) is not a candidate
    max_workforce_share: float = Field(default=0.08, gt=0.0, le=1.0)
    max_workers: int = 1500
    floor_m2_per_worker: float = 45.0
    cost_fixed: float = 1.5
    cost_per_m2: float = 0.00045


class HospitalSizing(_Frozen):
    """County-hospital sizing norms."""

    beds_per_1000: float = 2.5
    min_beds: int = 60
    doctors_per_1000: float = 0.9
    people_per_first_aid_post: float = 8000.0
    cost_fixed: float = 2.0
    cost_per_bed: float = 0.045
    cost_per_first_aid_post: float = 0.08


class LeisureSizing(_Frozen):
    """Leisure-complex sizing norms (library core, cinema, bathhouse, shops)."""

    library_seats_per_1000: float = 2.0
    min_library_seats: int = 60
    computers_per_seat: float = 0.5
    users_per_server_core: float = 4.0
    storage_tb_per_1000_people: float = 0.05
    min_storage_tb: float = 4.0
    cinema_seats_per_1000: float = 3.0
    min_cinema_seats: int = 150
    max_cinema_seats: int = 800
    bath_visits_per_1000_per_day: float = 6.0
    people_per_shop: float = 15000.0
    floor_m2_per_library_seat: float = 12.0
    floor_m2_per_cinema_seat: float = 2.5
    cost_fixed: float = 1.2
    cost_per_m2: float = 0.0005


class GrainSizing(_Frozen):
    """Grain-storage sizing norms (months of consumption; dryer for the harvest window).

    The tonnage is :func:`regdev.grain.sizing.county_store_tonnage` (one
    function for the planner and ``regdev grain``): 167 kg per person and year
    (FAO/WFP CFSAM DPRK 2008) for 6 months (the ``cn-consuming`` reserve norm).
    """

    grain_kg_per_person_year: float = 167.0
    months_of_consumption: float = 6.0
    min_capacity_t: float = 1000.0
    share_dried: float = 0.6
    harvest_window_days: float = 30.0
    dryer_hours_per_day: float = 20.0
    cost_fixed: float = 0.8
    cost_per_t: float = 0.00012


class OffshoreSizing(_Frozen):
    """Offshore-farm sizing norms (area from population; output from yield)."""

    ha_per_1000_people: float = 0.6
    min_area_ha: float = 20.0
    max_area_ha: float = 400.0
    yield_t_per_ha_year: float = 18.0
    cost_fixed: float = 0.6
    cost_per_ha: float = 0.012


class Sizing(_Frozen):
    """Sizing norms of every facility type."""

    factories: FactorySizing = Field(default_factory=lambda: FactorySizing())
    hospital: HospitalSizing = Field(default_factory=lambda: HospitalSizing())
    leisure_complex: LeisureSizing = Field(default_factory=lambda: LeisureSizing())
    grain_storage: GrainSizing = Field(default_factory=lambda: GrainSizing())
    offshore_farm: OffshoreSizing = Field(default_factory=lambda: OffshoreSizing())


class Scenario(_Frozen):
    """Every policy number of the rollout model (see the module docstring).

    Examples
    --------
    >>> s = Scenario()
    >>> s.factories.per_year, s.horizon.years[0], s.horizon.years[-1]
    (20, 2024, 2033)
    >>> s.tier_levels()[:3]
    [1, 2, 3]
    """

    name: str = "default"
    facilities: list[Facility] = Field(default_factory=lambda: _all_facilities())
    horizon: Horizon = Field(default_factory=lambda: Horizon())
    factories: FactoryCadence = Field(default_factory=lambda: FactoryCadence())
    capacity: Capacities = Field(default_factory=lambda: Capacities())
    tiers: Tiers = Field(default_factory=lambda: Tiers())
    benefit: Benefit = Field(default_factory=lambda: Benefit())
    equity: Equity = Field(default_factory=lambda: Equity())
    coverage: Coverage = Field(default_factory=lambda: Coverage())
    workload: Workload = Field(default_factory=lambda: Workload())
    balance: Balance = Field(default_factory=lambda: Balance())
    budget: Budget = Field(default_factory=lambda: Budget())
    cashflow: CashFlow = Field(default_factory=lambda: CashFlow())
    staff: Staff = Field(default_factory=lambda: Staff())
    construction: Construction = Field(default_factory=lambda: Construction())
    materials: Materials = Field(default_factory=lambda: Materials())
    raw_materials: RawMaterials = Field(default_factory=lambda: RawMaterials())
    units: Units = Field(default_factory=lambda: Units())
    offshore: Offshore = Field(default_factory=lambda: Offshore())
    history: History = Field(default_factory=lambda: History())
    locks: list[Assignment] = Field(default_factory=list)
    forbid: list[Assignment] = Field(default_factory=list)
    sizing: Sizing = Field(default_factory=lambda: Sizing())
    money: Money = Field(default_factory=lambda: Money())

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        years = self.horizon.years
        if self.tiers.levels:
            if len(self.tiers.levels) != len(years):
                msg = f"tiers.levels must give one tier per year ({len(years)} years {years[0]}–{years[-1]}); got {len(self.tiers.levels)}"
                raise ValueError(msg)
            drops = [
                (years[i], a, b)
                for i, (a, b) in enumerate(
                    zip(self.tiers.levels, self.tiers.levels[1:], strict=False)
                )
                if b < a
            ]
            if drops:
                y, a, b = drops[0]
                msg = f"tiers.levels must never decrease; got tier {a} in {y} then {b} in {y + 1}"
                raise ValueError(msg)
        if len(set(self.facilities)) != len(self.facilities) or "factories" not in self.facilities:
            msg = f"facilities must be distinct and include 'factories'; got {self.facilities}"
            raise ValueError(msg)
        for lock in self.locks:
            if lock.year is None:
                msg = (
                    f"locks: every lock needs a year; got {lock.region}/{lock.facility} without one"
                )
                raise ValueError(msg)
        return self

    # ---------------------------------------------------------------- helpers
    def tier_levels(self) -> list[int]:
        """The tier of every horizon year."""
        if self.tiers.levels:
            return list(self.tiers.levels)
        return list(range(1, len(self.horizon.years) + 1))

    def canonical_json(self) -> str:
        """Key-sorted JSON of the whole scenario (used for hashing and plan.json)."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))

    def content_hash(self) -> str:
        """SHA-256 of :meth:`canonical_json`."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    def with_updates(self, **changes: Any) -> Scenario:
        """A validated copy with top-level sections replaced or deep-merged from dicts."""
        data = self.model_dump(mode="python")
        _deep_merge(data, changes)
        return Scenario.model_validate(data)


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, BaseModel):
            value = value.model_dump(mode="python")
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value)
        else:
            base[key] = value


def default_scenario_text() -> str:
    """The shipped ``default_scenario.toml`` (documented defaults)."""
    return (
        resources.files("regdev.planning").joinpath("data/default_scenario.toml").read_text("utf-8")
    )


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Load a scenario: the shipped defaults, overridden by ``path`` key by key.

    Parameters
    ----------
    path : path-like or None
        A TOML file; ``None`` gives the defaults.

    Returns
    -------
    Scenario

    Raises
    ------
    ConfigError
        When the file is missing, is not TOML, or a value is invalid (the
        message names the file, the key and what was expected).

    Examples
    --------
    >>> load_scenario().factories.per_year
    20
    """
    base = tomllib.loads(default_scenario_text())
    source = "regdev:planning/data/default_scenario.toml"
    if path is not None:
        p = Path(path)
        source = str(p)
        try:
            user = tomllib.loads(p.read_text("utf-8"))
        except FileNotFoundError:
            msg = f"{p}: scenario file not found"
            raise ConfigError(msg) from None
        except tomllib.TOMLDecodeError as exc:
            msg = f"{p}: not valid TOML: {exc}"
            raise ConfigError(msg) from None
        _deep_merge(base, user)
    try:
        return Scenario.model_validate(base)
    except ValidationError as exc:
        raise scenario_error(exc, source) from None


def with_cli_updates(scenario: Scenario, updates: dict[str, Any]) -> Scenario:
    """``scenario.with_updates(**updates)`` with errors as one-line :class:`ConfigError`.

    Examples
    --------
    >>> with_cli_updates(Scenario(), {"factories": {"per_year": "auto"}}).factories.per_year
    'auto'
    """
    try:
        return scenario.with_updates(**updates)
    except ValidationError as exc:
        raise scenario_error(exc, "command-line options") from None


MAX_SHOWN_INPUT = 60
"""Longest given value quoted in a scenario error (a section is never dumped whole)."""


def scenario_error(exc: ValidationError, source: str) -> ConfigError:
    """A one-line :class:`ConfigError` naming only the offending keys of a scenario.

    Each problem is ``key: message (got value)``; the value is quoted only
    when short (at most :data:`MAX_SHOWN_INPUT` characters), and checks of
    the whole scenario (tiers, years) name their key in the message, so a
    bad entry never dumps the whole scenario.

    Parameters
    ----------
    exc : pydantic.ValidationError
        From validating a scenario.
    source : str
        The scenario file (or a description of where the values came from).

    Returns
    -------
    ConfigError
    """
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"] if str(x) != "[key]")
        text = str(err["msg"]).removeprefix("Value error, ")
        got = repr(err.get("input"))
        if loc and len(got) <= MAX_SHOWN_INPUT:
            parts.append(f"{loc}: {text} (got {got})")
        elif loc:
            parts.append(f"{loc}: {text}")
        else:
            parts.append(text)
    # one key is reported once (a union type yields one error per alternative)
    unique = list(dict.fromkeys(parts))
    return ConfigError(f"{source}: invalid scenario: " + "; ".join(unique))


def scaled_scenario(scenario: Scenario, n_regions: int, reference: int = 179) -> Scenario:
    """The scenario with every yearly capacity scaled from ``reference`` to ``n_regions`` regions.

    The factory cadence becomes ``round(per_year × n / reference)`` and every
    other capacity ``ceil(capacity × n / reference)``, so a synthetic country
    keeps the default's rhythm (full cohorts for eight years, the remainder in
    the ninth).  History locks are switched off (their region ids belong to the
    default country).

    Examples
    --------
    >>> s = scaled_scenario(Scenario(), 1790)
    >>> s.factories.per_year, s.capacity.hospital.at(2025), s.history.enabled
    (200, 100, False)
    """
    import math

    k = n_regions / reference

    def cap(c: TypeCapacity) -> dict[str, Any]:
        return {
            "default": math.ceil(c.default * k),
            "by_year": {y: math.ceil(v * k) for y, v in c.by_year.items()},
        }

    caps = {
        f: cap(scenario.capacity.of(f))
        for f in ("hospital", "leisure_complex", "grain_storage", "offshore_farm")
    }
    per_year = scenario.factories.per_year
    return scenario.with_updates(
        name=f"{scenario.name} (scaled to {n_regions} regions)",
        # "auto" already scales with the country (see yearly_capacity)
        factories={"per_year": per_year if per_year == "auto" else max(1, round(per_year * k))},
        capacity=caps,
        history={"enabled": False},
    )
