"""Test harness: schema by Alembic once per run; each test in a transaction rolled back after it.

`TEST_DATABASE_URL` picks the database (e.g. PostgreSQL); without it, a fresh SQLite file.
Under pytest-xdist (`make test` runs `-n`), each worker has a database of its own: a SQLite file
in its own temporary directory, or `<name>_gw0`, `<name>_gw1`, ... beside TEST_DATABASE_URL's
PostgreSQL database, created when missing and rebuilt by the migrations like the main one.
The tests that need a database of their own, empty (scratch_database), take one of the
process's scratch databases beside it (ScratchDatabases), reused rather than made anew.
"""

import logging
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event, make_url, text
from sqlmodel import Session

from app.console.pages.beranda import duties_cache
from app.core.config import settings
from app.core.db import get_engine, get_session, make_engine
from app.core.deps import get_today
from app.core.ratelimit import failures_per_address, requests_per_key
from app.main import app
from app.public.router import readers_per_address as public_readers
from app.reminders.calendar import validators as calendar_validators
from app.reminders.deadlines import pages as deadline_pages
from app.seeding import SeedReport, load_seeds
from app.stats.service import figures_cache
from app.users import service as users
from app.users.auth import known_keys
from app.users.models import Role
from app.users.schemas import ApiKeyCreate, UserCreate
from tests.facts import assert_stored_facts_agree

logging.getLogger("httpx").setLevel(logging.WARNING)
pytest_plugins = ["tests.world", "tests.concurrency", "tests.server"]

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 23)

# Staff passwords at argon2id's lowest cost: the suite sets and checks hundreds of them (a second
# each at the real cost on a busy machine). The servers and commands that tests start inherit it.
CHEAP_PASSWORD_HASHING = {"PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_KIB": 32}
for _name, _value in CHEAP_PASSWORD_HASHING.items():
    os.environ[_name] = str(_value)
    setattr(settings, _name, _value)


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> Iterator[None]:
    """Under pytest-xdist (`--dist loadgroup`), the tests on the one live console of a run are
    meant for one worker: a single server for them. Marked before xdist's own hook reads the
    groups; after it, the group is applied. pytest-xdist 3.8 applies a group by renaming
    `item._nodeid` to `<id>@<group>`, which pytest 9.2 no longer reads (the id is `item._id`):
    the renamed id is given to pytest as well, so that the scheduler sees the group as with
    earlier pytest (without it, every worker that met one of these tests started a console).

    The tests on the seeded real cases (`seeded_connection`, see SeededCases) run last, in their
    order of collection: consecutive, so that each process (each xdist worker) loads the seeds
    once, not once per stretch of seeded tests among others (about 30 stretches in collection
    order, a load of seconds each)."""
    for item in items:
        if "live_console" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("live_console"))
    seeded = [item for item in items if "seeded_connection" in getattr(item, "fixturenames", ())]
    if seeded:
        chosen = {id(item) for item in seeded}
        items[:] = [item for item in items if id(item) not in chosen] + seeded
    yield
    for item in items:
        renamed = item.__dict__.get("_nodeid")
        identifier = getattr(item, "_id", None)
        if isinstance(renamed, str) and renamed != item.nodeid and identifier is not None:
            item._id = type(identifier).parse(renamed)


def alembic_config(connection: Any) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["connection"] = connection
    config.attributes["configure_logger"] = False
    return config


def reset_schema(engine: Engine) -> None:
    """Empty the test database so that migrations build it from nothing."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))


def without_waiting_for_disk(connection: Connection, name: str) -> None:
    """A test database's commits do not wait for the disk (`synchronous_commit = off` for every
    session on it, the servers' and commands' the tests start as well): what a commit makes
    visible is the same, only its survival of a crash of the machine is not awaited, which no
    test asks. The live servers, seedings and migrations of the suite commit thousands of
    times, each a flush of PostgreSQL's log otherwise (milliseconds on this disk)."""
    connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))


def ensure_database(connection: Connection, name: str) -> None:
    """The PostgreSQL database `name` on the connection's server, created when missing, its
    commits not waiting for the disk (without_waiting_for_disk)."""
    exists = connection.execute(
        text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
    ).first()
    if not exists:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    without_waiting_for_disk(connection, name)


