"""Engine and session factory.

SQLite (the embedded default) gets WAL journaling, foreign keys, ``synchronous=FULL``
(an acknowledged commit survives a power cut or SIGKILL) and a busy timeout.  Write
transactions on SQLite start with ``BEGIN IMMEDIATE`` (see :func:`begin_write`) so two
writers queue instead of failing with ``database is locked`` on upgrade.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy import exc as exc_
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

_IMMEDIATE = "regdev_immediate"
_PG_READ_ONLY = "-c default_transaction_read_only=on"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for ``url`` with the service's connection settings.

    Parameters
    ----------
    url : str
        SQLAlchemy database URL. ``sqlite://`` (in memory) uses a single shared
        connection (``StaticPool``) so every session sees the same database.
    echo : bool
        Log SQL statements.

    Returns
    -------
    sqlalchemy.Engine
        The configured engine.
    """
    kwargs: dict[str, Any] = {"echo": echo}
    is_sqlite = url.startswith("sqlite")
    if is_sqlite:
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if is_sqlite:
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # take transaction control away from pysqlite so BEGIN is ours
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    _begin_on_driver(engine)


def _begin_on_driver(engine: Engine) -> None:
    """Start SQLite transactions ourselves (pysqlite's own transaction control is off).

    ``BEGIN`` goes straight to the driver connection: through the statement machinery
    (``exec_driver_sql``) it cost about a tenth of a millisecond per transaction, as
    much as a small indexed query.

    **No connection goes back to the pool inside a transaction.**  A ``COMMIT`` that
    fails (``SQLITE_BUSY``, an I/O error) leaves SQLite's transaction open, while
    SQLAlchemy counts it as ended and so skips the rollback when the connection
    returns to the pool; the next request that took that connection then failed with
    "cannot start a transaction within a transaction" (the flake of the SIGKILL test,
    reproduced in ``test_failed_commit_does_not_poison_the_pool``).  The pool's
    ``reset`` hook therefore rolls back whatever the driver still has open (that
    transaction was never acknowledged: its commit failed).
    """

    @event.listens_for(engine, "reset")
    def _on_reset(dbapi_connection: Any, _record: Any, _state: Any) -> None:
        if getattr(dbapi_connection, "in_transaction", False):
            dbapi_connection.rollback()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        statement = "BEGIN IMMEDIATE" if conn.get_execution_options().get(_IMMEDIATE) else "BEGIN"
        try:
            conn.connection.dbapi_connection.execute(statement)
        except sqlite3.Error as exc:  # as SQLAlchemy would raise it (e.g. "locked" -> 503)
            raise exc_.OperationalError(statement, None, exc) from exc


def make_read_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for read-only work (the API's read path), separate from the writers.

    * SQLite file: its own connection pool with ``PRAGMA query_only=ON`` (a statement
      that would write fails instead of taking the write lock) and deferred ``BEGIN``
      (WAL readers never wait for the writer, and see the last commit at their first
      statement);
    * in-memory SQLite: the writer engine's single connection cannot be shared by a
      second engine, so a read engine is not made (use the writer engine);
    * PostgreSQL: its own pool whose sessions have ``default_transaction_read_only``.

    Parameters
    ----------
    url : str
        SQLAlchemy database URL (the same as the writer engine's).
    echo : bool
        Log SQL statements.

    Returns
    -------
    sqlalchemy.Engine
        The read-only engine.

    Raises
    ------
    ValueError
        For an in-memory SQLite URL.
    """
    if url in ("sqlite://", "sqlite:///:memory:"):
        msg = "an in-memory SQLite database has no separate read engine; use the writer's"
        raise ValueError(msg)
    if not url.startswith("sqlite"):
        parsed = make_url(url)
        if parsed.get_backend_name() == "postgresql":  # keep the URL's own options
            given = parsed.query.get("options", "")
            options = " ".join([*([given] if isinstance(given, str) else given), _PG_READ_ONLY])
            parsed = parsed.update_query_dict({"options": options.strip()})
        return create_engine(parsed, echo=echo, pool_pre_ping=True)
    engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA query_only=ON")
        cur.close()

    _begin_on_driver(engine)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine`` (objects stay usable after commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def begin_write(session: Session) -> None:
    """Declare that ``session``'s transaction will write.

    Must be called before the session's first statement.  On SQLite this starts the
    transaction with ``BEGIN IMMEDIATE``; other databases ignore it.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        A session that has not yet executed anything in its current transaction.
    """
    session.connection(execution_options={_IMMEDIATE: True})


@functools.lru_cache(maxsize=16)
def write_bind(engine: Engine) -> Engine:
    """``engine`` whose transactions are write transactions from their first statement.

    A session bound to it starts ``BEGIN IMMEDIATE`` (SQLite) lazily, at its first
    statement, in the thread that runs it (see :func:`begin_write` for the eager form).
    """
    return engine.execution_options(**{_IMMEDIATE: True})


@contextmanager
def session_scope(factory: sessionmaker[Session], *, write: bool = False) -> Iterator[Session]:
    """A session that commits on success and rolls back on error.

    Parameters
    ----------
    factory : sessionmaker
        Session factory from :func:`make_session_factory`.
    write : bool
        Start a write transaction (see :func:`begin_write`).

    Yields
    ------
    sqlalchemy.orm.Session
        The open session.
    """
    with factory() as session:
        if write:
            begin_write(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
