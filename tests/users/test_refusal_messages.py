"""Every access refusal names the organizations (who edits for whom, and what it is not), never
their ids alone."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import key_for
from tests.helpers import assert_problem, create_agreement, sign_all
from tests.world import Kalsel, nk_body, pks_body

BASE = "/api/v1/agreements"
KALTENG = "'Pemerintah Provinsi Kalimantan Tengah'"
AN_ID = re.compile(r"organization \d")


@pytest.fixture
def pks(client: TestClient, signed_nk: dict[str, Any], kalsel: Kalsel) -> dict[str, Any]:
    scope = [{"title": "Pencegahan maladministrasi"}]
    agreement = create_agreement(client, **pks_body(kalsel, signed_nk["id"], scope_items=scope))
    sign_all(client, agreement, "2022-07-04")
    return agreement


def refusal(response: Any) -> str:
    detail = str(assert_problem(response, 403)["detail"])
    assert not AN_ID.search(detail), detail
    return detail


def test_an_editor_of_another_government(
    client: TestClient, session: Session, kalsel: Kalsel, pks: dict[str, Any]
) -> None:
    client.headers["X-API-Key"] = key_for(session, "editor", kalsel.kalteng)
    patched = client.patch(f"{BASE}/{pks['id']}", json={"version": 1, "description": "x"})
    detail = refusal(patched)
    assert f"edits for {KALTENG}, which is not a party here" in detail
    assert "'Dinas Komunikasi dan Informatika'" in detail
    assert "'Ombudsman RI Perwakilan Provinsi Kalimantan Selatan'" in detail

    renamed = client.patch(
        f"/api/v1/organizations/{kalsel.dinkes}", json={"version": 1, "short_name": "Dinkes"}
    )
    detail = refusal(renamed)
    assert f"under {KALTENG} only; 'Dinas Kesehatan' is not" in detail

    result = client.post(
        "/api/v1/compliance-assessments",
        json={"organization_id": kalsel.dinkes, "year": 2023, "zone": "green", "source": "x"},
    )
    assert "nor is 'Dinas Kesehatan' or above it" in refusal(result)

    derived = client.post(
        f"{BASE}/{pks['parent_id']}/derive",
        json={
            "counterpart_organization_id": kalsel.office,
            "organization_ids": [kalsel.dinkes],
            "title": "PKS {organization}",
        },
    )
    assert "'Ombudsman RI Perwakilan Provinsi Kalimantan Selatan'" in refusal(derived)


def test_a_verifier_on_the_reporting_side(
    client: TestClient, session: Session, kalsel: Kalsel, pks: dict[str, Any]
) -> None:
    reported = client.post(
        f"{BASE}/{pks['id']}/activities",
        json={
            "title": "Sosialisasi",
            "held_on": "2026-10-15",
            "description": "Sosialisasi standar pelayanan.",
            "scope_item_ids": [pks["scope_items"][0]["id"]],
            "organization_id": kalsel.diskominfo,
        },
    )
    assert reported.status_code == 201, reported.text
    url = f"{BASE}/{pks['id']}/activities/{reported.json()['id']}/verify"
    client.headers["X-API-Key"] = key_for(session, "editor", kalsel.province)
    detail = refusal(client.post(url, json={"verdict": "verified"}))
    assert "the reporting party 'Dinas Komunikasi dan Informatika'" in detail
    client.headers["X-API-Key"] = key_for(session, "editor", kalsel.kalteng)
    assert f"edits for {KALTENG}" in refusal(client.post(url, json={"verdict": "verified"}))


def test_nk_parties_named_for_an_editor_of_an_skpd(
    client: TestClient, session: Session, kalsel: Kalsel
) -> None:
    nk = create_agreement(client, **nk_body(kalsel))
    client.headers["X-API-Key"] = key_for(session, "editor", kalsel.dinkes)
    detail = refusal(client.post(f"{BASE}/{nk['id']}/finalize"))
    assert "edits for 'Dinas Kesehatan'" in detail
    assert "'Pemerintah Provinsi Kalimantan Selatan'" in detail