def worker_database_url(url: str, worker: str) -> str:
    """The database of one pytest-xdist worker: the given one's name with `_<worker>` added (a
    PostgreSQL database created when missing, through the given one's server; a SQLite file
    beside the given one)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "test.db")
        return parsed.set(database=str(path.with_stem(f"{path.stem}_{worker}"))).render_as_string(
            hide_password=False
        )
    name = f"{parsed.database}_{worker}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            ensure_database(connection, name)
    finally:
        admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        # Under xdist, the temporary directory is already the worker's own.
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return worker_database_url(url, worker) if worker else url


@pytest.fixture
def scratch_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of the test's own, empty, of the same kind as the suite's (scratch_database)."""
    with scratch_database(database_url, tmp_path) as url:
        yield url


def emptied_database(database_url: str, name: str) -> str:
    """The URL of the PostgreSQL database `name` beside `database_url`'s, as empty as a new one:
    created when missing, whatever was left connected to it ended, its public schema made anew."""
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            ensure_database(connection, name)
            # Whatever a test left connected to it (a server stopped without closing).
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
    finally:
        admin.dispose()
    emptied = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(emptied)
    try:
        with engine.begin() as connection:
            # What a new database has: an empty public schema (extensions in it go too).
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public AUTHORIZATION pg_database_owner"))
            connection.execute(text("GRANT USAGE ON SCHEMA public TO PUBLIC"))
    finally:
        engine.dispose()
    return emptied


class ScratchDatabases:
    """This process's PostgreSQL scratch databases, `<name>_scratch0`, `<name>_scratch1`, ...
    beside its own `<name>`: one is taken by each scratch_database in use, and given back at its
    end for the next, emptied when taken again. Creating and dropping a database per use (with
    FORCE: a checkpoint of the whole server each) cost seconds each on a busy machine; emptying
    its schema does not. They stay between runs, like the workers' own databases."""

    def __init__(self) -> None:
        self.free: list[str] = []
        self.made = 0

    def take(self, database_url: str) -> str:
        """The URL of a scratch database beside `database_url`'s, as empty as a new one."""
        url = make_url(database_url)
        if self.free:
            name = self.free.pop()
        else:
            name = f"{url.database}_scratch{self.made}"
            self.made += 1
        return emptied_database(database_url, name)

    def give_back(self, scratch_url: str) -> None:
        self.free.append(str(make_url(scratch_url).database))


SCRATCH = ScratchDatabases()


@contextmanager
def scratch_database(database_url: str, directory: Path) -> Iterator[str]:
    """An empty database of the same kind as `database_url`'s (SQLite: a new file in
    `directory`; PostgreSQL: one of ScratchDatabases, emptied), for the caller alone until the
    end."""
    if make_url(database_url).get_backend_name() == "sqlite":
        yield f"sqlite:///{directory}/scratch.db"
        return
    scratch = SCRATCH.take(database_url)
    try:
        yield scratch
    finally:
        SCRATCH.give_back(scratch)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    reset_schema(engine)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    yield engine
    close_snapshots()
    engine.dispose()


class Snapshot:
    """Data built once (`build`) in a transaction of its own, never committed, kept open while
    consecutive tests ask for it (by the fixture named `fixture`): each such test's `session`
    runs inside it, in a savepoint rolled back after the test, so that each starts from the data
    as built without building it again. Closed before any other test, whose database is then as
    empty as ever (and, on SQLite, not locked by the snapshot's open transaction): at most one is
    open at a time. Built again only after a test that broke its transaction.

    The seeded real cases (`seeded_connection`, SEEDED) are one; a module adds its own with
    `snapshot` (e.g. tests/users/test_access_matrix.py, one world for its hundreds of tests).
    A process meets a module's tests consecutively (pytest-xdist hands each worker tests in
    their order of collection); the seeded tests are collected last for the same reason
    (pytest_collection_modifyitems)."""

    def __init__(self, fixture: str, build: Callable[[Session, Engine], Any]) -> None:
        self.fixture = fixture
        self.build = build
        self.connection: Connection | None = None
        self.value: Any = None

    def open(self, engine: Engine) -> Connection:
        if self.connection is None:
            connection = engine.connect()
            connection.begin()
            with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
                self.value = self.build(session, engine)
                session.commit()  # into the open transaction, which is never committed
            self.connection = connection
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            connection, self.connection = self.connection, None
            connection.rollback()
            connection.close()


