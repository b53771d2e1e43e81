"""A webhook URL's secrets (its user, password and query) are shown to admins only, in every
representation: the organization, the answer to a change, its history, and log lines."""

import json
import logging
import sys
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.masking import mask_credentials, mask_secret_fields, mask_urls_in
from app.core.observability import JsonFormatter
from tests.conftest import key_for
from tests.helpers import patch_org
from tests.world import Kalsel

ORGS = "/api/v1/organizations"
FIRST = "https://penerima:rahasia1@93.184.216.34/kerjasama?token=abc"
SECOND = "https://penerima:rahasia2@93.184.216.34:8443/pengingat?token=def"


def secrets_in(text: str) -> list[str]:
    return [s for s in ("rahasia1", "rahasia2", "token=abc", "token=def") if s in text]


class TestHistory:
    def test_viewers_and_editors_see_the_webhooks_of_the_history_masked(
        self, client: TestClient, session: Session, kalsel: Kalsel
    ) -> None:
        patch_org(client, kalsel.dinkes, webhook_url=FIRST)  # as the admin
        patch_org(client, kalsel.dinkes, webhook_url=SECOND)
        history = f"{ORGS}/{kalsel.dinkes}/history"
        as_admin = client.get(history).json()["items"]
        change = as_admin[0]["details"]["changes"]["webhook_url"]
        assert change == {"old": FIRST, "new": SECOND}

        for role in ("viewer", "editor"):
            client.headers["X-API-Key"] = key_for(session, role, kalsel.dinkes)
            response = client.get(history)
            assert response.status_code == 200
            assert secrets_in(response.text) == [], role
            change = response.json()["items"][0]["details"]["changes"]["webhook_url"]
            assert change == {
                "old": "https://***@93.184.216.34/kerjasama?***",
                "new": "https://***@93.184.216.34:8443/pengingat?***",
            }

    def test_an_organization_registered_with_a_webhook_shows_it_masked_in_its_history(
        self, client: TestClient, session: Session, kalsel: Kalsel
    ) -> None:
        created = client.post(
            ORGS,
            json={
                "name": "Dinas Pendidikan",
                "kind": "regional_agency",
                "parent_id": kalsel.province,
                "webhook_url": FIRST,
            },
        ).json()
        client.headers["X-API-Key"] = key_for(session, "viewer")
        [registered] = client.get(f"{ORGS}/{created['id']}/history").json()["items"]
        assert registered["action"] == "created"
        assert registered["details"]["webhook_url"] == "https://***@93.184.216.34/kerjasama?***"
        assert registered["details"]["name"] == "Dinas Pendidikan"


class TestAnswersToChanges:
    def test_an_editor_changing_another_field_gets_the_webhook_masked(
        self, client: TestClient, session: Session, kalsel: Kalsel
    ) -> None:
        patch_org(client, kalsel.dinkes, webhook_url=FIRST)  # as the admin
        client.headers["X-API-Key"] = key_for(session, "editor", kalsel.province)
        changed = patch_org(client, kalsel.dinkes, short_name="Dinkes Kalsel")
        assert changed["short_name"] == "Dinkes Kalsel"
        assert changed["webhook_url"] == "https://***@93.184.216.34/kerjasama?***"

    def test_an_editor_registering_an_skpd_with_a_webhook_gets_it_masked(
        self, client: TestClient, session: Session, kalsel: Kalsel
    ) -> None:
        client.headers["X-API-Key"] = key_for(session, "editor", kalsel.province)
        response = client.post(
            ORGS,
            json={
                "name": "Dinas Pendidikan",
                "kind": "regional_agency",
                "parent_id": kalsel.province,
                "webhook_url": FIRST,
            },
        )
        assert response.status_code == 201, response.text
        assert secrets_in(response.text) == []


class TestLogLines:
    def test_a_logged_error_quoting_a_webhook_url_masks_it(self) -> None:
        record = logging.LogRecord(
            "app.errors", logging.WARNING, __file__, 1, "integrity error: %s", (FIRST,), None
        )
        try:
            raise ValueError(f"[parameters: ('{SECOND}', 7)]")
        except ValueError:
            record.exc_info = sys.exc_info()
        line = json.loads(JsonFormatter().format(record))
        assert secrets_in(json.dumps(line)) == []
        assert line["message"] == "integrity error: https://***@93.184.216.34/kerjasama?***"
        assert "https://***@93.184.216.34:8443/pengingat?***" in line["exception"]

    def test_the_server_leaves_request_lines_with_query_strings_unlogged(
        self, monkeypatch: Any
    ) -> None:
        import uvicorn

        from app.cli import main

        given: dict[str, Any] = {}
        monkeypatch.setattr(uvicorn, "run", lambda *_a, **kw: given.update(kw))
        assert main(["serve"]) == 0
        # A calendar program's ?key= would otherwise be in uvicorn's access log; the app logs
        # each request by its route template.
        assert given["access_log"] is False


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("http://hooks.example.go.id/in", "http://hooks.example.go.id/in"),
        ("https://u:p@hooks.example.go.id/in?k=1", "https://***@hooks.example.go.id/in?***"),
        ("https://u@[2001:db8::1]:8443/in", "https://***@[2001:db8::1]:8443/in"),
        ("https://Hooks.Example.go.id/in?k=1", "https://Hooks.Example.go.id/in?***"),
    ],
)
def test_mask_credentials(url: str, masked: str) -> None:
    assert mask_credentials(url) == masked
    assert mask_urls_in(f"gagal: {url} lagi") == f"gagal: {masked} lagi"
    assert mask_secret_fields({"x": [{"webhook_url": {"old": url, "new": None}}]}) == {
        "x": [{"webhook_url": {"old": masked, "new": None}}]
    }
