"""What the agreements achieved: compliance results beside the agreements in force, and signing
plans that pass unsigned."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlmodel import Session

from tests.conftest import key_for
from tests.helpers import assert_problem

RESULTS = "/api/v1/compliance-assessments"


@pytest.fixture
def seeded(seeded_connection: Connection) -> None:
    """The seeded real cases (loaded once for consecutive tests; see tests/conftest.py)."""


def org_id(client: TestClient, q: str) -> int:
    found = client.get("/api/v1/organizations", params={"q": q}).json()["items"]
    assert len(found) == 1, (q, found)
    return int(found[0]["id"])


def entry(year: dict[str, Any], organization_id: int) -> dict[str, Any]:
    return next(e for e in year["entries"] if e["organization_id"] == organization_id)


def test_kalsel_from_yellow_in_2021_to_green_in_2023_beside_its_nk_and_21_pks(
    client: TestClient, seeded: None
) -> None:
    province = org_id(client, "Pemprov Kalsel")
    kotabaru = org_id(client, "Kabupaten Kotabaru")
    response = client.get("/api/v1/outcomes", params={"organization_id": province})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from_year"], body["to_year"]) == (2021, 2023)
    y2021, y2022, y2023 = body["years"]

    first = entry(y2021, province)
    assert first["zone"] == "yellow" and first["score"] is None
    nk = client.get("/api/v1/agreements", params={"number": "053/NK-PEMOTDA/2021"}).json()
    assert [(a["kind"], a["id"]) for a in first["agreements_in_force"]] == [
        ("nk", nk["items"][0]["id"])
    ]
    assert y2021["with_agreement"]["yellow"] == 1

    assert entry(y2022, province)["zone"] is None  # 2022 is not named per government
    assert len(entry(y2022, province)["agreements_in_force"]) == 22  # the PKS from July

    last = entry(y2023, province)
    assert last["zone"] == "green"
    held = last["agreements_in_force"]
    assert sum(a["kind"] == "nk" for a in held) == 1
    assert sum(a["kind"] == "pks" for a in held) == 21
    assert {a["held_by"] for a in held if a["kind"] == "pks"} != {province}  # its SKPD
    assert entry(y2023, kotabaru)["zone"] == "yellow"
    regencies = [e for e in y2023["entries"] if e["organization_id"] != province]
    assert len(regencies) == 13
    assert {e["zone"] for e in regencies if e["organization_id"] != kotabaru} == {"green"}
    # Every Kalsel government holds the Nota Kesepakatan of November 2022 in 2023.
    assert y2023["with_agreement"] == {"green": 13, "yellow": 1, "red": 0, "unknown": 0}
    assert y2023["without_agreement"] == {"green": 0, "yellow": 0, "red": 0, "unknown": 0}


def test_each_agreement_in_force_shows_its_evaluation_of_the_year(
    client: TestClient, seeded: None
) -> None:
    province = org_id(client, "Pemprov Kalsel")
    nk = client.get("/api/v1/agreements", params={"number": "053/NK-PEMOTDA/2021"}).json()
    nk_id = nk["items"][0]["id"]
    body = {"score": 2, "findings": "Sebagian berjalan.", "recommendation": "revise"}
    for period in ("2023-H1", "2023-H2"):
        response = client.post(
            f"/api/v1/agreements/{nk_id}/evaluations", json=body | {"period": period}
        )
        assert response.status_code == 201, response.text
    view = client.get("/api/v1/outcomes", params={"organization_id": province}).json()
    by_year = {y["year"]: y for y in view["years"]}
    held = {a["id"]: a for a in entry(by_year[2023], province)["agreements_in_force"]}
    assert held[nk_id]["evaluation"] == {
        "period": "2023-H2",
        "score": 2,
        "recommendation": "revise",
    }
    assert {a["id"]: a for a in entry(by_year[2022], province)["agreements_in_force"]}[nk_id][
        "evaluation"
    ] is None


def test_kalteng_scores_86_6_and_the_view_has_a_span(client: TestClient, seeded: None) -> None:
    kalteng = org_id(client, "Pemprov Kalteng")
    body = client.get(
        "/api/v1/outcomes", params={"organization_id": kalteng, "from_year": 2023}
    ).json()
    [year] = body["years"]
    mine = entry(year, kalteng)
    assert (mine["zone"], mine["score"], mine["category"]) == (
        "green",
        86.6,
        "Opini Kualitas Tinggi",
    )
    assert_problem(
        client.get(
            "/api/v1/outcomes",
            params={"organization_id": kalteng, "from_year": 2024, "to_year": 2023},
        ),
        422,
        "bad-year-span",
    )
    assert_problem(client.get("/api/v1/outcomes", params={"organization_id": 999999}), 404)


def test_results_are_listed_by_year_and_zone(client: TestClient, seeded: None) -> None:
    yellow = client.get(RESULTS, params={"year": 2023, "zone": "yellow"}).json()
    assert [r["organization_name"] for r in yellow["items"]] == ["Pemerintah Kabupaten Kotabaru"]
    assert "metro7.co.id" in yellow["items"][0]["source"]
    province = org_id(client, "Pemprov Kalsel")
    kalsel = client.get(
        RESULTS, params={"organization_id": province, "within": "true", "year": 2023}
    ).json()
    assert kalsel["total"] == 14
    own = client.get(RESULTS, params={"organization_id": province}).json()
    assert [(r["year"], r["zone"]) for r in own["items"]] == [(2023, "green"), (2021, "yellow")]
    one = client.get(f"{RESULTS}/{own['items'][0]['id']}")
    assert one.status_code == 200 and one.json()["organization_id"] == province
    assert_problem(client.get(f"{RESULTS}/999999"), 404, "assessment-not-found")


def test_one_result_per_organization_and_year(client: TestClient, seeded: None) -> None:
    kotabaru = org_id(client, "Kabupaten Kotabaru")
    body = {"organization_id": kotabaru, "year": 2024, "zone": "green", "source": "laporan 2024"}
    created = client.post(RESULTS, json=body)
    assert created.status_code == 201, created.text
    assert created.json()["score"] is None
    again = assert_problem(client.post(RESULTS, json=body | {"zone": "red"}), 409)
    assert again["type"] == "/problems/duplicate-assessment"
    assert again["existing_id"] == created.json()["id"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"score": 100.5}, "score"),
        ({"zone": "blue"}, "zone"),
        ({"year": 1999}, "year"),
        ({"source": " "}, "source"),
        ({"organization_id": 999999}, "organization_id"),
    ],
)
def test_a_result_with_bad_fields_is_refused(
    client: TestClient, seeded: None, change: dict[str, Any], field: str
) -> None:
    body = {"organization_id": 35, "year": 2025, "zone": "green", "source": "x"} | change
    problem = assert_problem(client.post(RESULTS, json=body), 422)
    assert field in [e["loc"][-1] for e in problem["errors"]]


def test_who_records_results(client: TestClient, session: Session, seeded: None) -> None:
    kalteng = org_id(client, "Pemprov Kalteng")
    perwakilan = org_id(client, "Perwakilan Kalsel")
    inspektorat = client.get(
        "/api/v1/organizations",
        params={"q": "Inspektorat", "parent_id": org_id(client, "Pemprov Kalsel")},
    )
    skpd = inspektorat.json()["items"][0]["id"]
    body = {"organization_id": skpd, "year": 2024, "zone": "green", "source": "x"}
    client.headers["X-API-Key"] = key_for(session, "editor", kalteng)
    assert_problem(client.post(RESULTS, json=body), 403)
    client.headers["X-API-Key"] = key_for(session, "viewer", perwakilan)
    assert_problem(client.post(RESULTS, json=body), 403)
    client.headers["X-API-Key"] = key_for(session, "editor", perwakilan)  # the assessor
    assert client.post(RESULTS, json=body).status_code == 201
    client.headers["X-API-Key"] = key_for(session, "editor", org_id(client, "Pemprov Kalsel"))
    assert client.post(RESULTS, json=body | {"year": 2025}).status_code == 201  # its SKPD


def test_a_region_is_a_province(client: TestClient, seeded: None) -> None:
    tapin = org_id(client, "Kabupaten Tapin")
    assert client.get(f"/api/v1/organizations/{tapin}").json()["region_id"] == org_id(
        client, "Pemprov Kalsel"
    )
    problem = assert_problem(
        client.post(
            "/api/v1/organizations",
            json={"name": "Pemerintah Kota Baru", "kind": "city_government", "region_id": tapin},
        ),
        422,
        "region-not-a-province",
    )
    assert problem["errors"][0]["loc"] == ["body", "region_id"]


def test_kotawaringin_barat_says_why_it_has_not_signed_and_a_passed_plan_is_a_deadline(
    client: TestClient, seeded: None
) -> None:
    kobar = org_id(client, "Kotawaringin Barat")
    nk = client.get("/api/v1/agreements", params={"unsigned_by": kobar}).json()["items"][0]
    pending = next(p for p in nk["parties"] if p["organization_id"] == kobar)
    assert "penyesuaian" in pending["pending_reason"]
    assert all(p["pending_reason"] is None for p in nk["parties"] if p["signed"])
    assert nk["planned_signing_on"] is None

    changed = client.patch(
        f"/api/v1/agreements/{nk['id']}",
        json={"version": nk["version"], "planned_signing_on": "2026-11-02"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["planned_signing_on"] == "2026-11-02"
    deadlines = client.get("/api/v1/deadlines", params={"limit": 200}).json()["items"]
    planned = [d for d in deadlines if d["type"] == "planned_signing"]
    assert len(planned) == 1
    assert planned[0]["overdue"] is True  # it passed on 2 November, unsigned
    assert [o["id"] for o in planned[0]["organizations"]] == [kobar]  # who has not signed
    assert planned[0]["title"].startswith("Rencana penandatanganan NK")
    mine = client.get("/api/v1/deadlines", params={"organization_id": kobar}).json()["items"]
    assert any(d["type"] == "planned_signing" for d in mine)
    signer = client.get("/api/v1/deadlines", params={"organization_id": 1, "limit": 200}).json()[
        "items"
    ]
    assert not any(d["type"] == "planned_signing" for d in signer)

    signed = client.post(
        f"/api/v1/agreements/{nk['id']}/signatures",
        json={"organization_id": kobar, "signed_on": "2026-11-20"},
    )
    assert signed.status_code == 200, signed.text
    party = next(p for p in signed.json()["parties"] if p["organization_id"] == kobar)
    assert party["pending_reason"] is None
    after = client.get("/api/v1/deadlines", params={"limit": 200}).json()["items"]
    assert not [d for d in after if d["type"] == "planned_signing"]


def test_the_report_of_a_seeded_kalsel_pks_shows_its_government_yellow_before_green_after(
    client: TestClient, seeded: None
) -> None:
    province = org_id(client, "Pemprov Kalsel")
    inspektorat = org_id(client, "Inspektorat")
    [pks] = client.get(
        "/api/v1/agreements", params={"organization_id": inspektorat, "kind": "pks"}
    ).json()["items"]
    report = client.get(f"/api/v1/agreements/{pks['id']}/report")
    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["status"], body["signed_on"]) == ("active", "2022-07-04")
    assert len(body["scope_items"]) == len(pks["scope_items"]) > 0
    assert not any(item["implemented"] for item in body["scope_items"])  # none reported yet
    party = next(p for p in body["parties"] if p["organization_id"] == inspektorat)
    assert party["assessed_organization_id"] == province
    assert (party["before"]["year"], party["before"]["zone"]) == (2021, "yellow")
    assert (party["after"]["year"], party["after"]["zone"]) == (2023, "green")


class TestSignedAwaitingOthers:
    """Pemprov Kalteng signed the joint NK; only Kotawaringin Barat has not (issue 19, item 11)."""

    def test_kalteng_signed_and_awaits_kotawaringin_barat_not_without_agreement(
        self, client: TestClient, seeded: None
    ) -> None:
        kalteng = org_id(client, "Pemprov Kalteng")
        body = client.get(
            "/api/v1/outcomes", params={"organization_id": kalteng, "from_year": 2023}
        ).json()
        [year] = body["years"]
        mine = entry(year, kalteng)
        assert mine["zone"] == "green"
        assert mine["agreements_in_force"] == []
        assert mine["agreement_state"] == "signed_awaiting_others"
        [nk] = mine["signed_awaiting_others"]
        assert nk["kind"] == "nk" and "Sinergi" in nk["title"]
        assert nk["signed_by"] == kalteng and nk["signed_by_this_organization"] is True
        assert nk["signed_on"] is None  # the article does not say when
        assert nk["awaiting_signatures_of"] == 1
        assert nk["awaiting"] == ["Pemerintah Kabupaten Kotawaringin Barat"]
        assert year["signed_awaiting_others"]["green"] == 1
        assert year["without_agreement"] == {"green": 0, "yellow": 0, "red": 0, "unknown": 0}

    def test_the_regencies_that_signed_await_too_and_kotawaringin_barat_is_not_among_them(
        self, client: TestClient, seeded: None
    ) -> None:
        kalteng = org_id(client, "Pemprov Kalteng")
        kobar = org_id(client, "Kabupaten Kotawaringin Barat")
        body = client.get(
            "/api/v1/outcomes", params={"organization_id": kalteng, "from_year": 2023}
        ).json()
        [year] = body["years"]
        others = [e for e in year["entries"] if e["organization_id"] != kalteng]
        assert len(others) == 13  # 12 regencies and Palangka Raya; no result recorded
        assert {e["agreement_state"] for e in others} == {"signed_awaiting_others"}
        assert kobar not in {e["organization_id"] for e in year["entries"]}
        assert year["signed_awaiting_others"] == {"green": 1, "yellow": 0, "red": 0, "unknown": 13}

    def test_a_signed_nk_is_in_force_not_awaiting(self, client: TestClient, seeded: None) -> None:
        province = org_id(client, "Pemprov Kalsel")
        body = client.get("/api/v1/outcomes", params={"organization_id": province}).json()
        for year in body["years"]:
            assert entry(year, province)["agreement_state"] == "in_force"
            assert entry(year, province)["signed_awaiting_others"] == []
            assert year["signed_awaiting_others"] == {
                "green": 0,
                "yellow": 0,
                "red": 0,
                "unknown": 0,
            }