SNAPSHOTS: list[Snapshot] = []


def snapshot(fixture: str, build: Callable[[Session, Engine], Any]) -> Snapshot:
    """A Snapshot of what `build` makes, for the tests that ask for the fixture `fixture` (which
    returns `.open(engine)` of it)."""
    made = Snapshot(fixture, build)
    SNAPSHOTS.append(made)
    return made


SEEDED = snapshot(
    "seeded_connection", lambda session, _engine: load_seeds(session=session, today=TODAY)
)


def close_snapshots(but: Snapshot | None = None) -> None:
    for each in SNAPSHOTS:
        if each is not but:
            each.close()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    names = getattr(item, "fixturenames", ())
    close_snapshots(but=next((s for s in SNAPSHOTS if s.fixture in names), None))


@pytest.fixture
def seeded_connection(engine: Engine) -> Connection:
    """The connection holding the seeded real cases (see Snapshot); a test that asks for it
    gets its `session` inside them."""
    return SEEDED.open(engine)


@pytest.fixture
def seed_report(seeded_connection: Connection) -> SeedReport:
    """What loading the seeded real cases added (their ids by seed key, among others)."""
    report: SeedReport = SEEDED.value
    return report


@pytest.fixture
def session(engine: Engine, request: pytest.FixtureRequest) -> Iterator[Session]:
    """The test's session, in a transaction rolled back after it (inside a Snapshot, e.g. the
    seeded cases, when the test asks for its fixture)."""
    taken = next((s for s in SNAPSHOTS if s.fixture in request.fixturenames), None)
    if taken is not None:
        connection = request.getfixturevalue(taken.fixture)
        transaction = connection.begin_nested()
    else:
        connection = engine.connect()
        transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
        # Whatever the test wrote, the stored signature facts still agree with the parties.
        session.rollback()
        assert_stored_facts_agree(session)
    finally:
        session.close()
        if taken is None:
            transaction.rollback()
            connection.close()
        else:
            try:
                transaction.rollback()  # back to the snapshot as built
            except Exception:
                taken.close()  # its transaction broke: it is built anew for the next test
                raise


def key_for(session: Session, role: str, organization_id: int | None = None) -> str:
    """A new user of this role (and organization) and a key of theirs."""
    user = users.create_user(
        session=session,
        user_in=UserCreate(
            name=f"{role} {organization_id or ''}".strip(),
            email=f"{role}.{organization_id or 0}.{secrets.token_hex(4)}@test.go.id",
            role=Role(role),
            organization_id=organization_id,
        ),
    )
    issued = users.issue_key(
        session=session, user_id=user.id, key_in=ApiKeyCreate(name="test"), today=TODAY
    )
    return issued.key


@contextmanager
def client_on(session: Session, engine: Engine) -> Iterator[TestClient]:
    """The app's client on `session` (every request's), authenticated as a new admin."""

    def _session() -> Iterator[Session]:
        try:
            yield session
        except Exception:
            session.rollback()
            raise

    requests_per_key.clear()
    failures_per_address.clear()
    known_keys.clear()  # (another test's keys, its users' ids given again)
    public_readers.clear()
    figures_cache.clear()  # the front page's figures of another test's data
    duties_cache.clear()  # and its "to do" lists
    calendar_validators.clear()  # (SQLite may give a rolled-back test's ids again)
    deadline_pages.clear()  # (the same: its key holds the newest event ids)
    app.dependency_overrides[get_session] = _session
    app.dependency_overrides[get_engine] = lambda: engine
    app.dependency_overrides[get_today] = lambda: TODAY
    try:
        with TestClient(app) as test_client:
            test_client.headers["X-API-Key"] = key_for(session, "admin")
            yield test_client
    finally:
        app.dependency_overrides.clear()


@pytest.fixture
def client(session: Session, engine: Engine) -> Iterator[TestClient]:
    """A client authenticated as an admin (tests of access control change its key)."""
    with client_on(session, engine) as test_client:
        yield test_client


@pytest.fixture
def count_statements(engine: Engine) -> Callable[[], Any]:
    """A context manager that counts the SQL statements run inside it."""
    from contextlib import contextmanager

    @contextmanager
    def counter() -> Iterator[list[str]]:
        statements: list[str] = []

        def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                statements.append(statement)

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counter
