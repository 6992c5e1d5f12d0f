"""Database operations shared by the REST API, the dashboard and the CLI.

Every function is keyword-only after ``session``, raises :mod:`regdev.errors` /
:mod:`regdev.monitoring.errors` exceptions (never HTTP ones), checks the acting user's
role and scope through :mod:`regdev.monitoring.auth`, and appends audit entries for
every change.  Functions flush but never commit: the caller owns the transaction
(one request, one CLI command or one bulk import = one transaction).

Each table is described once by a :class:`Resource` in :data:`RESOURCES`; the generic
:func:`list_rows`, :func:`get_row`, :func:`create`, :func:`update` and :func:`delete`
work on any of them (bulk CSV in :mod:`regdev.monitoring.bulk`, reports in
:mod:`regdev.monitoring.reports`), and typed wrappers such as :func:`list_projects` or
:func:`create_operation` exist for the common cases.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from argon2 import PasswordHasher
from pydantic import BaseModel
from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    bindparam,
    func,
    inspect,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from regdev.errors import DataValidationError, NotFoundError, Problem
from regdev.monitoring import audit, auth, rules, schemas
from regdev.monitoring.errors import ConflictError, ScopeError
from regdev.monitoring.models import (
    AuditEntry,
    Base,
    FactoryOperation,
    GrainStatus,
    Plan,
    Programme,
    Project,
    Province,
    QualityRecord,
    Region,
    Site,
    Survey,
    User,
)

#: Main lifecycle order; a project may move forward along it (skipping is allowed, since
#: reports often miss a milestone), into ``suspended``/``cancelled``, and out of
#: ``suspended`` to any state but ``planned``.
LIFECYCLE: tuple[str, ...] = (
    "planned",
    "groundbreaking",
    "construction",
    "inauguration",
    "operating",
)
MILESTONES: tuple[str, ...] = ("groundbreaking", "construction", "inauguration")
_STATE_NEEDS_DATE = {
    "groundbreaking": "actual_groundbreaking",
    "construction": "actual_construction",
    "inauguration": "actual_inauguration",
    "operating": "actual_inauguration",
}
MAX_LIMIT = 1000


# --- helpers -------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """``value`` as JSON-compatible data (dates as ISO text)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def to_dict(obj: Base) -> dict[str, Any]:
    """A row's column values as JSON-compatible data (passwords hashes omitted)."""
    out = {a.key: jsonable(getattr(obj, a.key)) for a in inspect(obj).mapper.column_attrs}
    out.pop("password_hash", None)
    return out


def _problem(resource: str, column: str | None, message: str, row: int | None = None) -> Problem:
    return Problem(file=resource, row=row, column=column, message=message)


def _invalid(resource: str, column: str | None, message: str) -> DataValidationError:
    return DataValidationError([_problem(resource, column, message)])


# --- resource registry ---------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    """A list filter: query name, column, comparison."""

    name: str
    column: str
    op: str = "eq"  # eq | ge | le | province
    type: type = str


@dataclass(frozen=True)
class Resource:
    """How one table is exposed: schemas, filters, foreign keys and scope."""

    name: str
    model: type[Base]
    create: type[BaseModel]
    update: type[BaseModel]
    public: type[BaseModel]
    filters: tuple[Filter, ...] = ()
    references: Mapping[str, type[Base]] = field(default_factory=dict)
    scoped: bool = True
    national_only_write: bool = False
    site_bound: bool = False
    deletable: bool = False
    importable: bool = True


_REGION_FILTERS = (
    Filter("region_id", "region_id"),
    Filter("province_id", "region_id", "province"),
)
_SITE_FILTERS = (*_REGION_FILTERS, Filter("site_id", "site_id", type=int))

