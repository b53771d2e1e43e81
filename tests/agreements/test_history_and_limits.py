"""History records every change; one limit per field; coverage answers as of a past day."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.schemas import TITLE_MAX
from tests.conftest import TODAY
from tests.helpers import assert_problem, create_agreement, create_org, finalize
from tests.world import Kalsel, nk_body, pks_body

BASE = "/api/v1/agreements"


def last_event(client: TestClient, agreement_id: int) -> dict[str, Any]:
    return dict(client.get(f"{BASE}/{agreement_id}/history").json()["items"][0])


class TestHistory:
    def test_a_party_number_filled_in_after_finalisasi_is_recorded(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = create_agreement(
            client,
            **nk_body(
                kalsel,
                parties=[{"organization_id": kalsel.ori}, {"organization_id": kalsel.province}],
            ),
        )
        nk = finalize(client, nk["id"])
        response = client.patch(
            f"{BASE}/{nk['id']}",
            json={
                "version": nk["version"],
                "parties": [
                    {"organization_id": kalsel.ori, "document_number": "30/ORI-MoU/X/2021"},
                    {"organization_id": kalsel.province, "signatory_name": "Sahbirin Noor"},
                ],
            },
        )
        assert response.status_code == 200, response.text
        changes = last_event(client, nk["id"])["details"]["changes"]
        assert changes["parties"]["changed"] == {
            str(kalsel.ori): {"document_number": {"old": None, "new": "30/ORI-MoU/X/2021"}},
            str(kalsel.province): {"signatory_name": {"old": None, "new": "Sahbirin Noor"}},
        }

    def test_parties_added_and_removed_are_recorded(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        client.patch(
            f"{BASE}/{nk['id']}",
            json={
                "version": nk["version"],
                "parties": [
                    {"organization_id": kalsel.ori},
                    {"organization_id": kalsel.kalteng},
                ],
            },
        )
        parties = last_event(client, nk["id"])["details"]["changes"]["parties"]
        assert parties["added"] == [kalsel.kalteng]
        assert parties["removed"] == [kalsel.province]

    def test_creation_records_each_party_with_its_number(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        created = last_event(client, nk["id"])["details"]
        assert [p["document_number"] for p in created["parties"]] == [
            "30/ORI-MoU/X/2021",
            "053/NK-PEMOTDA/2021",
        ]


class TestLimits:
    def test_a_title_of_the_documented_length_is_kept_and_one_more_is_refused(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        schema = client.get("/openapi.json").json()["components"]["schemas"]
        assert schema["AgreementCreate"]["properties"]["title"]["maxLength"] == TITLE_MAX
        kept = create_agreement(client, **nk_body(kalsel, title="T" * TITLE_MAX))
        assert len(kept["title"]) == TITLE_MAX
        too_long = client.post(BASE, json=nk_body(kalsel, title="T" * (TITLE_MAX + 1)))
        body = assert_problem(too_long, 422)
        assert body["errors"][0]["loc"] == ["body", "title"]

    def test_derive_refuses_titles_that_grow_past_the_limit_naming_each_organization(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        long_name = "Dinas " + "Panjang " * 30
        agency = create_org(client, long_name.strip(), "regional_agency", kalsel.province)
        template = "P" * 300 + " {organization}"
        response = client.post(
            f"{BASE}/{signed_nk['id']}/derive",
            json={
                "counterpart_organization_id": kalsel.office,
                "organization_ids": [kalsel.dinkes, agency],
                "title": template,
            },
        )
        body = assert_problem(response, 422, "derive-refused")
        assert [e["loc"] for e in body["errors"]] == [["body", "organization_ids", 1]]
        assert "Dinas Panjang" in body["errors"][0]["msg"] and "500" in body["errors"][0]["msg"]
        assert (
            client.get(BASE, params={"parent_id": signed_nk["id"], "count": "true"}).json()["total"]
            == 0
        )

    def test_a_version_beyond_32_bits_or_not_an_integer_is_refused(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        for version in (2147483648, 2**63, 1.5, "1", True):
            response = client.patch(f"{BASE}/{nk['id']}", json={"version": version})
            body = assert_problem(response, 422, "validation-error")
            assert body["errors"][0]["loc"] == ["body", "version"], version
        # 1.0 is the integer 1 in JSON Schema (what the document promises), so it is taken.
        taken = client.patch(f"{BASE}/{nk['id']}", json={"version": 1.0, "description": "x"})
        assert taken.status_code == 200, taken.text

    def test_an_id_in_a_body_is_a_json_integer(self, client: TestClient, kalsel: Kalsel) -> None:
        body = nk_body(kalsel)
        body["parties"][0]["organization_id"] = kalsel.ori + 0.5
        assert_problem(client.post(BASE, json=body), 422, "validation-error")
        body["parties"][0]["organization_id"] = float(kalsel.ori)  # an integer, written 5.0
        assert client.post(BASE, json=body).status_code == 201


class TestCoverageAsOf:
    def seeded_nk(self, client: TestClient, session: Session) -> int:
        found = client.get(BASE, params={"number": "053/NK-PEMOTDA/2021"}).json()
        return int(found["items"][0]["id"])

    @pytest.mark.usefixtures("seeded_connection")  # the seeded real cases (tests/conftest.py)
    def test_the_day_before_the_ceremony_the_21_kalsel_pks_awaited_signatures(
        self, client: TestClient, session: Session
    ) -> None:
        nk_id = self.seeded_nk(client, session)
        coverage = client.get(f"{BASE}/{nk_id}/coverage", params={"as_of": "2022-07-03"}).json()
        assert coverage["nk_status"] == "active"
        agencies = [a for g in coverage["governments"] for a in g["agencies"]]
        held = [a["pks"] for a in agencies if a["pks"] is not None]
        assert len(held) == 21
        assert {(p["status"], p["signed_on"]) for p in held} == {("awaiting_signatures", None)}
        assert coverage["counts"] == {
            "awaiting_signatures": 21,
            "none": len(agencies) - 21,
            "overdue": 0,
        }

    @pytest.mark.usefixtures("seeded_connection")  # the seeded real cases (tests/conftest.py)
    def test_on_the_day_of_the_ceremony_all_21_were_signed(
        self, client: TestClient, session: Session
    ) -> None:
        nk_id = self.seeded_nk(client, session)
        coverage = client.get(f"{BASE}/{nk_id}/coverage", params={"as_of": "2022-07-04"}).json()
        assert coverage["counts"]["active"] == 21
        signed = {
            a["pks"]["signed_on"]
            for g in coverage["governments"]
            for a in g["agencies"]
            if a["pks"]
        }
        assert signed == {"2022-07-04"}

    def test_a_signature_dated_after_as_of_does_not_count(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        finalize(client, pks["id"])
        client.post(
            f"{BASE}/{pks['id']}/signatures",
            json={"organization_id": kalsel.office, "signed_on": "2022-07-04"},
        )
        client.post(
            f"{BASE}/{pks['id']}/signatures",
            json={"organization_id": kalsel.diskominfo, "signed_on": "2022-07-08"},
        )

        def status_on(day: str) -> Any:
            coverage = client.get(
                f"{BASE}/{signed_nk['id']}/coverage", params={"as_of": day}
            ).json()
            agency = next(
                a
                for g in coverage["governments"]
                for a in g["agencies"]
                if a["organization_id"] == kalsel.diskominfo
            )
            return agency["pks"] and agency["pks"]["status"]

        assert status_on("2022-07-03") is None  # registered later, no signature yet: unknown
        assert status_on("2022-07-05") == "partially_signed"
        assert status_on("2022-07-08") == "active"
        assert status_on(TODAY.isoformat()) == "active"
