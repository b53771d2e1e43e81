"""Engine, naming convention and the per-request session."""

from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy import event, make_url
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlmodel import Session, create_engine
from starlette.concurrency import run_in_threadpool

from app.core.config import settings


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for url; on SQLite, foreign keys are enforced on every connection."""
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # How long a writer waits for SQLite's lock before giving up.
        kwargs.setdefault(
            "connect_args",
            {"check_same_thread": False, "timeout": settings.DB_STATEMENT_TIMEOUT_SECONDS},
        )
    else:
        kwargs.setdefault("pool_pre_ping", True)
        # Derived status is a few correlated subqueries per row; their cost estimates push
        # PostgreSQL past jit_above_cost, and compiling took ~600 ms for a query that runs in
        # ~3 ms (bench/list_agreements.py). JIT is for long analytics, not for this service.
        # No request waits forever on a database that accepts but never answers.
        kwargs.setdefault(
            "connect_args",
            {
                "options": "-c jit=off -c statement_timeout="
                f"{int(settings.DB_STATEMENT_TIMEOUT_SECONDS * 1000)}",
                "connect_timeout": max(1, int(settings.DB_CONNECT_TIMEOUT_SECONDS)),
            },
        )
        kwargs.setdefault("pool_timeout", settings.DB_CONNECT_TIMEOUT_SECONDS)
        kwargs.setdefault("pool_size", settings.DB_POOL_SIZE)
        kwargs.setdefault("max_overflow", settings.DB_MAX_OVERFLOW)
    engine = create_engine(url, echo=settings.SQL_ECHO, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode, NORMAL syncs the log at checkpoints, not at every commit (SQLite's "PRAGMA
    # synchronous" and "Write-Ahead Logging" pages): the database stays consistent after any
    # crash, and a commit survives the process's crash; only the last commits before a power
    # loss or a crash of the machine may be undone. FULL waited on the disk for each commit
    # (milliseconds each: the suite's live servers, seedings and commands commit thousands of
    # times). PostgreSQL, the production database, is not concerned.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # SQLAlchemy, not pysqlite, starts transactions (SQLAlchemy's SQLite docs, "Serializable
    # isolation / Savepoints / Transactional DDL"): see _sqlite_begin.
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Any) -> None:
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return  # a read that must not wait for writers (readiness)
    # IMMEDIATE takes the write lock up front: two transactions that read and then write would
    # otherwise fail at once with "database is locked" instead of waiting for each other.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


TRIGRAM_INDEX_SUFFIX = "_trgm"


def include_in_autogenerate(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """What Alembic's autogenerate compares. The trigram indexes that serve `q` on PostgreSQL
    (names ending in _trgm) exist only there and only by migration (2026-11-24_search.py):
    the models do not declare them, and their absence from the models is not a change."""
    return not (type_ == "index" and reflected and (name or "").endswith(TRIGRAM_INDEX_SUFFIX))


engine = make_engine(settings.database_url)


def _open_session(request: Request) -> Session:
    """A session for the request (it touches the database only when first used)."""
    # A POST with an Idempotency-Key runs in one transaction that its answer is kept in too
    # (app/idempotency/route.py): the services' commits are then savepoints of it.
    outer = getattr(request.state, "transaction_connection", None)
    session = (
        Session(engine)
        if outer is None
        else Session(bind=outer, join_transaction_mode="create_savepoint")
    )
    # Kept on the request for what runs around the endpoint (idempotency records), so that it
    # does not open a second connection while this one may hold SQLite's write lock.
    request.state.session = session
    return session


def _end(session: Session, failed: bool) -> None:
    try:
        if failed:
            # A refused or failed request leaves nothing half-written.
            session.rollback()
    finally:
        session.close()


def session_scope(request: Request) -> Iterator[Session]:
    """The request's session as get_session gives it, for code outside FastAPI's injection."""
    session = _open_session(request)
    failed = False
    try:
        yield session
    except Exception:
        failed = True
        raise
    finally:
        _end(session, failed)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request; services commit, nothing else does.

    `async`: opening a session does not touch the database, so it costs no hop to the thread
    pool (a plain generator costs two); ending it (a rollback, the connection given back to the
    pool) waits on the database, so that runs there, unless the session never began."""
    session = _open_session(request)
    try:
        yield session
    except Exception:
        await run_in_threadpool(_end, session, True)
        raise
    except BaseException:  # cancelled: ended here and now, not after a wait for the pool
        _end(session, failed=True)
        raise
    if session.in_transaction():
        await run_in_threadpool(_end, session, False)
    else:
        _end(session, failed=False)


SessionDep = Annotated[Session, Depends(get_session)]


def get_engine() -> Engine:
    """The application's engine (tests override it, e.g. with one whose database is down)."""
    return engine


def among(session: Session, column: Any, ids: Iterable[int]) -> Any:
    """SQL: column IN ids. On PostgreSQL one array parameter (`= ANY(%s)`): thousands of ids
    cost one bind and a short plan, not thousands (2.5x faster at 4,000); a list elsewhere."""
    wanted = list(ids)
    if session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.literal(wanted, type_=postgresql.ARRAY(sa.Integer)))
    return column.in_(wanted)


def run_prebuilt(session: Session, statement: Any, values: dict[str, Any]) -> Any:
    """The result of a statement built once (its values as parameters) on the session's
    connection, in its transaction and after its pending changes, without the ORM's
    per-statement work: for statements of plain columns."""
    session.flush()
    return session.connection().execute(statement, values)


def among_parameter(column: Any, name: str, dialect: str) -> Any:
    """SQL: column IN the ids a parameter `name` carries, for a statement built once and run
    with many lists: on PostgreSQL `= ANY(%(name)s)`, one SQL text whatever the list's length
    (the driver prepares it once, nothing is rendered per list); an expanding IN elsewhere."""
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam(name, type_=postgresql.ARRAY(sa.Integer)))
    return column.in_(sa.bindparam(name, expanding=True))


class add_days(sa.sql.functions.FunctionElement[Any]):
    """SQL: a date plus a number of days (NULL if either is), on SQLite and PostgreSQL."""

    type = sa.Date()
    inherit_cache = True
    name = "add_days"


@compiles(add_days, "sqlite")
def _add_days_sqlite(element: add_days, compiler: Any, **kw: Any) -> str:
    day, days = list(element.clauses)
    return (
        f"date({compiler.process(day, **kw)}, '+' || ({compiler.process(days, **kw)}) || ' days')"
    )


@compiles(add_days, "postgresql")
def _add_days_postgresql(element: add_days, compiler: Any, **kw: Any) -> str:
    day, days = list(element.clauses)
    return f"({compiler.process(day, **kw)} + {compiler.process(days, **kw)})"
