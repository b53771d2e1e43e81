"""The public list (daftar publik): only signed NK and PKS their parties opted in, with only the
public fields, readable without a key, limited per address; the opt-in by a party's editor."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.config import settings
from app.core.deps import get_settings
from app.main import app
from app.public.router import readers_per_address
from tests.conftest import key_for
from tests.helpers import assert_problem, create_agreement, finalize, sign
from tests.world import Kalsel, nk_body, pks_body

BASE = "/api/v1/agreements"
PUBLIC = "/api/v1/public/agreements"
ITEM_KEYS = {
    "id",
    "kind",
    "status",
    "title",
    "parties",
    "scope_items",
    "valid_from",
    "valid_until",
    "signed_on",
}
PARTY_KEYS = {"name", "document_number", "signed_on"}


@pytest.fixture(autouse=True)
def fresh_limit() -> None:
    readers_per_address.clear()


def opt(client: TestClient, agreement_id: int, listed: bool) -> dict[str, Any]:
    response = client.post(f"{BASE}/{agreement_id}/public-listing", json={"listed": listed})
    assert response.status_code == 200, response.text
    return dict(response.json())


def public_ids(client: TestClient) -> list[int]:
    response = client.get(PUBLIC, headers={"X-API-Key": ""})
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


class TestWhatIsListed:
    def test_only_opted_in_agreements_signed_by_every_party(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        assert signed_nk["public_listing"] is False  # off by default
        assert public_ids(client) == []
        assert opt(client, signed_nk["id"], True)["public_listing"] is True
        assert public_ids(client) == [signed_nk["id"]]
        # A PKS opted in while it awaits the SKPD's signature is not listed yet.
        pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        opt(client, pks["id"], True)
        finalize(client, pks["id"])
        sign(client, pks["id"], kalsel.office, "2022-07-04")
        assert public_ids(client) == [signed_nk["id"]]
        sign(client, pks["id"], kalsel.diskominfo, "2022-07-04")
        assert public_ids(client) == [pks["id"], signed_nk["id"]]  # signed last, first
        # A signed agreement not opted in, and one opted out again, are not listed.
        other = create_agreement(
            client,
            **nk_body(
                kalsel,
                parties=[{"organization_id": kalsel.ori}, {"organization_id": kalsel.kalteng}],
            ),
        )
        finalize(client, other["id"])
        sign(client, other["id"], kalsel.ori, "2023-01-10")
        sign(client, other["id"], kalsel.kalteng, "2023-01-10")
        opt(client, signed_nk["id"], False)
        assert public_ids(client) == [pks["id"]]

    def test_a_draft_opted_in_is_not_listed(self, client: TestClient, kalsel: Kalsel) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        opt(client, nk["id"], True)
        assert public_ids(client) == []

    def test_no_private_field_appears(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        client.patch(
            f"{BASE}/{signed_nk['id']}",
            json={"version": signed_nk["version"], "description": "Catatan internal Biro"},
        ).raise_for_status()
        opt(client, signed_nk["id"], True)
        body = client.get(PUBLIC, headers={"X-API-Key": ""}).json()
        assert set(body) == {"items", "total", "limit", "offset"}
        assert body["total"] == 1
        (item,) = body["items"]
        assert set(item) == ITEM_KEYS
        assert all(set(party) == PARTY_KEYS for party in item["parties"])
        assert [p["document_number"] for p in item["parties"]] == [
            "30/ORI-MoU/X/2021",
            "053/NK-PEMOTDA/2021",
        ]
        assert item["scope_items"] == [
            "Percepatan penanganan dan penyelesaian laporan masyarakat",
            "Pencegahan maladministrasi",
        ]
        assert (item["status"], item["signed_on"]) == ("active", "2021-10-28")
        assert "Catatan internal Biro" not in client.get(PUBLIC).text


class TestAccess:
    def test_the_list_needs_no_key_and_pages(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        opt(client, signed_nk["id"], True)
        del client.headers["X-API-Key"]
        page = client.get(PUBLIC, params={"limit": 1, "offset": 1})
        assert page.status_code == 200
        assert page.json() == {"items": [], "total": 1, "limit": 1, "offset": 1}
        assert_problem(client.get(PUBLIC, params={"limit": 0}), 422)

    def test_anonymous_reads_are_limited_per_address(self, client: TestClient) -> None:
        limited = settings.model_copy(update={"PUBLIC_REQUESTS_PER_MINUTE": 2})
        app.dependency_overrides[get_settings] = lambda: limited
        del client.headers["X-API-Key"]
        assert client.get(PUBLIC).status_code == 200
        assert client.get("/publik").status_code == 200
        refused = assert_problem(client.get(PUBLIC), 429, "too-many-requests")
        assert "More than 2 requests a minute" in refused["detail"]
        assert int(client.get(PUBLIC).headers["retry-after"]) >= 1

    def test_only_an_editor_of_a_party_or_an_admin_opts_in(
        self, client: TestClient, session: Session, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        path = f"{BASE}/{signed_nk['id']}/public-listing"
        client.headers["X-API-Key"] = key_for(session, "viewer", kalsel.province)
        assert_problem(client.post(path, json={"listed": True}), 403)
        client.headers["X-API-Key"] = key_for(session, "editor", kalsel.kalteng)
        assert_problem(client.post(path, json={"listed": True}), 403)
        client.headers["X-API-Key"] = key_for(session, "editor", kalsel.province)
        assert opt(client, signed_nk["id"], True)["public_listing"] is True
        assert_problem(client.post(path, json={"listed": "ya"}), 422)
        assert_problem(client.post(path, json={}), 422)
        assert_problem(client.post(f"{BASE}/999999/public-listing", json={"listed": True}), 404)
        events = client.get(f"{BASE}/{signed_nk['id']}/history").json()["items"]
        assert events[0]["action"] == "public_listing_set"
        assert events[0]["details"] == {"listed": True, "was": False}


def test_the_public_page_in_bahasa_indonesia_without_sign_in(
    client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
) -> None:
    opt(client, signed_nk["id"], True)
    del client.headers["X-API-Key"]
    page = client.get("/publik")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Daftar publik perjanjian kerja sama" in page.text
    assert "Peningkatan Kualitas Pelayanan Publik" in page.text
    assert "053/NK-PEMOTDA/2021" in page.text and "Pencegahan maladministrasi" in page.text
    assert "/console/static/console.css" in page.text
    assert "Keluar" not in page.text  # nobody is signed in
