"""An editor does not grant itself rights: the fields that confer them (kind, region,
acts_for_parent) are an admin's, and a parent changes only within the editor's own scope."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import key_for
from tests.helpers import assert_problem, create_org
from tests.world import Kalsel

URL = "/api/v1/organizations"


def as_key(client: TestClient, key: str) -> TestClient:
    client.headers["X-API-Key"] = key
    return client


def version_of(client: TestClient, organization_id: int) -> int:
    return int(client.get(f"{URL}/{organization_id}").json()["version"])


def patch(client: TestClient, organization_id: int, **fields: Any) -> Any:
    version = version_of(client, organization_id)
    return client.patch(f"{URL}/{organization_id}", json={"version": version, **fields})


@pytest.fixture
def kalteng_editor(session: Session, kalsel: Kalsel) -> str:
    return key_for(session, "editor", kalsel.kalteng)


@pytest.fixture
def kalsel_editor(session: Session, kalsel: Kalsel) -> str:
    return key_for(session, "editor", kalsel.province)


class TestKind:
    def test_an_editor_cannot_make_its_own_government_an_assessor(
        self, client: TestClient, kalsel: Kalsel, kalteng_editor: str
    ) -> None:
        as_key(client, kalteng_editor)
        refused = patch(client, kalsel.kalteng, kind="state_institution")
        problem = assert_problem(refused, 403, "admin-only-field")
        assert "kind" in problem["detail"]
        assert "Pemerintah Provinsi Kalimantan Tengah" in problem["detail"]
        assert problem["errors"][0]["loc"] == ["body", "kind"]
        # Still a provincial government, so still no assessor of another province.
        assert client.get(f"{URL}/{kalsel.kalteng}").json()["kind"] == "provincial_government"
        recorded = client.post(
            "/api/v1/compliance-assessments",
            json={"organization_id": kalsel.province, "year": 2023, "zone": "green", "source": "x"},
        )
        assert_problem(recorded, 403)

    def test_nor_the_kind_of_an_skpd_under_it(
        self, client: TestClient, kalsel: Kalsel, kalsel_editor: str
    ) -> None:
        as_key(client, kalsel_editor)
        assert_problem(
            patch(client, kalsel.dinkes, kind="regional_office"), 403, "admin-only-field"
        )

    def test_sending_the_kind_it_already_has_is_no_change(
        self, client: TestClient, kalsel: Kalsel, kalsel_editor: str
    ) -> None:
        as_key(client, kalsel_editor)
        changed = patch(client, kalsel.dinkes, kind="regional_agency", short_name="Dinkes")
        assert changed.status_code == 200, changed.text
        assert changed.json()["short_name"] == "Dinkes"

    def test_an_admin_changes_it(self, client: TestClient, kalsel: Kalsel) -> None:
        changed = patch(client, kalsel.dinkes, kind="other")
        assert changed.status_code == 200, changed.text
        assert changed.json()["kind"] == "other"


class TestParent:
    def test_an_skpd_it_made_cannot_be_made_top_level(
        self, client: TestClient, kalsel: Kalsel, kalteng_editor: str
    ) -> None:
        as_key(client, kalteng_editor)
        made = create_org(client, "Dinas Perhubungan", "regional_agency", kalsel.kalteng)
        # POSTing it top-level is refused; PATCHing it there is too.
        top = client.post(URL, json={"name": "Dinas Baru", "kind": "regional_agency"})
        assert_problem(top, 403)
        problem = assert_problem(
            patch(client, made, parent_id=None), 403, "organization-move-refused"
        )
        assert "Dinas Perhubungan" in problem["detail"] and "top-level" in problem["detail"]
        assert problem["errors"][0]["loc"] == ["body", "parent_id"]
        assert client.get(f"{URL}/{made}").json()["parent_id"] == kalsel.kalteng

    def test_nor_moved_out_of_its_scope(
        self, client: TestClient, kalsel: Kalsel, kalteng_editor: str
    ) -> None:
        as_key(client, kalteng_editor)
        problem = assert_problem(
            patch(client, kalsel.kalteng_agency, parent_id=kalsel.province),
            403,
            "organization-move-refused",
        )
        assert "Pemerintah Provinsi Kalimantan Selatan" in problem["detail"]
        assert "Pemerintah Provinsi Kalimantan Tengah" in problem["detail"]

    def test_nor_its_own_organization_moved(
        self, client: TestClient, session: Session, kalsel: Kalsel
    ) -> None:
        as_key(client, key_for(session, "editor", kalsel.dinkes))
        problem = assert_problem(
            patch(client, kalsel.dinkes, parent_id=kalsel.diskominfo),
            403,
            "organization-move-refused",
        )
        assert "own rights" in problem["detail"]
        # Under another parent within its own scope is no way out either: it is its own.
        sub = create_org(client, "UPT Laboratorium Kesehatan", "regional_agency", kalsel.dinkes)
        assert_problem(patch(client, kalsel.dinkes, parent_id=sub), 403)

    def test_within_its_scope_an_editor_moves_an_organization(
        self, client: TestClient, kalsel: Kalsel, kalsel_editor: str
    ) -> None:
        as_key(client, kalsel_editor)
        upt = create_org(client, "UPT Data", "regional_agency", kalsel.dinkes)
        moved = patch(client, upt, parent_id=kalsel.diskominfo)
        assert moved.status_code == 200, moved.text
        assert moved.json()["parent_id"] == kalsel.diskominfo

    def test_an_admin_makes_an_organization_top_level(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        moved = patch(client, kalsel.kalteng_agency, parent_id=None)
        assert moved.status_code == 200, moved.text
        assert moved.json()["parent_id"] is None


class TestRegionAndActsForParent:
    def test_an_editor_sets_neither(
        self, client: TestClient, kalsel: Kalsel, kalsel_editor: str
    ) -> None:
        as_key(client, kalsel_editor)
        for field, value in (("region_id", kalsel.kalteng), ("acts_for_parent", True)):
            problem = assert_problem(patch(client, kalsel.dinkes, **{field: value}), 403)
            assert problem["type"] == "/problems/admin-only-field"
            assert field in problem["detail"] and "Dinas Kesehatan" in problem["detail"]

    def test_nor_registers_an_organization_with_them(
        self, client: TestClient, kalsel: Kalsel, kalsel_editor: str
    ) -> None:
        as_key(client, kalsel_editor)
        for extra in (
            {"kind": "regional_office"},
            {"kind": "state_institution"},
            {"kind": "regional_agency", "acts_for_parent": True},
            {"kind": "regional_agency", "region_id": kalsel.province},
        ):
            body = {"name": "Biro Baru", "parent_id": kalsel.province, **extra}
            assert_problem(client.post(URL, json=body), 403, "admin-only-field")
        assert client.get(URL, params={"q": "Biro Baru"}).json()["total"] == 0

    def test_nor_through_an_import(
        self, client: TestClient, kalsel: Kalsel, kalsel_editor: str
    ) -> None:
        as_key(client, kalsel_editor)
        register = f"Nama,Jenis,Induk\nPerwakilan Baru,perwakilan,#{kalsel.province}\n"
        answer = client.post(
            "/api/v1/imports",
            params={"commit": "true"},
            files={"file": ("organisasi.csv", register)},
        )
        problem = assert_problem(answer, 403)
        assert problem["errors"][0]["type"] == "/problems/admin-only-field"
        assert problem["errors"][0]["column"] == "B (Jenis)"
        assert client.get(URL, params={"q": "Perwakilan Baru"}).json()["total"] == 0

    def test_an_admin_sets_both(self, client: TestClient, kalsel: Kalsel) -> None:
        biro = client.post(
            URL,
            json={
                "name": "Biro Pemerintahan dan Kerja Sama",
                "kind": "regional_agency",
                "parent_id": kalsel.province,
                "acts_for_parent": True,
            },
        )
        assert biro.status_code == 201, biro.text
        assert biro.json()["acts_for_parent"] is True
        office = patch(client, kalsel.office, region_id=kalsel.province)
        assert office.status_code == 200 and office.json()["region_id"] == kalsel.province

    def test_acts_for_parent_needs_a_parent(self, client: TestClient, kalsel: Kalsel) -> None:
        body = {"name": "Biro Lepas", "kind": "other", "acts_for_parent": True}
        assert_problem(client.post(URL, json=body), 422, "acts-for-parent-without-parent")
        assert_problem(
            patch(client, kalsel.province, acts_for_parent=True),
            422,
            "acts-for-parent-without-parent",
        )