RESOURCES: dict[str, Resource] = {
    r.name: r
    for r in [
        Resource(
            "provinces",
            Province,
            schemas.ProvinceCreate,
            schemas.ProvinceUpdate,
            schemas.ProvincePublic,
            scoped=False,
            national_only_write=True,
        ),
        Resource(
            "regions",
            Region,
            schemas.RegionCreate,
            schemas.RegionUpdate,
            schemas.RegionPublic,
            filters=(Filter("province_id", "province_id"), Filter("kind", "kind")),
            references={"province_id": Province},
            scoped=False,
            national_only_write=True,
        ),
        Resource(
            "programmes",
            Programme,
            schemas.ProgrammeCreate,
            schemas.ProgrammeUpdate,
            schemas.ProgrammePublic,
            scoped=False,
            national_only_write=True,
        ),
        Resource(
            "plans",
            Plan,
            schemas.PlanCreate,
            schemas.PlanUpdate,
            schemas.PlanPublic,
            filters=(Filter("programme_id", "programme_id", type=int),),
            references={"programme_id": Programme},
            scoped=False,
            national_only_write=True,
        ),
        Resource(
            "projects",
            Project,
            schemas.ProjectCreate,
            schemas.ProjectUpdate,
            schemas.ProjectPublic,
            filters=(
                *_REGION_FILTERS,
                Filter("facility", "facility"),
                Filter("state", "state"),
                Filter("cohort_year", "cohort_year", type=int),
                Filter("plan_id", "plan_id", type=int),
            ),
            references={"region_id": Region, "plan_id": Plan},
            deletable=True,
            importable=True,
        ),
        Resource(
            "sites",
            Site,
            schemas.SiteCreate,
            schemas.SiteUpdate,
            schemas.SitePublic,
            filters=(*_REGION_FILTERS, Filter("facility", "facility"), Filter("status", "status")),
            references={"region_id": Region, "project_id": Project},
        ),
        Resource(
            "operations",
            FactoryOperation,
            schemas.OperationCreate,
            schemas.OperationUpdate,
            schemas.OperationPublic,
            filters=(
                *_SITE_FILTERS,
                Filter("line", "line"),
                Filter("year", "year", type=int),
                Filter("month", "month", type=int),
                Filter("year_from", "year", "ge", int),
                Filter("year_to", "year", "le", int),
            ),
            references={"site_id": Site},
            site_bound=True,
            deletable=True,
            importable=True,
        ),
        Resource(
            "quality",
            QualityRecord,
            schemas.QualityCreate,
            schemas.QualityUpdate,
            schemas.QualityPublic,
            filters=(
                *_SITE_FILTERS,
                Filter("line", "line"),
                Filter("lot_code", "lot_code"),
                Filter("date_from", "date", "ge", dt.date),
                Filter("date_to", "date", "le", dt.date),
            ),
            references={"site_id": Site},
            site_bound=True,
            deletable=True,
            importable=True,
        ),
        Resource(
            "surveys",
            Survey,
            schemas.SurveyCreate,
            schemas.SurveyUpdate,
            schemas.SurveyPublic,
            filters=(
                *_SITE_FILTERS,
                Filter("product_category", "product_category"),
                Filter("lot_code", "lot_code"),
                Filter("date_from", "date", "ge", dt.date),
                Filter("date_to", "date", "le", dt.date),
            ),
            references={"site_id": Site},
            site_bound=True,
            deletable=True,
            importable=True,
        ),
        Resource(
            "grain-status",
            GrainStatus,
            schemas.GrainStatusCreate,
            schemas.GrainStatusUpdate,
            schemas.GrainStatusPublic,
            filters=(*_REGION_FILTERS, Filter("store_id", "store_id")),
            references={"region_id": Region},
            deletable=True,
        ),
    ]
}


def resource(name: str) -> Resource:
    """The :class:`Resource` called ``name``."""
    try:
        return RESOURCES[name]
    except KeyError:
        msg = f"unknown resource {name!r}; expected one of {', '.join(RESOURCES)}"
        raise NotFoundError(msg) from None


# --- reading -------------------------------------------------------------------------


def _filtered(
    res: Resource,
    user: User,
    filters: Mapping[str, Any] | None,
    columns: Sequence[Any] | None = None,
) -> Select[Any]:
    model: Any = res.model
    stmt: Select[Any] = select(*columns) if columns else select(model)
    cond = auth.scope_filter(user, model)
    if cond is not None:
        stmt = stmt.where(cond)
    specs = {f.name: f for f in res.filters}
    for key, value in (filters or {}).items():
        if value is None:
            continue
        if key not in specs:
            msg = f"unknown filter {key!r} for {res.name}; expected one of {', '.join(specs) or 'none'}"
            raise _invalid(res.name, key, msg)
        spec = specs[key]
        col = getattr(model, spec.column)
        clause: ColumnElement[bool]
        if spec.op == "province":
            clause = col.in_(select(Region.id).where(Region.province_id == value))
        elif spec.op == "ge":
            clause = col >= value
        elif spec.op == "le":
            clause = col <= value
        else:
            clause = col == value
        stmt = stmt.where(clause)
    return stmt


def _page(
    session: Session | Connection, stmt: Select[Any], order: Any, skip: int, limit: int | None
) -> tuple[Select[Any], Callable[[int], int]]:
    """The page statement, and a function giving the total count from the page's length."""
    page = stmt.order_by(order).offset(skip)
    if limit is not None:
        page = page.limit(limit)

    def total(n_rows: int) -> int:
        # a page shorter than the limit that is not empty (or starts at 0) is the last
        # one, so it gives the total without a COUNT; otherwise count separately
        if (limit is None or n_rows < limit) and (n_rows or skip == 0):
            return skip + n_rows
        count = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
        return int(count)

    return page, total


