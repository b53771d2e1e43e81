"""Safe to open to every office: a database outage answers 503, /metrics can be closed, a date
in the query is YYYY-MM-DD and nothing else, and every method a path does not serve is a 405."""

import socket
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.config import settings
from app.core.db import get_session, make_engine
from app.core.deps import get_settings
from app.main import app
from tests.helpers import assert_problem


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class TestDatabaseDown:
    @pytest.fixture
    def database_down(self, client: TestClient) -> Iterator[TestClient]:
        """The application's sessions on a database that refuses every connection."""
        dead = make_engine(f"postgresql+psycopg://nobody@127.0.0.1:{closed_port()}/none")

        def _session() -> Iterator[Session]:
            with Session(dead) as session:
                yield session

        app.dependency_overrides[get_session] = _session
        yield client
        dead.dispose()

    def test_a_read_while_the_database_is_down_is_a_503_with_retry_after(
        self, database_down: TestClient
    ) -> None:
        response = database_down.get("/api/v1/agreements")
        body = assert_problem(response, 503, "database-unavailable")
        assert int(response.headers["retry-after"]) > 0
        assert "database" in body["detail"]

    def test_a_write_while_the_database_is_down_is_a_503(self, database_down: TestClient) -> None:
        response = database_down.post(
            "/api/v1/organizations", json={"name": "Dinas X", "kind": "regional_agency"}
        )
        assert_problem(response, 503, "database-unavailable")
        assert "retry-after" in response.headers

    def test_every_api_operation_documents_the_503(self, client: TestClient) -> None:
        paths = client.get("/openapi.json").json()["paths"]
        for path, operations in paths.items():
            if path.startswith("/api/v1/"):
                for method, operation in operations.items():
                    text = operation["responses"]["503"]["description"]
                    assert "database-unavailable" in text, (method, path)


class TestMetricsToken:
    def test_metrics_are_open_while_no_token_is_set(self, client: TestClient) -> None:
        del client.headers["X-API-Key"]
        assert client.get("/metrics").status_code == 200

    def test_with_a_token_set_metrics_need_it(self, client: TestClient) -> None:
        app.dependency_overrides[get_settings] = lambda: settings.model_copy(
            update={"METRICS_TOKEN": "rahasia-prometheus"}
        )
        del client.headers["X-API-Key"]
        response = client.get("/metrics")
        assert_problem(response, 401, "metrics-token-required")
        assert response.headers["www-authenticate"] == "Bearer"
        wrong = client.get("/metrics", headers={"Authorization": "Bearer salah"})
        assert_problem(wrong, 401, "metrics-token-required")
        right = client.get("/metrics", headers={"Authorization": "Bearer rahasia-prometheus"})
        assert right.status_code == 200
        assert "registry_http_requests_total" in right.text

    def test_the_document_says_the_token_is_optional(self, client: TestClient) -> None:
        operation = client.get("/openapi.json").json()["paths"]["/metrics"]["get"]
        assert {} in operation["security"]  # open unless METRICS_TOKEN is set
        assert {"HTTPBearer": []} in operation["security"]


DATE_PARAMETERS = [
    ("/api/v1/deadlines", "to"),
    ("/api/v1/deadlines", "from"),
    ("/api/v1/agreements", "expiring_before"),
    ("/api/v1/obligations", "due_before"),
    ("/api/v1/obligations", "due_after"),
    ("/api/v1/agreements/1/coverage", "as_of"),
    ("/api/v1/activities", "to"),
    ("/api/v1/activities", "from"),
]


class TestDateQueryParameters:
    @pytest.mark.parametrize(("path", "name"), DATE_PARAMETERS)
    @pytest.mark.parametrize("value", ["0", "1700000000", "2027-01-01T00:00:00", "1-1-2027"])
    def test_only_yyyy_mm_dd_is_a_day(
        self, client: TestClient, path: str, name: str, value: str
    ) -> None:
        body = assert_problem(client.get(path, params={name: value}), 422)
        assert [e["loc"] for e in body["errors"]] == [["query", name]]
        assert name in body["detail"]
        assert "YYYY-MM-DD" in body["errors"][0]["msg"]

    def test_a_day_still_filters(self, client: TestClient) -> None:
        response = client.get(
            "/api/v1/deadlines", params={"from": "2027-01-01", "to": "2027-02-01"}
        )
        assert response.status_code == 200, response.text

    def test_the_reminder_run_refuses_as_of_zero(self, client: TestClient) -> None:
        app.dependency_overrides[get_settings] = lambda: settings.model_copy(
            update={"SCHEDULER_TOKEN": "jadwal"}
        )
        response = client.post(
            "/api/v1/reminders/run",
            params={"as_of": "0"},
            json={},
            headers={"Authorization": "Bearer jadwal"},
        )
        body = assert_problem(response, 422)
        assert [e["loc"] for e in body["errors"]] == [["query", "as_of"]]


class TestMethodNotAllowed:
    def test_patch_of_me_is_a_405_listing_get(self, client: TestClient) -> None:
        response = client.patch("/api/v1/users/me", json={"version": 1, "name": "Saya"})
        assert_problem(response, 405)
        assert response.headers["allow"] == "GET, HEAD"

    def test_a_user_by_id_is_still_changed_and_read(self, client: TestClient) -> None:
        me = client.get("/api/v1/users/me").json()
        response = client.patch(
            f"/api/v1/users/{me['id']}", json={"version": me["version"], "name": "Admin Biro"}
        )
        assert response.status_code == 200, response.text
        assert client.get(f"/api/v1/users/{me['id']}").json()["name"] == "Admin Biro"
        allow = client.delete(f"/api/v1/users/{me['id']}").headers["allow"]
        assert allow == "GET, HEAD, PATCH"

    @pytest.mark.parametrize(
        ("path", "allow"),
        [
            ("/api/v1/agreements/export.xlsx", "GET, HEAD"),
            ("/api/v1/obligations/export.csv", "GET, HEAD"),
        ],
    )
    def test_a_method_a_path_lacks_is_a_405_though_an_id_route_has_its_shape(
        self, client: TestClient, path: str, allow: str
    ) -> None:
        # PATCH /agreements/{agreement_id} has the shape of this path, not its meaning.
        response = client.patch(path, json={"version": 1})
        assert_problem(response, 405, "method-not-allowed")
        assert response.headers["allow"] == allow

    def test_a_bad_id_on_a_method_the_path_serves_is_still_a_422(self, client: TestClient) -> None:
        assert_problem(client.patch("/api/v1/agreements/abc", json={"version": 1}), 422)
