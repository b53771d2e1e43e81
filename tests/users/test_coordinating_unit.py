"""The Biro Pemerintahan dan Kerja Sama acts for its government (acts_for_parent): its editor
edits the province's NK and every SKPD's PKS, and nothing of another government."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.core.config import settings
from app.core.db import get_engine, get_session
from app.core.deps import get_settings, get_today
from app.main import app
from app.seeding import SeedReport
from app.users.schemas import USER_EXAMPLES
from tests import test_openapi_examples as examples
from tests.conftest import TODAY, key_for
from tests.helpers import assert_problem, create_org

BASE = "/api/v1/agreements"
# A database migrated and seeded from nothing, as `make run` leaves it (ids as in the README).
fresh = examples.fresh
BIRO = "Biro Pemerintahan dan Kerja Sama Sekretariat Daerah"


def one(client: TestClient, **params: Any) -> dict[str, Any]:
    found = client.get(BASE, params={**params, "count": "true"}).json()
    assert found["total"] == 1, found
    return dict(found["items"][0])


@pytest.fixture
def seeded(client: TestClient, seed_report: SeedReport) -> dict[str, Any]:
    """The seeded cases, and the agreements the Biro's editor meets, read as an admin."""
    report = seed_report
    kalsel_nk = one(client, number="053/NK-PEMOTDA/2021")
    pks = client.get(BASE, params={"parent_id": kalsel_nk["id"], "limit": 50}).json()["items"]
    return {
        "kalsel_nk": kalsel_nk,
        "diskominfo_pks": next(a for a in pks if "Komunikasi" in a["title"]),
        "kalteng_nk": one(client, q="Sinergi"),
        "kabkota_nk": one(client, q="Kabupaten/Kota se-Provinsi Kalimantan Selatan"),
        # Ids as seeded here (on PostgreSQL not those of a fresh database: see TestReadmeTour).
        **{key: report.keys[key] for key in ("kalsel", "ori-kalsel", "kalsel-diskominfo")},
        "biro": report.keys["kalsel-biro-kerja-sama"],
    }


def editor_key(client: TestClient, body: dict[str, Any]) -> str:
    """A user made and keyed through the API, as an admin does."""
    user = client.post("/api/v1/users", json=body)
    assert user.status_code == 201, user.text
    issued = client.post(f"/api/v1/users/{user.json()['id']}/api-keys", json={"name": "Laptop"})
    assert issued.status_code == 201, issued.text
    return str(issued.json()["key"])


def biro_editor(client: TestClient, seeded: dict[str, Any]) -> str:
    """The editor of the Swagger example, for the Biro as seeded here."""
    return editor_key(
        client, USER_EXAMPLES["editor_biro"]["value"] | {"organization_id": seeded["biro"]}
    )


def describe(client: TestClient, agreement: dict[str, Any]) -> Any:
    return client.patch(
        f"{BASE}/{agreement['id']}",
        json={"version": agreement["version"], "description": "Dikoordinasikan Biro."},
    )


class TestTheSeededBiro:
    def test_acts_for_pemprov_kalsel_and_the_perwakilan_acts_in_kalsel(
        self, client: TestClient, seeded: dict[str, Any]
    ) -> None:
        biro = client.get(f"/api/v1/organizations/{seeded['biro']}").json()
        assert biro["name"] == BIRO and biro["acts_for_parent"] is True
        assert biro["parent_id"] == seeded["kalsel"]
        office = client.get(f"/api/v1/organizations/{seeded['ori-kalsel']}").json()
        assert office["region_id"] == seeded["kalsel"]

    def test_its_editor_edits_the_province_nk_and_an_skpd_pks(
        self, client: TestClient, seeded: dict[str, Any]
    ) -> None:
        client.headers["X-API-Key"] = biro_editor(client, seeded)
        for agreement in (seeded["kalsel_nk"], seeded["diskominfo_pks"]):
            changed = describe(client, agreement)
            assert changed.status_code == 200, changed.text
            assert changed.json()["description"] == "Dikoordinasikan Biro."
        obligation = client.post(
            f"{BASE}/{seeded['diskominfo_pks']['id']}/obligations",
            json={
                "title": "Laporan semester",
                "responsible_organization_id": seeded["kalsel-diskominfo"],
                "due_on": "2027-01-15",
            },
        )
        assert obligation.status_code == 201, obligation.text

    def test_its_editor_derives_the_pks_of_an_skpd_without_one(
        self, client: TestClient, seeded: dict[str, Any]
    ) -> None:
        client.headers["X-API-Key"] = biro_editor(client, seeded)
        # The Biro itself is the one SKPD of Kalsel without a PKS.
        derived = client.post(
            f"{BASE}/{seeded['kalsel_nk']['id']}/derive",
            json={
                "counterpart_organization_id": seeded["ori-kalsel"],
                "organization_ids": [seeded["biro"]],
                "title": "PKS Ombudsman RI Perwakilan Kalsel dengan {organization}",
            },
        )
        assert derived.status_code == 201, derived.text

    def test_its_editor_edits_nothing_of_another_government(
        self, client: TestClient, seeded: dict[str, Any]
    ) -> None:
        client.headers["X-API-Key"] = biro_editor(client, seeded)
        for other in (seeded["kalteng_nk"], seeded["kabkota_nk"]):
            problem = assert_problem(describe(client, other), 403)
            # Named, not numbered: who edits for whom, and the parties it is not.
            assert BIRO in problem["detail"]
            assert "acting for 'Pemerintah Provinsi Kalimantan Selatan'" in problem["detail"]
            assert f"organization {seeded['biro']}" not in problem["detail"]
        assert (
            "Pemerintah Provinsi Kalimantan Tengah"
            in (describe(client, seeded["kalteng_nk"]).json()["detail"])
        )
        kalteng = seeded["kalteng_nk"]["parties"][1]["organization_id"]
        made = client.post(
            "/api/v1/organizations",
            json={"name": "Dinas Baru", "kind": "regional_agency", "parent_id": kalteng},
        )
        assert_problem(made, 403)

    def test_its_editor_registers_an_skpd_of_its_province(
        self, client: TestClient, seeded: dict[str, Any]
    ) -> None:
        client.headers["X-API-Key"] = biro_editor(client, seeded)
        made = client.post(
            "/api/v1/organizations",
            json={
                "name": "Dinas Perindustrian",
                "kind": "regional_agency",
                "parent_id": seeded["kalsel"],
            },
        )
        assert made.status_code == 201, made.text