def list_rows(
    session: Session,
    *,
    resource_name: str,
    user: User,
    filters: Mapping[str, Any] | None = None,
    skip: int = 0,
    limit: int | None = 100,
) -> tuple[list[Any], int]:
    """One page of a resource's rows in ``user``'s scope, and the total count.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Open session.
    resource_name : str
        Key of :data:`RESOURCES` (``"projects"``, ``"operations"``, …).
    user : User
        The reader; rows outside their scope are invisible.
    filters : mapping, optional
        Filter name → value (see the resource's ``filters``); ``None`` values are ignored.
    skip, limit : int
        Offset and page size (``limit=None``: every row).

    Returns
    -------
    rows : list
        Model instances ordered by primary key.
    count : int
        Number of rows matching the filters (all pages).
    """
    res = resource(resource_name)
    stmt = _filtered(res, user, filters)
    page, total = _page(session, stmt, inspect(res.model).primary_key[0], skip, limit)
    rows = list(session.execute(page).scalars().all())
    return rows, total(len(rows))


def public_columns(res: Resource) -> list[Any]:
    """The table columns behind the fields of ``res.public`` (in the schema's order).

    Raises
    ------
    KeyError
        If a public field is not a column of the table (then the resource cannot be
        listed with :func:`list_records`).
    """
    table: Any = res.model.__table__
    return [table.c[name] for name in res.public.model_fields]


def listable_as_records(res: Resource) -> bool:
    """Whether every public field of ``res`` is a column (:func:`list_records` applies)."""
    try:
        public_columns(res)
    except KeyError:
        return False
    return True


def list_records(
    session: Session | Connection,
    *,
    resource_name: str,
    user: User,
    filters: Mapping[str, Any] | None = None,
    skip: int = 0,
    limit: int | None = 100,
) -> tuple[list[dict[str, Any]], int]:
    """:func:`list_rows` as plain records: only the public columns, no ORM objects.

    The same rows, order, scope and count as :func:`list_rows`, read with a column
    select (no identity map, no instance state): the API's list endpoints use it, since
    building ORM instances cost more than the query itself.  The statements are built
    once per (resource, filters given, reader's scope) with the filter values, offset
    and limit as bound parameters (:func:`_record_statements`), so a request only binds
    its values.

    Parameters
    ----------
    session : sqlalchemy.orm.Session or sqlalchemy.Connection
        Open session, or a connection (the read path uses one without a session).
    resource_name, user, filters, skip, limit
        As for :func:`list_rows`.

    Returns
    -------
    rows : list of dict
        One ``{field: value}`` per row, fields of the resource's public schema.
    count : int
        Number of rows matching the filters (all pages).
    """
    res = resource(resource_name)
    given = {k: v for k, v in (filters or {}).items() if v is not None}
    specs = {f.name for f in res.filters}
    unknown = sorted(set(given) - specs)
    if unknown:
        msg = f"unknown filter {unknown[0]!r} for {res.name}; expected one of {', '.join(sorted(specs)) or 'none'}"
        raise _invalid(res.name, unknown[0], msg)
    page, count, keys = _record_statements(
        res.name, tuple(sorted(given)), _scope_key(user), limit is not None
    )
    params = {f"f_{k}": v for k, v in given.items()}
    conn = session.connection() if isinstance(session, Session) else session
    result = conn.execute(page, {**params, "p_skip": skip, "p_limit": limit})
    rows = [dict(zip(keys, row, strict=True)) for row in result]
    # a page shorter than the limit that is not empty (or starts at 0) is the last one,
    # so it gives the total without a COUNT; otherwise count separately
    if (limit is None or len(rows) < limit) and (rows or skip == 0):
        return rows, skip + len(rows)
    return rows, int(conn.execute(count, params).scalar_one())


_ScopeKey = tuple[str, str | None, str | None, int | None]


def _scope_key(user: User) -> _ScopeKey:
    """What :func:`regdev.monitoring.auth.scope_filter` depends on."""
    return (user.role, user.province_id, user.region_id, user.site_id)


class _Reader:
    """The attributes of a user that decide their scope (to build scope filters)."""

    def __init__(self, key: _ScopeKey) -> None:
        self.role, self.province_id, self.region_id, self.site_id = key


@functools.lru_cache(maxsize=2048)
def _record_statements(
    resource_name: str, names: tuple[str, ...], scope: _ScopeKey, limited: bool
) -> tuple[Select[Any], Select[Any], tuple[str, ...]]:
    """Page and count statements of :func:`list_records`, values as bound parameters.

    Filter ``x`` binds ``f_x``; the page binds ``p_skip`` and (when ``limited``)
    ``p_limit``.  The scope condition is built by ``auth.scope_filter`` for a user of
    scope ``scope`` (role, province, county, site), so it is the same condition.
    """
    res = resource(resource_name)
    model: Any = res.model
    columns = public_columns(res)
    stmt: Select[Any] = select(*columns)
    cond = auth.scope_filter(_Reader(scope), model)  # type: ignore[arg-type]
    if cond is not None:
        stmt = stmt.where(cond)
    specs = {f.name: f for f in res.filters}
    for name in names:
        spec = specs[name]
        col = getattr(model, spec.column)
        value = bindparam(f"f_{name}", type_=col.type)
        clause: ColumnElement[bool]
        if spec.op == "province":
            clause = col.in_(select(Region.id).where(Region.province_id == value))
        elif spec.op == "ge":
            clause = col >= value
        elif spec.op == "le":
            clause = col <= value
        else:
            clause = col == value
        stmt = stmt.where(clause)
    pk = inspect(model).primary_key[0]
    page = stmt.order_by(pk).offset(bindparam("p_skip", type_=Integer()))
    if limited:
        page = page.limit(bindparam("p_limit", type_=Integer()))
    count = select(func.count()).select_from(stmt.subquery())
    return page, count, tuple(c.name for c in columns)


