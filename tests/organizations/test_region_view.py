"""A Perwakilan acting in a province has it as its region, yet is not in the province's view
(`within=true`: the province, its SKPD, and the regency and city governments of its region)."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.seeding import SeedReport, load_seeds
from tests.conftest import TODAY


def test_the_perwakilan_s_reports_are_not_the_province_s(
    seed_report: SeedReport, client: TestClient
) -> None:
    keys = seed_report.keys
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


def test_a_database_seeded_before_gets_the_regions_and_the_biro_flag(
    seed_report: SeedReport, client: TestClient, session: Session
) -> None:
    """As a database seeded before these fields existed: seeding again fills them in, and
    creates nothing."""
    keys = seed_report.keys
    for key, field in (("ori-kalsel", "region_id"), ("kalsel-biro-kerja-sama", "acts_for_parent")):
        url = f"/api/v1/organizations/{keys[key]}"
        version = client.get(url).json()["version"]
        cleared = client.patch(
            url, json={"version": version, field: None if "id" in field else False}
        )
        assert cleared.status_code == 200, cleared.text
    again = load_seeds(session=session, today=TODAY)
    assert (again.organizations_created, again.agreements_created) == (0, 0)
    office = client.get(f"/api/v1/organizations/{keys['ori-kalsel']}").json()
    assert office["region_id"] == keys["kalsel"]
    biro = client.get(f"/api/v1/organizations/{keys['kalsel-biro-kerja-sama']}").json()
    assert biro["acts_for_parent"] is True
