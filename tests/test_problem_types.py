"""Every rule that refuses a request is a possible answer of its operation in the OpenAPI
document: under each 4xx answer, `x-problem-types` lists the problem types the operation's code
can raise (app/core/problem_types.py reads them from that code, nothing is listed by hand).
tests/fuzz_checks.py checks each answer of the fuzzing against these lists; here, the lists
against the code and against real answers."""

import ast
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from app.core.config import PROJECT_ROOT
from app.main import app
from tests.helpers import assert_problem
from tests.test_free_text import a_pks

DOCUMENT = app.openapi()

# Types no operation of the API answers: the defaults of the base classes (every raise names its
# own type) and the refusal of `registry create-admin` (the command line's, not the API's).
NOT_ANSWERED_BY_THE_API = {"conflict", "rule-violation", "not-admin"}


def documented(method: str, path: str, status: int) -> set[str]:
    answer = DOCUMENT["paths"][path][method]["responses"].get(str(status), {})
    return {t.removeprefix("/problems/") for t in answer.get("x-problem-types", [])}


def _all_documented() -> set[str]:
    return {
        t.removeprefix("/problems/")
        for operations in DOCUMENT["paths"].values()
        for operation in operations.values()
        for answer in operation["responses"].values()
        for t in answer.get("x-problem-types", [])
    }


def _raised_in_the_code() -> dict[str, str]:
    """Every problem type the application's code names (a `type_slug`, a `rule_error`), with
    the file naming it; the staff console's own are its pages' business."""
    found: dict[str, str] = {}
    for file in sorted((PROJECT_ROOT / "app").rglob("*.py")):
        if "console" in file.parts:
            continue
        for node in ast.walk(ast.parse(file.read_text())):
            slug: Any = None
            if isinstance(node, ast.keyword) and node.arg == "type_slug":
                slug = node.value
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "type_slug" for t in node.targets
            ):
                slug = node.value
            elif isinstance(node, ast.Call) and node.args:
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name == "rule_error":
                    slug = node.args[0]
            if isinstance(slug, ast.Constant) and isinstance(slug.value, str):
                found.setdefault(slug.value, str(Path(file).relative_to(PROJECT_ROOT)))
    return found


def test_every_type_the_code_raises_is_documented_somewhere() -> None:
    raised = _raised_in_the_code()
    assert len(raised) > 80
    missing = {slug: where for slug, where in raised.items() if slug not in _all_documented()}
    assert set(missing) == NOT_ANSWERED_BY_THE_API, missing


@pytest.mark.parametrize(
    ("method", "path", "status", "types"),
    [
        ("post", "/api/v1/agreements/{agreement_id}/derive", 422, {"nk-only", "validity-order"}),
        ("get", "/api/v1/deadlines", 422, {"window-order", "window-too-long"}),
        ("get", "/api/v1/calendar.ics", 422, {"window-order", "window-too-long"}),
        ("post", "/api/v1/users", 409, {"duplicate-user-email"}),
        ("patch", "/api/v1/users/{user_id}", 409, {"last-admin", "stale-version"}),
        (
            "post",
            "/api/v1/agreements/{agreement_id}/documents",
            415,
            {"document-type-not-allowed"},
        ),
        # A rule checked by the body's own schema (schemas.rule_error).
        ("post", "/api/v1/agreements/{agreement_id}/activities", 422, {"activity-dates"}),
        # The idempotency route's own answers, and the error handlers'.
        ("post", "/api/v1/agreements", 409, {"idempotency-key-in-progress", "stale-version"}),
        ("post", "/api/v1/agreements", 422, {"validation-error", "invalid-json"}),
        ("post", "/api/v1/reminders/run", 422, {"as-of-twice", "unknown-query-parameter"}),
        ("get", "/api/v1/organizations", 401, {"unauthorized"}),
        # /users/{user_id:int}: another value matches no route.
        ("get", "/api/v1/users/{user_id}", 404, {"user-not-found", "not-found"}),
        ("get", "/api/v1/organizations", 503, {"database-busy", "database-unavailable"}),
    ],
)
def test_an_operation_lists_the_rules_it_reaches(
    method: str, path: str, status: int, types: set[str]
) -> None:
    assert types <= documented(method, path, status)


def test_the_description_says_it_too() -> None:
    answer = DOCUMENT["paths"]["/api/v1/deadlines"]["get"]["responses"]["422"]
    assert "`window-order`" in answer["description"]


def test_an_operation_does_not_list_rules_it_cannot_reach() -> None:
    assert "nk-only" not in documented("post", "/api/v1/users", 422)
    assert "window-order" not in documented("post", "/api/v1/agreements/{agreement_id}/derive", 422)


class TestRealAnswersAreListed:
    @pytest.fixture
    def seeded(self, seeded_connection: Connection) -> None:
        """The seeded real cases (loaded once for consecutive tests; see tests/conftest.py)."""

    def test_deriving_from_a_pks(self, client: TestClient, seeded: None) -> None:
        pks, party = a_pks(client)
        response = client.post(
            f"/api/v1/agreements/{pks}/derive",
            json={
                "counterpart_organization_id": party,
                "organization_ids": [party],
                "title": "PKS {organization}",
            },
        )
        problem = assert_problem(response, 422, "nk-only")
        path = "/api/v1/agreements/{agreement_id}/derive"
        assert problem["type"].removeprefix("/problems/") in documented("post", path, 422)

    def test_a_window_that_ends_before_it_starts(self, client: TestClient) -> None:
        response = client.get(
            "/api/v1/deadlines", params={"from": "2026-02-01", "to": "2026-01-01"}
        )
        problem = assert_problem(response, 422, "window-order")
        assert problem["type"].removeprefix("/problems/") in documented(
            "get", "/api/v1/deadlines", 422
        )
