"""Users and API keys: shown once, kept as a hash, revoked, expired, disabled; the bootstrap
admin; limits on keys and on failed logins; who made each change."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, col

from app.core.config import Settings, settings
from app.core.deps import get_settings, get_today
from app.core.types import utcnow
from app.main import app
from app.users.auth import known_keys
from app.users.models import ApiKey
from tests.conftest import TODAY, key_for
from tests.helpers import assert_problem, create_agreement, patch_org
from tests.world import Kalsel, nk_body

USERS = "/api/v1/users"


def use_settings(**overrides: Any) -> None:
    def current() -> Settings:
        return settings.model_copy(update=overrides)

    app.dependency_overrides[get_settings] = current


def new_user(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post(
        USERS, json={"name": "Staf", "email": "staf@kalselprov.go.id", "role": "viewer", **body}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def issue(client: TestClient, user_id: int, **body: Any) -> dict[str, Any]:
    response = client.post(f"{USERS}/{user_id}/api-keys", json={"name": "kunci", **body})
    assert response.status_code == 201, response.text
    return dict(response.json())


def as_key(client: TestClient, key: str | None) -> TestClient:
    if key is None:
        client.headers.pop("X-API-Key", None)
    else:
        client.headers["X-API-Key"] = key
    return client


class TestKeys:
    def test_a_key_is_shown_once_and_kept_only_as_a_hash(
        self, client: TestClient, session: Session
    ) -> None:
        user = new_user(client)
        issued = issue(client, user["id"])
        assert issued["key"].startswith(issued["prefix"])
        listed = client.get(f"{USERS}/{user['id']}/api-keys").json()
        assert [k["prefix"] for k in listed] == [issued["prefix"]]
        assert all("key" not in k for k in listed)
        stored = session.execute(text("SELECT key_hash FROM api_key")).scalars().all()
        assert issued["key"] not in stored and len(stored[-1]) == 64

    def test_a_revoked_key_stops_working_at_once(self, client: TestClient) -> None:
        user = new_user(client)
        issued = issue(client, user["id"])
        admin = client.headers["X-API-Key"]
        assert as_key(client, issued["key"]).get(f"{USERS}/me").json()["id"] == user["id"]
        revoked = as_key(client, admin).delete(f"{USERS}/{user['id']}/api-keys/{issued['id']}")
        assert revoked.status_code == 204
        assert_problem(as_key(client, issued["key"]).get(f"{USERS}/me"), 401, "unauthorized")

    def test_a_key_read_lately_is_not_read_again(
        self, client: TestClient, count_statements: Callable[[], Any]
    ) -> None:
        """A request with a key this process looked up lately reads nothing of it."""
        user = new_user(client)
        as_key(client, issue(client, user["id"])["key"])
        assert client.get(f"{USERS}/me").status_code == 200  # looked up (and last_used_at)
        with count_statements() as statements:
            assert client.get(f"{USERS}/me").status_code == 200
        assert not [s for s in statements if "FROM api_key" in s], statements

    def test_a_key_revoked_elsewhere_is_refused_once_its_cache_time_has_passed(
        self, client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Revoked by another process (another worker, the command line): this one keeps
        answering the key for at most API_KEY_CACHE_SECONDS, then refuses it."""
        clock = [1000.0]
        monkeypatch.setattr(known_keys, "clock", lambda: clock[0])
        user = new_user(client)
        issued = issue(client, user["id"])
        assert as_key(client, issued["key"]).get(f"{USERS}/me").status_code == 200
        session.execute(
            sa.update(ApiKey).where(col(ApiKey.id) == issued["id"]).values(revoked_at=utcnow())
        )
        session.commit()
        clock[0] += settings.API_KEY_CACHE_SECONDS - 0.5
        assert client.get(f"{USERS}/me").status_code == 200  # the documented delay
        clock[0] += 0.5
        assert_problem(client.get(f"{USERS}/me"), 401, "unauthorized")

    def test_without_the_cache_a_key_revoked_elsewhere_is_refused_at_once(
        self, client: TestClient, session: Session
    ) -> None:
        use_settings(API_KEY_CACHE_SECONDS=0)
        user = new_user(client)
        issued = issue(client, user["id"])
        assert as_key(client, issued["key"]).get(f"{USERS}/me").status_code == 200
        session.execute(
            sa.update(ApiKey).where(col(ApiKey.id) == issued["id"]).values(revoked_at=utcnow())
        )
        session.commit()
        assert_problem(client.get(f"{USERS}/me"), 401, "unauthorized")

    def test_a_new_role_applies_to_the_next_request_with_a_key_read_lately(
        self, client: TestClient
    ) -> None:
        user = new_user(client)
        key = issue(client, user["id"])["key"]
        admin = client.headers["X-API-Key"]
        assert_problem(as_key(client, key).get(USERS), 403)
        promoted = as_key(client, admin).patch(
            f"{USERS}/{user['id']}", json={"version": 1, "role": "admin"}
        )
        assert promoted.status_code == 200, promoted.text
        assert as_key(client, key).get(USERS).status_code == 200

    def test_an_expired_key_is_refused(self, client: TestClient) -> None:
        user = new_user(client)
        issued = issue(client, user["id"], expires_on=TODAY.isoformat())
        assert as_key(client, issued["key"]).get(f"{USERS}/me").status_code == 200
        app.dependency_overrides[get_today] = lambda: TODAY + timedelta(days=1)
        assert_problem(client.get(f"{USERS}/me"), 401)

    def test_disabling_a_user_disables_every_key(self, client: TestClient) -> None:
        user = new_user(client)
        keys = [issue(client, user["id"])["key"] for _ in range(2)]
        disabled = client.patch(f"{USERS}/{user['id']}", json={"version": 1, "active": False})
        assert disabled.status_code == 200 and disabled.json()["active"] is False
        for key in keys:
            assert_problem(as_key(client, key).get("/api/v1/agreements"), 401)

    def test_users_manage_their_own_keys_but_not_others(
        self, client: TestClient, session: Session, kalsel: Kalsel
    ) -> None:
        admin_id = client.get(f"{USERS}/me").json()["id"]
        as_key(client, key_for(session, "editor", kalsel.province))
        me = client.get(f"{USERS}/me").json()
        assert me["role"] == "editor" and me["organization_id"] == kalsel.province
        assert issue(client, me["id"], name="laptop")["user_id"] == me["id"]
        assert len(client.get(f"{USERS}/{me['id']}/api-keys").json()) == 2
        assert_problem(client.post(f"{USERS}/{admin_id}/api-keys", json={"name": "x"}), 403)

    def test_no_key_and_a_wrong_key_are_401(self, client: TestClient) -> None:
        assert_problem(as_key(client, None).get("/api/v1/agreements"), 401)
        body = assert_problem(as_key(client, "nkr_salah").get("/api/v1/agreements"), 401)
        assert "X-API-Key" in body["detail"]

    def test_health_and_the_docs_need_no_key(self, client: TestClient) -> None:
        as_key(client, None)
        for path in ("/healthz", "/docs", "/redoc", "/openapi.json"):
            assert client.get(path).status_code == 200, path


