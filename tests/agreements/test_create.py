"""Registering NK and PKS: the rules that tie each SKPD's PKS to its NK."""

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.agreements.models import Agreement, AgreementParty, ScopeItem
from tests.helpers import assert_problem, create_agreement, create_org
from tests.world import Kalsel, nk_body, pks_body

BASE = "/api/v1/agreements"


def counts(session: Session) -> tuple[int, int, int]:
    return (
        session.exec(select(func.count()).select_from(Agreement)).one(),
        session.exec(select(func.count()).select_from(AgreementParty)).one(),
        session.exec(select(func.count()).select_from(ScopeItem)).one(),
    )


class TestRepresentation:
    def test_nk_comes_back_whole_in_the_order_given(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel, valid_from="2021-10-28"))
        assert nk["kind"] == "nk" and nk["status"] == "draft" and nk["version"] == 1
        assert [p["document_number"] for p in nk["parties"]] == [
            "30/ORI-MoU/X/2021",
            "053/NK-PEMOTDA/2021",
        ]
        assert nk["parties"][1]["organization_name"] == "Pemerintah Provinsi Kalimantan Selatan"
        assert [p["signed"] for p in nk["parties"]] == [False, False]
        assert [(s["position"], s["title"]) for s in nk["scope_items"]] == [
            (1, "Percepatan penanganan dan penyelesaian laporan masyarakat"),
            (2, "Pencegahan maladministrasi"),
        ]
        assert nk["signed_on"] is None and nk["parent"] is None and nk["children_count"] == 0
        assert client.get(f"{BASE}/{nk['id']}").json() == nk

    def test_pks_shows_its_nk_and_the_nk_counts_its_pks(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        assert pks["parent"] == {
            "id": signed_nk["id"],
            "title": signed_nk["title"],
            "status": "active",
        }
        assert pks["children_count"] is None
        create_agreement(
            client, **pks_body(kalsel, signed_nk["id"], agency=kalsel.dinkes, title="PKS Dinkes")
        )
        assert client.get(f"{BASE}/{signed_nk['id']}").json()["children_count"] == 2


class TestKindAndParent:
    def test_pks_needs_a_parent(self, client: TestClient, kalsel: Kalsel) -> None:
        body = pks_body(kalsel, 1)
        del body["parent_id"]
        problem = assert_problem(client.post(BASE, json=body), 422, "pks-needs-parent")
        assert problem["errors"][0]["loc"] == ["body", "parent_id"]

    def test_nk_has_no_parent(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        body = nk_body(kalsel, parent_id=signed_nk["id"], title="NK baru")
        body["parties"] = [{"organization_id": kalsel.ori}, {"organization_id": kalsel.province}]
        assert_problem(client.post(BASE, json=body), 422, "nk-has-no-parent")

    def test_parent_must_exist(self, client: TestClient, kalsel: Kalsel) -> None:
        assert_problem(
            client.post(BASE, json=pks_body(kalsel, 4242)), 422, "unknown-parent-agreement"
        )

    def test_parent_must_be_an_nk(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        body = pks_body(kalsel, pks["id"], agency=kalsel.dinkes)
        assert_problem(client.post(BASE, json=body), 422, "pks-parent-not-nk")


class TestValidity:
    def test_valid_from_not_after_valid_until(self, client: TestClient, kalsel: Kalsel) -> None:
        body = nk_body(kalsel, valid_from="2025-01-01", valid_until="2024-12-31")
        problem = assert_problem(client.post(BASE, json=body), 422, "validity-order")
        assert problem["errors"][0]["loc"] == ["body", "valid_until"]

    def test_pks_lies_within_its_nk(self, client: TestClient, kalsel: Kalsel) -> None:
        nk = create_agreement(
            client, **nk_body(kalsel, valid_from="2021-10-28", valid_until="2026-10-27")
        )
        too_late = pks_body(kalsel, nk["id"], valid_from="2022-07-04", valid_until="2027-07-03")
        problem = assert_problem(client.post(BASE, json=too_late), 422, "pks-validity-outside-nk")
        assert problem["errors"][0]["loc"] == ["body", "valid_until"]
        too_early = pks_body(kalsel, nk["id"], valid_from="2021-01-01")
        assert_problem(client.post(BASE, json=too_early), 422, "pks-validity-outside-nk")
        inside = pks_body(kalsel, nk["id"], valid_from="2022-07-04", valid_until="2026-10-27")
        assert client.post(BASE, json=inside).status_code == 201

    def test_nk_with_unknown_bounds_accepts_any_pks_validity(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        body = pks_body(kalsel, signed_nk["id"], valid_from="2022-07-04", valid_until="2030-01-01")
        assert client.post(BASE, json=body).status_code == 201


class TestParties:
    def test_at_least_two_parties(self, client: TestClient, kalsel: Kalsel) -> None:
        body = nk_body(kalsel, parties=[{"organization_id": kalsel.ori}])
        problem = assert_problem(client.post(BASE, json=body), 422)
        assert problem["errors"][0]["loc"] == ["body", "parties"]

    def test_each_organization_once(self, client: TestClient, kalsel: Kalsel) -> None:
        body = nk_body(
            kalsel, parties=[{"organization_id": kalsel.ori}, {"organization_id": kalsel.ori}]
        )
        problem = assert_problem(client.post(BASE, json=body), 422, "duplicate-party")
        assert problem["errors"][0]["loc"] == ["body", "parties", 1, "organization_id"]

    def test_parties_must_exist(self, client: TestClient, kalsel: Kalsel) -> None:
        body = nk_body(kalsel, parties=[{"organization_id": kalsel.ori}, {"organization_id": 9999}])
        problem = assert_problem(client.post(BASE, json=body), 422, "unknown-organization")
        assert "9999" in problem["detail"]

    def test_pks_party_must_sit_under_an_nk_party(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        body = pks_body(kalsel, signed_nk["id"], agency=kalsel.kalteng_agency)
        problem = assert_problem(client.post(BASE, json=body), 422, "pks-party-outside-nk")
        assert "Dinas Kesehatan" in problem["detail"]
        assert f"id {kalsel.kalteng_agency}" in problem["detail"]
        assert problem["errors"][0]["loc"] == ["body", "parties", 1, "organization_id"]

    def test_pks_party_may_be_a_grandchild_of_an_nk_party(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        rsud = create_org(client, "UPT Laboratorium Kesehatan", "regional_agency", kalsel.dinkes)
        assert (
            client.post(BASE, json=pks_body(kalsel, signed_nk["id"], agency=rsud)).status_code
            == 201
        )

    def test_pks_party_may_be_an_nk_party_itself(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        body = pks_body(kalsel, signed_nk["id"], agency=kalsel.province)
        assert client.post(BASE, json=body).status_code == 201


class TestDocumentNumbers:
    def test_number_is_unique_for_its_issuer(
        self, client: TestClient, kalsel: Kalsel, session: Session
    ) -> None:
        create_agreement(client, **nk_body(kalsel))
        before = counts(session)
        again = nk_body(kalsel, title="Another NK")
        again["parties"][0]["document_number"] = "31/ORI-MoU/X/2021"
        again["parties"][1]["document_number"] = "053/nk-pemotda/2021"
        problem = assert_problem(client.post(BASE, json=again), 409, "duplicate-document-number")
        assert "053/NK-PEMOTDA/2021" in problem["detail"]
        assert "Pemerintah Provinsi Kalimantan Selatan" in problem["detail"]
        assert counts(session) == before

    def test_same_number_from_another_issuer_is_fine(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        create_agreement(client, **nk_body(kalsel))
        other = nk_body(kalsel, title="NK Kalteng")
        other["parties"] = [
            {"organization_id": kalsel.ori, "document_number": "31/ORI-MoU/X/2021"},
            {"organization_id": kalsel.kalteng, "document_number": "053/NK-PEMOTDA/2021"},
        ]
        assert client.post(BASE, json=other).status_code == 201


class TestMalformedBodies:
    def test_nothing_gets_a_500_and_nothing_is_written(
        self, client: TestClient, kalsel: Kalsel, session: Session
    ) -> None:
        good = nk_body(kalsel)
        bodies: list[Any] = [
            None,
            [],
            "nk",
            17,
            {},
            {**good, "kind": "mou"},
            {**good, "titel": "typo"},
            {**good, "title": ""},
            {**good, "title": "x" * 501},
            {**good, "title": "line\u0000break"},
            {**good, "valid_from": "2022-02-30"},
            {**good, "valid_from": "yesterday"},
            {**good, "parent_id": -1},
            {**good, "parent_id": 2**63},
            {**good, "parties": None},
            {**good, "parties": "ORI"},
            {
                **good,
                "parties": [{"organization_id": kalsel.ori}, {"organization": kalsel.province}],
            },
            {**good, "parties": [{"organization_id": kalsel.ori}, {"organization_id": 1.5}]},
            {
                **good,
                "parties": [
                    {"organization_id": kalsel.ori},
                    {"organization_id": kalsel.province, "document_number": "x" * 101},
                ],
            },
            {**good, "scope_items": [{"title": None}]},
            {**good, "scope_items": [{}]},
            {**good, "scope_items": "all"},
        ]
        before = counts(session)
        for body in bodies:
            response = client.post(BASE, json=body)
            assert 400 <= response.status_code < 500, (body, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
        assert counts(session) == before

    def test_a_rule_failing_late_leaves_nothing_half_written(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any], session: Session
    ) -> None:
        before = counts(session)
        body = pks_body(kalsel, signed_nk["id"])
        body["parties"][0]["document_number"] = "30/ORI-MoU/X/2021"  # the NK's number of ORI
        body["parties"][0]["organization_id"] = kalsel.ori
        assert_problem(client.post(BASE, json=body), 409, "duplicate-document-number")
        assert counts(session) == before
