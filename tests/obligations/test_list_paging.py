"""The obligation list at national size (a million obligations; `?status=overdue` is most of
them): `total` only with `count=true`, keyset paging (`cursor=` / `next_cursor`, the mechanism of
the agreement list), and a page that costs one statement whatever the filters. Counts of SQL
statements, not timings."""

import base64
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.pagination import encode_cursor
from tests.helpers import assert_problem, create_obligation
from tests.reminders.test_deadline_statements import key_lookups
from tests.reminders.test_deadlines import world
from tests.world import Kalsel

BASE = "/api/v1/obligations"


def page(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get(BASE, params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def walk(client: TestClient, **params: Any) -> list[int]:
    """Every page by cursor, from the first."""
    body = page(client, **params)
    found = [item["id"] for item in body["items"]]
    pages = 1
    while body["next_cursor"] is not None:
        body = page(client, cursor=body["next_cursor"], **params)
        assert body["items"], "a cursor never leads to an empty page"
        assert body["offset"] == 0 and body["total"] is None
        found += [item["id"] for item in body["items"]]
        pages += 1
    assert pages > 1
    return found


def obligations(client: TestClient, kalsel: Kalsel) -> dict[str, Any]:
    """The deadlines' world, and overdue obligations sharing due dates (the id decides)."""
    w = world(client, kalsel)
    for n in range(5):
        create_obligation(client, w["nk"]["id"], kalsel.ori, f"2026-0{n % 2 + 8}-15", f"Lap {n}")
    return w


@pytest.mark.parametrize("status", [None, "overdue", "open"])
def test_walking_every_page_gives_the_full_list_once_in_order(
    client: TestClient, kalsel: Kalsel, status: str | None
) -> None:
    obligations(client, kalsel)
    params = {} if status is None else {"status": status}
    whole = page(client, limit=200, count="true", **params)
    assert whole["next_cursor"] is None  # everything on one page: no next one
    expected = [item["id"] for item in whole["items"]]
    assert whole["total"] == len(expected) > 2
    days = [(item["due_on"], item["id"]) for item in whole["items"]]
    assert days == sorted(days)  # by due date, ties by id
    assert walk(client, limit=2, **params) == expected
    # offset still pages the same list
    assert [i["id"] for i in page(client, limit=2, offset=2, **params)["items"]] == expected[2:4]


def test_total_only_when_counted(client: TestClient, kalsel: Kalsel) -> None:
    obligations(client, kalsel)
    assert page(client, status="overdue")["total"] is None
    counted = page(client, status="overdue", count="true", limit=1)
    assert counted["total"] == 6 and len(counted["items"]) == 1
    assert counted["next_cursor"] is not None


def test_a_page_costs_one_statement_and_counting_one_more_unless_the_page_tells(
    client: TestClient, kalsel: Kalsel, count_statements: Callable[[], Any]
) -> None:
    w = obligations(client, kalsel)
    for params, expected in (
        ({"status": "overdue"}, 1),
        ({"status": "overdue", "limit": 200}, 1),
        ({"organization_id": kalsel.ori}, 1),
        ({"agreement_id": w["nk"]["id"], "status": "open"}, 1),
        ({"status": "overdue", "count": "true", "limit": 2}, 2),  # more follow: counted
        ({"status": "overdue", "count": "true"}, 1),  # the page ends the list: it tells
    ):
        with count_statements() as statements:
            body = page(client, **params)
        assert body["items"], params
        assert len(statements) - key_lookups(statements) == expected, (params, statements)
    following = page(client, status="overdue", limit=2)["next_cursor"]
    with count_statements() as statements:
        page(client, status="overdue", limit=2, cursor=following)
    assert len(statements) - key_lookups(statements) == 1, statements


def test_a_cursor_that_is_not_this_lists_is_refused_naming_it(
    client: TestClient, kalsel: Kalsel
) -> None:
    obligations(client, kalsel)
    following = page(client, limit=2)["next_cursor"]
    encoded, _, checksum = following.partition(".")
    edited = base64.urlsafe_b64encode(
        base64.urlsafe_b64decode(encoded + "==").replace(b"obligation", b"agreementx")
    )
    agreements = encode_cursor(["newest", None, 5])  # a token of the agreement list
    for cursor, params in (
        (following[:-1] + ("0" if following[-1] != "0" else "1"), {}),  # changed
        (edited.decode().rstrip("=") + "." + checksum, {}),
        (agreements, {}),  # the agreement list's
        (following, {"offset": 2}),  # not with offset
    ):
        problem = assert_problem(
            client.get(BASE, params={"cursor": cursor, **params}), 422, "invalid-cursor"
        )
        assert any(e["loc"] == ["query", "cursor"] for e in problem["errors"]), problem