def _region_of(row: Any) -> str:
    return str(getattr(row, "region_id", "") or "")


def _check_row_scope(session: Session, user: User, res: Resource, row: Any, *, write: bool) -> None:
    if not res.scoped:
        if write:
            auth.require_role(user, "national")
        return
    if write:
        _refuse_factory_structure(user, res)
    auth.check_scope(
        session,
        user,
        region_id=_region_of(row),
        write=write,
        site_id=row.id if isinstance(row, Site) else getattr(row, "site_id", None),
        project_id=row.id if isinstance(row, Project) else None,
    )


def _refuse_factory_structure(user: User, res: Resource) -> None:
    """Factory users record their site's data; projects and sites are not theirs to change."""
    if user.role == "factory" and res.model in (Project, Site):
        msg = (
            f"factory users record operations, quality and surveys of their site; "
            f"{res.name} are changed by county, provincial or national users"
        )
        raise ScopeError(msg)


def get_row(session: Session, *, resource_name: str, user: User, row_id: Any) -> Any:
    """One row by primary key.

    A row outside ``user``'s scope is answered exactly like a missing one, so ids
    outside one's scope cannot be probed.

    Raises
    ------
    NotFoundError
        If no such row exists, or it is outside ``user``'s scope.
    """
    res = resource(resource_name)
    row = session.get(res.model, row_id)
    missing = f"no {res.name} row with id {row_id!r}"
    if row is None:
        raise NotFoundError(missing)
    try:
        _check_row_scope(session, user, res, row, write=False)
    except ScopeError:
        raise NotFoundError(missing) from None
    return row


# --- writing -------------------------------------------------------------------------


def _check_references(session: Session, res: Resource, values: Mapping[str, Any]) -> list[Problem]:
    problems = []
    for col, target in res.references.items():
        value = values.get(col)
        if value is not None and session.get(target, value) is None:
            problems.append(
                _problem(
                    res.name,
                    col,
                    f"unknown {target.__tablename__} id {value!r}; expected an existing id",
                )
            )
    return problems


def _check_project(values: Mapping[str, Any], before: str | None) -> list[Problem]:
    problems: list[Problem] = []
    for kind in ("planned", "actual"):
        dates = [(m, values.get(f"{kind}_{m}")) for m in MILESTONES]
        known = [(m, d) for m, d in dates if d is not None]
        for (m1, d1), (m2, d2) in zip(known, known[1:], strict=False):
            if d2 < d1:
                problems.append(
                    _problem(
                        "projects",
                        f"{kind}_{m2}",
                        f"{kind} {m2} date {d2} is before the {kind} {m1} date {d1}; expected milestones in order",
                    )
                )
    state = str(values.get("state", "planned"))
    need = _STATE_NEEDS_DATE.get(state)
    if need is not None and values.get(need) is None:
        problems.append(_problem("projects", need, f"state {state!r} needs the date {need}"))
    if before is not None and before != state and not _transition_ok(before, state):
        problems.append(
            _problem("projects", "state", f"cannot move a project from {before!r} to {state!r}")
        )
    return problems


def _transition_ok(before: str, after: str) -> bool:
    if before == "cancelled":
        return False
    if after in ("suspended", "cancelled"):
        return True
    if before == "suspended":
        return after != "planned"
    if before in LIFECYCLE and after in LIFECYCLE:
        return LIFECYCLE.index(after) > LIFECYCLE.index(before)
    return False


def _prepare_site_bound(
    session: Session, res: Resource, values: dict[str, Any], problems: list[Problem]
) -> None:
    site = session.get(Site, values["site_id"])
    if site is None:
        return  # reported by _check_references
    values["region_id"] = site.region_id
    if res.model is FactoryOperation:
        start = site.operating_since
        if (values["year"], values["month"]) < (start.year, start.month):
            problems.append(
                _problem(
                    res.name,
                    "month",
                    f"site {site.id} operates since {start}; monthly records start at {start:%Y-%m}",
                )
            )
    elif values.get("date") is not None and values["date"] < site.operating_since:
        problems.append(
            _problem(
                res.name,
                "date",
                f"site {site.id} operates since {site.operating_since}; got {values['date']}",
            )
        )


