"""The Biro Pemerintahan dan Kerja Sama acts for its government (acts_for_parent): its editor
edits the province's NK and every SKPD's PKS, and nothing of another government."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.seeding import load_seeds
from app.users.schemas import USER_EXAMPLES
from tests.conftest import TODAY, key_for
from tests.helpers import assert_problem, create_org

BASE = "/api/v1/agreements"
BIRO = "Biro Pemerintahan dan Kerja Sama Sekretariat Daerah"


def one(client: TestClient, **params: Any) -> dict[str, Any]:
    found = client.get(BASE, params=params).json()
    assert found["total"] == 1, found
    return dict(found["items"][0])


@pytest.fixture
def seeded(client: TestClient, session: Session) -> dict[str, Any]:
    """The seeded cases, and the agreements the Biro's editor meets, read as an admin."""
    load_seeds(session=session, today=TODAY)
    kalsel_nk = one(client, number="053/NK-PEMOTDA/2021")
    pks = client.get(BASE, params={"parent_id": kalsel_nk["id"], "limit": 50}).json()["items"]
    return {
        "kalsel_nk": kalsel_nk,
        "diskominfo_pks": next(a for a in pks if "Komunikasi" in a["title"]),
        "kalteng_nk": one(client, q="Sinergi"),
        "kabkota_nk": one(client, q="Kabupaten/Kota se-Provinsi Kalimantan Selatan"),
    }


def biro_editor(client: TestClient) -> str:
    """The editor of the Swagger example (organization 5), created and keyed as an admin would."""
    user = client.post("/api/v1/users", json=USER_EXAMPLES["editor_biro"]["value"])
    assert user.status_code == 201, user.text
    issued = client.post(f"/api/v1/users/{user.json()['id']}/api-keys", json={"name": "Laptop"})
    assert issued.status_code == 201, issued.text
    return str(issued.json()["key"])


def describe(client: TestClient, agreement: dict[str, Any]) -> Any:
    return client.patch(
        f"{BASE}/{agreement['id']}",
        json={"version": agreement["version"], "description": "Dikoordinasikan Biro."},
    )


class TestTheSeededBiro:
    def test_is_organization_5_and_acts_for_pemprov_kalsel(
        self, client: TestClient, seeded: dict[str, Any]
    ) -> None:
        biro = client.get("/api/v1/organizations/5").json()
        assert biro["name"] == BIRO and biro["acts_for_parent"] is True
        province = client.get(f"/api/v1/organizations/{biro['parent_id']}").json()
        assert province["name"] == "Pemerintah Provinsi Kalimantan Selatan"

    def test_its_editor_edits_the_province_nk_and_an_skpd_pks(
        self, client: TestClient, seeded: dict[str, Any]
    ) -> None:
        client.headers["X-API-Key"] = biro_editor(client)
        for agreement in (seeded["kalsel_nk"], seeded["diskominfo_pks"]):
            changed = describe(client, agreement)
            assert changed.status_code == 200, changed.text
            assert changed.json()["description"] == "Dikoordinasikan Biro."
        obligation = client.post(
            f"{BASE}/{seeded['diskominfo_pks']['id']}/obligations",
            json={
                "title": "Laporan semester",
                "responsible_organization_id": 12,
                "due_on": "2027-01-15",
            },
        )
        assert obligation.status_code == 201, obligation.text

    def test_its_editor_derives_the_pks_of_an_skpd_without_one(
        self, client: TestClient, seeded: dict[str, Any]
    ) -> None:
        client.headers["X-API-Key"] = biro_editor(client)
        # The Biro itself is the one SKPD of Kalsel without a PKS.
        derived = client.post(
            f"{BASE}/{seeded['kalsel_nk']['id']}/derive",
            json={
                "counterpart_organization_id": 2,
                "organization_ids": [5],
                "title": "PKS Ombudsman RI Perwakilan Kalsel dengan {organization}",
            },
        )
        assert derived.status_code == 201, derived.text

    def test_its_editor_edits_nothing_of_another_government(
        self, client: TestClient, seeded: dict[str, Any]
    ) -> None:
        client.headers["X-API-Key"] = biro_editor(client)
        for other in (seeded["kalteng_nk"], seeded["kabkota_nk"]):
            problem = assert_problem(describe(client, other), 403)
            # Named, not numbered: who edits for whom, and the parties it is not.
            assert BIRO in problem["detail"]
            assert "acting for 'Pemerintah Provinsi Kalimantan Selatan'" in problem["detail"]
            assert "organization 5" not in problem["detail"]
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
        client.headers["X-API-Key"] = biro_editor(client)
        made = client.post(
            "/api/v1/organizations",
            json={"name": "Dinas Perindustrian", "kind": "regional_agency", "parent_id": 4},
        )
        assert made.status_code == 201, made.text


class TestActsForParent:
    def test_an_skpd_editor_acts_for_its_own_unit_only(
        self, client: TestClient, session: Session, seeded: dict[str, Any]
    ) -> None:
        # Diskominfo (12) does not coordinate cooperation: its editor edits its own PKS only.
        client.headers["X-API-Key"] = key_for(session, "editor", 12)
        assert describe(client, seeded["diskominfo_pks"]).status_code == 200
        assert_problem(describe(client, seeded["kalsel_nk"]), 403)

    def test_the_flag_taken_away_takes_the_rights_with_it(
        self, client: TestClient, session: Session, seeded: dict[str, Any]
    ) -> None:
        version = client.get("/api/v1/organizations/5").json()["version"]
        changed = client.patch(
            "/api/v1/organizations/5", json={"version": version, "acts_for_parent": False}
        )
        assert changed.status_code == 200, changed.text
        client.headers["X-API-Key"] = key_for(session, "editor", 5)
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
