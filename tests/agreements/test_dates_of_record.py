"""Dates of record: records entered after the fact keep their past (issue 19, item 10).

Staff register the 21 Kalsel PKS in 2026 although their drafts were finalised 15-27 June 2022;
"as of a day" reads the days staff give (drafted_on, finalized_on, signed_on), never when a row
was written."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from tests.conftest import TODAY
from tests.helpers import assert_problem, create_agreement, finalize, sign
from tests.world import Kalsel, pks_body

BASE = "/api/v1/agreements"


def _coverage(client: TestClient, nk_id: int, as_of: str) -> dict[str, Any]:
    response = client.get(f"{BASE}/{nk_id}/coverage", params={"as_of": as_of})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _patch(client: TestClient, agreement_id: int, **fields: Any) -> Any:
    version = client.get(f"{BASE}/{agreement_id}").json()["version"]
    return client.patch(f"{BASE}/{agreement_id}", json={"version": version, **fields})


class TestSeededKalselPast:
    @pytest.fixture
    def nk_id(self, client: TestClient, seeded_connection: Connection) -> int:
        found = client.get(BASE, params={"number": "053/NK-PEMOTDA/2021"}).json()
        return int(found["items"][0]["id"])

    def test_as_of_3_july_2022_the_21_pks_await_their_signatures(
        self, client: TestClient, nk_id: int
    ) -> None:
        coverage = _coverage(client, nk_id, "2022-07-03")
        assert coverage["nk_status"] == "active"
        assert coverage["counts"]["awaiting_signatures"] == 21

    def test_as_of_14_june_2022_no_pks_was_known(self, client: TestClient, nk_id: int) -> None:
        coverage = _coverage(client, nk_id, "2022-06-14")
        assert coverage["nk_status"] == "active"
        assert "awaiting_signatures" not in coverage["counts"]
        assert coverage["counts"]["none"] >= 21

    def test_between_drafting_and_finalisasi_they_are_drafts(
        self, client: TestClient, nk_id: int
    ) -> None:
        assert _coverage(client, nk_id, "2022-06-20")["counts"]["draft"] == 21
        assert _coverage(client, nk_id, "2022-07-04")["counts"]["active"] == 21

    def test_the_seeded_pks_carry_their_dates_of_record(
        self, client: TestClient, nk_id: int
    ) -> None:
        nk = client.get(f"{BASE}/{nk_id}").json()
        assert (nk["drafted_on"], nk["finalized_on"]) == ("2021-10-28", "2021-10-28")
        items = client.get(BASE, params={"parent_id": nk_id, "limit": 50}).json()["items"]
        assert {(a["drafted_on"], a["finalized_on"]) for a in items} == {
            ("2022-06-15", "2022-06-27")
        }


class TestGivenOnCreateAndFinalize:
    def test_a_pks_entered_after_the_fact_shows_in_its_past(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"], drafted_on="2022-06-15"))
        assert pks["drafted_on"] == "2022-06-15" and pks["finalized_on"] is None
        response = client.post(f"{BASE}/{pks['id']}/finalize", json={"finalized_on": "2022-06-27"})
        assert response.status_code == 200, response.text
        assert response.json()["finalized_on"] == "2022-06-27"
        assert response.json()["status"] == "awaiting_signatures"

        def status_on(day: str) -> str | None:
            coverage = _coverage(client, signed_nk["id"], day)
            agencies = [a for g in coverage["governments"] for a in g["agencies"]]
            found = next(a for a in agencies if a["organization_id"] == kalsel.diskominfo)
            return found["pks"]["status"] if found["pks"] else None

        assert status_on("2022-06-14") is None
        assert status_on("2022-06-26") == "draft"
        assert status_on("2022-07-03") == "awaiting_signatures"

    def test_defaults_are_today(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        assert pks["drafted_on"] == TODAY.isoformat()
        finalized = finalize(client, pks["id"])
        assert finalized["finalized_on"] == TODAY.isoformat()
        history = client.get(f"{BASE}/{pks['id']}/history").json()["items"]
        assert history[0]["action"] == "finalized"
        assert history[0]["details"] == {
            "finalized_on": TODAY.isoformat(),
            "final_text_sha256": finalized["final_text_sha256"],
        }

    @pytest.mark.parametrize(
        ("drafted_on", "finalized_on", "field"),
        [
            ("2026-11-24", None, "drafted_on"),  # tomorrow
            ("2022-06-15", "2026-11-24", "finalized_on"),  # finalised tomorrow
            ("2022-06-15", "2022-06-14", "drafted_on"),  # finalised before it was drafted
        ],
    )
    def test_dates_out_of_order_are_refused(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        drafted_on: str,
        finalized_on: str | None,
        field: str,
    ) -> None:
        response = client.post(BASE, json=pks_body(kalsel, signed_nk["id"], drafted_on=drafted_on))
        if finalized_on is None:
            body = assert_problem(response, 422, "dates-of-record-order")
        else:
            assert response.status_code == 201, response.text
            pks_id = response.json()["id"]
            body = assert_problem(
                client.post(f"{BASE}/{pks_id}/finalize", json={"finalized_on": finalized_on}),
                422,
                "dates-of-record-order",
            )
            assert client.get(f"{BASE}/{pks_id}").json()["status"] == "draft"
        assert [e["loc"][-1] for e in body["errors"]] == [field]

    def test_a_signature_before_the_recorded_finalisasi_moves_it_back(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        finalize(client, pks["id"])  # today, by default: the record is entered late
        signed = sign(client, pks["id"], kalsel.office, "2022-07-04")
        assert (signed["drafted_on"], signed["finalized_on"]) == ("2022-07-04", "2022-07-04")
        event = client.get(f"{BASE}/{pks['id']}/history").json()["items"][0]
        assert event["details"]["dates_of_record_moved"] == {
            "drafted_on": {"old": TODAY.isoformat(), "new": "2022-07-04"},
            "finalized_on": {"old": TODAY.isoformat(), "new": "2022-07-04"},
        }

    def test_reopening_forgets_the_day_of_finalisasi(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        finalize(client, pks["id"])
        reopened = client.post(f"{BASE}/{pks['id']}/reopen")
        assert reopened.status_code == 200, reopened.text
        assert reopened.json()["finalized_on"] is None


class TestCorrectedByPatch:
    def test_a_correction_is_kept_in_the_history_and_changes_the_past(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        finalize(client, pks["id"])
        assert (
            "awaiting_signatures" not in _coverage(client, signed_nk["id"], "2022-07-03")["counts"]
        )
        response = _patch(client, pks["id"], drafted_on="2022-06-15", finalized_on="2022-06-27")
        assert response.status_code == 200, response.text
        assert (response.json()["drafted_on"], response.json()["finalized_on"]) == (
            "2022-06-15",
            "2022-06-27",
        )
        assert (
            _coverage(client, signed_nk["id"], "2022-07-03")["counts"]["awaiting_signatures"] == 1
        )
        event = client.get(f"{BASE}/{pks['id']}/history").json()["items"][0]
        assert event["details"]["changes"]["finalized_on"] == {
            "old": TODAY.isoformat(),
            "new": "2022-06-27",
        }

    def test_a_signed_agreement_may_be_corrected_but_not_past_its_first_signature(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        nk_id = signed_nk["id"]
        assert _patch(client, nk_id, drafted_on="2021-09-01").status_code == 200
        body = assert_problem(
            _patch(client, nk_id, finalized_on="2021-10-29"), 422, "dates-of-record-order"
        )
        assert "first signature (2021-10-28)" in body["detail"]

    def test_a_draft_has_no_day_of_finalisasi_to_correct(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        assert_problem(
            _patch(client, pks["id"], finalized_on="2022-06-27"), 409, "not-finalized-yet"
        )

    def test_null_is_not_a_date_of_record(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        assert_problem(_patch(client, signed_nk["id"], drafted_on=None), 422)
