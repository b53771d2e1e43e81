"""The yearly evaluation (monev) of an agreement in force reminds its parties like an obligation."""

from typing import Any

from fastapi.testclient import TestClient

from tests.reminders.test_run import run
from tests.test_evaluations import evaluate


def test_the_evaluation_reminds_each_party_once_and_stops_when_recorded(
    client: TestClient, signed_nk: dict[str, Any], run_settings: dict[str, Any]
) -> None:
    def evaluation_points() -> list[tuple[int, str]]:
        items = client.get("/api/v1/reminders", params={"limit": 200}).json()["items"]
        return sorted(
            (r["organization_id"], r["point"])
            for r in items
            if r["deadline_type"] == "evaluation_due"
        )

    assert run(client, "2026-11-30")["created"] == 0  # 31 days before
    assert run(client, "2026-12-01")["created"] == 2  # both parties, the 30-day point
    assert run(client, "2026-12-01")["created"] == 0  # a second run adds nothing
    parties = sorted(p["organization_id"] for p in signed_nk["parties"])
    assert evaluation_points() == [(p, "before_30") for p in parties]
    assert run(client, "2027-01-07")["created"] == 2  # overdue a week: the year is not done
    assert evaluate(client, signed_nk["id"], period="2026").status_code == 201
    assert run(client, "2027-01-14")["created"] == 0  # recorded: nothing more
