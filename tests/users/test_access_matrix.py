"""Who may do what, endpoint by endpoint (OWASP API1): no key, a viewer, an editor of a party,
an editor of the Biro that acts for the province (acts_for_parent: it may what the province's
editor may), an editor of an unrelated organization, and an admin."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlmodel import Session

from app.main import app
from tests.conftest import client_on, key_for, snapshot
from tests.helpers import create_agreement, create_obligation, create_org, sign_all
from tests.world import Kalsel, build_kalsel, nk_body, pks_body

ROLES = ("none", "viewer", "party_editor", "biro_editor", "other_editor", "admin")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"


@dataclass
class World:
    k: Kalsel
    nk: int
    pks: int  # signed: the Perwakilan and Diskominfo
    draft: int  # a draft PKS of Dinkes
    obligation: int
    keys: dict[str, str]
    admin_id: int
    scope_item: int  # of the PKS
    office_activity: int  # reported by the Perwakilan: Diskominfo's side verifies it
    agency_activity: int  # reported by Diskominfo


def build_world(session: Session, engine: Engine) -> World:
    """The world, through the API as an admin (its key the world's "admin")."""
    with client_on(session, engine) as client:
        return make_world(client, session, build_kalsel(client))


# Built once per process, each test inside it in a savepoint rolled back after it (Snapshot):
# hundreds of tests, each of which built the same world anew before.
WORLD = snapshot("world_connection", build_world)


@pytest.fixture
def world_connection(engine: Engine) -> Connection:
    return WORLD.open(engine)


@pytest.fixture
def world(world_connection: Connection) -> World:
    built: World = WORLD.value
    return built


def make_world(client: TestClient, session: Session, kalsel: Kalsel) -> World:
    nk = create_agreement(client, **nk_body(kalsel))
    sign_all(client, nk, "2021-10-28")
    scope = [{"title": "Pencegahan maladministrasi"}]
    pks = create_agreement(client, **pks_body(kalsel, nk["id"], scope_items=scope))
    sign_all(client, pks, "2022-07-04")
    scope_item = pks["scope_items"][0]["id"]
    activities = [
        client.post(
            f"/api/v1/agreements/{pks['id']}/activities",
            json={
                "title": "Sosialisasi",
                "held_on": "2026-10-15",
                "description": "Sosialisasi standar pelayanan.",
                "scope_item_ids": [scope_item],
                "organization_id": reporter,
            },
        ).json()["id"]
        for reporter in (kalsel.office, kalsel.diskominfo)
    ]
    draft = create_agreement(client, **pks_body(kalsel, nk["id"], agency=kalsel.dinkes))
    biro = create_org(
        client,
        "Biro Pemerintahan dan Kerja Sama",
        "regional_agency",
        kalsel.province,
        acts_for_parent=True,
    )
    obligation = create_obligation(client, pks["id"], kalsel.diskominfo, "2026-12-31")
    keys = {
        "none": "",
        "viewer": key_for(session, "viewer", kalsel.province),
        # The province's editor: its SKPD (Diskominfo, Dinkes) are parties of the PKS.
        "party_editor": key_for(session, "editor", kalsel.province),
        # The Biro is a sibling of the SKPD, and acts for the province.
        "biro_editor": key_for(session, "editor", biro),
        "other_editor": key_for(session, "editor", kalsel.kalteng),
        "admin": client.headers["X-API-Key"],
    }
    admin_id = client.get("/api/v1/users/me").json()["id"]
    return World(
        kalsel,
        nk["id"],
        pks["id"],
        draft["id"],
        obligation,
        keys,
        admin_id,
        scope_item,
        *activities,
    )


Call = Callable[[TestClient, World], Any]
WRITE = {"none": 401, "viewer": 403, "other_editor": 403}
READ = dict.fromkeys(("viewer", "party_editor", "other_editor", "admin"), 200) | {"none": 401}


def writes(success: int, **overrides: int) -> dict[str, int]:
    return {**WRITE, "party_editor": success, "admin": success, **overrides}


def admin_only(success: int) -> dict[str, int]:
    return {**WRITE, "party_editor": 403, "admin": success}


def expected_of(expected: dict[str, int], role: str) -> int:
    """The Biro's editor may what the province's editor may, unless a case says otherwise."""
    if role == "biro_editor" and role not in expected:
        return expected["party_editor"]
    return expected[role]


CASES: list[tuple[str, Call, dict[str, int]]] = [
    ("GET organizations", lambda c, w: c.get("/api/v1/organizations"), READ),
    ("GET organization", lambda c, w: c.get(f"/api/v1/organizations/{w.k.dinkes}"), READ),
    (
        "GET organization history",
        lambda c, w: c.get(f"/api/v1/organizations/{w.k.dinkes}/history"),
        READ,
    ),
    (
        "POST organization under the province",
        lambda c, w: c.post(
            "/api/v1/organizations",
            json={"name": "Dinas Baru", "kind": "regional_agency", "parent_id": w.k.province},
        ),
        writes(201),
    ),
    (
        "POST top-level organization",
        lambda c, w: c.post(
            "/api/v1/organizations", json={"name": "Pemkab Baru", "kind": "regency_government"}
        ),
        admin_only(201),
    ),
    (
        "PATCH organization",
        lambda c, w: c.patch(
            f"/api/v1/organizations/{w.k.dinkes}", json={"version": 1, "short_name": "Dinkes"}
        ),
        writes(200),
    ),
    # What confers rights is an admin's: no editor grants itself (or anyone) more.
    (
        "PATCH organization kind",
        lambda c, w: c.patch(
            f"/api/v1/organizations/{w.k.province}",
            json={"version": 1, "kind": "state_institution"},
        ),
        admin_only(200),
    ),
    (
        "PATCH organization to the top level",
        lambda c, w: c.patch(
            f"/api/v1/organizations/{w.k.dinkes}", json={"version": 1, "parent_id": None}
        ),
        admin_only(200),
    ),
    (
        "PATCH organization under another government",
        lambda c, w: c.patch(
            f"/api/v1/organizations/{w.k.diskominfo}",
            json={"version": 1, "parent_id": w.k.kalteng},
        ),
        admin_only(200),
    ),
    (
        "PATCH organization region",
        lambda c, w: c.patch(
            f"/api/v1/organizations/{w.k.office}", json={"version": 1, "region_id": w.k.kalteng}
        ),
        # The Perwakilan is under Ombudsman RI: no editor here edits it at all.
        admin_only(200),
    ),
    (
        "POST organization acting for the province",
        lambda c, w: c.post(
            "/api/v1/organizations",
            json={
                "name": "Biro Baru",
                "kind": "regional_agency",
                "parent_id": w.k.province,
                "acts_for_parent": True,
            },
        ),
        admin_only(201),
    ),
    (
        "POST regional office",
        lambda c, w: c.post(
            "/api/v1/organizations",
            json={"name": "Perwakilan Baru", "kind": "regional_office", "parent_id": w.k.province},
        ),
        admin_only(201),
    ),
    ("GET agreements", lambda c, w: c.get("/api/v1/agreements"), READ),
    ("GET agreements export", lambda c, w: c.get("/api/v1/agreements/export.csv"), READ),
    ("GET obligations export", lambda c, w: c.get("/api/v1/obligations/export.xlsx"), READ),
    (
        "GET coverage sheet",
        lambda c, w: c.get(f"/api/v1/agreements/{w.nk}/coverage.xlsx"),
        READ,
    ),
    ("GET agreement", lambda c, w: c.get(f"/api/v1/agreements/{w.pks}"), READ),
    ("GET import template", lambda c, w: c.get("/api/v1/imports/template.xlsx"), READ),
    ("GET results", lambda c, w: c.get("/api/v1/compliance-assessments"), READ),
    ("GET stats", lambda c, w: c.get("/api/v1/stats"), READ),
    ("GET evaluations", lambda c, w: c.get(f"/api/v1/agreements/{w.pks}/evaluations"), READ),
    (
        "POST evaluation",
        lambda c, w: c.post(
            f"/api/v1/agreements/{w.pks}/evaluations",
            json={"period": "2025", "score": 3, "findings": "x", "recommendation": "continue"},
        ),
        writes(201),
    ),
    ("GET outcomes", lambda c, w: c.get(f"/api/v1/outcomes?organization_id={w.k.province}"), READ),
    ("GET report", lambda c, w: c.get(f"/api/v1/agreements/{w.pks}/report"), READ),
    ("GET activities", lambda c, w: c.get("/api/v1/activities"), READ),
    (
        "GET agreement activities",
        lambda c, w: c.get(f"/api/v1/agreements/{w.pks}/activities"),
        READ,
    ),
    (
        "GET activity",
        lambda c, w: c.get(f"/api/v1/agreements/{w.pks}/activities/{w.agency_activity}"),
        READ,
    ),
    (
        "GET activity history",
        lambda c, w: c.get(f"/api/v1/agreements/{w.pks}/activities/{w.agency_activity}/history"),
        READ,
    ),
    (
        "GET activity evidence",
        lambda c, w: c.get(
            f"/api/v1/agreements/{w.pks}/activities/{w.agency_activity}/documents/999999"
        ),
        dict.fromkeys(("viewer", "party_editor", "other_editor", "admin"), 404) | {"none": 401},
    ),
    (
        "POST activity",
        lambda c, w: c.post(
            f"/api/v1/agreements/{w.pks}/activities",
            json={
                "title": "Pelatihan pengaduan",
                "held_on": "2026-11-02",
                "description": "Pelatihan pejabat penghubung.",
                "scope_item_ids": [w.scope_item],
                "organization_id": w.k.diskominfo,
            },
        ),
        writes(201),
    ),
    (
        "POST verify",
        # The province's editor judges for Diskominfo the Perwakilan's report.
        lambda c, w: c.post(
            f"/api/v1/agreements/{w.pks}/activities/{w.office_activity}/verify",
            json={"verdict": "verified"},
        ),
        writes(200),
    ),
    (
        "POST evidence",
        lambda c, w: c.post(
            f"/api/v1/agreements/{w.pks}/activities/{w.agency_activity}/documents",
            files={"file": ("daftar-hadir.pdf", PDF, "application/pdf")},
        ),
        writes(201),
    ),
    (
        "POST result",
        lambda c, w: c.post(
            "/api/v1/compliance-assessments",
            json={"organization_id": w.k.dinkes, "year": 2023, "zone": "green", "source": "x"},
        ),
        # The province's editor records its SKPD's results; Kalteng's editor may not.
        writes(201),
    ),
    (
        "GET result",
        lambda c, w: c.get("/api/v1/compliance-assessments/999999"),
        dict.fromkeys(("viewer", "party_editor", "other_editor", "admin"), 404) | {"none": 401},
    ),
    (
        "POST import",
        lambda c, w: c.post(
            "/api/v1/imports",
            params={"commit": "true"},
            files={"file": ("o.csv", f"Nama,Jenis,Induk\nDinas Baru,SKPD,#{w.k.province}\n")},
        ),
        # An SKPD under the province: its editors and admins; not Kalteng's editor.
        writes(201),
    ),
    ("GET history", lambda c, w: c.get(f"/api/v1/agreements/{w.pks}/history"), READ),
    ("GET coverage", lambda c, w: c.get(f"/api/v1/agreements/{w.nk}/coverage"), READ),
    ("GET documents", lambda c, w: c.get(f"/api/v1/agreements/{w.pks}/documents"), READ),
    (
        "POST agreement",
        lambda c, w: c.post(
            "/api/v1/agreements",
            json=pks_body(w.k, w.nk, agency=w.k.dinkes, title="Lain")
            | {"parties": [{"organization_id": w.k.office}, {"organization_id": w.k.dinkes}]},
        ),
        # Dinkes already has a draft under this NK: an allowed caller meets that rule (409).
        writes(409),
    ),
    (
        "PATCH agreement",
        lambda c, w: c.patch(
            f"/api/v1/agreements/{w.draft}", json={"version": 1, "description": "Catatan"}
        ),
        writes(200),
    ),
    ("POST finalize", lambda c, w: c.post(f"/api/v1/agreements/{w.draft}/finalize"), writes(200)),
    (
        "POST cancel",
        lambda c, w: c.post(f"/api/v1/agreements/{w.draft}/cancel", json={"reason": "Keliru"}),
        writes(200),
    ),
    (
        "POST reopen",
        lambda c, w: c.post(f"/api/v1/agreements/{w.draft}/reopen"),
        writes(409),  # a draft cannot be reopened: the allowed meet the rule
    ),
    (
        "POST signature",
        lambda c, w: c.post(
            f"/api/v1/agreements/{w.draft}/signatures",
            json={"organization_id": w.k.dinkes, "signed_on": "2022-07-04"},
        ),
        writes(409),  # not finalized yet
    ),
    (
        "POST bulk PKS signatures",
        lambda c, w: c.post(
            f"/api/v1/agreements/{w.nk}/pks-signatures",
            json={
                "signed_on": "2022-07-04",
                "signatures": [{"agreement_id": w.draft, "organization_id": w.k.dinkes}],
            },
        ),
        # Allowed for the editors of a party of the PKS; the draft is not finalized (422).
        writes(422),
    ),
    (
        "POST derive",
        lambda c, w: c.post(
            f"/api/v1/agreements/{w.nk}/derive",
            json={
                "counterpart_organization_id": w.k.office,
                "organization_ids": [w.k.dinkes],
                "title": "PKS {organization}",
            },
        ),
        # Allowed for the editor above every SKPD named; Dinkes already has a draft (422).
        writes(422),
    ),
    (
        "POST amendment",
        lambda c, w: c.post(
            f"/api/v1/agreements/{w.pks}/amendments",
            json={"title": "Adendum", "valid_until": "2030-01-01"},
        ),
        writes(201),
    ),
    (
        "POST renew",
        lambda c, w: c.post(f"/api/v1/agreements/{w.pks}/renew", json={}),
        writes(201),
    ),
    (
        "POST relink",
        lambda c, w: c.post(f"/api/v1/agreements/{w.pks}/relink", json={}),
        writes(422),
    ),
    (
        "POST terminate",
        lambda c, w: c.post(
            f"/api/v1/agreements/{w.pks}/terminate",
            json={"terminated_on": "2026-11-01", "reason": "Selesai"},
        ),
        writes(200),
    ),
    (
        "POST document",
        lambda c, w: c.post(
            f"/api/v1/agreements/{w.pks}/documents",
            files={"file": ("pks.pdf", PDF, "application/pdf")},
        ),
        writes(201),
    ),
    ("GET obligations", lambda c, w: c.get("/api/v1/obligations"), READ),
    ("GET obligation", lambda c, w: c.get(f"/api/v1/obligations/{w.obligation}"), READ),
    (
        "GET obligation history",
        lambda c, w: c.get(f"/api/v1/obligations/{w.obligation}/history"),
        READ,
    ),
    (
        "POST obligation",
        lambda c, w: c.post(
            f"/api/v1/agreements/{w.pks}/obligations",
            json={
                "title": "Laporan",
                "responsible_organization_id": w.k.diskominfo,
                "due_on": "2027-01-15",
            },
        ),
        writes(201),
    ),
    (
        "PATCH obligation",
        lambda c, w: c.patch(
            f"/api/v1/obligations/{w.obligation}", json={"version": 1, "title": "Laporan akhir"}
        ),
        writes(200),
    ),
    (
        "POST complete",
        lambda c, w: c.post(
            f"/api/v1/obligations/{w.obligation}/complete", json={"completed_on": "2026-11-20"}
        ),
        writes(200),
    ),
    (
        "POST waive",
        lambda c, w: c.post(f"/api/v1/obligations/{w.obligation}/waive", json={"reason": "Tidak"}),
        writes(200),
    ),
    ("GET deadlines", lambda c, w: c.get("/api/v1/deadlines"), READ),
    ("GET calendar", lambda c, w: c.get("/api/v1/calendar.ics"), READ),
    ("GET reminders", lambda c, w: c.get("/api/v1/reminders"), READ),
    ("GET users", lambda c, w: c.get("/api/v1/users"), admin_only(200) | {"party_editor": 403}),
    ("GET me", lambda c, w: c.get("/api/v1/users/me"), READ),
    (
        "POST user",
        lambda c, w: c.post(
            "/api/v1/users",
            json={"name": "Baru", "email": "baru@kalselprov.go.id", "role": "viewer"},
        ),
        admin_only(201),
    ),
    ("GET user", lambda c, w: c.get(f"/api/v1/users/{w.admin_id}"), admin_only(200)),
    (
        "PATCH user",
        lambda c, w: c.patch(f"/api/v1/users/{w.admin_id}", json={"version": 1, "name": "A"}),
        admin_only(200),
    ),
    (
        "GET user history",
        lambda c, w: c.get(f"/api/v1/users/{w.admin_id}/history"),
        admin_only(200),
    ),
    (
        "POST api key of another user",
        lambda c, w: c.post(f"/api/v1/users/{w.admin_id}/api-keys", json={"name": "Lagi"}),
        admin_only(201),
    ),
    (
        "GET api keys of another user",
        lambda c, w: c.get(f"/api/v1/users/{w.admin_id}/api-keys"),
        admin_only(200),
    ),
    (
        "DELETE api key of another user",
        lambda c, w: c.delete(f"/api/v1/users/{w.admin_id}/api-keys/999999"),
        admin_only(404),
    ),
    # Stages before the draft (tahapan).
    ("GET stages", lambda c, w: c.get("/api/v1/stages"), READ),
    (
        "PATCH stage",
        lambda c, w: c.patch("/api/v1/stages/penjajakan", json={"warn_days_before": 3}),
        admin_only(200),
    ),
    ("GET agreement stage", lambda c, w: c.get(f"/api/v1/agreements/{w.draft}/stage"), READ),
    (
        "POST stage start",
        lambda c, w: c.post(f"/api/v1/agreements/{w.draft}/stage/start", json={}),
        writes(200),
    ),
    (
        "POST stage advance",
        lambda c, w: c.post(f"/api/v1/agreements/{w.draft}/stage/advance", json={}),
        writes(409),  # not in the stages: the allowed meet that rule
    ),
    (
        "POST stage return",
        lambda c, w: c.post(
            f"/api/v1/agreements/{w.draft}/stage/return", json={"reason": "Belum lengkap"}
        ),
        writes(409),
    ),
    # Electronic signatures of documents (tanda tangan elektronik).
    (
        "GET electronic signatures",
        lambda c, w: c.get(f"/api/v1/agreements/{w.pks}/electronic-signatures"),
        READ,
    ),
    (
        "GET document signatures",
        lambda c, w: c.get(f"/api/v1/agreements/{w.pks}/documents/999999/signatures"),
        dict.fromkeys(("viewer", "party_editor", "other_editor", "admin"), 404) | {"none": 401},
    ),
    (
        "POST document signatures verify",
        lambda c, w: c.post(f"/api/v1/agreements/{w.pks}/documents/999999/signatures/verify"),
        writes(404),
    ),
    (
        "POST document signature confirm",
        lambda c, w: c.post(
            f"/api/v1/agreements/{w.pks}/documents/999999/signatures/1/confirm",
            json={"organization_id": w.k.diskominfo},
        ),
        writes(404),
    ),
    # Drafts from templates and the public list.
    ("GET draft docx", lambda c, w: c.get(f"/api/v1/agreements/{w.pks}/draft.docx"), READ),
    ("GET pks drafts zip", lambda c, w: c.get(f"/api/v1/agreements/{w.nk}/pks-drafts.zip"), READ),
    ("GET final draft", lambda c, w: c.get(f"/api/v1/agreements/{w.pks}/final-draft"), READ),
    (
        "GET final draft docx",
        lambda c, w: c.get(f"/api/v1/agreements/{w.pks}/final-draft.docx"),
        READ,
    ),
    ("GET draft templates", lambda c, w: c.get("/api/v1/draft-templates"), READ),
    ("GET draft template", lambda c, w: c.get("/api/v1/draft-templates/pks"), READ),
    (
        "POST draft template",
        lambda c, w: c.post(
            "/api/v1/draft-templates/pks",
            files={"file": ("templat.docx", b"not a docx", "application/octet-stream")},
        ),
        admin_only(415),  # not a DOCX: the admin meets that rule
    ),
    (
        "DELETE draft template",
        lambda c, w: c.delete("/api/v1/draft-templates/pks"),
        admin_only(200),  # none uploaded: the default stays, and is shown
    ),
    (
        "POST public listing",
        lambda c, w: c.post(f"/api/v1/agreements/{w.pks}/public-listing", json={"listed": True}),
        writes(200),
    ),
]


def answer(client: TestClient, world: World, call: Call, role: str) -> Any:
    if role == "none":
        client.headers.pop("X-API-Key", None)
    else:
        client.headers["X-API-Key"] = world.keys[role]
    return call(client, world)


# A role whose call is refused changes nothing, so the roles that must be refused share one
# world; each role that may succeed gets a world of its own.
@pytest.mark.parametrize(
    "roles", [("none", "viewer", "other_editor"), ("party_editor",), ("biro_editor",), ("admin",)]
)
@pytest.mark.parametrize(("name", "call", "expected"), CASES, ids=[c[0] for c in CASES])
def test_access(
    client: TestClient,
    world: World,
    name: str,
    call: Call,
    expected: dict[str, int],
    roles: tuple[str, ...],
) -> None:
    for role in roles:
        response = answer(client, world, call, role)
        assert response.status_code == expected_of(expected, role), (name, role, response.text)
        if response.status_code in (401, 403):
            assert response.headers["content-type"].startswith("application/problem+json")


def test_every_operation_is_in_the_matrix() -> None:
    """A new endpoint must join the matrix (or be one of the open ones)."""
    open_paths = {"/healthz", "/api/v1/reminders/run", "/api/v1/public/agreements"}
    covered = {name.split(" ", 1)[0] for name, _, _ in CASES}
    operations = [
        (method.upper(), path)
        for path, ops in app.openapi()["paths"].items()
        for method in ops
        if path not in open_paths
    ]
    assert covered >= {m for m, _ in operations}
    assert len(CASES) >= len(operations) - 6, sorted(operations)
