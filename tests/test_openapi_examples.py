"""Every request example in the OpenAPI document works as documented on a freshly seeded
database: what staff see in Swagger UI's "Try it out" is what they get after `make run`."""

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Engine, make_url, text
from sqlmodel import Session

from app.core.config import Settings, settings
from app.core.db import get_engine, get_session, make_engine
from app.core.deps import get_settings, get_today
from app.main import app
from app.seeding import load_seeds
from app.users.auth import bootstrap_admin
from tests.conftest import TODAY, alembic_config, reset_schema

TOKEN = "contoh-penjadwal"
ADMIN_KEY = "kunci-admin-pertama"  # BOOTSTRAP_ADMIN_KEY: the first admin, user 1, as after set-up


def _fresh_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path_factory.mktemp('examples') / 'fresh.db'}"
    url = make_url(database_url)
    name = f"{url.database}_examples"
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def fresh(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A database of its own, migrated and seeded from nothing, as `make run` leaves it."""
    engine = make_engine(_fresh_url(database_url, tmp_path_factory))
    reset_schema(engine)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    with Session(engine) as session:
        load_seeds(session=session, today=TODAY)
        bootstrap_admin(session)
    yield engine
    engine.dispose()


def _path_example(parameter: dict[str, Any]) -> Any:
    schema = parameter.get("schema", {})
    found = parameter.get("example", schema.get("example"))
    if found is None and schema.get("examples"):
        found = schema["examples"][0]
    return found


def _cases() -> list[tuple[str, str, str, dict[str, Any] | None, int]]:
    """(method, url, example name, body, expected status) for every example in the document."""
    document = app.openapi()
    cases = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            params = {
                p["name"]: _path_example(p)
                for p in operation.get("parameters", [])
                if p["in"] == "path"
            }
            required = {
                p["name"]: _path_example(p)
                for p in operation.get("parameters", [])
                if p["in"] == "query" and p.get("required")
            }
            if None in params.values() or None in required.values():
                continue  # a path with no example (e.g. a document id: none is seeded)
            url = path.format(**params) + (f"?{urlencode(required)}" if required else "")
            success = min(int(code) for code in operation["responses"] if code.startswith("2"))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None and body.get("examples"):
                for name, example in body["examples"].items():
                    expected = example.get("x-expected-status", success)
                    cases.append((method, url, name, example["value"], expected))
            elif method == "get":
                cases.append((method, url, "-", None, success))
    return cases


CASES = _cases()


def test_every_write_operation_has_an_example_to_run() -> None:
    written = {(m, re.sub(r"/\d+", "/{id}", u)) for m, u, n, _, _ in CASES if n != "-"}
    assert len(written) >= 15, sorted(written)


@pytest.mark.parametrize(
    ("method", "url", "name", "body", "expected"),
    CASES,
    ids=[f"{m.upper()} {u} {n}" for m, u, n, _, _ in CASES],
)
def test_the_example_answers_as_documented(
    fresh: Engine,
    method: str,
    url: str,
    name: str,
    body: dict[str, Any] | None,
    expected: int,
) -> None:
    connection = fresh.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    overrides = settings.model_copy(
        update={"SCHEDULER_TOKEN": TOKEN, "SMTP_HOST": None, "BOOTSTRAP_ADMIN_KEY": ADMIN_KEY}
    )

    def scheduler_settings() -> Settings:
        return overrides

    app.dependency_overrides[get_session] = lambda: session
    app.dependency_overrides[get_engine] = lambda: fresh
    app.dependency_overrides[get_today] = lambda: TODAY
    app.dependency_overrides[get_settings] = scheduler_settings
    try:
        with TestClient(app) as client:
            response = client.request(
                method,
                url,
                json=body,
                headers={"Authorization": f"Bearer {TOKEN}", "X-API-Key": ADMIN_KEY},
            )
        assert response.status_code == expected, (name, response.text)
    finally:
        app.dependency_overrides.clear()
        session.close()
        transaction.rollback()
        connection.close()