def _prepare_quality(values: dict[str, Any], problems: list[Problem]) -> None:
    total = sum(int(v) for v in (values.get("defects") or {}).values())
    values["n_defective"] = total
    if total > int(values["sample_size"]):
        problems.append(
            _problem(
                "quality",
                "defects",
                f"{total} defects exceed the sample size {values['sample_size']}",
            )
        )


@dataclass(frozen=True)
class Clash:
    """A stored row that a new one would duplicate."""

    message: str
    existing: tuple[str, int] | None = None

    def error(self) -> ConflictError:
        """The :class:`ConflictError` to raise."""
        return ConflictError(self.message, existing=self.existing)


def find_clash(
    session: Session, res: Resource, values: Mapping[str, Any], *, batch_id: int | None = None
) -> Clash | None:
    """The stored row that ``values`` would duplicate, if any (one rule for API, forms, CSV).

    ``batch_id``: the import batch being written; a clash with one of its own rows is
    reported as a duplicate within the file.
    """
    if res.model is FactoryOperation:
        clash = session.execute(
            select(FactoryOperation.id, FactoryOperation.batch_id).where(
                FactoryOperation.site_id == values["site_id"],
                FactoryOperation.line == values["line"],
                FactoryOperation.year == values["year"],
                FactoryOperation.month == values["month"],
            )
        ).first()
        if clash is not None:
            if batch_id is not None and clash[1] == batch_id:
                return Clash(
                    f"duplicates an earlier row of this file (site {values['site_id']}, line "
                    f"{values['line']!r}, {values['year']}-{values['month']:02d})"
                )
            return Clash(
                f"line {values['line']!r} of site {values['site_id']} already has a record for "
                f"{values['year']}-{values['month']:02d} (id {clash[0]}); correct that record "
                "instead",
                ("operations", int(clash[0])),
            )
    if res.model in (Province, Region) and session.get(res.model, values["id"]) is not None:
        return Clash(f"{res.name} id {values['id']!r} already exists")
    if res.model is Programme:
        row = session.execute(select(Programme.id).where(Programme.name == values["name"])).first()
        if row is not None:
            return Clash(
                f"a programme named {values['name']!r} already exists", ("programmes", row[0])
            )
    if (
        res.model is Province
        and session.execute(select(Province.id).where(Province.name == values["name"])).first()
    ):
        return Clash(f"a province named {values['name']!r} already exists")
    if res.model is Site and values.get("project_id") is not None:
        row = session.execute(
            select(Site.id).where(Site.project_id == values["project_id"])
        ).first()
        if row is not None:
            return Clash(f"project {values['project_id']} already has a site", ("sites", row[0]))
    return None


def _unique_clash(
    session: Session, res: Resource, values: Mapping[str, Any], *, batch_id: int | None = None
) -> str | None:
    clash = find_clash(session, res, values, batch_id=batch_id)
    return None if clash is None else clash.message


def _validate_create(
    session: Session, res: Resource, user: User, values: dict[str, Any]
) -> list[Problem]:
    problems = _check_references(session, res, values)
    if res.site_bound:
        _prepare_site_bound(session, res, values, problems)
    if res.model is QualityRecord:
        _prepare_quality(values, problems)
    if res.model is Project:
        problems += _check_project(values, None)
    if res.model is Site:
        problems += _check_site_project(session, values)
    if res.model is Programme and values["end_year"] < values["start_year"]:
        problems.append(_problem(res.name, "end_year", "end_year must not be before start_year"))
    problems += domain_problems(res, values, set(values))
    return problems


def domain_problems(res: Resource, values: Mapping[str, Any], changed: set[str]) -> list[Problem]:
    """The :mod:`regdev.monitoring.rules` a row breaks (checked fields: ``changed``).

    One place for the domain rules of every write (API, CSV import, dashboard forms):
    report months, actual and planned dates, output against capacity, timestamps.
    """
    out: list[Problem] = []

    def add(column: str, message: str | None) -> None:
        if message is not None:
            out.append(_problem(res.name, column, message))

    model = res.model
    if model is FactoryOperation:
        if {"year", "month"} & changed:
            add("month", rules.check_report_month(int(values["year"]), int(values["month"])))
        if {"output", "capacity"} & changed:
            add("output", rules.check_output(float(values["output"]), float(values["capacity"])))
    elif model is QualityRecord and "date" in changed:
        add("date", rules.check_actual_date(values["date"], "inspection date"))
    elif model is Survey and "date" in changed:
        add("date", rules.check_actual_date(values["date"], "survey date"))
    elif model is Site and "operating_since" in changed:
        add(
            "operating_since", rules.check_actual_date(values["operating_since"], "operating since")
        )
    elif model is GrainStatus and "timestamp" in changed:
        add("timestamp", rules.check_timestamp(values["timestamp"]))
    elif model is Project:
        for m in MILESTONES:
            planned, actual = f"planned_{m}", f"actual_{m}"
            if planned in changed and values.get(planned) is not None:
                add(planned, rules.check_planned_date(values[planned], f"planned {m} date"))
            if actual in changed and values.get(actual) is not None:
                add(actual, rules.check_actual_date(values[actual], f"actual {m} date"))
    return out


