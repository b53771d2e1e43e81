"""A Perwakilan's deadlines run to thousands nationwide: the list is counted and paged by the
database in one statement and only its page is dressed (one more); a subscribed calendar's poll
costs one statement while nothing was written. Counts of SQL statements, not timings."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import create_obligation
from tests.reminders.test_deadlines import world
from tests.world import Kalsel


def key_lookups(statements: list[str]) -> int:
    """The API key's look-up (one indexed statement, pinned in tests/users/test_key_lookup.py)."""
    return sum("api_key" in s.split("FROM", 1)[-1][:200] for s in statements)


class TestDeadlineStatements:
    def test_a_page_costs_two_statements_whatever_its_size(
        self, client: TestClient, kalsel: Kalsel, count_statements: Callable[[], Any]
    ) -> None:
        w = world(client, kalsel)
        for n in range(6):
            create_obligation(client, w["nk"]["id"], kalsel.ori, f"2026-12-0{n + 1}", f"Lap {n}")
        for params, expected in (
            ({"limit": 1}, 3),  # (the overdue report of Dinkes, which is no party: its name)
            ({"limit": 200}, 3),
            ({"limit": 3, "offset": 2, "type": "obligation_due"}, 2),
            ({"organization_id": kalsel.ori}, 2),
            ({"organization_id": kalsel.dinkes}, 3),
        ):
            with count_statements() as statements:
                page = client.get("/api/v1/deadlines", params=params).json()
            assert page["items"], params
            own = len(statements) - key_lookups(statements)
            # The counts and the page in one statement; the page's parties and names in one,
            # and the names of responsible organizations that are not parties in one more.
            assert own == expected, (params, statements)


class TestCalendarPolls:
    def test_a_poll_of_an_unchanged_feed_costs_one_statement(
        self, client: TestClient, kalsel: Kalsel, count_statements: Callable[[], Any]
    ) -> None:
        w = world(client, kalsel)
        params = {"organization_id": kalsel.ori}
        first = client.get("/api/v1/calendar.ics", params=params)
        etag = first.headers["etag"]
        with count_statements() as statements:
            again = client.get(
                "/api/v1/calendar.ics", params=params, headers={"If-None-Match": etag}
            )
        assert again.status_code == 304 and again.headers["etag"] == etag
        assert len(statements) - key_lookups(statements) == 1, statements
        with count_statements() as statements:
            full = client.get("/api/v1/calendar.ics", params=params)
        assert full.content == first.content  # the rendered feed is kept too
        assert len(statements) - key_lookups(statements) == 1, statements

        # A write through the API is seen at once: a new feed, a new validator.
        create_obligation(client, w["nk"]["id"], kalsel.ori, "2026-12-20", "Laporan baru")
        changed = client.get("/api/v1/calendar.ics", params=params, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["etag"] != etag
        assert b"Laporan baru" in changed.content
