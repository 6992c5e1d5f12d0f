"""Pydantic schemas crossing HTTP: ``XCreate`` / ``XUpdate`` / ``XPublic`` / ``XsPublic``.

Every string has a length limit and may not contain NUL, every number is finite and
bounded, so that no input can reach the database as something it would refuse
(which would otherwise surface as a 500).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

State = Literal[
    "planned",
    "groundbreaking",
    "construction",
    "inauguration",
    "operating",
    "suspended",
    "cancelled",
]
Facility = Literal[
    "factories", "hospital", "leisure_complex", "grain_storage", "offshore_farm", "other"
]
Role = Literal["national", "provincial", "county", "factory", "viewer"]
MAX_INT = 2**31 - 1


def _no_nul(value: str) -> str:
    if "\x00" in value:
        msg = "text may not contain NUL characters"
        raise ValueError(msg)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        msg = f"text must be valid Unicode; got a lone surrogate at position {exc.start}"
        raise ValueError(msg) from exc
    return value


Name = Annotated[str, StringConstraints(max_length=200, min_length=1), AfterValidator(_no_nul)]
Name120 = Annotated[str, StringConstraints(max_length=120, min_length=1), AfterValidator(_no_nul)]
Short = Annotated[str, StringConstraints(max_length=80, min_length=1), AfterValidator(_no_nul)]
ShortOpt = Annotated[str, StringConstraints(max_length=80, min_length=0), AfterValidator(_no_nul)]
LongText = Annotated[str, StringConstraints(max_length=4000, min_length=0), AfterValidator(_no_nul)]
RegionId = Annotated[str, StringConstraints(max_length=64, min_length=1), AfterValidator(_no_nul)]
ProvinceId = Annotated[str, StringConstraints(max_length=32, min_length=1), AfterValidator(_no_nul)]
Text400 = Annotated[str, StringConstraints(max_length=400, min_length=0), AfterValidator(_no_nul)]
Text40 = Annotated[str, StringConstraints(max_length=40, min_length=0), AfterValidator(_no_nul)]
Text200 = Annotated[str, StringConstraints(max_length=200, min_length=0), AfterValidator(_no_nul)]
Unit = Annotated[str, StringConstraints(max_length=20, min_length=1), AfterValidator(_no_nul)]
Username = Annotated[str, StringConstraints(max_length=80, min_length=3), AfterValidator(_no_nul)]
Password = Annotated[str, StringConstraints(max_length=200, min_length=8), AfterValidator(_no_nul)]
Year = Annotated[int, Field(ge=1900, le=2200)]
Month = Annotated[int, Field(ge=1, le=12)]
Id = Annotated[int, Field(ge=1, le=MAX_INT)]


def _no_negative_zero(value: float) -> float:
    return value + 0.0  # -0.0 + 0.0 == 0.0: a negative zero is stored as zero


def _utc_naive(value: dt.datetime) -> dt.datetime:
    from regdev.monitoring.rules import utc_naive

    return utc_naive(value)


def _as_utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


Amount = Annotated[
    float, Field(ge=0, le=1e15, allow_inf_nan=False), AfterValidator(_no_negative_zero)
]
Real = Annotated[float, Field(ge=-1e15, le=1e15, allow_inf_nan=False)]
Date = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2200, 12, 31))]
#: An input timestamp: with a time zone (converted to UTC) or without (taken as UTC).
DateTime = Annotated[
    dt.datetime,
    Field(
        description="ISO 8601 date-time with a UTC offset (one without is taken as UTC)",
        examples=["2025-06-01T09:00:00+09:00"],
    ),
    AfterValidator(_utc_naive),
]
#: An output timestamp: always with its UTC offset (stored values are naive UTC).
UtcDateTime = Annotated[
    dt.datetime,
    AfterValidator(_as_utc),
    Field(
        description="ISO 8601 date-time in UTC, with its offset", examples=["2025-06-01T00:00:00Z"]
    ),
]

T = TypeVar("T")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ListPublic(BaseModel, Generic[T]):
    """A page of rows and the total number of rows matching the filters."""

    data: list[T]
    count: int


class Message(BaseModel):
    """A plain message."""

    message: str


class ErrorDetail(BaseModel):
    """An error: what went wrong and what to do."""

    detail: str


class ExistingRecord(BaseModel):
    """The stored record a refused duplicate would repeat."""

    resource: str
    id: int
    url: str


class ConflictDetail(BaseModel):
    """A conflict with stored data (and the stored record, when there is one)."""

    detail: str
    existing: ExistingRecord | None = None


# --- provinces and regions ---------------------------------------------------------


class ProvinceCreate(_In):
    """A new province."""

    id: ProvinceId
    name: Name120
    name_ko: Name120 | None = None


class ProvinceUpdate(_In):
    """Changes to a province."""

    name: Name120 | None = None
    name_ko: Name120 | None = None


class ProvincePublic(_Out):
    """A province."""

    id: str
    name: str
    name_ko: str | None


class RegionCreate(_In):
    """A new city, county or district."""

    id: RegionId
    name: Name120
    name_ko: Name120 | None = None
    province_id: ProvinceId
    kind: Literal["city", "county", "district", "capital"]
    population: Amount | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    coastal: bool = False
    resources: Text400 = ""


class RegionUpdate(_In):
    """Changes to a region."""

    name: Name120 | None = None
    name_ko: Name120 | None = None
    population: Amount | None = None
    coastal: bool | None = None
    resources: Text400 | None = None


class RegionPublic(_Out):
    """A region."""

    id: str
    name: str
    name_ko: str | None
    province_id: str
    kind: str
    population: float | None
    lat: float | None
    lon: float | None
    coastal: bool
    resources: str


# --- programmes and plans -----------------------------------------------------------


class ProgrammeCreate(_In):
    """A new programme."""

    name: Name
    description: LongText = ""
    start_year: Year
    end_year: Year


class ProgrammeUpdate(_In):
    """Changes to a programme."""

    name: Name | None = None
    description: LongText | None = None
    start_year: Year | None = None
    end_year: Year | None = None


class ProgrammePublic(_Out):
    """A programme."""

    id: int
    name: str
    description: str
    start_year: int
    end_year: int


class PlanCreate(_In):
    """A new plan (plans are usually imported from a plan folder)."""

    programme_id: Id
    name: Name
    source: Text400 = ""
    status: Text40 = ""
    objective: Real | None = None


class PlanUpdate(_In):
    """Changes to a plan."""

    name: Name | None = None
    status: Text40 | None = None


class PlanPublic(_Out):
    """A plan."""

    id: int
    programme_id: int
    name: str
    source: str
    input_hash: str
    status: str
    objective: float | None
    meta: dict[str, Any]
    created_at: UtcDateTime


# --- projects and sites -------------------------------------------------------------


class ProjectCreate(_In):
    """A new tracked project."""

    plan_id: Id | None = None
    region_id: RegionId
    facility: Facility
    cohort_year: Year
    name: Text200 = ""
    tier: Annotated[int, Field(ge=0, le=100)] | None = None
    size: Amount | None = None
    cost: Amount | None = None
    benefit: Real | None = None
    state: State = "planned"
    planned_groundbreaking: Date | None = None
    planned_construction: Date | None = None
    planned_inauguration: Date | None = None
    actual_groundbreaking: Date | None = None
    actual_construction: Date | None = None
    actual_inauguration: Date | None = None
    note: LongText = ""
    source_url: LongText = ""


class ProjectUpdate(_In):
    """Changes to a project (state changes follow the lifecycle)."""

    name: Text200 | None = None
    region_id: RegionId | None = None
    cohort_year: Year | None = None
    tier: Annotated[int, Field(ge=0, le=100)] | None = None
    size: Amount | None = None
    cost: Amount | None = None
    benefit: Real | None = None
    state: State | None = None
    planned_groundbreaking: Date | None = None
    planned_construction: Date | None = None
    planned_inauguration: Date | None = None
    actual_groundbreaking: Date | None = None
    actual_construction: Date | None = None
    actual_inauguration: Date | None = None
    note: LongText | None = None


class ProjectPublic(_Out):
    """A tracked project."""

    id: int
    plan_id: int | None
    region_id: str
    facility: str
    cohort_year: int
    name: str
    tier: int | None
    size: float | None
    cost: float | None
    benefit: float | None
    state: str
    planned_groundbreaking: dt.date | None
    planned_construction: dt.date | None
    planned_inauguration: dt.date | None
    actual_groundbreaking: dt.date | None
    actual_construction: dt.date | None
    actual_inauguration: dt.date | None
    note: str
    source_url: str


class SiteCreate(_In):
    """A new operating site (normally created when a project is inaugurated)."""

    project_id: Id | None = None
    region_id: RegionId
    facility: Facility
    name: Name
    operating_since: Date


class SiteUpdate(_In):
    """Changes to a site."""

    name: Name | None = None
    status: Literal["operating", "suspended", "closed"] | None = None


class SitePublic(_Out):
    """An operating site."""

    id: int
    project_id: int | None
    region_id: str
    facility: str
    name: str
    operating_since: dt.date
    status: str


# --- operations, quality, surveys ---------------------------------------------------


class OperationCreate(_In):
    """Monthly figures of one production line."""

    site_id: Id
    line: Short
    year: Year
    month: Month
    output: Amount
    capacity: Amount
    unit: Unit = "t"
    raw_local: Amount | None = Field(default=None, description="blank: not known")
    raw_imported: Amount | None = Field(default=None, description="blank: not known")


class OperationUpdate(_In):
    """Corrections to monthly figures."""

    output: Amount | None = None
    capacity: Amount | None = None
    unit: Unit | None = None
    raw_local: Amount | None = None
    raw_imported: Amount | None = None


class OperationPublic(_Out):
    """Monthly figures of one production line."""

    id: int
    site_id: int
    region_id: str
    line: str
    year: int
    month: int
    output: float
    capacity: float
    unit: str
    raw_local: float | None
    raw_imported: float | None
    batch_id: int | None
    voided: bool = False
    note: str = ""


DefectCounts = dict[Short, Annotated[int, Field(ge=0, le=MAX_INT)]]


class QualityCreate(_In):
    """A quality-control sample."""

    site_id: Id
    line: Short
    date: Date
    lot_code: Short
    sample_size: Annotated[int, Field(ge=1, le=MAX_INT)]
    defects: DefectCounts = Field(default_factory=dict)


class QualityUpdate(_In):
    """Corrections to a quality record."""

    lot_code: Short | None = None
    sample_size: Annotated[int, Field(ge=1, le=MAX_INT)] | None = None
    defects: DefectCounts | None = None


class QualityPublic(_Out):
    """A quality-control sample."""

    id: int
    site_id: int
    region_id: str
    line: str
    date: dt.date
    lot_code: str
    sample_size: int
    defects: dict[str, int]
    n_defective: int
    batch_id: int | None


class SurveyCreate(_In):
    """A customer survey answer."""

    site_id: Id
    date: Date
    product_category: Short
    lot_code: ShortOpt = ""
    score: Annotated[int, Field(ge=0, le=10)]
    comment: LongText = ""


class SurveyUpdate(_In):
    """Corrections to a survey answer."""

    product_category: Short | None = None
    lot_code: ShortOpt | None = None
    score: Annotated[int, Field(ge=0, le=10)] | None = None
    comment: LongText | None = None


class SurveyPublic(_Out):
    """A customer survey answer."""

    id: int
    site_id: int
    region_id: str
    date: dt.date
    product_category: str
    lot_code: str
    score: int
    comment: str
    batch_id: int | None


#: Cables one report may describe (the grain reporter sends at most 64).
MAX_CABLES = 64
CableTemps = dict[Short, Annotated[float, Field(ge=-80, le=120, allow_inf_nan=False)]]


class GrainStatusCreate(_In):
    """A grain-store status report."""

    store_id: Short
    region_id: RegionId
    timestamp: DateTime
    mean_temp_c: Annotated[float, Field(ge=-80, le=120, allow_inf_nan=False)]
    moisture_pct: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
    alarms: list[Text200] = Field(default_factory=list, max_length=100)
    max_temp_c: Annotated[float, Field(ge=-80, le=120, allow_inf_nan=False)] | None = None
    co2_ppm: Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)] | None = None
    fan_on: bool | None = None
    controller_note: Text200 | None = None
    cable_max_temp_c: CableTemps | None = Field(
        default=None,
        max_length=MAX_CABLES,
        description="Warmest valid sensor of each temperature cable, °C (cable name → value)",
    )


class GrainStatusUpdate(_In):
    """Corrections to a grain-store report."""

    alarms: list[Text200] | None = Field(default=None, max_length=100)


class GrainStatusPublic(_Out):
    """A grain-store status report."""

    id: int
    store_id: str
    region_id: str
    timestamp: UtcDateTime
    mean_temp_c: float
    moisture_pct: float
    alarms: list[Any]
    max_temp_c: float | None
    co2_ppm: float | None
    fan_on: bool | None
    controller_note: str | None
    cable_max_temp_c: dict[str, float] | None = None


# --- users, auth, audit, imports, reports --------------------------------------------


class UserCreate(_In):
    """A new user; scope columns must match the role."""

    username: Username
    full_name: Text200 = ""
    password: Password
    role: Role
    province_id: ProvinceId | None = None
    region_id: RegionId | None = None
    site_id: Id | None = None


class UserUpdate(_In):
    """Changes to a user (your own new password needs ``current_password``)."""

    full_name: Text200 | None = None
    password: Password | None = None
    current_password: (
        Annotated[str, StringConstraints(max_length=200), AfterValidator(_no_nul)] | None
    ) = None
    is_active: bool | None = None
    language: Literal["ko", "en"] | None = Field(
        default=None, description="dashboard language (ko or en)"
    )


class UserPublic(_Out):
    """A user (never the password hash)."""

    id: int
    username: str
    full_name: str
    role: str
    province_id: str | None
    region_id: str | None
    site_id: int | None
    is_active: bool


class Token(BaseModel):
    """An access token for the ``Authorization: Bearer`` header."""

    access_token: str
    token_type: str = "bearer"


class AuditPublic(_Out):
    """One audit record."""

    id: int
    seq: int
    at: UtcDateTime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    prev_hash: str
    hash: str


class AuditVerification(BaseModel):
    """Result of checking the audit hash chain."""

    ok: bool
    n_entries: int
    first_bad_seq: int | None
    message: str


class ImportBatchPublic(_Out):
    """One bulk import."""

    id: int
    resource: str
    filename: str
    n_rows: int
    sha256: str
    created_by: str
    created_at: UtcDateTime


class MilestoneSlip(BaseModel):
    """Planned versus actual date of one milestone."""

    milestone: str
    planned: dt.date | None
    actual: dt.date | None
    slippage_days: int | None
    on_time: bool | None


class PlannedVsActual(BaseModel):
    """Planned versus actual milestones of one project."""

    project_id: int
    region_id: str
    facility: str
    cohort_year: int
    state: str
    milestones: list[MilestoneSlip]


class CohortSummary(BaseModel):
    """Planned versus actual of one cohort year (and facility)."""

    cohort_year: int
    facility: str
    n_projects: int
    n_inaugurated: int
    n_due: int
    n_on_time: int
    share_on_time: float | None
    mean_slippage_days: float | None
    max_slippage_days: int | None


class ProgressRow(BaseModel):
    """Project counts by state for one group (province or year)."""

    key: str
    n_projects: int
    by_state: dict[str, int]
    share_operating: float
