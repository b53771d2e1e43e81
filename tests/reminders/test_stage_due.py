"""An overrun stage (tahap) is a deadline like the others: listed, and reminding each party
exactly once however often the run goes; a warning two days before."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from icalendar import Calendar

from tests.conftest import TODAY
from tests.helpers import create_agreement
from tests.reminders.test_run import run
from tests.stages.test_router import BASE, start
from tests.world import Kalsel, nk_body


class TestOverrunStage:
    def test_reminds_each_party_exactly_once(
        self, client: TestClient, kalsel: Kalsel, run_settings: dict[str, Any]
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        start(client, nk["id"], "2026-10-01")  # 30 days for an NK: due 31 October
        state = client.get(f"{BASE}/{nk['id']}/stage").json()
        assert state["due_on"] == "2026-10-31" and state["timing"] == "overdue"
        assert state["days_left"] == -23

        deadlines = client.get("/api/v1/deadlines", params={"type": "stage_due"}).json()
        assert [(d["agreement"]["id"], d["due_on"], d["overdue"]) for d in deadlines["items"]] == [
            (nk["id"], "2026-10-31", True)
        ]
        assert deadlines["items"][0]["title"].startswith("Batas waktu tahap Penjajakan NK")

        first = run(client, TODAY.isoformat())
        second = run(client, TODAY.isoformat())  # the scheduler retried: nothing twice
        assert first["created"] == 2 and second["created"] == 0
        reminders = client.get("/api/v1/reminders", params={"limit": 200}).json()["items"]
        stage_reminders = [r for r in reminders if r["deadline_type"] == "stage_due"]
        assert sorted(r["organization_id"] for r in stage_reminders) == sorted(
            [kalsel.ori, kalsel.province]
        )
        assert {r["point"] for r in stage_reminders} == {"overdue_21"}

    def test_warns_two_days_before(
        self, client: TestClient, kalsel: Kalsel, run_settings: dict[str, Any]
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        start(client, nk["id"], "2026-10-27")  # due 26 November: 3 days left
        assert client.get(f"{BASE}/{nk['id']}/stage").json()["timing"] == "on_time"
        assert run(client, TODAY.isoformat())["created"] == 0
        assert run(client, "2026-11-24")["created"] == 2
        reminders = client.get("/api/v1/reminders", params={"limit": 200}).json()["items"]
        assert {r["point"] for r in reminders if r["deadline_type"] == "stage_due"} == {"before_2"}


def test_the_list_and_the_calendar_carry_the_stage_warning(
    client: TestClient, kalsel: Kalsel
) -> None:
    """A stage's time limit warns warn_days_before (2) days before, in the API and as the
    calendar's alarm, not at the usual 30, 7 and 1 days."""
    nk = create_agreement(client, **nk_body(kalsel))
    start(client, nk["id"], "2026-10-27")  # due 26 November
    found = client.get("/api/v1/deadlines", params={"type": "stage_due"}).json()["items"]
    assert [(d["key"], d["days_before"]) for d in found] == [
        (f"stage:{nk['id']}:penjajakan:2026-11-26", [2])
    ]
    feed = Calendar.from_ical(client.get("/api/v1/calendar.ics").content)
    event = next(e for e in feed.walk("VEVENT") if str(e["uid"]).startswith("stage:"))
    triggers = sorted(a.decoded("trigger") for a in event.walk("VALARM"))
    assert triggers == [timedelta(hours=8) - timedelta(days=2), timedelta(hours=8)]