def _check_site_project(session: Session, values: Mapping[str, Any]) -> list[Problem]:
    """A site's project must lie in the site's region (no site on another county's project)."""
    pid = values.get("project_id")
    if pid is None:
        return []
    project = session.get(Project, pid)
    if project is None or project.region_id == values.get("region_id"):
        return []  # an unknown id is reported by _check_references
    msg = f"project {pid} belongs to another region; expected a project of {values.get('region_id')!r}"
    return [_problem("sites", "project_id", msg)]


def _authorise_create(
    session: Session, res: Resource, user: User, values: Mapping[str, Any]
) -> None:
    if not res.scoped:
        auth.require_role(user, "national")
        return
    _refuse_factory_structure(user, res)
    auth.check_scope(
        session,
        user,
        region_id=str(values.get("region_id", "")),
        write=True,
        site_id=values.get("site_id"),
        project_id=values.get("project_id"),
    )


def _after_project_write(session: Session, *, actor: User, project: Project) -> list[audit.Change]:
    """Create the operating site when a project is inaugurated."""
    if project.state not in ("inauguration", "operating") or project.actual_inauguration is None:
        return []
    exists = session.execute(select(Site.id).where(Site.project_id == project.id)).first()
    if exists is not None:
        return []
    region = session.get(Region, project.region_id)
    label = project.facility.replace("_", " ")
    site = Site(
        project_id=project.id,
        region_id=project.region_id,
        facility=project.facility,
        name=f"{region.name if region else project.region_id} {label}",
        operating_since=project.actual_inauguration,
        status="operating",
    )
    session.add(site)
    session.flush()
    # its production lines are the plan's design: lines.line_choices reads them (issue 10)
    return [audit.Change("create", "sites", str(site.id), None, to_dict(site))]


def create(session: Session, *, resource_name: str, actor: User, data: BaseModel) -> Any:
    """Validate, authorise, insert and audit one row.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session of the caller's transaction.
    resource_name : str
        Key of :data:`RESOURCES`.
    actor : User
        Who makes the change (role and scope are checked).
    data : pydantic.BaseModel
        An instance of the resource's ``XCreate`` schema.

    Returns
    -------
    Base
        The new row (flushed, with its id).

    Raises
    ------
    DataValidationError
        Unknown foreign keys or broken domain rules (HTTP 422).
    ScopeError
        Outside the actor's role or scope (HTTP 403).
    ConflictError
        A row with the same key exists (HTTP 409).
    """
    res = resource(resource_name)
    if res.model is User:  # pragma: no cover - users go through create_user
        msg = "use create_user for users"
        raise TypeError(msg)
    values = data.model_dump()
    # scope first where it is known without lookups, so out-of-scope users learn nothing
    if res.site_bound:
        site = session.get(Site, values["site_id"])
        auth.require_writer(actor)
        if site is not None and not auth.in_scope(
            session, actor, region_id=site.region_id, site_id=site.id
        ):
            # a site outside one's scope is reported like a missing one (ids not probed)
            msg = f"unknown sites id {values['site_id']!r}; expected an existing id"
            raise DataValidationError([_problem(res.name, "site_id", msg)])
    else:
        _authorise_create(session, res, actor, values)
    problems = _validate_create(session, res, actor, values)
    if problems:
        raise DataValidationError(problems)
    clash = find_clash(session, res, values)
    if clash is not None:
        raise clash.error()
    row = res.model(**values)
    session.add(row)
    _flush(session, res)
    changes = [audit.Change("create", res.name, str(_pk(row)), None, to_dict(row))]
    if isinstance(row, Project):
        changes += _after_project_write(session, actor=actor, project=row)
    audit.record(session, actor=actor.username, changes=changes)
    return row


def _pk(row: Any) -> Any:
    return inspect(row).identity[0] if inspect(row).identity else row.id


def _flush(session: Session, res: Resource) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        msg = f"{res.name}: the change clashes with stored data ({exc.orig})"
        raise ConflictError(msg) from exc


