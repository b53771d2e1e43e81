"""Perjanjian's party filter by name through HTTP (as a GET form sends it without JavaScript),
and the type-ahead fragment that fills its `<datalist>` (GET /organisasi/cari?as=nama)."""

import html
import re
from typing import Any

from fastapi.testclient import TestClient

from tests.console.test_perjanjian import api, listed_ids, seeded, text_of

__all__ = ["seeded"]

KOBAR = "Pemerintah Kabupaten Kotawaringin Barat"
FORM = {"q": "", "kind": "", "status": "", "expiring_before": "", "sort": "newest"}


def organization(client: TestClient, headers: dict[str, str], name: str) -> dict[str, Any]:
    found = api(client, headers, "/api/v1/organizations", q=name)["items"]
    return next(o for o in found if o["name"] == name)  # type: ignore[no-any-return]


def test_a_part_of_the_name_filters_by_that_organization(
    signed_in: TestClient, seeded: None, admin_headers: dict[str, str]
) -> None:
    kobar = organization(signed_in, admin_headers, KOBAR)
    expected = api(
        signed_in, admin_headers, "/api/v1/agreements", organization_id=kobar["id"], count="true"
    )
    assert expected["total"] >= 1
    page = signed_in.get("/perjanjian", params=FORM | {"organisasi": "kotawaringin barat"})
    assert page.status_code == 200
    assert listed_ids(page.text) == [a["id"] for a in expected["items"]]
    # The field shows the organization's name; the form keeps its id while it does.
    assert f'value="{KOBAR}"' in page.text
    assert f'name="organization_id" value="{kobar["id"]}"' in page.text
    export = re.search(r'href="(/perjanjian/ekspor\.csv\?[^"]*)"', page.text)
    assert export and f"organization_id={kobar['id']}" in html.unescape(export.group(1))
    # Sent again unchanged: the same list; emptied: every agreement.
    again = signed_in.get(
        "/perjanjian", params=FORM | {"organisasi": KOBAR, "organization_id": kobar["id"]}
    )
    assert listed_ids(again.text) == listed_ids(page.text)
    emptied = signed_in.get(
        "/perjanjian", params=FORM | {"organisasi": "", "organization_id": kobar["id"]}
    )
    everything = api(signed_in, admin_headers, "/api/v1/agreements", count="true")
    assert f"{everything['total']} perjanjian" in text_of(emptied.text)


def test_a_link_from_another_page_shows_the_name_in_the_field(
    signed_in: TestClient, seeded: None, admin_headers: dict[str, str]
) -> None:
    kobar = organization(signed_in, admin_headers, KOBAR)
    page = signed_in.get("/perjanjian", params={"organization_id": kobar["id"]})
    assert 'id="organisasi" name="organisasi"' in page.text
    assert f'value="{KOBAR}"' in page.text


def test_a_name_several_organizations_share_offers_them_to_choose(
    signed_in: TestClient, seeded: None, admin_headers: dict[str, str]
) -> None:
    found = api(signed_in, admin_headers, "/api/v1/organizations", q="Pemerintah Kabupaten")
    assert found["total"] > 1
    page = signed_in.get(
        "/perjanjian", params=FORM | {"kind": "nk", "organisasi": "Pemerintah Kabupaten"}
    )
    assert page.status_code == 200
    words = text_of(page.text)
    assert "Beberapa organisasi cocok dengan “Pemerintah Kabupaten”; pilih satu:" in words
    first = found["items"][0]
    # Each choice keeps the other filters.
    assert f'href="/perjanjian?kind=nk&amp;sort=newest&amp;organization_id={first["id"]}"' in (
        page.text
    )
    nk = api(signed_in, admin_headers, "/api/v1/agreements", kind="nk", count="true")
    assert f"{nk['total']} perjanjian" in words  # not filtered by party until one is chosen


def test_a_name_nobody_has_is_named_and_ignored(signed_in: TestClient, seeded: None) -> None:
    page = signed_in.get("/perjanjian", params=FORM | {"organisasi": "Kabupaten Atlantis"})
    assert page.status_code == 200
    assert "Tidak ada organisasi yang namanya memuat “Kabupaten Atlantis”." in text_of(page.text)
    assert 'value="Kabupaten Atlantis"' in page.text


def test_the_type_ahead_fills_a_datalist_with_names(signed_in: TestClient, seeded: None) -> None:
    answer = signed_in.get(
        "/organisasi/cari",
        params={"as": "nama", "organisasi": "kotawaringin"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert f'<option value="{KOBAR}">' in answer.text
    assert "<ul" not in answer.text and "<html" not in answer.text
