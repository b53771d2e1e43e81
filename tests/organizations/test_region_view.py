"""A Perwakilan acting in a province has it as its region, yet is not in the province's view
(`within=true`: the province, its SKPD, and the regency and city governments of its region)."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.seeding import load_seeds
from tests.conftest import TODAY


def test_the_perwakilan_s_reports_are_not_the_province_s(
    client: TestClient, session: Session
) -> None:
    keys = load_seeds(session=session, today=TODAY).keys
    office = client.get(f"/api/v1/organizations/{keys['ori-kalsel']}").json()
    assert office["region_id"] == keys["kalsel"]
    nk = client.get("/api/v1/agreements", params={"number": "053/NK-PEMOTDA/2021"}).json()
    pks = client.get(
        "/api/v1/agreements",
        params={"parent_id": nk["items"][0]["id"], "organization_id": keys["kalsel-diskominfo"]},
    ).json()["items"][0]
    ids: dict[str, int] = {}
    for reporter in ("ori-kalsel", "kalsel-diskominfo"):
        reported = client.post(
            f"/api/v1/agreements/{pks['id']}/activities",
            json={
                "title": "Sosialisasi",
                "held_on": "2026-10-15",
                "description": "Sosialisasi standar pelayanan.",
                "scope_item_ids": [pks["scope_items"][0]["id"]],
                "organization_id": keys[reporter],
            },
        )
        assert reported.status_code == 201, reported.text
        ids[reporter] = reported.json()["id"]
    listed = client.get(
        "/api/v1/activities", params={"organization_id": keys["kalsel"], "within": "true"}
    ).json()["items"]
    assert [a["id"] for a in listed] == [ids["kalsel-diskominfo"]]
