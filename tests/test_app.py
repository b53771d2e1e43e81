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


def test_implausible_dates_are_refused_naming_the_field(client: TestClient) -> None:
    """Year 9999 (or 1) is a typo; it must get a 422, never an overflow in date arithmetic."""
    for far in ("9999-12-01", "0001-01-01"):
        requests = [
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
                "/api/v1/agreements/1/obligations",
                {"json": {"title": "X", "responsible_organization_id": 1, "due_on": far}},
                "due_on",
            ),
            (
                "post",
                "/api/v1/obligations/1/complete",
                {"json": {"completed_on": far}},
                "completed_on",
            ),
            (
                "post",
                "/api/v1/agreements/1/signatures",
                {"json": {"organization_id": 1, "signed_on": far}},
                "signed_on",
            ),
        ]
        for method, url, kwargs, field in requests:
            response = getattr(client, method)(url, **kwargs)
            problem = assert_problem(response, 422, "validation-error")
            assert field in [e["loc"][-1] for e in problem["errors"]], (url, problem)