class TestActsForParent:
    def test_an_skpd_editor_acts_for_its_own_unit_only(
        self, client: TestClient, session: Session, seeded: dict[str, Any]
    ) -> None:
        # Diskominfo does not coordinate cooperation: its editor edits its own PKS only.
        client.headers["X-API-Key"] = key_for(session, "editor", seeded["kalsel-diskominfo"])
        assert describe(client, seeded["diskominfo_pks"]).status_code == 200
        assert_problem(describe(client, seeded["kalsel_nk"]), 403)

    def test_the_flag_taken_away_takes_the_rights_with_it(
        self, client: TestClient, session: Session, seeded: dict[str, Any]
    ) -> None:
        url = f"/api/v1/organizations/{seeded['biro']}"
        version = client.get(url).json()["version"]
        changed = client.patch(url, json={"version": version, "acts_for_parent": False})
        assert changed.status_code == 200, changed.text
        client.headers["X-API-Key"] = key_for(session, "editor", seeded["biro"])
        assert_problem(describe(client, seeded["diskominfo_pks"]), 403)

    def test_a_biro_moved_under_another_government_acts_for_that_one(
        self, client: TestClient, session: Session, seeded: dict[str, Any]
    ) -> None:
        kalteng = seeded["kalteng_nk"]["parties"][1]["organization_id"]
        assert seeded["kalteng_nk"]["parties"][1]["organization_name"].endswith("Tengah")
        biro = create_org(
            client,
            "Biro Pemerintahan dan Otonomi Daerah",
            "regional_agency",
            kalteng,
            acts_for_parent=True,
        )
        client.headers["X-API-Key"] = key_for(session, "editor", biro)
        assert describe(client, seeded["kalteng_nk"]).status_code == 200
        assert_problem(describe(client, seeded["kalsel_nk"]), 403)


@pytest.fixture
def fresh_client(fresh: Engine) -> Iterator[TestClient]:
    """A client of a database migrated and seeded from nothing, as after `make run`, in a
    transaction rolled back afterwards."""
    connection = fresh.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    overrides = settings.model_copy(update={"BOOTSTRAP_ADMIN_KEY": examples.ADMIN_KEY})
    app.dependency_overrides[get_session] = lambda: session
    app.dependency_overrides[get_engine] = lambda: fresh
    app.dependency_overrides[get_today] = lambda: TODAY
    app.dependency_overrides[get_settings] = lambda: overrides
    try:
        with TestClient(app, headers={"X-API-Key": examples.ADMIN_KEY}) as client:
            yield client
    finally:
        app.dependency_overrides.clear()
        session.close()
        transaction.rollback()
        connection.close()


class TestReadmeTour:
    def test_the_biro_editor_of_the_example_edits_kalsel_and_not_kalteng(
        self, fresh_client: TestClient
    ) -> None:
        """README, Security: the example user of organization 5, agreement 1 (Kalsel NK) and 4
        (the Inspektorat's PKS) answer 200, agreement 3 (the Kalteng NK) 403."""
        client = fresh_client
        client.headers["X-API-Key"] = editor_key(client, USER_EXAMPLES["editor_biro"]["value"])
        assert client.get("/api/v1/organizations/5").json()["name"] == BIRO
        for agreement_id, expected in ((1, 200), (4, 200), (3, 403)):
            agreement = client.get(f"{BASE}/{agreement_id}").json()
            assert describe(client, agreement).status_code == expected, agreement["title"]
