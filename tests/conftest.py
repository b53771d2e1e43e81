"""Test harness: schema by Alembic once per run; each test in a transaction rolled back after it.

`TEST_DATABASE_URL` picks the database (e.g. PostgreSQL); without it, a fresh SQLite file.
"""

import logging
import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, make_url, text
from sqlmodel import Session

from app.core.db import get_engine, get_session, make_engine
from app.core.deps import get_today
from app.core.ratelimit import failures_per_address, requests_per_key
from app.main import app
from app.stats.service import figures_cache
from app.users import service as users
from app.users.models import Role
from app.users.schemas import ApiKeyCreate, UserCreate
from tests.facts import assert_stored_facts_agree

logging.getLogger("httpx").setLevel(logging.WARNING)
pytest_plugins = ["tests.world", "tests.concurrency", "tests.server"]

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 23)


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


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture
def scratch_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of the test's own, empty, of the same kind as the suite's, dropped after it."""
    with scratch_database(database_url, tmp_path) as url:
        yield url


@contextmanager
def scratch_database(database_url: str, directory: Path) -> Iterator[str]:
    """An empty database of the same kind as `database_url`'s (SQLite: a file in `directory`),
    dropped at the end."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{directory}/scratch.db"
        return
    name = f"scratch_{uuid.uuid4().hex[:8]}"
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    reset_schema(engine)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
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
        transaction.rollback()
        connection.close()


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


@pytest.fixture
def client(session: Session, engine: Engine) -> Iterator[TestClient]:
    """A client authenticated as an admin (tests of access control change its key)."""

    def _session() -> Iterator[Session]:
        try:
            yield session
        except Exception:
            session.rollback()
            raise

    requests_per_key.clear()
    failures_per_address.clear()
    figures_cache.clear()  # the front page's figures of another test's data
    app.dependency_overrides[get_session] = _session
    app.dependency_overrides[get_engine] = lambda: engine
    app.dependency_overrides[get_today] = lambda: TODAY
    with TestClient(app) as test_client:
        test_client.headers["X-API-Key"] = key_for(session, "admin")
        yield test_client
    app.dependency_overrides.clear()


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
