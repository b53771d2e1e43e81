"""The run's day: never ahead of today, a dry run to look ahead, as_of in the query or the body;
and a renewed agreement's old expiry neither appears nor reminds."""

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import TODAY
from tests.helpers import assert_problem, create_agreement, create_obligation, sign_all
from tests.reminders.conftest import TOKEN
from tests.world import Kalsel, nk_body

RUN = "/api/v1/reminders/run"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def reminders_total(client: TestClient) -> int:
    return int(client.get("/api/v1/reminders").json()["total"])


class TestFutureDay:
    def test_a_run_for_a_later_day_is_refused_and_records_nothing(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
    ) -> None:
        create_obligation(client, signed_nk["id"], kalsel.ori, "2026-12-31")
        response = client.post(RUN, json={"as_of": "2030-01-01"}, headers=AUTH)
        body = assert_problem(response, 422, "reminder-run-in-future")
        assert body["errors"][0]["loc"] == ["body", "as_of"]
        assert "dry_run" in body["detail"]
        assert reminders_total(client) == 0

    def test_as_of_in_the_query_is_honoured_not_ignored(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
    ) -> None:
        assert_problem(client.post(RUN, params={"as_of": "2030-01-01"}, headers=AUTH), 422)
        create_obligation(client, signed_nk["id"], kalsel.ori, "2026-11-24")
        result = client.post(RUN, params={"as_of": "2026-11-23"}, headers=AUTH).json()
        assert (result["as_of"], result["created"]) == ("2026-11-23", 1)

    def test_an_unknown_query_parameter_is_refused(
        self, client: TestClient, run_settings: dict[str, Any]
    ) -> None:
        body = assert_problem(client.post(RUN, params={"asof": "2026-11-23"}, headers=AUTH), 422)
        assert body["errors"][0]["loc"] == ["query", "asof"]

    def test_the_same_day_twice_with_different_values_is_refused(
        self, client: TestClient, run_settings: dict[str, Any]
    ) -> None:
        response = client.post(
            RUN, params={"as_of": "2026-11-22"}, json={"as_of": "2026-11-23"}, headers=AUTH
        )
        assert_problem(response, 422, "as-of-twice")


class TestDryRun:
    def test_a_dry_run_of_a_later_day_says_what_would_be_sent_and_changes_nothing(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
    ) -> None:
        create_obligation(client, signed_nk["id"], kalsel.ori, "2027-01-31", "Laporan tahunan")
        run_settings["EVALUATIONS_FROM_YEAR"] = 2100  # the NK's monev: tests/test_evaluations.py
        response = client.post(RUN, json={"as_of": "2027-01-01", "dry_run": True}, headers=AUTH)
        assert response.status_code == 200, response.text
        result = response.json()
        assert result["dry_run"] is True
        assert (result["would_create"], result["created"]) == (1, 0)
        [planned] = result["planned"]
        assert (planned["point"], planned["due_on"], planned["channels"]) == (
            "before_30",
            "2027-01-31",
            [],
        )
        assert planned["organization_name"] == "Ombudsman Republik Indonesia"
        assert reminders_total(client) == 0

    def test_a_dry_run_leaves_out_what_is_already_recorded(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
    ) -> None:
        create_obligation(client, signed_nk["id"], kalsel.ori, "2026-11-24")
        client.post(RUN, json={}, headers=AUTH)
        again = client.post(RUN, params={"dry_run": "true"}, headers=AUTH).json()
        assert (again["would_create"], again["planned"]) == (0, [])
        assert reminders_total(client) == 1

    def test_a_planned_expiry_says_it_has_no_obligation_as_the_document_does(
        self,
        client: TestClient,
        kalsel: Kalsel,
        run_settings: dict[str, Any],
    ) -> None:
        # Every field the document requires is sent, null included (the document's
        # PlannedReminder requires obligation_id; an expiry has none).
        run_settings["EVALUATIONS_FROM_YEAR"] = 2100
        valid_until = date(2027, 3, 31)
        nk = create_agreement(
            client, **nk_body(kalsel, valid_from="2021-10-28", valid_until=str(valid_until))
        )
        sign_all(client, nk, "2021-10-28")
        day = (valid_until - timedelta(days=30)).isoformat()
        result = client.post(RUN, json={"as_of": day, "dry_run": True}, headers=AUTH).json()
        expiries = [p for p in result["planned"] if p["deadline_type"] == "agreement_expiry"]
        assert expiries, result
        assert all(p["obligation_id"] is None for p in expiries)
        done = client.post(RUN, json={}, headers=AUTH).json()
        assert done["planned"] is None and done["would_create"] is None


def test_the_cli_refuses_a_later_day_and_offers_a_dry_run(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    env.pop("TEST_DATABASE_URL", None)
    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    refused = subprocess.run(
        [sys.executable, "-m", "app", "remind", "--as-of", "2999-01-01"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2
    assert "after today" in refused.stderr and "dry_run" in refused.stderr
    preview = subprocess.run(
        [sys.executable, "-m", "app", "remind", "--as-of", "2999-01-01", "--dry-run"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "dry run 2999-01-01: 0 would be recorded" in preview.stdout


class TestRenewalSilencesTheOldOne:
    def renewed(self, client: TestClient, kalsel: Kalsel) -> tuple[int, int]:
        old = create_agreement(client, **nk_body(kalsel, valid_until="2026-12-10"))
        sign_all(client, old, "2021-10-28")
        new = client.post(
            f"/api/v1/agreements/{old['id']}/renew",
            json={"valid_from": "2026-11-01", "valid_until": "2031-10-31"},
        ).json()
        sign_all(client, new, "2026-10-20")
        return old["id"], new["id"]

    def test_the_superseded_expiry_is_not_a_deadline(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        old, _new = self.renewed(client, kalsel)
        assert client.get(f"/api/v1/agreements/{old}").json()["status"] == "superseded"
        deadlines = client.get("/api/v1/deadlines").json()["items"]
        assert [d for d in deadlines if d["agreement"]["id"] == old] == []

    def test_the_superseded_expiry_sends_no_reminder(
        self, client: TestClient, kalsel: Kalsel, run_settings: dict[str, Any]
    ) -> None:
        old, _new = self.renewed(client, kalsel)
        result = client.post(RUN, json={"as_of": TODAY.isoformat()}, headers=AUTH).json()
        assert result["created"] == 0
        assert client.get("/api/v1/reminders", params={"agreement_id": old}).json()["total"] == 0

    def test_without_the_renewal_the_same_expiry_reminds(
        self, client: TestClient, kalsel: Kalsel, run_settings: dict[str, Any]
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel, valid_until="2026-12-10"))
        sign_all(client, nk, "2021-10-28")
        result = client.post(RUN, json={"as_of": TODAY.isoformat()}, headers=AUTH).json()
        assert result["created"] == 2  # each party of the NK
