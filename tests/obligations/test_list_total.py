"""The obligation list's `total`: counted (a statement of its own, without the joins that bring
names) only when the page cannot tell it; the same figure either way."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import create_agreement, create_obligation
from tests.world import Kalsel, nk_body

BASE = "/api/v1/obligations"


def test_the_total_is_the_same_counted_or_told_by_the_last_page(
    client: TestClient, kalsel: Kalsel, count_statements: Callable[[], Any]
) -> None:
    nk = create_agreement(client, **nk_body(kalsel))
    for month in (1, 2, 3):
        create_obligation(client, nk["id"], kalsel.province, f"2027-0{month}-15")
    statements = {}
    for limit, offset, shown in ((2, 0, 2), (5, 0, 3), (2, 2, 1), (2, 5, 0)):
        with count_statements() as run:
            page = client.get(
                BASE,
                params={
                    "agreement_id": nk["id"],
                    "limit": limit,
                    "offset": offset,
                    "count": "true",
                },
            ).json()
        assert (len(page["items"]), page["total"]) == (shown, 3), (limit, offset)
        statements[(limit, offset)] = [s for s in run if "count(*)" in s]
    assert statements[(2, 0)] and statements[(2, 5)]  # a full page, an empty one: counted
    assert not statements[(5, 0)] and not statements[(2, 2)]  # the last page tells it
    assert "JOIN" not in statements[(2, 0)][0].upper()  # the count joins nothing