def update(
    session: Session, *, resource_name: str, actor: User, row_id: Any, data: BaseModel
) -> Any:
    """Apply the fields set in ``data`` (an ``XUpdate``) to one row, with audit.

    Raises
    ------
    NotFoundError, ScopeError, DataValidationError, ConflictError
        As for :func:`create`; scope is checked before and after the change.
    """
    res = resource(resource_name)
    row = get_row(session, resource_name=resource_name, user=actor, row_id=row_id)
    _check_row_scope(session, actor, res, row, write=True)
    changes = data.model_dump(exclude_unset=True)
    changes = {
        k: v for k, v in changes.items() if not (v is None and k not in _NULLABLE.get(res.name, ()))
    }
    before = to_dict(row)
    values = {**{a.key: getattr(row, a.key) for a in inspect(row).mapper.column_attrs}, **changes}
    problems = _check_references(session, res, changes)
    if isinstance(row, Project):
        problems += _check_project(values, row.state)
    if isinstance(row, QualityRecord):
        _prepare_quality(values, problems)
        changes["n_defective"] = values["n_defective"]
    if isinstance(row, Programme) and values["end_year"] < values["start_year"]:
        problems.append(_problem(res.name, "end_year", "end_year must not be before start_year"))
    problems += domain_problems(res, values, set(changes))
    if problems:
        raise DataValidationError(problems)
    if "region_id" in changes and res.scoped:
        auth.check_scope(session, actor, region_id=changes["region_id"], write=True)
    for key, value in changes.items():
        setattr(row, key, value)
    _flush(session, res)
    after = to_dict(row)
    log = (
        [audit.Change("update", res.name, str(_pk(row)), before, after)] if after != before else []
    )
    if isinstance(row, Project):
        log += _after_project_write(session, actor=actor, project=row)
    if log:
        audit.record(session, actor=actor.username, changes=log)
    return row


#: Update fields that may be explicitly set to null.
_NULLABLE: dict[str, tuple[str, ...]] = {
    "projects": (
        "tier",
        "size",
        "cost",
        "benefit",
        "planned_groundbreaking",
        "planned_construction",
        "planned_inauguration",
        "actual_groundbreaking",
        "actual_construction",
        "actual_inauguration",
    ),
    "provinces": ("name_ko",),
    "operations": ("raw_local", "raw_imported"),
    "regions": ("name_ko", "population"),
}


def delete(session: Session, *, resource_name: str, actor: User, row_id: Any) -> None:
    """Delete one row (data-entry tables only), with audit.

    Raises
    ------
    NotFoundError, ScopeError, ConflictError
        Unknown row, not allowed, or still referenced.
    """
    res = resource(resource_name)
    if not res.deletable:
        msg = f"{res.name} rows cannot be deleted"
        raise ScopeError(msg)
    row = get_row(session, resource_name=resource_name, user=actor, row_id=row_id)
    _check_row_scope(session, actor, res, row, write=True)
    if isinstance(row, Project):
        site = session.execute(select(Site.id).where(Site.project_id == row.id)).first()
        if site is not None:
            msg = (
                f"project {row.id} has an operating site ({site[0]}); suspend or cancel it instead"
            )
            raise ConflictError(msg)
    before = to_dict(row)
    session.delete(row)
    _flush(session, res)
    audit.record(
        session,
        actor=actor.username,
        changes=[audit.Change("delete", res.name, str(row_id), before, None)],
    )


# --- users ---------------------------------------------------------------------------


def create_user(
    session: Session, *, actor: User | None, data: schemas.UserCreate, hasher: PasswordHasher
) -> User:
    """Create a user (national users only; ``actor=None`` for the CLI bootstrap).

    The scope columns must fit the role: provincial → ``province_id``; county →
    ``region_id``; factory → ``site_id`` (its region is filled in); national → none.
    """
    if actor is not None:
        auth.require_role(actor, "national")
    values = data.model_dump()
    password = values.pop("password")
    problems: list[Problem] = []
    for col, target in (("province_id", Province), ("region_id", Region), ("site_id", Site)):
        if values.get(col) is not None and session.get(target, values[col]) is None:
            problems.append(
                _problem("users", col, f"unknown {target.__tablename__} id {values[col]!r}")
            )
    role = values["role"]
    need = {"provincial": "province_id", "county": "region_id", "factory": "site_id"}.get(role)
    if need is not None and values.get(need) is None:
        problems.append(_problem("users", need, f"role {role!r} needs {need}"))
    if role == "national" and any(
        values.get(c) is not None for c in ("province_id", "region_id", "site_id")
    ):
        problems.append(
            _problem("users", "role", "national users have no province, region or site")
        )
    if problems:
        raise DataValidationError(problems)
    if role == "factory":
        site = session.get(Site, values["site_id"])
        values["region_id"] = site.region_id if site else None
    if session.execute(select(User.id).where(User.username == values["username"])).first():
        msg = f"username {values['username']!r} is taken"
        raise ConflictError(msg)
    user = User(**values, password_hash=auth.hash_password(password, hasher=hasher))
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor.username if actor else "system",
        changes=[audit.Change("create", "users", str(user.id), None, to_dict(user))],
    )
    return user


