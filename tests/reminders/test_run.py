"""The daily reminder run: each reminder exactly once, none lost, delivered through an outbox."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.deps import get_now, get_today
from app.main import app
from app.reminders import service as reminders_service
from tests.conftest import TODAY
from tests.helpers import assert_problem, create_agreement, create_obligation, patch_org
from tests.reminders.conftest import TOKEN, Receiver
from tests.world import Kalsel, nk_body

RUN = "/api/v1/reminders/run"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def run(client: TestClient, as_of: str) -> dict[str, Any]:
    """The scheduler's run on that day (the registry's today is that day while it runs)."""
    day = date.fromisoformat(as_of)
    app.dependency_overrides[get_today] = lambda: day
    try:
        response = client.post(RUN, json={"as_of": as_of}, headers=AUTH)
    finally:
        app.dependency_overrides[get_today] = lambda: TODAY
    assert response.status_code == 200, response.text
    return dict(response.json())


def points(client: TestClient, **params: Any) -> list[str]:
    items = client.get("/api/v1/reminders", params={"limit": 200, **params}).json()["items"]
    return sorted(r["point"] for r in items)


class TestToken:
    def test_wrong_or_missing_token_is_401_and_does_nothing(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
    ) -> None:
        create_obligation(client, signed_nk["id"], kalsel.ori, "2026-11-23")
        for headers in ({}, {"Authorization": "Bearer salah"}, {"Authorization": "Basic x"}):
            assert_problem(client.post(RUN, json={}, headers=headers), 401, "unauthorized")
        run_settings["SCHEDULER_TOKEN"] = None
        assert_problem(client.post(RUN, json={}, headers=AUTH), 401)
        assert client.get("/api/v1/reminders").json()["total"] == 0


class TestPoints:
    def test_each_point_once_and_missed_points_caught_up_once(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
    ) -> None:
        create_obligation(client, signed_nk["id"], kalsel.ori, "2026-12-31")
        # One obligation's points; the NK's own yearly monev (also due 31 December) has its own
        # test (tests/test_evaluations.py).
        run_settings["EVALUATIONS_FROM_YEAR"] = 2100
        expected = [
            ("2026-11-30", "before_30"),  # 31 days before: nothing yet
            ("2026-12-01", "before_30"),
            ("2026-12-20", "before_30"),  # still the 30-day point
            ("2026-12-26", "before_7"),  # the scheduler missed 24 December: caught up on the 26th
            ("2026-12-30", "before_1"),
            ("2026-12-31", "due"),
            ("2027-01-03", "due"),
            ("2027-01-07", "overdue_7"),
            ("2027-01-21", "overdue_21"),  # missed the 14-day point: the latest one only
        ]
        assert run(client, "2026-11-30")["created"] == 0
        seen: list[str] = []
        for day, point in expected[1:]:
            result = run(client, day)
            if point not in seen:
                assert result["created"] == 1, (day, result)
                seen.append(point)
            else:
                assert result["created"] == 0, (day, result)
            assert run(client, day)["created"] == 0  # a second run the same day adds nothing
        assert points(client) == sorted(seen)

    def test_done_obligations_and_ended_agreements_stop_reminding(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
    ) -> None:
        done = create_obligation(client, signed_nk["id"], kalsel.ori, "2026-11-30", "Selesai")
        client.post(f"/api/v1/obligations/{done}/complete", json={"completed_on": "2026-11-20"})
        create_obligation(client, signed_nk["id"], kalsel.province, "2026-11-30", "Masih terbuka")
        assert run(client, "2026-11-23")["created"] == 1
        client.post(
            f"/api/v1/agreements/{signed_nk['id']}/terminate",
            json={"terminated_on": "2026-11-23", "reason": "Berakhir"},
        )
        assert run(client, "2026-11-29")["created"] == 0

    def test_agreement_expiry_reminds_every_party(
        self, client: TestClient, kalsel: Kalsel, run_settings: dict[str, Any]
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel, valid_until="2026-12-20"))
        client.post(f"/api/v1/agreements/{nk['id']}/finalize")
        for org in (kalsel.ori, kalsel.province):
            client.post(
                f"/api/v1/agreements/{nk['id']}/signatures",
                json={"organization_id": org, "signed_on": "2021-10-28"},
            )
        result = run(client, "2026-11-23")
        assert result["created"] == 2 and result["undeliverable"] == 2
        reminders = client.get("/api/v1/reminders").json()["items"]
        assert {r["organization_id"] for r in reminders} == {kalsel.ori, kalsel.province}
        assert {r["deadline_type"] for r in reminders} == {"agreement_expiry"}
        assert all(
            r["status"] == "undeliverable" and "no channel" in r["last_error"] for r in reminders
        )
        mine = client.get("/api/v1/reminders", params={"organization_id": kalsel.ori}).json()
        assert [r["organization_id"] for r in mine["items"]] == [kalsel.ori]
        assert (
            client.get("/api/v1/reminders", params={"agreement_id": nk["id"]}).json()["total"] == 2
        )
        assert client.get("/api/v1/reminders", params={"agreement_id": 999}).json()["total"] == 0
        assert client.get("/api/v1/reminders", params={"status": "delivered"}).json()["total"] == 0

    def test_email_is_not_attempted_without_an_smtp_host(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
        smtp: tuple[Any, int],
    ) -> None:
        inbox, _port = smtp
        patch_org(client, kalsel.dinkes, email="dinkes@kalselprov.go.id")
        create_obligation(client, signed_nk["id"], kalsel.dinkes, "2026-11-24")
        result = run(client, "2026-11-23")
        assert (result["delivered"], result["undeliverable"]) == (0, 1)
        assert inbox.messages == []


class TestDelivery:
    def test_webhook_gets_exactly_one_post_per_reminder(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
        receiver: Receiver,
    ) -> None:
        patch_org(client, kalsel.dinkes, webhook_url=receiver.url)
        ids = [
            create_obligation(client, signed_nk["id"], kalsel.dinkes, due, f"Laporan {due}")
            for due in ("2026-11-24", "2026-11-30", "2026-12-20")
        ]
        result = run(client, "2026-11-23")
        assert (result["created"], result["delivered"], result["failed"]) == (3, 3, 0)
        assert run(client, "2026-11-23")["delivered"] == 0
        assert len(receiver.requests) == 3
        keys = {r["headers"]["Idempotency-Key"] for r in receiver.requests}
        assert len(keys) == 3
        payload = receiver.requests[0]["json"]
        assert payload["organization"]["name"] == "Dinas Kesehatan"
        assert {r["json"]["obligation_id"] for r in receiver.requests} == set(ids)
        statuses = {r["status"] for r in client.get("/api/v1/reminders").json()["items"]}
        assert statuses == {"delivered"}

    def test_a_run_takes_as_many_statements_for_thirty_reminders_as_for_three(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
        receiver: Receiver,
        count_statements: Callable[[], Any],
    ) -> None:
        """Recording, claiming and writing outcomes are a statement each, whatever the number
        of reminders (issue 22: thousands a day nationwide); a day with nothing new records and
        sends nothing."""
        patch_org(client, kalsel.dinkes, webhook_url=receiver.url)
        counts = []
        for many in (3, 30):
            for n in range(many):
                create_obligation(client, signed_nk["id"], kalsel.dinkes, "2026-11-30", f"L {n}")
            with count_statements() as statements:
                result = run(client, "2026-11-23")
            assert (result["created"], result["delivered"]) == (many, many)
            counts.append(len(statements))
        assert counts[0] == counts[1]
        with count_statements() as statements:
            assert run(client, "2026-11-23")["created"] == 0
        assert len(statements) < counts[0]
        assert len(receiver.requests) == 33

    def test_a_failing_receiver_gets_it_again_next_run_and_then_never(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
        receiver: Receiver,
    ) -> None:
        patch_org(client, kalsel.dinkes, webhook_url=receiver.url)
        create_obligation(client, signed_nk["id"], kalsel.dinkes, "2026-11-24")
        receiver.failures = 1
        moment = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
        app.dependency_overrides[get_now] = lambda: moment
        first = run(client, "2026-11-23")
        assert (first["created"], first["delivered"], first["failed"]) == (1, 0, 1)
        failed = client.get("/api/v1/reminders", params={"status": "failed"}).json()["items"][0]
        assert failed["attempts"] == 1 and "HTTP 500" in failed["last_error"]
        # Before the back-off has passed, nothing is sent.
        assert run(client, "2026-11-23")["failed"] == 0 and len(receiver.requests) == 1
        app.dependency_overrides[get_now] = lambda: moment + timedelta(hours=1)
        second = run(client, "2026-11-23")
        assert (second["delivered"], second["failed"]) == (1, 0)
        app.dependency_overrides[get_now] = lambda: moment + timedelta(days=2)
        assert run(client, "2026-11-23")["delivered"] == 0
        assert [r["failed"] for r in receiver.requests] == [True, False]
        assert len({r["headers"]["Idempotency-Key"] for r in receiver.requests}) == 1

    def test_an_undeliverable_reminder_waits_for_a_channel_not_for_every_run(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
        receiver: Receiver,
    ) -> None:
        create_obligation(client, signed_nk["id"], kalsel.dinkes, "2026-11-24")
        moment = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
        app.dependency_overrides[get_now] = lambda: moment
        assert run(client, "2026-11-23")["undeliverable"] == 1
        # Days later, with still no channel, the run does not take it again.
        app.dependency_overrides[get_now] = lambda: moment + timedelta(days=3)
        assert run(client, "2026-11-23")["undeliverable"] == 0
        # Once Dinkes has a webhook, the next run delivers it.
        patch_org(client, kalsel.dinkes, webhook_url=receiver.url)
        delivered = run(client, "2026-11-23")
        assert (delivered["delivered"], delivered["undeliverable"]) == (1, 0)
        assert len(receiver.requests) == 1

    def test_one_run_delivers_more_than_a_round_so_newer_reminders_are_not_starved(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
        receiver: Receiver,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(reminders_service, "CLAIM_LIMIT", 2)
        patch_org(client, kalsel.dinkes, webhook_url=receiver.url)
        for day in range(24, 29):
            create_obligation(client, signed_nk["id"], kalsel.dinkes, f"2026-11-{day}")
        result = run(client, "2026-11-23")
        assert (result["created"], result["delivered"]) == (5, 5)
        assert len(receiver.requests) == 5

    def test_one_email_digest_per_organization(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
        smtp: tuple[Any, int],
    ) -> None:
        inbox, port = smtp
        run_settings.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        patch_org(client, kalsel.dinkes, email="dinkes@kalselprov.go.id")
        for due in ("2026-11-24", "2026-11-30", "2026-12-20"):
            create_obligation(client, signed_nk["id"], kalsel.dinkes, due, f"Laporan {due}")
        result = run(client, "2026-11-23")
        assert (result["created"], result["delivered"]) == (3, 3)
        assert len(inbox.messages) == 1
        message = message_from_bytes(inbox.messages[0].content)
        assert inbox.messages[0].rcpt_tos == ["dinkes@kalselprov.go.id"]
        payload = message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        text = payload.decode()
        assert all(f"Laporan {due}" in text for due in ("2026-11-24", "2026-11-30", "2026-12-20"))
        assert run(client, "2026-11-24")["delivered"] == 1  # the day-of point: one more digest
        assert len(inbox.messages) == 2


def test_cli_runs_the_same_reminders(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    bin_dir = Path(sys.executable).parent
    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [str(bin_dir / "alembic"), "upgrade", "head"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    out = subprocess.run(
        [str(bin_dir / "registry"), "remind", "--as-of", "2026-11-23"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "reminders 2026-11-23: 0 created, 0 delivered, 0 failed, 0 undeliverable" in out
    assert date(2026, 11, 23)


class TestAtLeastOnce:
    """Recorded exactly once, delivered at least once: a run that dies after sending and before
    recording leaves its claim to run out, and the next run after it sends again with the same
    Idempotency-Key (receivers drop what they already took)."""

    def test_a_run_killed_between_sending_and_recording_is_sent_again_with_the_same_key(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
        receiver: Receiver,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        patch_org(client, kalsel.dinkes, webhook_url=receiver.url)
        for due in ("2026-11-24", "2026-11-30"):
            create_obligation(client, signed_nk["id"], kalsel.dinkes, due, f"Laporan {due}")
        moment = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
        app.dependency_overrides[get_now] = lambda: moment

        def killed(*_args: Any) -> None:
            raise RuntimeError("kill -9 between delivery and recording")

        with monkeypatch.context() as patched:
            patched.setattr(reminders_service, "record_outcomes", killed)
            with pytest.raises(RuntimeError):
                client.post(RUN, json={}, headers=AUTH)
        first_keys = sorted(r["headers"]["Idempotency-Key"] for r in receiver.requests)
        assert len(first_keys) == 2
        # Recorded once, and not marked delivered: nothing of the outcome was written.
        items = client.get("/api/v1/reminders").json()["items"]
        assert sorted(r["status"] for r in items) == ["pending", "pending"]

        # While the dead run's claim lasts (REMINDER_CLAIM_SECONDS), no run sends them.
        app.dependency_overrides[get_now] = lambda: moment + timedelta(minutes=5)
        assert run(client, "2026-11-23")["delivered"] == 0
        assert len(receiver.requests) == 2

        # After it, the next run sends them again, with the same keys, and records them.
        app.dependency_overrides[get_now] = lambda: moment + timedelta(minutes=11)
        again = run(client, "2026-11-23")
        assert (again["created"], again["delivered"]) == (0, 2)
        resent = sorted(r["headers"]["Idempotency-Key"] for r in receiver.requests[2:])
        assert resent == first_keys
        app.dependency_overrides[get_now] = lambda: moment + timedelta(days=1)
        assert run(client, "2026-11-23")["delivered"] == 0
        assert len(receiver.requests) == 4
        items = client.get("/api/v1/reminders").json()["items"]
        assert {r["status"] for r in items} == {"delivered"}
