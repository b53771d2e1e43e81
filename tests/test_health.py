"""/healthz says the process is up without the database; /readyz says whether the database
answers in time and its schema is current, 503 with the reason otherwise."""

import socket
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.core.db import get_engine, make_engine
from app.main import app
from tests.helpers import assert_problem


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    for connection in held:
        connection.close()
    server.close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def use_engine(engine: Engine) -> None:
    app.dependency_overrides[get_engine] = lambda: engine


def test_ready_when_the_database_answers_at_head(client: TestClient, engine: Engine) -> None:
    use_engine(engine)
    assert client.get("/readyz").json() == {"status": "ready"}


def test_not_ready_when_the_database_refuses_connections(client: TestClient) -> None:
    use_engine(make_engine(f"postgresql+psycopg://nobody@127.0.0.1:{closed_port()}/none"))
    body = assert_problem(client.get("/readyz"), 503, "not-ready")
    assert "cannot be reached" in body["detail"]
    assert client.get("/healthz").status_code == 200


def test_not_ready_when_the_database_accepts_but_never_answers(
    client: TestClient, silent_port: int
) -> None:
    use_engine(make_engine(f"postgresql+psycopg://nobody@127.0.0.1:{silent_port}/none"))
    body = assert_problem(client.get("/readyz"), 503, "not-ready")
    assert "did not answer within" in body["detail"]
    assert client.get("/healthz").status_code == 200


def test_not_ready_when_migrations_are_behind(client: TestClient, tmp_path: object) -> None:
    use_engine(make_engine(f"sqlite:///{tmp_path}/empty.db"))
    body = assert_problem(client.get("/readyz"), 503, "not-ready")
    assert "alembic upgrade head" in body["detail"]
