"""SQLAlchemy 2 typed models of the monitoring database.

Tables: ``provinces`` → ``regions`` (the registry hierarchy), ``programmes`` → ``plans`` →
``projects`` (with planned and actual milestone dates), ``sites`` (operating
facilities, created at inauguration), ``factory_operations`` (per production line and
month), ``quality_records``, ``surveys``, ``grain_status``, ``users``,
``login_attempts``, ``import_batches`` and the hash-chained ``audit_log``.

Rows of the data-entry tables carry the ``region_id`` of their site so that scope
checks and county pages need no join.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Lifecycle states of a project, in their normal order.
PROJECT_STATES: tuple[str, ...] = (
    "planned",
    "groundbreaking",
    "construction",
    "inauguration",
    "operating",
    "suspended",
    "cancelled",
)
#: Facility kinds (as in ``schedule.csv``; the events file's ``regional_industry_factories``
#: is stored as ``factories``).
FACILITIES: tuple[str, ...] = (
    "factories",
    "hospital",
    "leisure_complex",
    "grain_storage",
    "offshore_farm",
    "other",
)
ROLES: tuple[str, ...] = ("national", "provincial", "county", "factory", "viewer")
RAW_SOURCES: tuple[str, ...] = ("local", "imported")


def utcnow() -> dt.datetime:
    """The current UTC time, without tzinfo (stored as naive UTC everywhere)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base of every monitoring table."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Province(Base):
    """A first-level division (province or directly governed city)."""

    __tablename__ = "provinces"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    name_ko: Mapped[str | None] = mapped_column(String(120), default=None)


