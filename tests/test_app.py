"""The service as a whole: health, problem answers, and Swagger UI as the staff's screen."""

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.pool import QueuePool

from app.core.db import make_engine
from app.core.errors import install_error_handlers
from tests.helpers import assert_problem, create_agreement, create_obligation, finalize
from tests.world import Kalsel, nk_body


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_unknown_path_and_method_are_problems(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/nothing-here"), 404)
    assert_problem(client.delete("/api/v1/organizations"), 405)


def test_an_unexpected_error_is_a_problem_without_internals() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret connection string postgres://x")

    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    problem = assert_problem(response, 500, "internal-error")
    assert "secret" not in response.text
    assert problem["request_id"] in problem["detail"]


def test_a_sqlite_database_is_written_ahead_and_synced_at_checkpoints(tmp_path: Path) -> None:
    """The engine's SQLite connections (the default database, on either run of the suite): WAL
    with synchronous NORMAL (app/core/db.py), foreign keys enforced."""
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    try:
        with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert pragma("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_an_exhausted_connection_pool_is_a_503_to_retry(tmp_path: Path) -> None:
    engine = create_engine(
        f"sqlite:///{tmp_path / 'pool.db'}",
        poolclass=QueuePool,
        pool_size=1,
        max_overflow=0,
        pool_timeout=0.1,
    )
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/busy")
    def busy() -> None:
        with engine.connect():
            pass

    held = engine.connect()  # the only connection, held by "another request"
    try:
        response = TestClient(app, raise_server_exceptions=False).get("/busy")
    finally:
        held.close()
        engine.dispose()
    assert_problem(response, 503, "database-busy")
    assert response.headers["retry-after"] == "5"


def test_every_operation_is_documented_for_staff(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operations = [
        (path, method, op) for path, item in spec["paths"].items() for method, op in item.items()
    ]
    assert len(operations) >= 11
    for path, method, op in operations:
        assert op.get("tags"), (path, method)
        assert op.get("summary"), (path, method)
        assert len(op.get("description", "")) > 20, (path, method)
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            assert body.get("examples"), (path, method)
    text = " ".join(op["description"] for _, _, op in operations)
    for term in ("NK", "PKS", "ruang lingkup", "SKPD"):
        assert term in text, term


def test_implausible_dates_are_refused_naming_the_field(
    client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
) -> None:
    """Year 9999 (or 1) is a typo; it must get a 422, never an overflow in date arithmetic."""
    nk = signed_nk["id"]
    obligation = create_obligation(client, nk, kalsel.ori, "2026-12-31")
    draft = create_agreement(
        client,
        **nk_body(
            kalsel,
            title="Draf",
            parties=[{"organization_id": kalsel.ori}, {"organization_id": kalsel.kalteng}],
        ),
    )
    finalize(client, draft["id"])
    for far in ("9999-12-01", "0001-01-01"):
        requests: list[tuple[str, str, dict[str, Any], str]] = [
            ("get", "/api/v1/deadlines", {"params": {"from": far}}, "from"),
            ("get", "/api/v1/deadlines", {"params": {"to": far}}, "to"),
            ("get", "/api/v1/calendar.ics", {"params": {"from": far}}, "from"),
            ("get", "/api/v1/agreements", {"params": {"expiring_before": far}}, "expiring_before"),
            ("get", "/api/v1/obligations", {"params": {"due_after": far}}, "due_after"),
            ("get", "/api/v1/agreements/1/coverage", {"params": {"as_of": far}}, "as_of"),
            (
                "post",
                "/api/v1/agreements",
                {
                    "json": {
                        "kind": "nk",
                        "title": "NK",
                        "valid_until": far,
                        "parties": [{"organization_id": 1}, {"organization_id": 2}],
                    }
                },
                "valid_until",
            ),
            (
                "post",
                f"/api/v1/agreements/{nk}/obligations",
                {"json": {"title": "X", "responsible_organization_id": 1, "due_on": far}},
                "due_on",
            ),
            (
                "post",
                f"/api/v1/obligations/{obligation}/complete",
                {"json": {"completed_on": far}},
                "completed_on",
            ),
            (
                "post",
                f"/api/v1/agreements/{draft['id']}/signatures",
                {"json": {"organization_id": kalsel.ori, "signed_on": far}},
                "signed_on",
            ),
        ]
        for method, url, kwargs, field in requests:
            response = getattr(client, method)(url, **kwargs)
            problem = assert_problem(response, 422, "validation-error")
            assert field in [e["loc"][-1] for e in problem["errors"]], (url, problem)


class TestMessages:
    def test_a_date_in_the_wrong_format_says_the_format(self, client: TestClient) -> None:
        response = client.get("/api/v1/deadlines", params={"from": "04-07-2022"})
        body = assert_problem(response, 422, "validation-error")
        assert "YYYY-MM-DD" in body["detail"] and "YYYY-MM-DD" in body["errors"][0]["msg"]

    def test_a_number_is_not_taken_for_a_date(self, client: TestClient) -> None:
        response = client.post(
            "/api/v1/agreements",
            json={"kind": "nk", "title": "NK", "valid_from": 0, "parties": []},
        )
        body = assert_problem(response, 422)
        assert ["body", "valid_from"] in [e["loc"] for e in body["errors"]]

    def test_broken_json_says_so_and_where(self, client: TestClient) -> None:
        response = client.post(
            "/api/v1/agreements",
            content=b'{\n  "kind": "nk",\n  "title": "NK",\n  "parties": [,]\n}',
            headers={"content-type": "application/json"},
        )
        body = assert_problem(response, 422, "invalid-json")
        assert "not valid JSON" in body["detail"] and "line 4, column 15" in body["detail"]

    def test_party_positions_in_messages_count_from_one(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        body = nk_body(kalsel)
        body["parties"].append({"organization_id": kalsel.ori})
        problem = assert_problem(client.post("/api/v1/agreements", json=body), 422)
        assert problem["errors"][0]["loc"] == ["body", "parties", 2, "organization_id"]
        assert "already party 1" in problem["errors"][0]["msg"]


def test_python_dash_m_app_is_the_command_line() -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "app", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "registry" in out and "remind" in out and "seed" in out


def test_nothing_in_the_repository_points_outside_it() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    skipped = {".git", ".venv", "var", "__pycache__", ".pytest_cache", ".mypy_cache"}
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file()
        and not skipped & set(path.relative_to(root).parts)
        and ".egg-info" not in str(path)
        and path != Path(__file__).resolve()
        and "../shared" in path.read_text(encoding="utf-8", errors="ignore")
    ]
    assert offenders == []


def test_create_admin_prints_a_key_once_and_only_when_asked_twice(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/admin.db"}
    env.pop("BOOTSTRAP_ADMIN_KEY", None)

    def registry(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", *args], env=env, capture_output=True, text=True, check=True
        ).stdout

    registry("alembic", "upgrade", "head")
    first = registry("app", "create-admin", "--if-none")
    assert "shown this once" in first and "nkr_" in first
    assert "nkr_" not in registry("app", "create-admin", "--if-none")
    assert "nkr_" in registry("app", "create-admin")  # a new key for the same admin


def test_a_405_lists_every_method_of_the_path(client: TestClient) -> None:
    response = client.delete("/api/v1/agreements")
    assert_problem(response, 405)
    assert response.headers["allow"] == "GET, HEAD, POST"


def test_an_undecodable_body_is_a_422_problem(client: TestClient) -> None:
    response = client.post(
        "/api/v1/organizations",
        content=b"\xff\xfe\x00",
        headers={"content-type": "application/json"},
    )
    assert_problem(response, 422)


def test_a_field_that_cannot_be_null_is_not_documented_as_nullable(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for model, field in (("AgreementUpdate", "title"), ("OrganizationUpdate", "name")):
        assert "anyOf" not in schemas[model]["properties"][field], (model, field)


def test_the_command_line_seeds_a_fresh_database(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/seed.db"}
    run = {"env": env, "capture_output": True, "text": True, "check": True}
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], **run)  # type: ignore[call-overload]
    out = subprocess.run([sys.executable, "-m", "app", "seed"], **run).stdout  # type: ignore[call-overload]
    assert "24 agreements" in out


def test_every_text_and_list_in_a_request_has_a_documented_limit(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    unbounded: list[str] = []

    def walk(schema: dict[str, Any], where: str, seen: set[str]) -> None:
        if "$ref" in schema:
            name = schema["$ref"].split("/")[-1]
            if name not in seen:
                walk(schemas[name], name, seen | {name})
            return
        for branch in schema.get("anyOf", []) + schema.get("allOf", []):
            walk(branch, where, seen)
        kind = schema.get("type")
        if kind == "string" and not (
            "maxLength" in schema
            or "enum" in schema
            or schema.get("format") in ("date", "date-time")
            or schema.get("contentMediaType")  # an upload: bounded by MAX_UPLOAD_BYTES
        ):
            unbounded.append(where)
        if kind == "array":
            if "maxItems" not in schema:
                unbounded.append(where)
            walk(schema.get("items", {}), f"{where}[]", seen)
        for name, field in schema.get("properties", {}).items():
            walk(field, f"{where}.{name}", seen)

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                walk(parameter.get("schema", {}), f"{method} {path} {parameter['name']}", set())
            for media in operation.get("requestBody", {}).get("content", {}).values():
                walk(media.get("schema", {}), f"{method} {path} body", set())
    assert unbounded == []


def test_the_docs_load_nothing_from_outside(client: TestClient) -> None:
    import re

    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources and all(s.startswith("/") for s in sources), (page, sources)
        for source in sources:
            assert client.get(source).status_code == 200, source
        csp = client.get(page).headers["content-security-policy"]
        assert "http" not in csp
