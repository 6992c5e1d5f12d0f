"""Monitoring-service commands: serve, db, users, audit, backup, restore.

``--db`` takes a SQLAlchemy URL or a path to a SQLite file; without it the
``REGDEV_DATABASE_URL`` setting applies (default ``sqlite:///./regdev.db``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from regdev.cli._common import console, echo_json, fail
from regdev.i18n import _, ngettext

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from regdev.monitoring.config import Settings

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help=_("Database URL or SQLite file path (default: REGDEV_DATABASE_URL).")
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help=_("Machine-readable output."))]


def _settings(db: str | None) -> Settings:
    try:
        from regdev.monitoring.config import Settings
    except ImportError as exc:  # pragma: no cover - depends on the installation
        msg = _("the service extra is missing: pip install 'regdev[service]'")
        raise fail(msg) from exc
    if db is None:
        return Settings()
    if "://" not in db and Path(db).expanduser().is_dir():
        msg = _("--db {db}: is a directory; expected a database URL or a SQLite file path", db=db)
        raise fail(msg)
    url = db if "://" in db else f"sqlite:///{Path(db).expanduser().resolve()}"
    return Settings(database_url=url)


def _engine(db: str | None, *, migrate: bool = True) -> Engine:
    from regdev.monitoring.db import make_engine
    from regdev.monitoring.migrate import upgrade

    engine = make_engine(_settings(db).database_url)
    if migrate:
        upgrade(engine)
    return engine


def _session(engine: Engine) -> Any:
    from regdev.monitoring.db import make_session_factory, session_scope

    return session_scope(make_session_factory(engine), write=True)


db_app = typer.Typer(
    no_args_is_help=True, help=_("Database: migrate, import plans, seed the demo.")
)
users_app = typer.Typer(no_args_is_help=True, help=_("User accounts."))
audit_app = typer.Typer(no_args_is_help=True, help=_("Audit log."))


def serve(
    host: Annotated[str, typer.Option(help=_("Interface to listen on."))] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=_("TCP port."))] = 8000,
    db: DbOpt = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help=_(
                "uvicorn worker processes (a SQLite file or PostgreSQL; not in-memory). "
                "With more than one, stop the server with SIGTERM/Ctrl-C: a SIGKILL of the "
                "supervisor leaves its workers running."
            ),
        ),
    ] = 1,
) -> None:
    """Run the monitoring service (REST API under /api/v1, dashboard at /)."""
    import os

    import uvicorn

    from regdev.monitoring.app import create_app
    from regdev.monitoring.migrate import upgrade

    settings = _settings(db)
    settings.check_secrets()
    if workers > 1 and settings.database_url in ("sqlite://", "sqlite:///:memory:"):
        msg = _("an in-memory database cannot be shared by worker processes; use --workers 1")
        raise fail(msg)
    app = create_app(settings)
    upgrade(app.state.engine)
    anchorer = None
    if settings.anchor_file and settings.anchor_key_file:
        from regdev.monitoring.anchor import Anchorer

        anchorer = Anchorer(
            app.state.engine,
            settings.anchor_file,
            settings.anchor_key_file,
            settings.anchor_interval_minutes * 60.0,
        )
        anchorer.start()
    console.print(
        ngettext(
            "regdev monitoring on http://{host}:{port}/  (database {url}, {n} worker)",
            "regdev monitoring on http://{host}:{port}/  (database {url}, {n} workers)",
            workers,
            host=host,
            port=port,
            url=settings.database_url,
            n=workers,
        ),
        highlight=False,
    )
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="warning")
        return
    # each worker builds its own app from the environment (same settings, own caches;
    # every per-process cache is keyed by the audit-chain head, so workers agree)
    app.state.engine.dispose()
    os.environ["REGDEV_DATABASE_URL"] = settings.database_url
    uvicorn.run(
        "regdev.monitoring.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


@db_app.command("upgrade", help=_("Create or migrate the database to the latest schema."))
def db_upgrade(db: DbOpt = None) -> None:
    """Create or migrate the database to the latest schema."""
    from regdev.monitoring.migrate import current_revision

    engine = _engine(db)
    console.print(_("database at revision {rev}", rev=current_revision(engine)))


@db_app.command(
    "import-plan",
    help=_(
        "Import a plan folder: every schedule.csv row becomes a tracked project (one transaction)."
    ),
)
def db_import_plan(
    plan_dir: Annotated[Path, typer.Argument(help=_("Plan folder written by `regdev plan`."))],
    db: DbOpt = None,
    name: Annotated[str | None, typer.Option(help=_("Plan name (default: folder name)."))] = None,
    json_out: JsonOpt = False,
) -> None:
    """Import a plan folder: every schedule.csv row becomes a tracked project (one transaction)."""
    from sqlalchemy import func, select

    from regdev.monitoring.models import Project
    from regdev.monitoring.plan_import import import_plan

    engine = _engine(db)
    with _session(engine) as session:
        plan = import_plan(session, plan_dir, name=name)
        n = session.execute(
            select(func.count()).select_from(Project).where(Project.plan_id == plan.id)
        ).scalar_one()
        out = {
            "plan_id": plan.id,
            "name": plan.name,
            "n_projects": int(n),
            "n_created": int(plan.meta.get("n_projects_created", 0)),
            "n_updated": int(plan.meta.get("n_projects_updated", 0)),
            "n_started_kept": int(plan.meta.get("n_projects_started_kept", 0)),
            "n_tracked_by_history": int(plan.meta.get("n_rows_tracked_by_history", 0)),
            "n_factory_sites_with_lines": len(plan.meta.get("factory_lines", {})),
        }
    if json_out:
        echo_json(out)
    else:
        # issue 10: tracked projects are updated, never duplicated
        console.print(
            _(
                "imported plan {name} (id {id}): {created} new projects, {updated} planned "
                "projects updated, {kept} started ones kept; {tracked} scheduled rows already "
                "tracked by the history; design lines of {sites} factory sites",
                name=repr(out["name"]),
                id=out["plan_id"],
                created=out["n_created"],
                updated=out["n_updated"],
                kept=out["n_started_kept"],
                tracked=out["n_tracked_by_history"],
                sites=out["n_factory_sites_with_lines"],
            ),
            highlight=False,
        )


@db_app.command(
    "seed-demo",
    help=_(
        "Load the history, the default plan (or --plan DIR), and a simulated year of operations."
    ),
)
def db_seed_demo(
    db: DbOpt = None,
    seed: Annotated[int, typer.Option(help=_("Random seed of the simulated operations."))] = 0,
    until: Annotated[
        str | None,
        typer.Option(help=_("Last simulated month YYYY-MM (default: last full month).")),
    ] = None,
    plan_dir: Annotated[
        Path | None, typer.Option("--plan", help=_("Plan folder to import as the forward plan."))
    ] = None,
    no_plan: Annotated[
        bool, typer.Option("--no-plan", help=_("Skip the default plan (history only)."))
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Load the history, the default plan (or --plan DIR), and a simulated year of operations."""
    from dataclasses import asdict

    from regdev.errors import DataValidationError
    from regdev.monitoring.demo import seed_demo

    month: tuple[int, int] | None = None
    if until is not None:
        try:
            y, m = (int(p) for p in until.split("-"))
        except ValueError as exc:
            msg = _("--until: expected YYYY-MM, got {got}", got=repr(until))
            raise DataValidationError([msg]) from exc
        month = (y, m)
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from regdev.cli._common import err_console

    steps = {
        "history": _("loading the programme history"),
        "plan": _("planning the rollout")
        if plan_dir is None and not no_plan
        else _("importing the plan"),
        "operations": _("simulating a year of operations"),
        "writing": _("writing to the database"),
    }
    engine = _engine(db)
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        disable=json_out,
        transient=True,
    ) as bar:
        task = bar.add_task(steps["history"], total=None)

        def show(step: str, done: int, total: int) -> None:
            bar.update(task, description=steps.get(step, step), completed=done, total=total or None)

        with _session(engine) as session:
            summary = seed_demo(
                session,
                rng=seed,
                until=month,
                plan_dir=plan_dir,
                use_planner=not no_plan,
                progress=show,
            )
    if json_out:
        echo_json(asdict(summary))
    else:
        console.print(
            _(
                "demo loaded: {sites} operating sites, {ops} line-months, {quality} quality "
                "samples, {surveys} survey answers ({first} to {last}); plan: {plan}; "
                "{designed} factory sites run the plan design's lines (the others: generic "
                "demo lines)",
                sites=summary.n_sites,
                ops=summary.n_operations,
                quality=summary.n_quality,
                surveys=summary.n_surveys,
                first=summary.months[0],
                last=summary.months[1],
                plan=summary.plan_source,
                designed=summary.n_sites_designed,
            ),
            highlight=False,
        )


