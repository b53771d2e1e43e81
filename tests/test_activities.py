"""Implementation reports (realisasi kegiatan): reported by a party for its ruang lingkup items,
fulfilling an obligation once, verified or rejected by another party, with evidence."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.documents.router import get_document_store
from app.documents.storage import DocumentStore
from app.main import app
from tests.conftest import key_for
from tests.helpers import assert_problem, create_agreement, sign_all
from tests.world import Kalsel, nk_body, pks_body

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


@dataclass
class Pks:
    id: int
    scope: list[int]  # ruang lingkup item ids
    reporter: str  # a key of Diskominfo's editor
    counterpart: str  # a key of the Perwakilan's editor
    province: str  # a key of the provincial government's editor (above Diskominfo)


@pytest.fixture
def pks(client: TestClient, session: Session, kalsel: Kalsel) -> Pks:
    nk = create_agreement(client, **nk_body(kalsel))
    sign_all(client, nk, "2021-10-28")
    scope = [{"title": "Pencegahan maladministrasi"}, {"title": "Pertukaran data pengaduan"}]
    created = create_agreement(client, **pks_body(kalsel, nk["id"], scope_items=scope))
    sign_all(client, created, "2022-07-04")
    return Pks(
        id=created["id"],
        scope=[item["id"] for item in created["scope_items"]],
        reporter=key_for(session, "editor", kalsel.diskominfo),
        counterpart=key_for(session, "editor", kalsel.office),
        province=key_for(session, "editor", kalsel.province),
    )


def body(k: Kalsel, p: Pks, **change: Any) -> dict[str, Any]:
    return {
        "title": "Sosialisasi standar pelayanan publik",
        "held_on": "2026-10-15",
        "description": "Sosialisasi kepada 40 petugas layanan.",
        "scope_item_ids": p.scope[:1],
        "organization_id": k.diskominfo,
        "participants": "40 petugas layanan",
    } | change


def report(client: TestClient, p: Pks, payload: dict[str, Any], key: str | None = None) -> Any:
    headers = {"X-API-Key": key or p.reporter}
    return client.post(f"/api/v1/agreements/{p.id}/activities", json=payload, headers=headers)


def judge(client: TestClient, p: Pks, activity_id: int, key: str, **verdict: Any) -> Any:
    return client.post(
        f"/api/v1/agreements/{p.id}/activities/{activity_id}/verify",
        json=verdict,
        headers={"X-API-Key": key},
    )


def obligation(client: TestClient, p: Pks, k: Kalsel, **change: Any) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/agreements/{p.id}/obligations",
        json={
            "title": "Laporan triwulanan pengelolaan pengaduan",
            "responsible_organization_id": k.diskominfo,
            "due_on": "2026-10-31",
            "recurrence": "quarterly",
            "scope_item_id": p.scope[1],
        }
        | change,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_party_reports_an_activity_for_its_scope_items(
    client: TestClient, kalsel: Kalsel, pks: Pks
) -> None:
    created = report(
        client, pks, body(kalsel, pks, held_on=None, held_from="2026-09-01", held_to="2026-09-02")
    )
    assert created.status_code == 201, created.text
    activity = created.json()
    assert activity["verification"] == "pending"
    assert (activity["held_from"], activity["held_to"]) == ("2026-09-01", "2026-09-02")
    assert activity["scope_item_ids"] == pks.scope[:1]
    assert activity["organization_name"] == "Dinas Komunikasi dan Informatika"
    assert activity["obligation_id"] is None and activity["documents"] == []
    one = client.get(f"/api/v1/agreements/{pks.id}/activities/{activity['id']}").json()
    assert one == activity
    history = client.get(f"/api/v1/agreements/{pks.id}/activities/{activity['id']}/history")
    assert [e["action"] for e in history.json()["items"]] == ["reported"]
    events = client.get(f"/api/v1/agreements/{pks.id}/history").json()["items"]
    assert events[0]["action"] == "activity_reported"


@pytest.mark.parametrize(
    ("change", "status", "slug", "field"),
    [
        ({"held_on": "2026-11-24"}, 422, "activity-in-future", "held_on"),
        ({"held_on": "2022-07-03"}, 422, "activity-before-signing", "held_on"),
        ({"scope_item_ids": [999999]}, 422, "unknown-scope-item", "scope_item_ids"),
        ({"scope_item_ids": []}, 422, "validation-error", "scope_item_ids"),
        # Well-formed bodies that break the rule of one way of dating: that rule's answer.
        ({"held_from": "2026-09-01", "held_to": "2026-09-02"}, 422, "activity-dates", None),
        ({"held_on": None}, 422, "activity-dates", None),
        (
            {"held_on": None, "held_from": "2026-09-02", "held_to": "2026-09-01"},
            422,
            "activity-dates",
            None,
        ),
        ({"obligation_id": 999999}, 422, "obligation-of-another-agreement", "obligation_id"),
        ({"title": " "}, 422, "validation-error", "title"),
    ],
)
def test_a_report_that_breaks_a_rule_is_refused_naming_the_field(
    client: TestClient,
    kalsel: Kalsel,
    pks: Pks,
    change: dict[str, Any],
    status: int,
    slug: str,
    field: str | None,
) -> None:
    problem = assert_problem(report(client, pks, body(kalsel, pks, **change)), status, slug)
    if field is not None:
        assert any(e["loc"][-1] == field or field in e["loc"] for e in problem["errors"]), problem
    assert client.get(f"/api/v1/agreements/{pks.id}/activities").json()["total"] == 0


def test_the_reporter_is_a_party_the_caller_edits_for(
    client: TestClient, kalsel: Kalsel, pks: Pks
) -> None:
    outsider = assert_problem(
        report(client, pks, body(kalsel, pks, organization_id=kalsel.dinkes)),
        422,
        "reporter-not-a-party",
    )
    assert outsider["errors"][0]["loc"][-1] == "organization_id"
    # The Perwakilan's editor may report for the Perwakilan, not for Diskominfo.
    assert_problem(report(client, pks, body(kalsel, pks), key=pks.counterpart), 403)
    as_office = report(
        client, pks, body(kalsel, pks, organization_id=kalsel.office), pks.counterpart
    )
    assert as_office.status_code == 201, as_office.text


def test_a_draft_agreement_has_nothing_to_report_yet(
    client: TestClient, kalsel: Kalsel, pks: Pks
) -> None:
    nk = client.get(f"/api/v1/agreements/{pks.id}").json()["parent_id"]
    draft = create_agreement(client, **pks_body(kalsel, nk, agency=kalsel.dinkes))
    response = client.post(
        f"/api/v1/agreements/{draft['id']}/activities",
        json=body(kalsel, pks, organization_id=kalsel.dinkes, scope_item_ids=[1]),
    )
    assert_problem(response, 409, "not-signed-yet")


def test_a_report_fulfilling_an_obligation_completes_it_once(
    client: TestClient, kalsel: Kalsel, pks: Pks
) -> None:
    owed = obligation(client, pks, kalsel)
    created = report(client, pks, body(kalsel, pks, obligation_id=owed["id"]))
    assert created.status_code == 201, created.text
    activity = created.json()
    # The obligation's own ruang lingkup item is added to the report's.
    assert activity["scope_item_ids"] == sorted([pks.scope[0], pks.scope[1]])
    done = client.get(f"/api/v1/obligations/{owed['id']}").json()
    assert (done["status"], done["completed_on"]) == ("done", "2026-10-15")
    following = client.get(
        "/api/v1/obligations", params={"agreement_id": pks.id, "status": "open"}
    ).json()["items"]
    assert [o["due_on"] for o in following] == ["2027-01-31"]
    again = report(client, pks, body(kalsel, pks, obligation_id=owed["id"], title="Lagi"))
    assert_problem(again, 409, "obligation-closed")
    assert client.get(f"/api/v1/agreements/{pks.id}/activities").json()["total"] == 1
    history = client.get(f"/api/v1/obligations/{owed['id']}/history").json()["items"]
    assert [e["action"] for e in history] == ["completed", "created"]


def test_an_obligation_of_another_party_is_not_the_reporters_to_fulfil(
    client: TestClient, kalsel: Kalsel, pks: Pks
) -> None:
    owed = obligation(client, pks, kalsel, responsible_organization_id=kalsel.office)
    refused = report(client, pks, body(kalsel, pks, obligation_id=owed["id"]))
    assert_problem(refused, 422, "obligation-of-another-party")
    assert client.get(f"/api/v1/obligations/{owed['id']}").json()["status"] == "overdue"


def test_the_other_party_verifies_and_the_reporter_cannot(
    client: TestClient, kalsel: Kalsel, pks: Pks
) -> None:
    activity = report(client, pks, body(kalsel, pks)).json()
    own = judge(client, pks, activity["id"], pks.reporter, verdict="verified")
    assert_problem(own, 403)
    above = judge(client, pks, activity["id"], pks.province, verdict="verified")
    assert_problem(above, 403)  # the province is above the reporter: not the counterpart
    verified = judge(
        client, pks, activity["id"], pks.counterpart, verdict="verified", note="Sesuai"
    )
    assert verified.status_code == 200, verified.text
    shown = verified.json()
    assert shown["verification"] == "verified"
    assert shown["verdict_organization_id"] == kalsel.office
    assert shown["verdict_by"] == f"editor {kalsel.office}" and shown["verdict_note"] == "Sesuai"
    again = judge(client, pks, activity["id"], pks.counterpart, verdict="verified")
    assert_problem(again, 409, "same-verdict")
    no_note = judge(client, pks, activity["id"], pks.counterpart, verdict="rejected")
    assert_problem(no_note, 422, "rejection-needs-note")
    pending = judge(client, pks, activity["id"], pks.counterpart, verdict="pending", note="x")
    assert_problem(pending, 422, "validation-error")


def test_a_rejected_report_lets_go_of_its_obligation_and_may_be_verified_later(
    client: TestClient, kalsel: Kalsel, pks: Pks
) -> None:
    owed = obligation(client, pks, kalsel, recurrence="none")
    activity = report(client, pks, body(kalsel, pks, obligation_id=owed["id"])).json()
    rejected = judge(
        client, pks, activity["id"], pks.counterpart, verdict="rejected", note="Tanpa daftar hadir"
    )
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["verification"], rejected.json()["obligation_id"]) == ("rejected", None)
    reopened = client.get(f"/api/v1/obligations/{owed['id']}").json()
    assert (reopened["status"], reopened["completed_on"]) == ("overdue", None)  # due 31 Oct
    # Rejected reports are not pending: the counterpart's list of what waits is empty.
    waiting = client.get("/api/v1/activities", params={"verification": "pending"}).json()
    assert waiting["total"] == 0
    # Evidence added, then verified: the report counts again, the obligation stays open.
    verified = judge(client, pks, activity["id"], pks.counterpart, verdict="verified")
    assert verified.json()["verification"] == "verified"
    actions = [
        e["action"]
        for e in client.get(
            f"/api/v1/agreements/{pks.id}/activities/{activity['id']}/history"
        ).json()["items"]
    ]
    assert actions == ["verified", "rejected", "reported"]
    # A new report fulfils the reopened obligation.
    fresh = report(client, pks, body(kalsel, pks, obligation_id=owed["id"], title="Ulang"))
    assert fresh.status_code == 201, fresh.text
    assert client.get(f"/api/v1/obligations/{owed['id']}").json()["status"] == "done"


def test_a_reopened_recurring_obligation_done_again_opens_no_second_successor(
    client: TestClient, kalsel: Kalsel, pks: Pks
) -> None:
    owed = obligation(client, pks, kalsel)
    activity = report(client, pks, body(kalsel, pks, obligation_id=owed["id"])).json()
    judge(client, pks, activity["id"], pks.counterpart, verdict="rejected", note="Belum ada")
    done = client.post(
        f"/api/v1/obligations/{owed['id']}/complete", json={"completed_on": "2026-11-01"}
    )
    assert done.status_code == 200, done.text
    series = client.get("/api/v1/obligations", params={"agreement_id": pks.id}).json()["items"]
    assert sorted(o["due_on"] for o in series) == ["2026-10-31", "2027-01-31"]


@pytest.fixture
def store(tmp_path: Path, client: TestClient) -> Iterator[DocumentStore]:
    document_store = DocumentStore(root=tmp_path / "documents", max_bytes=64 * 1024)
    app.dependency_overrides[get_document_store] = lambda: document_store
    yield document_store


def test_evidence_is_kept_under_the_upload_rules_of_documents(
    client: TestClient, kalsel: Kalsel, pks: Pks, store: DocumentStore
) -> None:
    activity = report(client, pks, body(kalsel, pks)).json()
    url = f"/api/v1/agreements/{pks.id}/activities/{activity['id']}/documents"
    files = {"file": ("daftar hadir.pdf", PDF, "application/pdf")}
    as_reporter = {"X-API-Key": pks.reporter}
    first = client.post(url, files=files, headers=as_reporter)
    assert first.status_code == 201, first.text
    [document] = first.json()["documents"]
    assert (document["filename"], document["size_bytes"]) == ("daftar hadir.pdf", len(PDF))
    assert client.post(url, files=files, headers=as_reporter).status_code == 200
    fake = client.post(url, files={"file": ("x.pdf", b"MZ not a pdf", "application/pdf")})
    assert_problem(fake, 415)
    assert_problem(client.post(url, files=files, headers={"X-API-Key": pks.counterpart}), 403)
    download = client.get(f"{url}/{document['id']}")
    assert download.status_code == 200 and download.content == PDF
    assert_problem(client.get(f"{url}/999999"), 404, "document-not-found")
    actions = [
        e["action"]
        for e in client.get(
            f"/api/v1/agreements/{pks.id}/activities/{activity['id']}/history"
        ).json()["items"]
    ]
    assert actions == ["evidence_attached", "reported"]


def test_activities_are_listed_by_agreement_organization_scope_period_and_state(
    client: TestClient, kalsel: Kalsel, pks: Pks
) -> None:
    first = report(client, pks, body(kalsel, pks, held_on="2026-03-10")).json()
    second = report(
        client, pks, body(kalsel, pks, held_on="2026-10-15", scope_item_ids=pks.scope[1:2])
    ).json()
    judge(client, pks, first["id"], pks.counterpart, verdict="verified")

    def ids(**params: Any) -> list[int]:
        response = client.get("/api/v1/activities", params=params)
        assert response.status_code == 200, response.text
        return [a["id"] for a in response.json()["items"]]

    assert ids(agreement_id=pks.id) == [second["id"], first["id"]]
    assert ids(scope_item_id=pks.scope[1]) == [second["id"]]
    assert ids(**{"from": "2026-06-01"}) == [second["id"]]
    assert ids(**{"to": "2026-06-01"}) == [first["id"]]
    assert ids(verification="verified") == [first["id"]]
    assert ids(organization_id=kalsel.province) == []
    assert ids(organization_id=kalsel.province, within=True) == [second["id"], first["id"]]
    one = client.get(f"/api/v1/agreements/{pks.id}/activities", params={"verification": "pending"})
    assert [a["id"] for a in one.json()["items"]] == [second["id"]]
    assert_problem(client.get("/api/v1/activities", params={"verification": "done"}), 422)
    assert_problem(client.get("/api/v1/activities", params={"from": "2026-13-01"}), 422)
    missing = client.get(f"/api/v1/agreements/{pks.id}/activities/999999")
    assert_problem(missing, 404, "activity-not-found")


def test_the_report_shows_what_the_agreement_achieved(
    client: TestClient, kalsel: Kalsel, pks: Pks
) -> None:
    for year, zone in ((2021, "yellow"), (2023, "green")):
        recorded = client.post(
            "/api/v1/compliance-assessments",
            json={"organization_id": kalsel.province, "year": year, "zone": zone, "source": "x"},
        )
        assert recorded.status_code == 201, recorded.text
    kept = obligation(client, pks, kalsel, recurrence="none", scope_item_id=pks.scope[0])
    missed = obligation(client, pks, kalsel, recurrence="none", due_on="2026-09-30")
    upcoming = obligation(client, pks, kalsel, recurrence="none", due_on="2027-03-31")
    late = obligation(client, pks, kalsel, recurrence="none", due_on="2026-10-01")
    client.post(f"/api/v1/obligations/{late['id']}/complete", json={"completed_on": "2026-11-01"})
    done = report(client, pks, body(kalsel, pks, obligation_id=kept["id"])).json()
    judge(client, pks, done["id"], pks.counterpart, verdict="verified")
    # Reported for the second item only, and rejected: that item is not implemented.
    refused = report(
        client, pks, body(kalsel, pks, scope_item_ids=[pks.scope[1]], title="Tukar data")
    ).json()
    judge(client, pks, refused["id"], pks.counterpart, verdict="rejected", note="Tidak ada data")
    evaluated = client.post(
        f"/api/v1/agreements/{pks.id}/evaluations",
        json={"period": "2025", "score": 3, "findings": "Berjalan.", "recommendation": "continue"},
    )
    assert evaluated.status_code == 201, evaluated.text

    response = client.get(f"/api/v1/agreements/{pks.id}/report")
    assert response.status_code == 200, response.text
    shown = response.json()
    first, second = shown["scope_items"]
    assert (first["implemented"], first["activities_reported"], first["activities_verified"]) == (
        True,
        1,
        1,
    )
    assert (second["implemented"], second["activities_reported"]) == (False, 0)
    assert [a["verification"] for a in second["activities"]] == ["rejected"]
    assert shown["activities"] == {"reported": 1, "verified": 1, "pending": 0, "rejected": 1}
    obligations = shown["obligations"]
    assert (obligations["kept"], obligations["kept_late"], obligations["upcoming"]) == (1, 1, 1)
    assert obligations["missed"] == 1 and [o["id"] for o in obligations["overdue"]] == [
        missed["id"]
    ]
    assert upcoming["id"] not in [o["id"] for o in obligations["overdue"]]
    assert [e["period"] for e in shown["evaluations"]] == ["2025"]
    office, agency = shown["parties"]
    assert office["assessed_organization_id"] is None and office["before"] is None
    # Diskominfo has no result of its own: its government's, before and after July 2022.
    assert agency["assessed_organization_id"] == kalsel.province
    assert (agency["before"]["year"], agency["before"]["zone"]) == (2021, "yellow")
    assert (agency["after"]["year"], agency["after"]["zone"]) == (2023, "green")
    assert_problem(client.get("/api/v1/agreements/999999/report"), 404, "agreement-not-found")

    outcomes = client.get(
        "/api/v1/outcomes",
        params={"organization_id": kalsel.province, "from_year": 2026, "to_year": 2026},
    ).json()
    [entry] = [
        e for e in outcomes["years"][0]["entries"] if e["organization_id"] == kalsel.province
    ]
    [held] = [a for a in entry["agreements_in_force"] if a["id"] == pks.id]
    assert (held["activities_reported"], held["activities_verified"]) == (1, 1)

    quarters = client.get("/api/v1/stats").json()["activities_per_quarter"]
    assert len(quarters) == 8 and quarters[-1]["quarter"] == "2026-Q4"
    assert quarters[-1] == {"quarter": "2026-Q4", "reported": 1, "verified": 1}
    assert quarters[0]["quarter"] == "2025-Q1"
