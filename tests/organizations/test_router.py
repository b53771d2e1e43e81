"""Organizations through HTTP: the parties and their tree."""

from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.organizations.models import Organization, OrganizationKind
from tests.helpers import assert_problem, create_org

BASE = "/api/v1/organizations"


class TestCreateOrganization:
    def test_skpd_is_registered_under_its_province(self, client: TestClient) -> None:
        province = create_org(
            client, "Pemerintah Provinsi Kalimantan Selatan", "provincial_government"
        )
        response = client.post(
            BASE,
            json={
                "name": "Dinas Komunikasi dan Informatika",
                "short_name": "Diskominfo Kalsel",
                "kind": "regional_agency",
                "parent_id": province,
                "email": "diskominfo@kalselprov.go.id",
            },
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["parent_id"] == province
        assert body["short_name"] == "Diskominfo Kalsel"
        assert client.get(f"{BASE}/{body['id']}").json() == body

    def test_name_is_unique_under_the_same_parent(self, client: TestClient) -> None:
        province = create_org(
            client, "Pemerintah Provinsi Kalimantan Selatan", "provincial_government"
        )
        create_org(client, "Dinas Kesehatan", "regional_agency", province)
        response = client.post(
            BASE,
            json={"name": "dinas kesehatan ", "kind": "regional_agency", "parent_id": province},
        )
        body = assert_problem(response, 409, "duplicate-organization-name")
        assert "Dinas Kesehatan" in body["detail"]

    def test_same_name_under_another_parent_is_fine(self, client: TestClient) -> None:
        kalsel = create_org(
            client, "Pemerintah Provinsi Kalimantan Selatan", "provincial_government"
        )
        kalteng = create_org(
            client, "Pemerintah Provinsi Kalimantan Tengah", "provincial_government"
        )
        create_org(client, "Dinas Kesehatan", "regional_agency", kalsel)
        create_org(client, "Dinas Kesehatan", "regional_agency", kalteng)

    def test_top_level_names_are_unique_too(self, client: TestClient) -> None:
        create_org(client, "Ombudsman Republik Indonesia", "state_institution")
        response = client.post(BASE, json={"name": "OMBUDSMAN Republik Indonesia", "kind": "other"})
        assert_problem(response, 409, "duplicate-organization-name")

    def test_database_refuses_a_duplicate_name_even_without_the_check(
        self, session: Session
    ) -> None:
        session.add(Organization(name="Inspektorat", kind=OrganizationKind.other))
        session.flush()
        session.add(Organization(name="INSPEKTORAT", kind=OrganizationKind.other))
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
        else:
            raise AssertionError("the unique index let a duplicate top-level name through")

    def test_unknown_parent_is_refused(self, client: TestClient) -> None:
        response = client.post(
            BASE, json={"name": "Dinas", "kind": "regional_agency", "parent_id": 999}
        )
        body = assert_problem(response, 422, "unknown-parent-organization")
        assert body["errors"][0]["loc"] == ["body", "parent_id"]

    def test_malformed_bodies_are_refused_with_the_field_named(self, client: TestClient) -> None:
        cases = [
            ({"name": "X", "kind": "ministry"}, "kind"),
            ({"name": "", "kind": "other"}, "name"),
            ({"name": "   ", "kind": "other"}, "name"),
            ({"name": "X\u0000Y", "kind": "other"}, "name"),
            ({"name": "X" * 301, "kind": "other"}, "name"),
            ({"name": "X", "kind": "other", "email": "not-an-email"}, "email"),
            ({"name": "X", "kind": "other", "parent_id": 2**40}, "parent_id"),
            ({"name": "X", "kind": "other", "parent_id": "one"}, "parent_id"),
            ({"name": "X", "kind": "other", "nmae": "typo"}, "nmae"),
            ({"kind": "other"}, "name"),
        ]
        for body, field in cases:
            problem = assert_problem(client.post(BASE, json=body), 422, "validation-error")
            assert field in [e["loc"][-1] for e in problem["errors"]], (body, problem)
        for raw in ["[]", "null", '"text"', "{", "1"]:
            response = client.post(BASE, content=raw, headers={"content-type": "application/json"})
            assert_problem(response, 422)


def version_of(client: TestClient, organization_id: int) -> int:
    return int(client.get(f"{BASE}/{organization_id}").json()["version"])


class TestUpdateOrganization:
    def test_rename_and_move(self, client: TestClient) -> None:
        a = create_org(client, "Pemerintah Provinsi Kalimantan Selatan", "provincial_government")
        b = create_org(client, "Biro Pemerintahan", "regional_agency")
        response = client.patch(
            f"{BASE}/{b}",
            json={
                "version": version_of(client, b),
                "parent_id": a,
                "name": "Biro Pemerintahan dan Kerja Sama",
            },
        )
        assert response.status_code == 200, response.text
        assert response.json()["parent_id"] == a
        assert response.json()["name"] == "Biro Pemerintahan dan Kerja Sama"

    def test_a_parent_cycle_is_refused(self, client: TestClient) -> None:
        top = create_org(client, "Ombudsman Republik Indonesia", "state_institution")
        mid = create_org(client, "Perwakilan Kalsel", "regional_office", top)
        low = create_org(client, "Keasistenan Pencegahan", "other", mid)
        assert_problem(
            client.patch(
                f"{BASE}/{top}", json={"version": version_of(client, top), "parent_id": low}
            ),
            422,
            "organization-parent-cycle",
        )
        assert_problem(
            client.patch(
                f"{BASE}/{top}", json={"version": version_of(client, top), "parent_id": top}
            ),
            422,
            "organization-parent-cycle",
        )
        assert client.get(f"{BASE}/{top}").json()["parent_id"] is None

    def test_rename_to_a_sibling_name_is_refused(self, client: TestClient) -> None:
        create_org(client, "Dinas Sosial", "regional_agency")
        other = create_org(client, "Dinas Perdagangan", "regional_agency")
        assert_problem(
            client.patch(
                f"{BASE}/{other}",
                json={"version": version_of(client, other), "name": "Dinas Sosial"},
            ),
            409,
        )

    def test_required_fields_cannot_be_nulled(self, client: TestClient) -> None:
        org = create_org(client, "Dinas Sosial", "regional_agency")
        assert_problem(
            client.patch(f"{BASE}/{org}", json={"version": version_of(client, org), "name": None}),
            422,
        )
        assert_problem(
            client.patch(f"{BASE}/{org}", json={"version": version_of(client, org), "kind": None}),
            422,
        )
        assert_problem(
            client.patch(
                f"{BASE}/{org}", json={"version": version_of(client, org), "colour": "red"}
            ),
            422,
        )

    def test_unknown_organization_is_404(self, client: TestClient) -> None:
        assert_problem(
            client.patch(f"{BASE}/12345", json={"version": 1, "name": "X"}),
            404,
            "organization-not-found",
        )
        assert_problem(client.get(f"{BASE}/12345"), 404)
        assert_problem(client.get(f"{BASE}/0"), 422)
        assert_problem(client.get(f"{BASE}/abc"), 422)


class TestListOrganizations:
    def test_filters_by_parent_kind_and_name(self, client: TestClient) -> None:
        province = create_org(
            client, "Pemerintah Provinsi Kalimantan Selatan", "provincial_government"
        )
        create_org(client, "Dinas Kesehatan", "regional_agency", province)
        create_org(client, "Dinas Sosial", "regional_agency", province)
        create_org(client, "Inspektorat", "regional_agency", province)
        create_org(client, "Universitas Lambung Mangkurat", "university")

        by_parent = client.get(BASE, params={"parent_id": province}).json()
        assert by_parent["total"] == 3
        assert [o["name"] for o in by_parent["items"]] == [
            "Dinas Kesehatan",
            "Dinas Sosial",
            "Inspektorat",
        ]
        assert client.get(BASE, params={"kind": "university"}).json()["total"] == 1
        assert client.get(BASE, params={"q": "dinas"}).json()["total"] == 2
        assert client.get(BASE, params={"q": "%"}).json()["total"] == 0

    def test_pagination(self, client: TestClient) -> None:
        for i in range(5):
            create_org(client, f"Dinas {i}", "regional_agency")
        page = client.get(BASE, params={"limit": 2, "offset": 2}).json()
        assert (page["total"], page["limit"], page["offset"]) == (5, 2, 2)
        assert [o["name"] for o in page["items"]] == ["Dinas 2", "Dinas 3"]
        assert_problem(client.get(BASE, params={"limit": 201}), 422)
        assert_problem(client.get(BASE, params={"offset": -1}), 422)
        assert_problem(client.get(BASE, params={"kind": "ministry"}), 422)
