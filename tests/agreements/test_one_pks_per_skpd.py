"""An SKPD holds at most one live PKS under an NK: create, derive and relink agree, a cancelled or
terminated PKS frees it, and coverage shows every PKS it holds."""

from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import assert_problem, create_agreement, finalize, sign, sign_all
from tests.world import Kalsel, nk_body, pks_body

BASE = "/api/v1/agreements"


def cancel(client: TestClient, agreement_id: int, reason: str = "Draf keliru") -> Any:
    return client.post(f"{BASE}/{agreement_id}/cancel", json={"reason": reason})


def derive(client: TestClient, k: Kalsel, nk_id: int, *orgs: int) -> Any:
    return client.post(
        f"{BASE}/{nk_id}/derive",
        json={
            "counterpart_organization_id": k.office,
            "organization_ids": list(orgs),
            "title": "PKS {organization}",
        },
    )


class TestCreate:
    def test_a_second_pks_for_the_same_skpd_is_refused(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        first = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        response = client.post(BASE, json=pks_body(kalsel, signed_nk["id"], title="Kedua"))
        body = assert_problem(response, 409, "pks-already-held")
        assert "Dinas Komunikasi dan Informatika" in body["detail"]
        assert body["existing_agreement_ids"] == [first["id"]]

    def test_the_perwakilan_may_sign_a_pks_with_every_skpd(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        create_agreement(client, **pks_body(kalsel, signed_nk["id"], agency=kalsel.dinkes))

    def test_a_cancelled_pks_frees_the_skpd(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        stray = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        assert cancel(client, stray["id"]).status_code == 200
        create_agreement(client, **pks_body(kalsel, signed_nk["id"], title="Yang benar"))

    def test_a_terminated_pks_frees_the_skpd(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        sign_all(client, pks, "2022-07-04")
        ended = client.post(
            f"{BASE}/{pks['id']}/terminate",
            json={"terminated_on": "2026-01-01", "reason": "Diakhiri"},
        )
        assert ended.status_code == 200, ended.text
        create_agreement(client, **pks_body(kalsel, signed_nk["id"], title="Baru"))

    def test_moving_a_draft_onto_a_held_skpd_is_refused(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        other = create_agreement(client, **pks_body(kalsel, signed_nk["id"], agency=kalsel.dinkes))
        response = client.patch(
            f"{BASE}/{other['id']}",
            json={
                "version": other["version"],
                "parties": [
                    {"organization_id": kalsel.office},
                    {"organization_id": kalsel.diskominfo},
                ],
            },
        )
        assert_problem(response, 409, "pks-already-held")


class TestDerive:
    def test_a_terminated_pks_no_longer_blocks_derive(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        sign_all(client, pks, "2022-07-04")
        client.post(
            f"{BASE}/{pks['id']}/terminate",
            json={"terminated_on": "2026-01-01", "reason": "Diakhiri"},
        )
        assert derive(client, kalsel, signed_nk["id"], kalsel.diskominfo).status_code == 201

    def test_a_cancelled_draft_no_longer_blocks_derive(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        stray = derive(client, kalsel, signed_nk["id"], kalsel.diskominfo).json()["created"][0]
        assert_problem(derive(client, kalsel, signed_nk["id"], kalsel.diskominfo), 422)
        cancel(client, stray["id"])
        assert derive(client, kalsel, signed_nk["id"], kalsel.diskominfo).status_code == 201


class TestRelink:
    def test_relink_refuses_an_skpd_that_holds_a_pks_under_the_new_nk(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        old_pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        sign_all(client, old_pks, "2022-07-04")
        renewal = client.post(f"{BASE}/{signed_nk['id']}/renew", json={}).json()
        sign_all(client, renewal, "2026-01-28")
        create_agreement(client, **pks_body(kalsel, renewal["id"], title="PKS baru"))
        response = client.post(f"{BASE}/{renewal['id']}/relink", json={})
        body = assert_problem(response, 422, "relink-refused")
        assert "already holds PKS" in body["errors"][0]["msg"]


class TestCoverage:
    def test_coverage_lists_every_pks_an_skpd_holds(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        stray = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        cancel(client, stray["id"])
        real = create_agreement(client, **pks_body(kalsel, signed_nk["id"], title="Yang benar"))
        coverage = client.get(f"{BASE}/{signed_nk['id']}/coverage").json()
        agency = next(
            a
            for g in coverage["governments"]
            for a in g["agencies"]
            if a["organization_id"] == kalsel.diskominfo
        )
        assert agency["pks"]["id"] == real["id"]
        assert [(p["id"], p["status"]) for p in agency["agreements"]] == [
            (real["id"], "draft"),
            (stray["id"], "cancelled"),
        ]
        assert coverage["counts"]["draft"] == 1


class TestCancel:
    def test_a_draft_is_cancelled_and_kept_with_its_history(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        draft = create_agreement(client, **nk_body(kalsel))
        response = cancel(client, draft["id"], "Duplikat")
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["status"], body["cancellation_reason"]) == ("cancelled", "Duplikat")
        assert body["cancelled_at"] is not None
        history = client.get(f"{BASE}/{draft['id']}/history").json()["items"]
        assert history[0]["action"] == "cancelled"
        assert history[0]["details"]["reason"] == "Duplikat"
        listed = client.get(BASE, params={"status": "cancelled"}).json()
        assert [a["id"] for a in listed["items"]] == [draft["id"]]

    def test_an_agreement_awaiting_its_first_signature_can_be_cancelled(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        draft = create_agreement(client, **nk_body(kalsel))
        finalize(client, draft["id"])
        assert cancel(client, draft["id"]).json()["status"] == "cancelled"

    def test_once_a_party_has_signed_it_cannot_be_cancelled(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        draft = create_agreement(client, **nk_body(kalsel))
        finalize(client, draft["id"])
        sign(client, draft["id"], kalsel.ori, "2021-10-28")
        assert_problem(cancel(client, draft["id"]), 409, "cannot-cancel")

    def test_a_cancelled_agreement_cannot_be_changed_finalized_or_cancelled_again(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        draft = create_agreement(client, **nk_body(kalsel))
        cancelled = cancel(client, draft["id"]).json()
        patch = client.patch(
            f"{BASE}/{draft['id']}", json={"version": cancelled["version"], "title": "Lagi"}
        )
        assert_problem(patch, 409, "agreement-cancelled")
        assert_problem(client.post(f"{BASE}/{draft['id']}/finalize"), 409, "not-a-draft")
        assert_problem(cancel(client, draft["id"]), 409, "cannot-cancel")

    def test_a_reason_is_required(self, client: TestClient, kalsel: Kalsel) -> None:
        draft = create_agreement(client, **nk_body(kalsel))
        assert_problem(client.post(f"{BASE}/{draft['id']}/cancel", json={"reason": ""}), 422)
        assert client.get(f"{BASE}/{draft['id']}").json()["status"] == "draft"

    def test_a_cancelled_renewal_lets_the_agreement_be_renewed_again(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        first = client.post(f"{BASE}/{signed_nk['id']}/renew", json={}).json()
        cancel(client, first["id"])
        second = client.post(f"{BASE}/{signed_nk['id']}/renew", json={})
        assert second.status_code == 201, second.text
        assert (
            client.get(f"{BASE}/{signed_nk['id']}").json()["superseded_by_id"]
            == (second.json()["id"])
        )