def update_user(
    session: Session, *, actor: User, user_id: int, data: schemas.UserUpdate, hasher: PasswordHasher
) -> User:
    """Change a user's name, password or active flag (national users, or users themselves)."""
    if actor.id != user_id:
        auth.require_role(actor, "national")
    user = session.get(User, user_id)
    if user is None:
        msg = f"no user with id {user_id}"
        raise NotFoundError(msg)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    current = changes.pop("current_password", None)
    # changing your own password needs the current one (a stolen session alone must not
    # be able to take the account over)
    own = "password" in changes and actor.id == user_id
    if own and (
        current is None or not auth.verify_password(current, user.password_hash, hasher=hasher)
    ):
        msg = "to change your password, give your current password"
        raise DataValidationError([_problem("users", "current_password", msg)])
    if "is_active" in changes and actor.role != "national":
        msg = "only national users can activate or deactivate accounts"
        raise ScopeError(msg)
    before = to_dict(user)
    password = changes.pop("password", None)
    for key, value in changes.items():
        setattr(user, key, value)
    if password is not None:
        user.password_hash = auth.hash_password(password, hasher=hasher)
    session.flush()
    after = to_dict(user)
    if password is not None:
        after["password_changed"] = True
    audit.record(
        session,
        actor=actor.username,
        changes=[audit.Change("update", "users", str(user.id), before, after)],
    )
    return user


def revoke_sessions(session: Session, *, actor: User, user_id: int) -> User:
    """Revoke every token of a user (logout; national users may do it for anyone).

    Increments the user's session epoch, which tokens carry; audited, so the read cache
    (keyed by the audit head) stops answering for the revoked tokens at once.
    """
    if actor.id != user_id:
        auth.require_role(actor, "national")
    user = session.get(User, user_id)
    if user is None:
        msg = f"no user with id {user_id}"
        raise NotFoundError(msg)
    before = to_dict(user)
    user.session_epoch = int(user.session_epoch or 0) + 1
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        changes=[audit.Change("update", "users", str(user.id), before, to_dict(user))],
    )
    return user


def list_users(
    session: Session, *, actor: User, skip: int = 0, limit: int = 100
) -> tuple[list[User], int]:
    """Users (national users only)."""
    auth.require_role(actor, "national")
    count = session.execute(select(func.count()).select_from(User)).scalar_one()
    rows = session.execute(select(User).order_by(User.id).offset(skip).limit(limit)).scalars().all()
    return list(rows), int(count)


def system_user() -> User:
    """An unsaved national user called ``system`` for CLI loaders and seeding."""
    return User(id=0, username="system", role="national", password_hash="!", is_active=True)


def list_audit(
    session: Session, *, actor: User, entity: str | None = None, skip: int = 0, limit: int = 100
) -> tuple[Sequence[AuditEntry], int]:
    """Audit entries, newest last (national users only)."""
    auth.require_role(actor, "national")
    stmt = select(AuditEntry)
    if entity is not None:
        stmt = stmt.where(AuditEntry.entity == entity)
    count = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(stmt.order_by(AuditEntry.seq).offset(skip).limit(limit)).scalars().all()
    return rows, int(count)


# --- typed conveniences for the dashboard ------------------------------------------------


def _lister(name: str) -> Callable[..., tuple[list[Any], int]]:
    def fn(
        session: Session,
        *,
        user: User,
        filters: Mapping[str, Any] | None = None,
        skip: int = 0,
        limit: int | None = 100,
    ) -> tuple[list[Any], int]:
        return list_rows(
            session, resource_name=name, user=user, filters=filters, skip=skip, limit=limit
        )

    fn.__name__ = f"list_{name.replace('-', '_')}"
    fn.__doc__ = f"Rows of ``{name}`` in the user's scope: see :func:`list_rows`."
    return fn


list_provinces = _lister("provinces")
list_regions = _lister("regions")
list_programmes = _lister("programmes")
list_plans = _lister("plans")
list_projects = _lister("projects")
list_sites = _lister("sites")
list_operations = _lister("operations")
list_quality = _lister("quality")
list_surveys = _lister("surveys")
list_grain_status = _lister("grain-status")


def create_operation(
    session: Session, *, actor: User, data: schemas.OperationCreate
) -> FactoryOperation:
    """Record one line-month of production (see :func:`create`)."""
    row: FactoryOperation = create(session, resource_name="operations", actor=actor, data=data)
    return row


def create_quality(session: Session, *, actor: User, data: schemas.QualityCreate) -> QualityRecord:
    """Record one quality sample (see :func:`create`)."""
    row: QualityRecord = create(session, resource_name="quality", actor=actor, data=data)
    return row


def create_survey(session: Session, *, actor: User, data: schemas.SurveyCreate) -> Survey:
    """Record one survey answer (see :func:`create`)."""
    row: Survey = create(session, resource_name="surveys", actor=actor, data=data)
    return row


def create_project(session: Session, *, actor: User, data: schemas.ProjectCreate) -> Project:
    """Create one tracked project (see :func:`create`)."""
    row: Project = create(session, resource_name="projects", actor=actor, data=data)
    return row


def update_project(
    session: Session, *, actor: User, project_id: int, data: schemas.ProjectUpdate
) -> Project:
    """Update a project; inauguration creates its operating site (see :func:`update`)."""
    row: Project = update(
        session, resource_name="projects", actor=actor, row_id=project_id, data=data
    )
    return row
