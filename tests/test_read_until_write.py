"""A request that reads (GET, HEAD) runs its statements outside a transaction until it writes
(app/core/db.py, READ_UNTIL_WRITE): no BEGIN and ROLLBACK around each read on PostgreSQL, no
write lock taken by a read on SQLite; the first statement that writes or locks rows begins a
transaction, so what such a request writes is still all or nothing. Other requests are one
transaction as ever. On both databases, through HTTP with the app's own sessions."""

from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text
from sqlmodel import Session, select

from app.core import db
from app.core.db import make_engine, writes
from app.core.deps import get_today
from app.main import app
from app.organizations.models import Organization, OrganizationKind
from app.users.auth import known_keys
from tests.conftest import TODAY, alembic_config, key_for


def _in_transaction(dbapi_connection: Any) -> bool:
    if hasattr(dbapi_connection, "in_transaction"):  # sqlite3
        return bool(dbapi_connection.in_transaction)
    return dbapi_connection.info.transaction_status.name != "IDLE"  # psycopg: INTRANS


def _count(engine: Engine, rows: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {rows}")).scalar_one())


class Statements:
    """Each statement run, and whether it ran in a transaction (read once it ran: psycopg sends
    its BEGIN with the statement)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seen: list[tuple[str, bool]] = []

    def _after(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.seen.append((statement, _in_transaction(conn.connection.dbapi_connection)))

    def __enter__(self) -> "Statements":
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *_exc: Any) -> None:
        event.remove(self.engine, "after_cursor_execute", self._after)

    def inside(self, word: str) -> list[bool]:
        return [inside for statement, inside in self.seen if word in statement.upper()]


@pytest.fixture
def engine_of_app(scratch_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The app's own sessions (get_session, not the suite's rolled-back one) on a database of
    the test's own, migrated."""
    engine = make_engine(scratch_database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    monkeypatch.setattr(db, "engine", engine)
    known_keys.clear()
    try:
        yield engine
    finally:
        known_keys.clear()
        engine.dispose()


@pytest.fixture
def client(engine_of_app: Engine) -> Iterator[TestClient]:
    with Session(engine_of_app) as session:
        key = key_for(session, "admin")
    app.dependency_overrides[get_today] = lambda: TODAY
    try:
        with TestClient(app, headers={"X-API-Key": key}) as test_client:
            yield test_client
    finally:
        app.dependency_overrides.clear()


def test_a_read_runs_outside_a_transaction_and_its_write_inside_one(
    client: TestClient, engine_of_app: Engine
) -> None:
    # The key's first use writes its last_used_at (app/users/auth.py), then the list reads.
    with Statements(engine_of_app) as statements:
        response = client.get("/api/v1/agreements")
    assert response.status_code == 200, response.text
    assert statements.inside("UPDATE API_KEY") == [True]
    reads = statements.inside("FROM AGREEMENT")
    assert reads and not any(reads)
    # What the read wrote was committed.
    assert _count(engine_of_app, "api_key WHERE last_used_at IS NOT NULL") == 1

    # The key is now known: a second read is reads alone, none in a transaction.
    with Statements(engine_of_app) as statements:
        assert client.get("/api/v1/organizations").status_code == 200
        assert client.get("/api/v1/agreements?q=kominfo").status_code == 200
    assert statements.seen and not any(inside for _, inside in statements.seen)


def test_a_write_request_is_one_transaction_from_its_first_statement(
    client: TestClient, engine_of_app: Engine
) -> None:
    with Statements(engine_of_app) as statements:
        response = client.post(
            "/api/v1/organizations", json={"name": "Dinas Kesehatan", "kind": "regional_agency"}
        )
    assert response.status_code == 201, response.text
    assert statements.seen and all(inside for _, inside in statements.seen)


def test_what_a_read_session_writes_is_all_or_nothing(engine_of_app: Engine) -> None:
    with (
        Session(db.read_until_write(engine_of_app)) as session,
        Statements(engine_of_app) as statements,
    ):
        session.exec(select(Organization.id)).all()
        session.add(Organization(name="Biro Kerja Sama", kind=OrganizationKind.regional_agency))
        session.flush()
        session.add(Organization(name="Inspektorat", kind=OrganizationKind.regional_agency))
        session.flush()
        session.rollback()  # e.g. a rule refused the second: neither is kept
    assert [inside for _, inside in statements.seen] == [False, True, True]
    assert _count(engine_of_app, "organization") == 0

    with (
        Session(db.read_until_write(engine_of_app)) as session,
        Statements(engine_of_app) as statements,
    ):
        session.add(Organization(name="Biro Kerja Sama", kind=OrganizationKind.regional_agency))
        session.commit()
        # A lock, in a transaction (SQLite has none: it writes no FOR UPDATE).
        session.exec(select(Organization.id).with_for_update()).all()
        session.rollback()
    locks = engine_of_app.dialect.name == "postgresql"
    assert [inside for _, inside in statements.seen] == [True, locks]
    assert _count(engine_of_app, "organization") == 1


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("SELECT agreement.id FROM agreement", False),
        ("  select 1", False),
        ("WITH page AS (SELECT id FROM agreement) SELECT updated_at FROM page", False),
        ("SELECT id FROM agreement WHERE id = 1 FOR UPDATE", True),
        ("SELECT id FROM organization FOR SHARE OF organization", True),
        ("WITH gone AS (DELETE FROM reminder RETURNING id) SELECT count(*) FROM gone", True),
        ("UPDATE api_key SET last_used_at = now()", True),
        ("INSERT INTO organization (name) VALUES ('x')", True),
        ("SAVEPOINT sa_savepoint_1", True),
        ("PRAGMA foreign_keys=ON", True),
    ],
)
def test_what_counts_as_a_write(statement: str, expected: bool) -> None:
    assert writes(statement, None) is expected


def test_a_read_ends_without_waiting_on_the_database(engine_of_app: Engine) -> None:
    """A session whose statements ran outside a transaction (or whose transaction committed)
    ends in the event loop; one with a transaction open ends in the thread pool, which waits
    on the database's ROLLBACK (get_session)."""
    with Session(db.read_until_write(engine_of_app)) as session:
        assert not db._open_in_database(session)  # nothing run yet
        session.exec(select(Organization.id)).all()
        assert session.in_transaction() and not db._open_in_database(session)
        session.add(Organization(name="Biro Kerja Sama", kind=OrganizationKind.regional_agency))
        session.flush()
        assert db._open_in_database(session)
        session.commit()
        assert not db._open_in_database(session)
    with Session(db.engine) as session:
        session.exec(select(Organization.id)).all()
        # PostgreSQL: BEGIN was sent; SQLite's BEGIN IMMEDIATE took the write lock.
        assert db._open_in_database(session)
