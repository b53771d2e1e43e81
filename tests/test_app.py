"""The service as a whole: health, problem answers, and Swagger UI as the staff's screen."""

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.errors import install_error_handlers
from tests.helpers import assert_problem


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
