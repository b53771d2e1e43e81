"""The cost of a key: its user and itself found in one statement, through the unique index of
key_hash, and written at most hourly (last_used_at). A key read lately is not read again for
API_KEY_CACHE_SECONDS (tests/users/test_users_and_keys.py); revoked through this process, it is
refused on the very next request all the same."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text
from sqlmodel import Session

from app.core.config import settings
from app.core.deps import get_settings
from app.main import app
from tests.conftest import key_for


def test_a_key_costs_one_indexed_statement(
    client: TestClient, session: Session, engine: Engine
) -> None:
    # Each request reads the key, as with the cache off (or once its time has passed).
    app.dependency_overrides[get_settings] = lambda: settings.model_copy(
        update={"API_KEY_CACHE_SECONDS": 0}
    )
    key = key_for(session, "viewer")
    client.headers["X-API-Key"] = key
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/stats").status_code == 200  # the hourly last_used_at written
    seen: list[tuple[str, Any]] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    try:
        assert client.get("/api/v1/stats").status_code == 200  # its figures kept: no reads
    finally:
        event.remove(engine, "before_cursor_execute", before)
    statements = [
        (s, p) for s, p in seen if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert len(statements) == 1
    statement, parameters = statements[0]
    assert "FROM api_key JOIN app_user" in " ".join(statement.split())

    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Whatever the planner picks on a small table, the unique index serves the look-up.
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        plan = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).scalars().all()
        assert any("api_key_key_hash_key" in line for line in plan), plan
        connection.execute(text("SET LOCAL enable_seqscan = on"))
    else:
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
        assert any("USING INDEX" in str(row) and "api_key" in str(row) for row in plan), plan

    # Kept between requests (the cache on): revoked here, it is refused on the next one.
    del app.dependency_overrides[get_settings]
    assert client.get("/api/v1/stats").status_code == 200
    me = client.get("/api/v1/users/me").json()
    [issued] = client.get(f"/api/v1/users/{me['id']}/api-keys").json()
    revoked = client.delete(f"/api/v1/users/{me['id']}/api-keys/{issued['id']}")
    assert revoked.status_code == 204, revoked.text
    assert client.get("/api/v1/stats").status_code == 401
