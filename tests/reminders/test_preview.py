"""Staff preview what a day's reminder run would send, for the organizations they may see,
with any API key (no scheduler token); nothing is recorded."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.deps import get_now
from app.core.types import utcnow
from app.main import app
from tests.conftest import key_for
from tests.helpers import assert_problem, create_obligation, patch_org
from tests.reminders.conftest import TOKEN
from tests.world import Kalsel

PREVIEW = "/api/v1/reminders/preview"


def reminders_total(client: TestClient) -> int:
    return int(client.get("/api/v1/reminders").json()["total"])


class TestPreview:
    def setup_deadlines(
        self, client: TestClient, kalsel: Kalsel, nk: dict[str, Any], run_settings: dict[str, Any]
    ) -> None:
        run_settings["EVALUATIONS_FROM_YEAR"] = 2100  # the NK's monev: tests/test_evaluations.py
        patch_org(client, kalsel.dinkes, webhook_url="http://127.0.0.1:9/hook")
        create_obligation(client, nk["id"], kalsel.dinkes, "2026-11-30", "Laporan triwulan")
        create_obligation(client, nk["id"], kalsel.ori, "2026-11-30", "Laporan pusat")

    def test_a_viewer_previews_its_government_and_not_others(
        self,
        client: TestClient,
        session: Session,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
    ) -> None:
        self.setup_deadlines(client, kalsel, signed_nk, run_settings)
        client.headers["X-API-Key"] = key_for(session, "viewer", kalsel.province)
        response = client.get(PREVIEW, params={"day": "2026-11-23"})
        assert response.status_code == 200, response.text
        preview = response.json()
        [item] = preview["items"]
        assert (preview["day"], preview["would_create"], preview["total"]) == ("2026-11-23", 1, 1)
        assert item == {
            "deadline_key": item["deadline_key"],
            "deadline_type": "obligation_due",
            "point": "before_7",
            "point_label": "7 hari lagi",
            "due_on": "2026-11-30",
            "title": "Laporan triwulan",
            "agreement_id": signed_nk["id"],
            "agreement_kind": "nk",
            "agreement_title": signed_nk["title"],
            "agreement_numbers": ["30/ORI-MoU/X/2021", "053/NK-PEMOTDA/2021"],
            "obligation_id": item["obligation_id"],
            "organization_id": kalsel.dinkes,
            "organization_name": "Dinas Kesehatan",
            "channels": ["webhook"],
        }
        assert preview["would_be_undeliverable"] == 0
        # Nothing was recorded by looking.
        assert reminders_total(client) == 0

    def test_an_admin_previews_every_organization(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
    ) -> None:
        self.setup_deadlines(client, kalsel, signed_nk, run_settings)
        preview = client.get(PREVIEW, params={"day": "2026-11-23"}).json()
        names = [(i["organization_name"], i["channels"]) for i in preview["items"]]
        assert names == [("Dinas Kesehatan", ["webhook"]), ("Ombudsman Republik Indonesia", [])]
        assert (preview["would_create"], preview["would_be_undeliverable"]) == (2, 1)
        only = client.get(PREVIEW, params={"day": "2026-11-23", "organization_id": kalsel.ori})
        assert [i["title"] for i in only.json()["items"]] == ["Laporan pusat"]
        page = client.get(PREVIEW, params={"day": "2026-11-23", "limit": 1, "offset": 1}).json()
        assert (page["total"], [i["title"] for i in page["items"]]) == (2, ["Laporan pusat"])

    def test_another_organizations_preview_is_refused_naming_it(
        self,
        client: TestClient,
        session: Session,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
    ) -> None:
        self.setup_deadlines(client, kalsel, signed_nk, run_settings)
        client.headers["X-API-Key"] = key_for(session, "editor", kalsel.province)
        response = client.get(PREVIEW, params={"organization_id": kalsel.ori})
        body = assert_problem(response, 403, "reminder-preview-not-allowed")
        assert "Ombudsman Republik Indonesia" in body["detail"]
        client.headers["X-API-Key"] = key_for(session, "viewer")
        body = assert_problem(client.get(PREVIEW), 403, "reminder-preview-not-allowed")
        assert "no organization" in body["detail"]

    def test_what_a_run_recorded_is_not_previewed_again_but_counted_while_it_waits(
        self,
        client: TestClient,
        kalsel: Kalsel,
        signed_nk: dict[str, Any],
        run_settings: dict[str, Any],
    ) -> None:
        self.setup_deadlines(client, kalsel, signed_nk, run_settings)
        ran = client.post(
            "/api/v1/reminders/run", json={}, headers={"Authorization": f"Bearer {TOKEN}"}
        ).json()
        assert ran["created"] == 2  # Dinkes's webhook fails (nothing listens), ORI has none
        preview = client.get(PREVIEW, params={"day": "2026-11-23"}).json()
        assert (preview["would_create"], preview["items"]) == (0, [])
        # The failed one waits for its back-off; the undeliverable one for a channel.
        assert preview["would_retry"] == 0
        app.dependency_overrides[get_now] = lambda: utcnow() + timedelta(days=1)
        later = client.get(PREVIEW, params={"day": "2026-11-24"}).json()
        assert (later["day"], later["would_create"], later["would_retry"]) == ("2026-11-24", 0, 1)

    def test_the_preview_is_documented_for_every_caller(self, client: TestClient) -> None:
        operation = client.get("/openapi.json").json()["paths"][PREVIEW]["get"]
        assert {"401", "403", "404", "422"} <= set(operation["responses"])


def test_the_cli_names_the_agreement_by_its_numbers_and_the_organization_by_name(
    client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any], run_settings: dict[str, Any]
) -> None:
    from app.cli import _reminder_line
    from app.reminders.schemas import PlannedReminder

    run_settings["EVALUATIONS_FROM_YEAR"] = 2100
    create_obligation(client, signed_nk["id"], kalsel.dinkes, "2026-11-30", "Laporan triwulan")
    [item] = client.get(PREVIEW, params={"day": "2026-11-23"}).json()["items"]
    line = _reminder_line(PlannedReminder.model_validate(item))
    assert line == (
        "before_7     2026-11-30  Dinas Kesehatan (no channel): Laporan triwulan "
        "— NK 30/ORI-MoU/X/2021 / 053/NK-PEMOTDA/2021"
    )