PasswordStdinOpt = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help=_("Read the password from the first line of standard input.")
    ),
]
PasswordFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        help=_("Read the password from the first line of this file (keep it owner-only)."),
    ),
]


def _read_password(stdin: bool, file: Path | None) -> str:
    """The new password: from stdin, a file, REGDEV_NEW_PASSWORD or a hidden prompt.

    Never from a command-line argument (those show in ``ps`` and shell history).
    """
    import os
    import sys

    if stdin and file is not None:
        msg = _("give either --password-stdin or --password-file, not both")
        raise fail(msg, code=2)
    if stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if file is not None:
        lines = file.read_text(encoding="utf-8").splitlines()
        return lines[0] if lines else ""
    env = os.environ.get("REGDEV_NEW_PASSWORD")
    if env is not None:
        return env
    if not sys.stdin.isatty():
        msg = _("no terminal to prompt for the password: use --password-stdin or --password-file")
        raise fail(msg, code=2)
    return str(typer.prompt(_("Password"), hide_input=True, confirmation_prompt=True))


def _province_id(db: str | None, text: str) -> str:
    from regdev.errors import NotFoundError
    from regdev.monitoring.db import make_session_factory
    from regdev.monitoring.provinces import resolve_province

    with make_session_factory(_engine(db))() as session:
        try:
            return resolve_province(session, text)
        except NotFoundError as exc:
            msg = f"--province: {exc}"
            raise fail(msg, code=2) from exc


