"""A planned signing day that comes with a signature missing reminds the parties that have not
signed, each reminder once."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Connection

from tests.reminders.test_run import run


def test_the_kalteng_plan_reminds_kotawaringin_barat_once(
    seeded_connection: Connection, client: TestClient, run_settings: dict[str, Any]
) -> None:
    kobar = client.get("/api/v1/organizations", params={"q": "Kotawaringin Barat"}).json()
    kobar_id = kobar["items"][0]["id"]
    nk = client.get("/api/v1/agreements", params={"unsigned_by": kobar_id}).json()["items"][0]
    changed = client.patch(
        f"/api/v1/agreements/{nk['id']}",
        json={"version": nk["version"], "planned_signing_on": "2026-11-30"},
    )
    assert changed.status_code == 200, changed.text

    run(client, "2026-11-23")  # 7 days before
    run(client, "2026-11-23")  # the scheduler retried: nothing twice
    reminders = client.get("/api/v1/reminders", params={"limit": 200}).json()["items"]
    planned = [r for r in reminders if r["deadline_type"] == "planned_signing"]
    assert [(r["organization_id"], r["point"]) for r in planned] == [(kobar_id, "before_7")]
    assert planned[0]["agreement_id"] == nk["id"]
