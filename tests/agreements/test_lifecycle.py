"""Status, finalisasi, reopening and signatures."""

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import TODAY
from tests.helpers import assert_problem, create_agreement, create_org, finalize, sign
from tests.world import Kalsel, nk_body, pks_body

BASE = "/api/v1/agreements"


def signature(client: TestClient, agreement_id: int, **body: Any) -> Any:
    return client.post(f"{BASE}/{agreement_id}/signatures", json=body)


class TestStatus:
    def test_from_draft_to_active_as_parties_sign_on_their_own_days(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        assert nk["status"] == "draft"
        assert finalize(client, nk["id"])["status"] == "awaiting_signatures"
        first = sign(client, nk["id"], kalsel.ori, "2026-01-27")
        assert first["status"] == "partially_signed" and first["signed_on"] is None
        assert first["parties"][0]["signed"] and first["parties"][0]["signed_on"] == "2026-01-27"
        done = sign(client, nk["id"], kalsel.province, "2026-01-28")
        assert done["status"] == "active"
        assert done["signed_on"] == "2026-01-28"  # the day the last party signed

    def test_signed_when_validity_starts_later(self, client: TestClient, kalsel: Kalsel) -> None:
        nk = create_agreement(client, **nk_body(kalsel, valid_from="2027-01-01"))
        finalize(client, nk["id"])
        sign(client, nk["id"], kalsel.ori, "2026-11-20")
        assert sign(client, nk["id"], kalsel.province, "2026-11-21")["status"] == "signed"

    def test_expired_after_valid_until(self, client: TestClient, kalsel: Kalsel) -> None:
        nk = create_agreement(
            client, **nk_body(kalsel, valid_from="2017-10-27", valid_until="2021-10-26")
        )
        finalize(client, nk["id"])
        sign(client, nk["id"], kalsel.ori, "2017-10-27")
        assert sign(client, nk["id"], kalsel.province, "2017-10-27")["status"] == "expired"

    def test_active_on_the_last_day_of_validity(self, client: TestClient, kalsel: Kalsel) -> None:
        nk = create_agreement(client, **nk_body(kalsel, valid_until=TODAY.isoformat()))
        finalize(client, nk["id"])
        sign(client, nk["id"], kalsel.ori, "2022-01-01")
        assert sign(client, nk["id"], kalsel.province, "2022-01-01")["status"] == "active"

    def test_signatures_without_dates_still_complete_the_agreement(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        finalize(client, nk["id"])
        sign(client, nk["id"], kalsel.ori, None)
        done = sign(client, nk["id"], kalsel.province, None)
        assert done["status"] == "active" and done["signed_on"] is None
        assert all(p["signed"] and p["signed_on"] is None for p in done["parties"])


class TestFinalizeAndReopen:
    def test_only_a_draft_is_finalized(self, client: TestClient, kalsel: Kalsel) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        finalize(client, nk["id"])
        assert_problem(client.post(f"{BASE}/{nk['id']}/finalize"), 409, "not-a-draft")

    def test_reopen_before_anyone_signs(self, client: TestClient, kalsel: Kalsel) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        finalize(client, nk["id"])
        reopened = client.post(f"{BASE}/{nk['id']}/reopen")
        assert reopened.status_code == 200 and reopened.json()["status"] == "draft"
        assert reopened.json()["finalized_at"] is None
        assert_problem(client.post(f"{BASE}/{nk['id']}/reopen"), 409, "cannot-reopen")

    def test_no_reopen_once_a_party_signed(self, client: TestClient, kalsel: Kalsel) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        finalize(client, nk["id"])
        sign(client, nk["id"], kalsel.ori, "2021-10-28")
        problem = assert_problem(client.post(f"{BASE}/{nk['id']}/reopen"), 409, "cannot-reopen")
        assert "signed" in problem["detail"]

    def test_unknown_agreement_is_404(self, client: TestClient) -> None:
        for action in ("finalize", "reopen"):
            assert_problem(client.post(f"{BASE}/999/{action}"), 404, "agreement-not-found")
        assert_problem(signature(client, 999, organization_id=1, signed_on=None), 404)


class TestSignatures:
    def test_a_draft_cannot_be_signed(self, client: TestClient, kalsel: Kalsel) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        response = signature(client, nk["id"], organization_id=kalsel.ori, signed_on="2021-10-28")
        assert_problem(response, 409, "not-open-for-signature")

    def test_signer_must_be_a_party(self, client: TestClient, kalsel: Kalsel) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        finalize(client, nk["id"])
        response = signature(
            client, nk["id"], organization_id=kalsel.kalteng, signed_on="2021-10-28"
        )
        problem = assert_problem(response, 422, "signer-not-a-party")
        assert problem["errors"][0]["loc"] == ["body", "organization_id"]

    def test_a_party_signs_once(self, client: TestClient, kalsel: Kalsel) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        finalize(client, nk["id"])
        sign(client, nk["id"], kalsel.ori, "2021-10-28")
        response = signature(client, nk["id"], organization_id=kalsel.ori, signed_on="2021-10-29")
        problem = assert_problem(response, 409, "already-signed")
        assert "Ombudsman Republik Indonesia" in problem["detail"]

    def test_signing_date_not_in_the_future(self, client: TestClient, kalsel: Kalsel) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        finalize(client, nk["id"])
        response = signature(client, nk["id"], organization_id=kalsel.ori, signed_on="2026-11-24")
        assert_problem(response, 422, "signature-in-future")
        assert sign(client, nk["id"], kalsel.ori, TODAY.isoformat())["status"] == "partially_signed"

    def test_signed_on_must_be_given_even_if_null(self, client: TestClient, kalsel: Kalsel) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        finalize(client, nk["id"])
        problem = assert_problem(signature(client, nk["id"], organization_id=kalsel.ori), 422)
        assert problem["errors"][0]["loc"] == ["body", "signed_on"]

    def test_pks_waits_for_its_nk_to_be_fully_signed(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        finalize(client, nk["id"])
        sign(client, nk["id"], kalsel.ori, "2021-10-28")
        pks = create_agreement(client, **pks_body(kalsel, nk["id"]))
        finalize(client, pks["id"])
        response = signature(
            client, pks["id"], organization_id=kalsel.office, signed_on="2022-07-04"
        )
        assert_problem(response, 409, "parent-not-signed")
        sign(client, nk["id"], kalsel.province, "2021-10-28")
        assert sign(client, pks["id"], kalsel.office, "2022-07-04")["status"] == "partially_signed"

    def test_pks_not_signed_before_its_nk(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        finalize(client, pks["id"])
        response = signature(
            client, pks["id"], organization_id=kalsel.office, signed_on="2021-10-27"
        )
        assert_problem(response, 422, "signed-before-parent")

    def test_signature_fills_in_number_and_signatory(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        finalize(client, pks["id"])
        body = signature(
            client,
            pks["id"],
            organization_id=kalsel.diskominfo,
            signed_on="2022-07-04",
            signatory_title="Kepala Dinas Komunikasi dan Informatika",
            document_number="045/PKS-DISKOMINFO/VII/2022",
        ).json()
        party = body["parties"][1]
        assert party["document_number"] == "045/PKS-DISKOMINFO/VII/2022"
        assert party["signatory_name"] == "Muhamad Muslim"
        assert party["signatory_title"] == "Kepala Dinas Komunikasi dan Informatika"
        assert body["warnings"] == []

    def test_number_month_unlike_signing_date_is_a_warning_not_a_refusal(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        finalize(client, nk["id"])
        body = sign(client, nk["id"], kalsel.ori, "2021-11-02")
        assert [w["code"] for w in body["warnings"]] == ["number_date_mismatch"]
        assert "30/ORI-MoU/X/2021" in body["warnings"][0]["message"]


class TestFrozenAfterFinalize:
    def test_title_parties_scope_and_validity_are_frozen(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = finalize(client, create_agreement(client, **nk_body(kalsel))["id"])
        url, version = f"{BASE}/{nk['id']}", nk["version"]
        changes: list[dict[str, Any]] = [
            {"title": "Judul lain"},
            {"valid_until": "2026-10-27"},
            {"scope_items": [{"title": "Pencegahan maladministrasi"}]},
            {"parties": [{"organization_id": kalsel.ori}, {"organization_id": kalsel.kalteng}]},
        ]
        for change in changes:
            problem = assert_problem(
                client.patch(url, json={"version": version, **change}), 409, "agreement-frozen"
            )
            assert next(iter(change)) in problem["fields"][0]
        assert client.get(url).json()["version"] == version

    def test_numbers_and_signatories_may_be_filled_in_until_that_party_signs(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        body = nk_body(kalsel)
        body["parties"][1]["document_number"] = None
        nk = finalize(client, create_agreement(client, **body)["id"])
        parties = [
            {"organization_id": kalsel.ori, "document_number": "30/ORI-MoU/X/2021"},
            {
                "organization_id": kalsel.province,
                "document_number": "053/NK-PEMOTDA/2021",
                "signatory_name": "Sahbirin Noor",
            },
        ]
        response = client.patch(
            f"{BASE}/{nk['id']}",
            json={
                "version": nk["version"],
                "parties": parties,
                "description": "Nota Kesepahaman 2021",
            },
        )
        assert response.status_code == 200, response.text
        updated = response.json()
        assert updated["parties"][1]["document_number"] == "053/NK-PEMOTDA/2021"
        assert updated["description"] == "Nota Kesepahaman 2021"
        signed = sign(client, nk["id"], kalsel.province, "2021-10-28")
        parties[1]["signatory_name"] = "Roy Rizali Anwar"
        response = client.patch(
            f"{BASE}/{nk['id']}", json={"version": signed["version"], "parties": parties}
        )
        assert_problem(response, 409, "agreement-frozen")

    def test_everything_changes_in_draft(self, client: TestClient, kalsel: Kalsel) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        response = client.patch(
            f"{BASE}/{nk['id']}",
            json={
                "version": nk["version"],
                "title": "Sinergi Peningkatan Kualitas Pelayanan Publik",
                "valid_from": "2026-01-28",
                "parties": [{"organization_id": kalsel.kalteng}, {"organization_id": kalsel.ori}],
                "scope_items": [{"title": "Pencegahan maladministrasi"}],
            },
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert [p["organization_id"] for p in body["parties"]] == [kalsel.kalteng, kalsel.ori]
        assert [s["title"] for s in body["scope_items"]] == ["Pencegahan maladministrasi"]
        assert body["version"] == nk["version"] + 1

    def test_draft_nk_change_cannot_strand_its_pks(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        create_agreement(client, **pks_body(kalsel, nk["id"], valid_until="2026-12-31"))
        too_short = {"version": nk["version"], "valid_until": "2026-06-30"}
        assert_problem(
            client.patch(f"{BASE}/{nk['id']}", json=too_short), 422, "pks-validity-outside-nk"
        )
        without_province = {
            "version": nk["version"],
            "parties": [{"organization_id": kalsel.ori}, {"organization_id": kalsel.kalteng}],
        }
        assert_problem(
            client.patch(f"{BASE}/{nk['id']}", json=without_province), 422, "pks-party-outside-nk"
        )
        assert client.get(f"{BASE}/{nk['id']}").json()["version"] == nk["version"]


class TestVersions:
    def test_a_stale_version_is_refused_with_the_current_one(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        url = f"{BASE}/{nk['id']}"
        first = client.patch(url, json={"version": nk["version"], "description": "Staf A"})
        assert first.status_code == 200
        second = client.patch(url, json={"version": nk["version"], "description": "Staf B"})
        problem = assert_problem(second, 409, "stale-version")
        assert problem["current_version"] == first.json()["version"]
        assert client.get(url).json()["description"] == "Staf A"

    def test_patch_needs_a_version_and_valid_fields(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        url = f"{BASE}/{nk['id']}"
        assert_problem(client.patch(url, json={"title": "X"}), 422)
        for body in (
            {"version": 1, "title": None},
            {"version": 1, "parties": None},
            {"version": 1, "kind": "pks"},
            {"version": "one"},
            {"version": 1, "valid_from": "soon"},
        ):
            assert_problem(client.patch(url, json=body), 422)
        assert_problem(client.patch(f"{BASE}/777", json={"version": 1}), 404)


def test_organization_is_a_party_through_the_whole_tree(client: TestClient, kalsel: Kalsel) -> None:
    lab = create_org(client, "UPT Laboratorium", "regional_agency", kalsel.dinkes)
    nk = create_agreement(client, **nk_body(kalsel))
    assert create_agreement(client, **pks_body(kalsel, nk["id"], agency=lab))["status"] == "draft"