@users_app.command(
    "add",
    help=_(
        "Create a user account.\n\nThe password is prompted for (hidden), or read from standard "
        "input (--password-stdin), a file (--password-file) or REGDEV_NEW_PASSWORD: never from "
        "the command line."
    ),
)
def users_add(
    username: Annotated[str, typer.Argument(help=_("Login name."))],
    role: Annotated[str, typer.Option(help=_("national, provincial, county, factory or viewer."))],
    province: Annotated[
        str | None,
        typer.Option(
            help=_(
                "Province (provincial): ISO code, English or Korean name, "
                "e.g. KP-07, Kangwon, 강원도."
            )
        ),
    ] = None,
    region: Annotated[str | None, typer.Option(help=_("Region id (county)."))] = None,
    site: Annotated[int | None, typer.Option(help=_("Site id (factory)."))] = None,
    full_name: Annotated[str, typer.Option(help=_("Display name."))] = "",
    password_stdin: PasswordStdinOpt = False,
    password_file: PasswordFileOpt = None,
    db: DbOpt = None,
) -> None:
    """Create a user account.

    The password is prompted for (hidden), or read from standard input
    (--password-stdin), a file (--password-file) or REGDEV_NEW_PASSWORD: never from
    the command line.
    """
    from pydantic import ValidationError

    from regdev.errors import DataValidationError, Problem
    from regdev.monitoring import auth, crud, schemas

    province_id = _province_id(db, province) if province is not None else None
    password = _read_password(password_stdin, password_file)
    try:
        data = schemas.UserCreate(
            username=username,
            full_name=full_name,
            password=password,
            role=role,  # type: ignore[arg-type]
            province_id=province_id,
            region_id=region,
            site_id=site,
        )
    except ValidationError as exc:
        problems = [
            Problem("users add", None, ".".join(map(str, e["loc"])), e["msg"]) for e in exc.errors()
        ]
        raise DataValidationError(problems) from exc
    settings = _settings(db)
    engine = _engine(db)
    with _session(engine) as session:
        user = crud.create_user(session, actor=None, data=data, hasher=auth.make_hasher(settings))
        uid = user.id
    console.print(
        _("user {user} ({role}) created with id {id}", user=repr(username), role=role, id=uid),
        highlight=False,
    )