class TestUsers:
    def test_an_editor_needs_an_organization(self, client: TestClient) -> None:
        response = client.post(USERS, json={"name": "E", "email": "e@x.go.id", "role": "editor"})
        body = assert_problem(response, 422, "user-rule")
        assert body["errors"][0]["loc"] == ["body", "organization_id"]

    def test_an_e_mail_is_one_account_whatever_its_case(self, client: TestClient) -> None:
        new_user(client, email="Staf@KalselProv.go.id")
        assert_problem(
            client.post(
                USERS, json={"name": "S", "email": "staf@kalselprov.go.id", "role": "viewer"}
            ),
            409,
            "duplicate-user-email",
        )

    def test_the_last_admin_cannot_be_disabled(self, client: TestClient) -> None:
        me = client.get(f"{USERS}/me").json()
        others = [u for u in client.get(USERS).json()["items"] if u["role"] == "admin"]
        for other in others:
            if other["id"] != me["id"]:
                client.patch(
                    f"{USERS}/{other['id']}", json={"version": other["version"], "active": False}
                )
        response = client.patch(
            f"{USERS}/{me['id']}", json={"version": me["version"], "active": False}
        )
        assert_problem(response, 409, "last-admin")

    def test_a_stale_user_version_is_409(self, client: TestClient) -> None:
        user = new_user(client)
        client.patch(f"{USERS}/{user['id']}", json={"version": 1, "name": "A"})
        body = assert_problem(
            client.patch(f"{USERS}/{user['id']}", json={"version": 1, "name": "B"}), 409
        )
        assert body["current_version"] == 2


