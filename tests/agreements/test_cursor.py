"""Keyset paging of the agreement list (`cursor=` / `next_cursor`): every page walked through
HTTP, in every sort, gives each agreement once and in the order of one full page, also when
agreements are registered between pages; a cursor that was changed is refused, naming it."""

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from tests.helpers import assert_problem, create_agreement, sign_all
from tests.world import Kalsel, nk_body

BASE = "/api/v1/agreements"
SORTS = ["newest", "title", "valid_until", "signed_on"]


def page(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get(BASE, params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def walk(client: TestClient, between: Any = None, **params: Any) -> list[int]:
    """Every page by cursor, from the first; `between(n)` runs before page n+1 is read."""
    first = page(client, **params)
    found = [item["id"] for item in first["items"]]
    following = first["next_cursor"]
    pages = 1
    while following is not None:
        if between is not None:
            between(pages)
        body = page(client, cursor=following, **params)
        assert body["items"], "a cursor never leads to an empty page"
        assert body["offset"] == 0
        found += [item["id"] for item in body["items"]]
        following = body["next_cursor"]
        pages += 1
    assert pages > 1
    return found


def tied_agreements(client: TestClient, ori: int, province: int) -> None:
    """Agreements whose sort keys tie (the same title but for case, the same validity, signed
    on the same day, unsigned): the id decides between them."""
    for n, title in enumerate(["Sama persis", "SAMA PERSIS", "sama persis", "Lain"]):
        body = {
            "kind": "nk",
            "title": title,
            "valid_from": "2024-01-01",
            "valid_until": "2028-12-31" if n < 3 else None,
            "parties": [{"organization_id": ori}, {"organization_id": province}],
        }
        created = create_agreement(client, **body)
        if n % 2:
            sign_all(client, created, "2024-01-01")


@pytest.mark.parametrize("sort", SORTS)
def test_walking_every_page_gives_the_full_list_once_on_the_seeds(
    seeded_connection: Connection, client: TestClient, sort: str
) -> None:
    tied_agreements(
        client,
        organization_named(client, "Ombudsman Republik Indonesia"),
        organization_named(client, "Pemerintah Provinsi Kalimantan Selatan"),
    )
    whole = page(client, sort=sort, limit=200)
    assert whole["next_cursor"] is None  # everything on one page: no next one
    expected = [item["id"] for item in whole["items"]]
    assert len(expected) > 24
    assert walk(client, sort=sort, limit=4) == expected
    assert walk(client, sort=sort, limit=2, kind="nk") == [
        item["id"] for item in page(client, sort=sort, limit=200, kind="nk")["items"]
    ]


@pytest.mark.parametrize("sort", SORTS)
def test_agreements_registered_between_pages_neither_repeat_nor_hide_one(
    client: TestClient, kalsel: Kalsel, sort: str
) -> None:
    tied_agreements(client, kalsel.ori, kalsel.province)
    for n in range(9):
        create_agreement(client, **nk_body(kalsel, title=f"NK {n:02d}", parties=_two(kalsel)))
    before = [item["id"] for item in page(client, sort=sort, limit=200)["items"]]
    added: list[int] = []

    def register(n: int) -> None:
        # Titles that sort first, last and in the middle; newest by id.
        for title in (f"A baru {n}", f"NK 04 baru {n}", f"Z baru {n}"):
            body = nk_body(kalsel, title=title, **_parties(kalsel))
            added.append(create_agreement(client, **body)["id"])

    walked = walk(client, between=register, sort=sort, limit=3)
    assert len(walked) == len(set(walked)), "an agreement came twice"
    assert [i for i in walked if i in before] == before, "an agreement was hidden or moved"
    assert set(walked) <= set(before) | set(added)
    if sort == "newest":
        assert not set(walked) & set(added)  # registered later: before the cursor


def organization_named(client: TestClient, name: str) -> int:
    found = page_of(client, "/api/v1/organizations", q=name, limit=200)["items"]
    return int(next(o["id"] for o in found if o["name"] == name))


def page_of(client: TestClient, url: str, **params: Any) -> dict[str, Any]:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _two(kalsel: Kalsel) -> list[dict[str, Any]]:
    return [{"organization_id": kalsel.ori}, {"organization_id": kalsel.province}]


def _parties(kalsel: Kalsel) -> dict[str, Any]:
    return {"parties": _two(kalsel)}


def test_offset_still_works_and_names_the_next_page_too(client: TestClient, kalsel: Kalsel) -> None:
    ids = [
        create_agreement(client, **nk_body(kalsel, title=f"NK {n}", parties=_two(kalsel)))["id"]
        for n in range(5)
    ]
    newest = list(reversed(ids))
    second = page(client, limit=2, offset=2, count="true")
    assert [i["id"] for i in second["items"]] == newest[2:4]
    assert second["total"] == 5 and second["offset"] == 2
    third = page(client, limit=2, cursor=second["next_cursor"], count="true")
    assert [i["id"] for i in third["items"]] == newest[4:]
    assert third["next_cursor"] is None
    assert third["total"] == 5  # counted over every match, not after the cursor
    assert page(client, limit=5)["next_cursor"] is None  # a full last page says it is the last


def _tampered(token: str) -> str:
    encoded, _, checksum = token.partition(".")
    payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    changed = payload.replace(b'"newest",null,', b'"newest",null,1')
    return base64.urlsafe_b64encode(changed).decode().rstrip("=") + "." + checksum


def test_a_changed_or_foreign_cursor_is_refused_naming_it(
    client: TestClient, kalsel: Kalsel
) -> None:
    for n in range(3):
        create_agreement(client, **nk_body(kalsel, title=f"NK {n}", parties=_two(kalsel)))
    token = page(client, limit=1)["next_cursor"]
    assert token is not None
    cases: list[tuple[str, dict[str, Any]]] = [
        ("garbage.0a", {}),
        ("." + token.partition(".")[2], {}),
        (token[:-3], {}),  # cut short
        (_tampered(token), {}),  # the id edited, the checksum left
        (token, {"sort": "title"}),  # made for another order
        (token, {"offset": 1}),
    ]
    for bad, params in cases:
        response = client.get(BASE, params={"cursor": bad, "limit": 1, **params})
        body = assert_problem(response, 422, "invalid-cursor")
        assert body["errors"][0]["loc"] == ["query", "cursor"], body
        assert "cursor" in body["detail"]
    # Outside the token's alphabet (the pattern the document states): refused as the pattern says.
    for bad in ("garbage", "!!!." + token.partition(".")[2], "Ω" * 10, "053\u0000.ab"):
        response = client.get(BASE, params={"cursor": bad, "limit": 1})
        assert assert_problem(response, 422)["errors"][0]["loc"] == ["query", "cursor"], bad
    too_long = client.get(BASE, params={"cursor": "a" * 5_000})
    assert assert_problem(too_long, 422)["errors"][0]["loc"] == ["query", "cursor"]