@users_app.command(
    "reset-password", help=_("Set a new password (revokes the user's tokens) and lift any lockout.")
)
def users_reset_password(
    username: Annotated[str, typer.Argument(help=_("Login name."))],
    password_stdin: PasswordStdinOpt = False,
    password_file: PasswordFileOpt = None,
    db: DbOpt = None,
) -> None:
    """Set a new password (revokes the user's tokens) and lift any lockout."""
    from sqlalchemy import select

    from regdev.errors import NotFoundError
    from regdev.monitoring import auth, crud, schemas
    from regdev.monitoring.models import User

    password = _read_password(password_stdin, password_file)
    data = schemas.UserUpdate(password=password)
    settings = _settings(db)
    engine = _engine(db)
    with _session(engine) as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            msg = _("no user called {user}", user=repr(username))
            raise NotFoundError(msg)
        crud.update_user(
            session,
            actor=crud.system_user(),
            user_id=user.id,
            data=data,
            hasher=auth.make_hasher(settings),
        )
        n = auth.unlock(session, username=username)
    console.print(
        ngettext(
            "password of {user} changed; {n} failed login forgotten",
            "password of {user} changed; {n} failed logins forgotten",
            n,
            user=repr(username),
            n=n,
        ),
        highlight=False,
    )


@users_app.command("unlock", help=_("Lift a login lockout: forget the failed logins of USERNAME."))
def users_unlock(
    username: Annotated[str, typer.Argument(help=_("Login name."))],
    client: Annotated[
        str | None,
        typer.Option(help=_("Only this client address (default: every address).")),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Lift a login lockout: forget the failed logins of USERNAME."""
    from regdev.monitoring import auth

    engine = _engine(db)
    with _session(engine) as session:
        n = auth.unlock(session, username=username, client=client)
    console.print(
        ngettext(
            "{user} unlocked ({n} failed login forgotten)",
            "{user} unlocked ({n} failed logins forgotten)",
            n,
            user=repr(username),
            n=n,
        ),
        highlight=False,
    )


AnchorFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--anchors",
        help=_(
            "Anchor file (signed chain heads kept outside the database); "
            "default REGDEV_ANCHOR_FILE."
        ),
    ),
]
AnchorKeyOpt = Annotated[
    Path | None,
    typer.Option("--anchor-key", help=_("Anchor key file; default REGDEV_ANCHOR_KEY_FILE.")),
]


def _anchor_paths(
    db: str | None, anchors: Path | None, key: Path | None, *, required: bool
) -> tuple[Path | None, Path | None]:
    settings = _settings(db)
    a = anchors or (Path(settings.anchor_file) if settings.anchor_file else None)
    k = key or (Path(settings.anchor_key_file) if settings.anchor_key_file else None)
    if (a is None) != (k is None) or (required and a is None):
        msg = _(
            "give both --anchors FILE and --anchor-key KEYFILE "
            "(or REGDEV_ANCHOR_FILE / REGDEV_ANCHOR_KEY_FILE)"
        )
        raise fail(msg, code=2)
    return a, k


@audit_app.command(
    "verify",
    help=_("Recompute the audit hash chain and check the external anchors; exit 1 on tampering."),
)
def audit_verify(
    db: DbOpt = None,
    json_out: JsonOpt = False,
    anchors: AnchorFileOpt = None,
    anchor_key: AnchorKeyOpt = None,
) -> None:
    """Recompute the audit hash chain and check the external anchors; exit 1 on tampering."""
    from regdev.monitoring.anchor import read_key, verify_anchors
    from regdev.monitoring.audit import verify_chain
    from regdev.monitoring.db import make_session_factory

    a_path, k_path = _anchor_paths(db, anchors, anchor_key, required=False)
    engine = _engine(db, migrate=False)
    with make_session_factory(engine)() as session:
        report = verify_chain(session)
        anchor = (
            verify_anchors(session, path=a_path, key=read_key(k_path))
            if a_path is not None and k_path is not None
            else None
        )
    ok = report.ok and (anchor is None or anchor.ok)
    if json_out:
        doc: dict[str, Any] = {
            "ok": ok,
            "n_entries": report.n_entries,
            "first_bad_seq": report.first_bad_seq,
            "message": report.message,
        }
        if anchor is not None:
            doc["anchors"] = {
                "ok": anchor.ok,
                "n_anchors": anchor.n_anchors,
                "newest_seq": anchor.newest_seq,
                "message": anchor.message,
            }
        echo_json(doc)
    if not report.ok:
        msg = _("audit chain broken: {detail}", detail=report.message)
        raise fail(msg)
    if anchor is not None and not anchor.ok:
        msg = _("audit anchors: {detail}", detail=anchor.message)
        raise fail(msg)
    if not json_out:
        console.print(report.message)
        if anchor is not None:
            console.print(anchor.message)
        else:
            console.print(
                _(
                    "no anchors checked: a rewrite of the whole chain and its head would not be "
                    "detected (see `regdev audit anchor`)"
                )
            )


@audit_app.command(
    "anchor", help=_("Append the signed current chain head to the anchor file (run it from cron).")
)
def audit_anchor(
    db: DbOpt = None, anchors: AnchorFileOpt = None, anchor_key: AnchorKeyOpt = None
) -> None:
    """Append the signed current chain head to the anchor file (run it from cron)."""
    from regdev.monitoring.anchor import append_anchor, read_key
    from regdev.monitoring.db import make_session_factory

    a_path, k_path = _anchor_paths(db, anchors, anchor_key, required=True)
    if a_path is None or k_path is None:  # pragma: no cover - _anchor_paths refused it
        msg = _("anchor file and key are required")
        raise fail(msg, code=2)
    engine = _engine(db, migrate=False)
    with make_session_factory(engine)() as session:
        line = append_anchor(session, path=a_path, key=read_key(k_path))
    console.print(
        _(
            "anchored entry {seq} ({hash}…) in {path}",
            seq=line["seq"],
            hash=line["hash"][:16],
            path=str(a_path),
        ),
        highlight=False,
    )


@audit_app.command("anchor-key", help=_("Create a random anchor key (never overwrites one)."))
def audit_anchor_key(
    out: Annotated[Path, typer.Argument(help=_("Key file to create (owner-only)."))],
) -> None:
    """Create a random anchor key (never overwrites one)."""
    from regdev.monitoring.anchor import make_key

    make_key(out)
    console.print(
        _("anchor key written to {out} (keep a copy off the database server)", out=str(out)),
        highlight=False,
    )


def backup_cmd(
    out: Annotated[Path, typer.Argument(help=_("Backup file to write (gzip JSON)."))],
    db: DbOpt = None,
) -> None:
    """Write a complete backup of the database."""
    from regdev.monitoring.backup import backup

    summary = backup(_engine(db, migrate=False), out)
    n = sum(summary["rows"].values())
    console.print(
        _(
            "backup written to {out}: {n} rows, digest {digest}…",
            out=str(out),
            n=n,
            digest=summary["digest"][:16],
        ),
        highlight=False,
    )


def restore_cmd(
    src: Annotated[Path, typer.Argument(help=_("Backup file written by `regdev backup`."))],
    db: DbOpt = None,
    force: Annotated[bool, typer.Option(help=_("Replace a non-empty database."))] = False,
) -> None:
    """Restore a backup; the restored database reproduces the backup exactly."""
    from regdev.monitoring.backup import restore

    summary = restore(_engine(db, migrate=False), src, force=force)
    n = sum(summary["rows"].values())
    console.print(
        _(
            "restored {n} rows; digest {digest}… matches the backup",
            n=n,
            digest=summary["digest"][:16],
        ),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add the service commands to the root ``app``."""
    app.command(
        "serve", help=_("Run the monitoring service (REST API under /api/v1, dashboard at /).")
    )(serve)
    app.add_typer(db_app, name="db")
    app.add_typer(users_app, name="users")
    app.add_typer(audit_app, name="audit")
    app.command("backup", help=_("Write a complete backup of the database."))(backup_cmd)
    app.command(
        "restore", help=_("Restore a backup; the restored database reproduces the backup exactly.")
    )(restore_cmd)