class TestBootstrap:
    def test_the_bootstrap_key_is_an_admin_while_it_is_set(self, client: TestClient) -> None:
        use_settings(BOOTSTRAP_ADMIN_KEY="rahasia-awal-panjang")
        me = as_key(client, "rahasia-awal-panjang").get(f"{USERS}/me")
        assert me.status_code == 200 and me.json()["name"] == "admin"
        assert me.json()["role"] == "admin"
        use_settings(BOOTSTRAP_ADMIN_KEY=None)
        assert_problem(client.get(f"{USERS}/me"), 401)


class TestLimits:
    def test_requests_past_the_limit_per_key_get_429_with_retry_after(
        self, client: TestClient
    ) -> None:
        use_settings(RATE_LIMIT_PER_MINUTE=3)
        for _ in range(3):
            assert client.get("/api/v1/agreements").status_code == 200
        response = client.get("/api/v1/agreements")
        assert_problem(response, 429, "too-many-requests")
        assert 1 <= int(response.headers["Retry-After"]) <= 60

    def test_failed_logins_from_one_address_are_limited(self, client: TestClient) -> None:
        use_settings(AUTH_FAILURES_PER_MINUTE=2)
        as_key(client, "nkr_tebakan")
        assert [client.get("/api/v1/agreements").status_code for _ in range(3)] == [401, 401, 429]


class TestActors:
    def test_history_names_the_user_who_made_each_change(
        self, client: TestClient, session: Session, kalsel: Kalsel
    ) -> None:
        as_key(client, key_for(session, "editor", kalsel.province))
        nk = create_agreement(client, **nk_body(kalsel))
        [created] = client.get(f"/api/v1/agreements/{nk['id']}/history").json()["items"]
        me = client.get(f"{USERS}/me").json()
        assert (created["actor_id"], created["actor"]) == (me["id"], me["name"])

    def test_organizations_have_a_history_with_actors(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        patch_org(client, kalsel.dinkes, short_name="Dinkes Kalsel")
        events = client.get(f"/api/v1/organizations/{kalsel.dinkes}/history").json()["items"]
        assert [e["action"] for e in events] == ["updated", "created"]
        assert events[0]["details"]["changes"]["short_name"] == {
            "old": None,
            "new": "Dinkes Kalsel",
        }
        assert events[0]["actor"] and events[0]["actor_id"]


class TestVersions:
    def test_a_stale_organization_version_is_409_with_the_current_one(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        patch_org(client, kalsel.dinkes, short_name="A")
        body = assert_problem(
            client.patch(
                f"/api/v1/organizations/{kalsel.dinkes}", json={"version": 1, "short_name": "B"}
            ),
            409,
            "stale-version",
        )
        assert body["current_version"] == 2

    def test_a_stale_obligation_version_is_409(
        self, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
    ) -> None:
        from tests.helpers import create_obligation

        obligation = create_obligation(client, signed_nk["id"], kalsel.ori, "2026-12-31")
        url = f"/api/v1/obligations/{obligation}"
        assert client.patch(url, json={"version": 1, "title": "A"}).json()["version"] == 2
        body = assert_problem(client.patch(url, json={"version": 1, "title": "B"}), 409)
        assert body["current_version"] == 2
