"""Webhook targets (SSRF), secrets shown to admins only, body size limits, security headers,
CORS, and idempotent creates."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session

from app.core.config import Settings, settings
from app.core.deps import get_settings
from app.main import app, create_app
from app.organizations.models import Organization
from tests.conftest import key_for
from tests.helpers import assert_problem, create_agreement, create_obligation, patch_org
from tests.world import Kalsel, nk_body

ORGS = "/api/v1/organizations"


def use_settings(**overrides: Any) -> None:
    def current() -> Settings:
        return settings.model_copy(update=overrides)

    app.dependency_overrides[get_settings] = current


class TestWebhookTargets:
    @pytest.mark.parametrize(
        "url",
        [
            "http://169.254.169.254/latest/meta-data",
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://10.0.0.5/hook",
            "http://[::1]/hook",
            "http://0.0.0.0/hook",
        ],
    )
    def test_an_internal_target_is_refused_when_saved(
        self, client: TestClient, kalsel: Kalsel, url: str
    ) -> None:
        version = client.get(f"{ORGS}/{kalsel.dinkes}").json()["version"]
        response = client.patch(
            f"{ORGS}/{kalsel.dinkes}", json={"version": version, "webhook_url": url}
        )
        body = assert_problem(response, 422, "webhook-target-refused")
        assert body["errors"][0]["loc"] == ["body", "webhook_url"]

    def test_a_listed_internal_host_is_allowed_but_link_local_never(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        use_settings(WEBHOOK_ALLOWED_HOSTS=["10.20.1.5", "169.254.169.254"])
        assert patch_org(client, kalsel.dinkes, webhook_url="http://10.20.1.5/hook")
        version = client.get(f"{ORGS}/{kalsel.dinkes}").json()["version"]
        response = client.patch(
            f"{ORGS}/{kalsel.dinkes}",
            json={"version": version, "webhook_url": "http://169.254.169.254/"},
        )
        assert_problem(response, 422, "webhook-target-refused")

    def test_an_internal_target_is_refused_when_delivering(
        self, client: TestClient, session: Session, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                hits.append(self.path)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            # Saved before the rule, or behind a name that resolved elsewhere when saved.
            for target in (
                f"http://127.0.0.1:{server.server_address[1]}/",
                "http://169.254.169.254/",
            ):
                session.execute(
                    update(Organization)
                    .where(Organization.id == kalsel.dinkes)  # type: ignore[arg-type]
                    .values(webhook_url=target)
                )
                session.commit()
                create_obligation(client, signed_nk["id"], kalsel.dinkes, "2026-11-24", target)
                use_settings(SCHEDULER_TOKEN="t", WEBHOOK_ALLOWED_HOSTS=[])
                result = client.post(
                    "/api/v1/reminders/run", json={}, headers={"Authorization": "Bearer t"}
                ).json()
                assert (result["delivered"], result["failed"]) == (0, 1), target
        finally:
            server.shutdown()
            server.server_close()
        assert hits == []
        errors = [r["last_error"] for r in client.get("/api/v1/reminders").json()["items"]]
        assert all("target refused" in e for e in errors), errors


class TestSecrets:
    def test_a_webhook_credentials_and_delivery_errors_are_for_admins_only(
        self, client: TestClient, session: Session, kalsel: Kalsel
    ) -> None:
        url = "https://user:rahasia@hooks.example.com/kerjasama?token=abc"
        session.execute(
            update(Organization)
            .where(Organization.id == kalsel.dinkes)  # type: ignore[arg-type]
            .values(webhook_url=url)
        )
        session.commit()
        assert client.get(f"{ORGS}/{kalsel.dinkes}").json()["webhook_url"] == url
        client.headers["X-API-Key"] = key_for(session, "viewer", kalsel.province)
        shown = client.get(f"{ORGS}/{kalsel.dinkes}").json()["webhook_url"]
        assert shown == "https://***@hooks.example.com/kerjasama?***"
        listed = client.get(ORGS, params={"q": "Kesehatan"}).json()["items"]
        assert "rahasia" not in str(listed)


class TestBodyLimits:
    def test_a_declared_large_body_is_refused_before_it_is_read(self, client: TestClient) -> None:
        body = b'{"name": "' + b"x" * (settings.MAX_BODY_BYTES + 1) + b'"}'
        response = client.post(ORGS, content=body, headers={"content-type": "application/json"})
        assert_problem(response, 413, "body-too-large")

    def test_a_streamed_body_is_cut_off_as_it_passes_the_limit(self, client: TestClient) -> None:
        def chunks() -> Any:
            for _ in range(1000):
                yield b"x" * 4096  # 4 MB in all, with no Content-Length

        response = client.post(ORGS, content=chunks(), headers={"content-type": "application/json"})
        assert_problem(response, 413, "body-too-large")


class TestHeaders:
    def test_every_answer_carries_the_security_headers(self, client: TestClient) -> None:
        for path in ("/healthz", "/api/v1/agreements", "/api/v1/nothing"):
            response = client.get(path)
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-frame-options"] == "DENY"
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            assert "server" not in response.headers

    def test_no_cors_by_default_and_listed_origins_when_set(
        self, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        preflight = {
            "Origin": "https://portal.kalselprov.go.id",
            "Access-Control-Request-Method": "GET",
        }
        assert (
            "access-control-allow-origin"
            not in client.options("/api/v1/agreements", headers=preflight).headers
        )
        monkeypatch.setattr(settings, "CORS_ORIGINS", ["https://portal.kalselprov.go.id"])
        with TestClient(create_app()) as other:
            answer = other.options("/api/v1/agreements", headers=preflight)
        assert answer.headers["access-control-allow-origin"] == "https://portal.kalselprov.go.id"


class TestIdempotency:
    def post(self, client: TestClient, body: dict[str, Any], key: str) -> Any:
        return client.post("/api/v1/agreements", json=body, headers={"Idempotency-Key": key})

    def test_a_retry_with_the_same_key_replays_the_answer_and_creates_nothing(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        first = self.post(client, nk_body(kalsel), "nk-kalsel-1")
        again = self.post(client, nk_body(kalsel), "nk-kalsel-1")
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
        assert client.get("/api/v1/agreements", params={"count": "true"}).json()["total"] == 1

    def test_the_same_key_with_another_body_is_422(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        self.post(client, nk_body(kalsel), "k")
        other = self.post(client, nk_body(kalsel, title="Lain"), "k")
        assert_problem(other, 422, "idempotency-key-reused")

    def test_a_refusal_is_replayed_too(self, client: TestClient, kalsel: Kalsel) -> None:
        create_agreement(client, **nk_body(kalsel))
        first = self.post(client, nk_body(kalsel, title="Kedua"), "dup")
        assert first.status_code == 409
        assert self.post(client, nk_body(kalsel, title="Kedua"), "dup").json() == first.json()

    def test_keys_belong_to_the_user_who_sent_them(
        self, client: TestClient, session: Session, kalsel: Kalsel
    ) -> None:
        self.post(client, nk_body(kalsel), "shared")
        client.headers["X-API-Key"] = key_for(session, "admin")
        second = self.post(
            client,
            nk_body(
                kalsel,
                parties=[{"organization_id": kalsel.ori}, {"organization_id": kalsel.kalteng}],
            ),
            "shared",
        )
        assert second.status_code == 201 and "Idempotent-Replayed" not in second.headers

    def test_a_key_is_forgotten_after_its_time(self, client: TestClient, kalsel: Kalsel) -> None:
        from datetime import timedelta

        from app.core.deps import get_now
        from app.core.types import utcnow

        self.post(client, nk_body(kalsel), "old")
        later = utcnow() + timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS + 1)
        app.dependency_overrides[get_now] = lambda: later
        again = self.post(client, nk_body(kalsel), "old")
        assert_problem(again, 409, "duplicate-document-number")  # ran again: not a replay

    def test_the_header_is_documented_on_every_post(self, client: TestClient) -> None:
        posts = [
            op
            for path, ops in client.get("/openapi.json").json()["paths"].items()
            for method, op in ops.items()
            if method == "post" and path != "/api/v1/reminders/run"
        ]
        assert posts and all(
            "Idempotency-Key" in [p["name"] for p in op.get("parameters", [])] for op in posts
        )
