"""The real cases load through the services, and a second load adds nothing."""

from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlmodel import Session

from app.seeding import load_seeds
from tests.conftest import TODAY

BASE = "/api/v1/agreements"


def test_the_real_cases_are_there_and_load_once(client: TestClient, session: Session) -> None:
    first = load_seeds(session=session, today=TODAY)
    assert first.agreements_created == 24
    assert first.obligations_created == 22  # pendampingan for 21 PKS, data exchange for one
    second = load_seeds(session=session, today=TODAY)
    assert (second.organizations_created, second.agreements_created) == (0, 0)
    assert second.obligations_created == 0

    found = client.get(BASE, params={"number": "053/NK-PEMOTDA/2021", "count": "true"}).json()
    assert found["total"] == 1
    nk = found["items"][0]
    assert nk["signed_on"] == "2021-10-28" and nk["children_count"] == 21
    assert [p["document_number"] for p in nk["parties"]] == [
        "30/ORI-MoU/X/2021",
        "053/NK-PEMOTDA/2021",
    ]

    pks = client.get(BASE, params={"parent_id": nk["id"], "limit": 50, "count": "true"}).json()
    assert pks["total"] == 21
    assert {a["status"] for a in pks["items"]} == {"active"}
    assert {a["signed_on"] for a in pks["items"]} == {"2022-07-04"}
    diskominfo = next(a for a in pks["items"] if "Komunikasi" in a["title"])
    assert [s["position"] for s in diskominfo["scope_items"]] == [1, 2, 3, 4, 5]
    assert "Pengawasan" not in " ".join(s["title"] for s in diskominfo["scope_items"])
    assert diskominfo["parties"][1]["signatory_name"] == "Muhamad Muslim"

    kalteng = client.get(BASE, params={"q": "Sinergi"}).json()["items"][0]
    assert kalteng["status"] == "partially_signed"
    pending = [p["organization_name"] for p in kalteng["parties"] if not p["signed"]]
    assert pending == ["Pemerintah Kabupaten Kotawaringin Barat"]
    assert all(p["signed_on"] is None and p["document_number"] is None for p in kalteng["parties"])

    kabkota = client.get(BASE, params={"q": "Kabupaten/Kota se-Provinsi Kalimantan Selatan"}).json()
    assert kabkota["items"][0]["signed_on"] == "2022-11-30"
    assert len(kabkota["items"][0]["parties"]) == 14


def test_seeded_obligations_are_marked_illustrative(
    seeded_connection: Connection, client: TestClient
) -> None:
    items = client.get("/api/v1/obligations", params={"limit": 50}).json()["items"]
    assert len(items) == 22
    assert all("Ilustratif" in (o["description"] or "") for o in items)
    pendampingan = [o for o in items if o["title"].startswith("Pendampingan")]
    assert {o["recurrence"] for o in pendampingan} == {"quarterly"}
    assert {o["responsible_organization_name"] for o in pendampingan} == {
        "Ombudsman Republik Indonesia Perwakilan Provinsi Kalimantan Selatan"
    }
    assert all(o["scope_item_id"] is not None for o in items)