class Region(Base):
    """A city, county or district (the capital row is kind ``capital``)."""

    __tablename__ = "regions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_ko: Mapped[str | None] = mapped_column(String(120), default=None)
    province_id: Mapped[str] = mapped_column(ForeignKey("provinces.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    population: Mapped[float | None] = mapped_column(Float, default=None)
    lat: Mapped[float | None] = mapped_column(Float, default=None)
    lon: Mapped[float | None] = mapped_column(Float, default=None)
    coastal: Mapped[bool] = mapped_column(default=False)
    resources: Mapped[str] = mapped_column(String(400), default="")


class Programme(Base):
    """A development programme (e.g. Regional Development 20x10)."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)


class Plan(Base):
    """A rollout plan imported from a plan folder (or the historical record)."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(400), default="")
    input_hash: Mapped[str] = mapped_column(String(128), default="")
    status: Mapped[str] = mapped_column(String(40), default="")
    objective: Mapped[float | None] = mapped_column(Float, default=None)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Project(Base):
    """One facility to build in one region, tracked through its lifecycle."""

    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint(
            "state IN ('planned','groundbreaking','construction','inauguration',"
            "'operating','suspended','cancelled')",
            name="ck_projects_state",
        ),
        Index("ix_projects_region_facility", "region_id", "facility"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"), index=True, default=None)
    region_id: Mapped[str] = mapped_column(ForeignKey("regions.id"), index=True)
    facility: Mapped[str] = mapped_column(String(32))
    cohort_year: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    tier: Mapped[int | None] = mapped_column(Integer, default=None)
    size: Mapped[float | None] = mapped_column(Float, default=None)
    cost: Mapped[float | None] = mapped_column(Float, default=None)
    benefit: Mapped[float | None] = mapped_column(Float, default=None)
    state: Mapped[str] = mapped_column(String(16), default="planned", index=True)
    planned_groundbreaking: Mapped[dt.date | None] = mapped_column(Date, default=None)
    planned_construction: Mapped[dt.date | None] = mapped_column(Date, default=None)
    planned_inauguration: Mapped[dt.date | None] = mapped_column(Date, default=None)
    actual_groundbreaking: Mapped[dt.date | None] = mapped_column(Date, default=None)
    actual_construction: Mapped[dt.date | None] = mapped_column(Date, default=None)
    actual_inauguration: Mapped[dt.date | None] = mapped_column(Date, default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    source_url: Mapped[str] = mapped_column(Text, default="")


class Site(Base):
    """An operating factory or facility; reporting duties start on ``operating_since``."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id"), unique=True, default=None
    )
    region_id: Mapped[str] = mapped_column(ForeignKey("regions.id"), index=True)
    facility: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    operating_since: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="operating")


class ImportBatch(Base):
    """One bulk CSV import: all its rows were committed in the same transaction."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(400), default="")
    n_rows: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class FactoryOperation(Base):
    """Monthly output, capacity and raw material received for one production line."""

    __tablename__ = "factory_operations"
    __table_args__ = (
        UniqueConstraint("site_id", "line", "year", "month", name="uq_operation_line_month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="ck_operation_month"),
        Index("ix_operations_region_period", "region_id", "year", "month"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    region_id: Mapped[str] = mapped_column(ForeignKey("regions.id"))
    line: Mapped[str] = mapped_column(String(80))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    output: Mapped[float] = mapped_column(Float)
    capacity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20), default="t")
    raw_local: Mapped[float | None] = mapped_column(Float, default=None)
    raw_imported: Mapped[float | None] = mapped_column(Float, default=None)
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id"), index=True, default=None
    )
    #: a wrong record that was withdrawn: kept (audited) but excluded from every figure
    voided: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: reasons of corrections and voiding, one dated line each
    note: Mapped[str] = mapped_column(Text, default="", server_default="")


class SiteLine(Base):
    """A production line of a factory site as its design gives it (the forms' choices)."""

    __tablename__ = "site_lines"
    __table_args__ = (UniqueConstraint("site_id", "name", name="uq_site_line_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    product: Mapped[str] = mapped_column(String(120), default="", server_default="")
    #: design capacity per month in ``unit`` (NULL: not given by the design)
    capacity: Mapped[float | None] = mapped_column(Float, default=None)
    unit: Mapped[str] = mapped_column(String(20), default="t", server_default="t")


class QualityRecord(Base):
    """A quality-control sample: size, defects by type, lot code."""

    __tablename__ = "quality_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    region_id: Mapped[str] = mapped_column(ForeignKey("regions.id"), index=True)
    line: Mapped[str] = mapped_column(String(80))
    date: Mapped[dt.date] = mapped_column(Date)
    lot_code: Mapped[str] = mapped_column(String(80))
    sample_size: Mapped[int] = mapped_column(Integer)
    defects: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    n_defective: Mapped[int] = mapped_column(Integer, default=0)
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id"), index=True, default=None
    )


class Survey(Base):
    """A customer survey answer about a product."""

    __tablename__ = "surveys"
    __table_args__ = (CheckConstraint("score BETWEEN 0 AND 10", name="ck_survey_score"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    region_id: Mapped[str] = mapped_column(ForeignKey("regions.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    product_category: Mapped[str] = mapped_column(String(80))
    lot_code: Mapped[str] = mapped_column(String(80), default="")
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id"), index=True, default=None
    )


class GrainStatus(Base):
    """A storage-status report from a grain store (reported by the grain controller)."""

    __tablename__ = "grain_status"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[str] = mapped_column(String(80), index=True)
    region_id: Mapped[str] = mapped_column(ForeignKey("regions.id"), index=True)
    timestamp: Mapped[dt.datetime] = mapped_column(DateTime)
    mean_temp_c: Mapped[float] = mapped_column(Float)
    moisture_pct: Mapped[float] = mapped_column(Float)
    alarms: Mapped[list[Any]] = mapped_column(JSON, default=list)
    max_temp_c: Mapped[float | None] = mapped_column(Float, default=None)
    co2_ppm: Mapped[float | None] = mapped_column(Float, default=None)
    fan_on: Mapped[bool | None] = mapped_column(default=None)
    controller_note: Mapped[str | None] = mapped_column(String(200), default=None)
    #: Warmest valid sensor of each temperature cable, °C (cable name → value).
    cable_max_temp_c: Mapped[dict[str, float] | None] = mapped_column(JSON, default=None)


class User(Base):
    """A person who logs in; ``role`` and the scope columns decide what they may see."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('national','provincial','county','factory','viewer')", name="ck_users_role"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    province_id: Mapped[str | None] = mapped_column(ForeignKey("provinces.id"), default=None)
    region_id: Mapped[str | None] = mapped_column(ForeignKey("regions.id"), default=None)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), default=None)
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Tokens carry the epoch they were issued in; logging out increments it.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: preferred dashboard language (``ko``/``en``); NULL: the browser's or the default
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class LoginAttempt(Base):
    """One login attempt, for the lockout rule."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_user_time", "username", "at"),
        Index("ix_login_attempts_user_client_time", "username", "client", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    #: Address the attempt came from (lockout counts per username and client).
    client: Mapped[str] = mapped_column(String(64), default="", server_default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    success: Mapped[bool] = mapped_column(default=False)


class AuditEntry(Base):
    """One append-only, hash-chained audit record (see :mod:`regdev.monitoring.audit`)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(80))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """Single-row table holding the chain head; writers lock it to serialise appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))
