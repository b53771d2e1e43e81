"""Engine, naming convention and the per-request session."""

import re
import sqlite3
import time
from collections import namedtuple
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from functools import lru_cache
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
        if database and database != ":memory:":  # (a file: a pool of connections to it)
            kwargs.setdefault("pool_size", settings.DB_POOL_SIZE)
            kwargs.setdefault("max_overflow", settings.DB_MAX_OVERFLOW)
        # How long a writer waits for SQLite's lock before giving up.
        kwargs.setdefault(
            "connect_args",
            {"check_same_thread": False, "timeout": settings.DB_STATEMENT_TIMEOUT_SECONDS},
        )
    else:
        kwargs.setdefault("pool_pre_ping", settings.DB_PING_AFTER_IDLE_SECONDS == 0)
        # Derived status is a few correlated subqueries per row; their cost estimates push
        # PostgreSQL past jit_above_cost, and compiling took ~600 ms for a query that runs in
        # ~3 ms (bench/list_agreements.py). JIT is for long analytics, not for this service.
        # No request waits forever on a database that accepts but never answers.
        kwargs.setdefault(
            "connect_args",
            {
                # timezone=UTC: moments come back in UTC whatever the server's setting (the
                # application's types hand them on as they are: app/core/types.py), and a
                # moment cast to a date in SQL is the same day on every server.
                "options": "-c jit=off -c timezone=UTC -c statement_timeout="
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
    else:
        if engine.dialect.driver == "psycopg":
            event.listen(engine, "connect", _psycopg_on_connect)
        if not kwargs["pool_pre_ping"]:
            ping_after_idle(engine, settings.DB_PING_AFTER_IDLE_SECONDS)
    event.listen(engine, "before_cursor_execute", _begin_at_first_write)
    return engine


def ping_after_idle(
    engine: Engine, seconds: float, clock: Callable[[], float] = time.monotonic
) -> None:
    """Before a connection is taken from the pool, ping it if it lay idle there longer than
    `seconds` (HikariCP's "alive bypass window"): pool_pre_ping's round trip, spared to the
    connections in steady use (a twelfth of one agreement's time). One that fails the ping is
    replaced before the request uses it; one the database dropped within the window fails its
    request (a 503 `database-unavailable`, app/core/errors.py) and the pool is renewed."""

    def idle_from_now(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = clock()

    def taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if clock() - record.info.get("idle_since", 0.0) <= seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool closes it and takes another (SQLAlchemy's "Disconnect Handling").
            raise sa.exc.DisconnectionError(str(error)) from error

    event.listen(engine, "connect", idle_from_now)
    event.listen(engine, "checkin", idle_from_now)
    event.listen(engine, "checkout", taken)


def _psycopg_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Lists (the array parameters of `among` and of the reminder run's unnest) are sent in
    # PostgreSQL's binary format: psycopg writes the text format of a list in Python, quoting
    # each string by a regular expression, five times the work (~30 ms of the ~45 ms a national
    # run's INSERT of 4,490 reminders spent in the client). Every list here is cast in SQL
    # (`::INTEGER[]`, `::VARCHAR[]`, ...), so the element type psycopg picks does not matter.
    from psycopg.types.array import ListBinaryDumper  # (not imported by SQLite's processes)

    dbapi_connection.adapters.register_dumper(list, ListBinaryDumper)


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
    options = connection.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return  # a read that must not wait for writers (readiness)
    if options.get(READ_UNTIL_WRITE):
        return  # begun at its first write, if any (_begin_at_first_write)
    # IMMEDIATE takes the write lock up front: two transactions that read and then write would
    # otherwise fail at once with "database is locked" instead of waiting for each other.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


# A request that reads (GET, HEAD) runs its statements outside a transaction, each on its own,
# until it writes: on PostgreSQL that spares the round trips of BEGIN and ROLLBACK around every
# read (a fifth of one agreement's time; under READ COMMITTED each statement sees its own
# snapshot in a transaction too, so nothing a read sees changes), and on SQLite a read no longer
# takes the write lock (BEGIN IMMEDIATE, above) and waits behind writers. The first statement
# that writes or locks rows begins a transaction there and then, so what such a request writes
# is still all or nothing (tests/test_read_until_write.py).
READ_UNTIL_WRITE = "read_until_write"
_READ_HEADS = ("SELECT", "WITH")
_LOCKS = (" FOR UPDATE", " FOR SHARE", " FOR NO KEY UPDATE", " FOR KEY SHARE")
_WRITE_WORD = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b")


def writes(statement: str, context: Any) -> bool:
    """Whether a statement writes or locks rows (anything but a plain SELECT, or a WITH query
    of SELECTs): what must run inside a transaction."""
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        return True
    text = statement.lstrip().upper()
    if not text.startswith(_READ_HEADS):
        return True
    if any(lock in text for lock in _LOCKS):
        return True
    return text.startswith("WITH") and _WRITE_WORD.search(text) is not None


def _begin_at_first_write(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> None:
    if not conn._execution_options.get(READ_UNTIL_WRITE) or not writes(statement, context):
        return
    dbapi_connection = conn.connection.dbapi_connection
    if conn.dialect.name == "sqlite":
        if not dbapi_connection.in_transaction:
            cursor.execute("BEGIN IMMEDIATE")  # as _sqlite_begin; pysqlite's commit ends it
    elif dbapi_connection.autocommit:
        # psycopg sends BEGIN before this statement; the session's commit or rollback ends it
        # (SQLAlchemy still calls the driver's, which act once a transaction is open), and the
        # pool sets autocommit back when the connection returns.
        dbapi_connection.autocommit = False


TRIGRAM_INDEX_SUFFIX = "_trgm"


def include_in_autogenerate(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """What Alembic's autogenerate compares. The trigram indexes that serve `q` on PostgreSQL
    (names ending in _trgm) exist only there and only by migration (2026-11-24_search.py):
    the models do not declare them, and their absence from the models is not a change."""
    return not (type_ == "index" and reflected and (name or "").endswith(TRIGRAM_INDEX_SUFFIX))


engine = make_engine(settings.database_url)


@lru_cache(maxsize=8)
def read_until_write(engine: Engine) -> Engine:
    """The engine of the requests that read (READ_UNTIL_WRITE), on the same pool. On
    PostgreSQL, psycopg's autocommit (it sends no BEGIN; SQLAlchemy sets it back when the
    connection returns to the pool); SQLite's transactions are SQLAlchemy's (_sqlite_begin)."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{READ_UNTIL_WRITE: True})
    return engine.execution_options(isolation_level="AUTOCOMMIT", **{READ_UNTIL_WRITE: True})


_READS_ONLY = frozenset({"GET", "HEAD"})
_IDLE = 0  # psycopg's pq.TransactionStatus.IDLE (not imported where PostgreSQL is not used)


def _open_session(request: Request) -> Session:
    """A session for the request (it touches the database only when first used)."""
    # A POST with an Idempotency-Key runs in one transaction that its answer is kept in too
    # (app/idempotency/route.py): the services' commits are then savepoints of it.
    outer = getattr(request.state, "transaction_connection", None)
    if outer is not None:
        session = Session(bind=outer, join_transaction_mode="create_savepoint")
    else:
        reads = request.method in _READS_ONLY
        session = Session(read_until_write(engine) if reads else engine)
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
    if _open_in_database(session):
        await run_in_threadpool(_end, session, False)
    else:
        _end(session, failed=False)


def _open_in_database(session: Session) -> bool:
    """Whether ending the session waits on the database: a transaction is open there (none is
    after a read outside one, READ_UNTIL_WRITE, or after a commit; then the connection goes back
    to the pool without a word to the database)."""
    transaction = session.get_transaction()
    if transaction is None:
        return False
    # (Read without session.connection(), which would connect if the session had not yet.)
    connections = getattr(transaction, "_connections", None)
    if connections is None:
        return True  # not knowable here: as if open
    if not connections:
        return False
    dbapi_connection = next(iter(connections.values()))[0].connection.dbapi_connection
    if dbapi_connection is None:
        return False
    if isinstance(dbapi_connection, sqlite3.Connection):
        return dbapi_connection.in_transaction
    return bool(dbapi_connection.info.transaction_status != _IDLE)


SessionDep = Annotated[Session, Depends(get_session)]


def get_engine() -> Engine:
    """The application's engine (tests override it, e.g. with one whose database is down)."""
    return engine


@lru_cache(maxsize=256)
def _record_type(fields: tuple[str, ...]) -> Any:
    return namedtuple("Record", fields, rename=True)  # type: ignore[misc]


def records(result: sa.Result[Any]) -> list[Any]:
    """A result's rows as named tuples, for code that reads many of their columns: reading a
    column of one costs ~50 ns, of SQLAlchemy's Row ~840 ns (its keys are looked up each
    time); a page of agreements reads ~10,000 (7.0 -> 1.5 ms to build a page of 35)."""
    make = _record_type(tuple(result.keys()))._make
    return [make(row) for row in result]


def among(session: Session, column: Any, ids: Iterable[int]) -> Any:
    """SQL: column IN ids. On PostgreSQL one array parameter (`= ANY(%s)`): thousands of ids
    cost one bind and a short plan, not thousands (2.5x faster at 4,000); a list elsewhere."""
    wanted = list(ids)
    if session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.literal(wanted, type_=postgresql.ARRAY(sa.Integer)))
    return column.in_(wanted)


def among_parameter(column: Any, name: str, dialect: str) -> Any:
    """SQL: column IN the ids a parameter `name` carries, for a statement built once and run
    with many lists: on PostgreSQL `= ANY(%(name)s)`, one SQL text whatever the list's length
    (the driver prepares it once, nothing is rendered per list); an expanding IN elsewhere."""
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam(name, type_=postgresql.ARRAY(sa.Integer)))
    return column.in_(sa.bindparam(name, expanding=True))


def read_param(name: str, type_: Any = None) -> Any:
    """The parameter of a prebuilt statement that carries `name`'s value (`read_<name>` in the
    values given to run_prebuilt)."""
    return sa.bindparam(f"read_{name}", type_=type_)


def run_prebuilt(session: Session, statement: Any, values: dict[str, Any]) -> Any:
    """A statement built once (its values as parameters) run on the session's connection, in
    its transaction and after its pending changes, without the ORM's per-statement work: for
    statements of plain columns, whose rows are read as they are."""
    session.flush()
    return session.connection().execute(statement, values)


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
