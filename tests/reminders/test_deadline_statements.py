"""A Perwakilan's deadlines run to thousands nationwide: the list is counted and paged by the
database in one statement and only its page is dressed (one more); a subscribed calendar's poll
costs one statement while nothing was written. Counts of SQL statements, not timings."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from app.core.config import settings
from app.core.deps import get_settings
from app.main import app
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
            # The newest events (the kept pages' key) in one statement; the counts and the page
            # in one; the page's parties and names in one, and the names of responsible
            # organizations that are not parties in one more.
            assert own == 1 + expected, (params, statements)
            # Seen again while nothing was written: the kept page, after the one statement.
            with count_statements() as statements:
                again = client.get("/api/v1/deadlines", params=params).json()
            assert again == page, params
            assert len(statements) - key_lookups(statements) == 1, (params, statements)

    def test_a_write_is_seen_at_once_and_a_page_is_kept_only_while_allowed(
        self,
        client: TestClient,
        kalsel: Kalsel,
        count_statements: Callable[[], Any],
    ) -> None:
        w = world(client, kalsel)
        params = {"organization_id": kalsel.ori, "type": "obligation_due"}
        before = client.get("/api/v1/deadlines", params=params).json()
        assert client.get("/api/v1/deadlines", params=params).json() == before  # kept
        # A write through the API: the next page is found anew and shows it.
        create_obligation(client, w["nk"]["id"], kalsel.ori, "2026-12-20", "Laporan baru")
        after = client.get("/api/v1/deadlines", params=params).json()
        assert after["total"] == before["total"] + 1
        assert any("Laporan baru" in d["title"] for d in after["items"])

    def test_with_no_time_allowed_every_page_is_found_anew(
        self,
        client: TestClient,
        kalsel: Kalsel,
        count_statements: Callable[[], Any],
    ) -> None:
        world(client, kalsel)
        app.dependency_overrides[get_settings] = lambda: settings.model_copy(
            update={"CALENDAR_CACHE_SECONDS": 0}
        )
        try:
            first = client.get("/api/v1/deadlines").json()
            with count_statements() as statements:
                again = client.get("/api/v1/deadlines").json()
        finally:
            app.dependency_overrides.pop(get_settings)
        assert again == first
        # The newest events, then the counts and the page, and its names: found anew.
        assert len(statements) - key_lookups(statements) >= 3, statements


def test_deadlines_built_without_validation_are_what_validation_gives(
    client: TestClient, kalsel: Kalsel
) -> None:
    """The page's deadlines are built without validating them (app/reminders/deadlines.py,
    trusted): each item, validated as DeadlinePublic, is written back as it was sent; every
    type of deadline the world holds, overdue or not, with and without an obligation."""
    from app.reminders.schemas import DeadlinePublic

    w = world(client, kalsel)
    create_obligation(client, w["nk"]["id"], kalsel.ori, "2026-12-01", "Laporan triwulan")
    items = client.get("/api/v1/deadlines", params={"limit": 200}).json()["items"]
    assert {item["type"] for item in items} >= {"obligation_due", "evaluation_due", "pks_due"}
    assert any(item["overdue"] for item in items) and not all(i["overdue"] for i in items)
    for item in items:
        assert DeadlinePublic.model_validate(item).model_dump(mode="json") == item
