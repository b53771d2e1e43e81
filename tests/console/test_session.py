"""Signing in to the staff console, through HTTP as a browser does: the sign-in page, the session
cookie, sign-out, CSRF, timeouts, the limit on failed sign-ins, the history, set-password."""

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlmodel import Session, select

from app.console.models import ConsoleSession
from app.console.session import SESSION_COOKIE, set_password
from app.core.config import settings
from app.core.db import get_session
from app.core.deps import get_now, get_settings
from app.main import app
from app.users.models import User
from tests.conftest import ROOT
from tests.console.conftest import PASSWORD, Staff, csrf_of, make_staff, sign_in

START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[list[datetime]]:
    """The console's "now", moved by the test (`clock[0] += ...`)."""
    moment = [START]
    app.dependency_overrides[get_now] = lambda: moment[0]
    yield moment
    app.dependency_overrides.pop(get_now, None)


def with_settings(**values: object) -> None:
    changed = settings.model_copy(update=values)
    app.dependency_overrides[get_settings] = lambda: changed


def set_cookies(response_headers: list[str]) -> dict[str, str]:
    """Each Set-Cookie header by cookie name."""
    found = {}
    for header in response_headers:
        found[next(iter(SimpleCookie(header)))] = header
    return found


def test_signed_out_root_is_the_sign_in_page(browser: TestClient) -> None:
    page = browser.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="id">' in page.text
    assert "<title>Masuk · Registri Kerja Sama</title>" in page.text
    assert 'action="/masuk"' in page.text and 'name="password"' in page.text
    assert 'href="#isi"' in page.text  # the skip link
    # A strict CSP: scripts from our own files only, no inline script or style.
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert "<script>" not in page.text and "style=" not in page.text
    assert page.headers["cache-control"] == "no-store"
    # htmx is served from the app, with its licence.
    htmx = browser.get("/console/static/htmx.min.js")
    assert htmx.status_code == 200 and b"htmx" in htmx.content[:200]
    assert "Zero-Clause BSD" in browser.get("/console/static/htmx.LICENSE").text


def test_sign_in_opens_beranda_with_the_users_name(browser: TestClient, staff: Staff) -> None:
    form = browser.get("/masuk")
    response = browser.post(
        "/masuk",
        data={"email": staff.email.upper(), "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = set_cookies(response.headers.get_list("set-cookie"))[SESSION_COOKIE]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP here; see the HTTPS test

    beranda = browser.get("/")
    assert beranda.status_code == 200
    assert "<title>Beranda · Registri Kerja Sama</title>" in beranda.text
    assert staff.name in beranda.text
    for entry in ("Beranda", "Perjanjian", "Cakupan", "Tenggat", "Kewajiban", "Organisasi"):
        assert f">{entry}</a>" in beranda.text
    assert 'href="/" aria-current="page"' in beranda.text
    assert 'action="/keluar"' in beranda.text
    # The figures of /api/v1/stats as cards linking to the list behind each.
    assert "NK berlaku" in beranda.text
    assert 'href="/perjanjian?kind=pks&amp;status=active"' in beranda.text
    assert "Keadaan registri per 23 November 2026." in beranda.text

    # Signed in, the sign-in page sends the visitor on.
    again = browser.get("/masuk?next=/perjanjian", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/perjanjian"


def test_sign_in_goes_back_to_the_page_asked_for_on_this_site_only(
    browser: TestClient, staff: Staff
) -> None:
    form = browser.get("/masuk?next=/perjanjian%3Fstatus%3Dactive")
    assert 'name="next" value="/perjanjian?status=active"' in form.text
    data = {"email": staff.email, "password": PASSWORD, "csrf_token": csrf_of(form.text)}
    back = browser.post(
        "/masuk", data=data | {"next": "/perjanjian?status=active"}, follow_redirects=False
    )
    assert back.headers["location"] == "/perjanjian?status=active"
    browser.cookies.clear()
    form = browser.get("/masuk")
    data["csrf_token"] = csrf_of(form.text)
    away = browser.post("/masuk", data=data | {"next": "//evil.example/"}, follow_redirects=False)
    assert away.headers["location"] == "/"


def test_a_signed_out_post_goes_to_the_sign_in_page(browser: TestClient) -> None:
    response = browser.post("/keluar", data={"csrf_token": "x"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/masuk"
    htmx = browser.post("/keluar", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.headers["HX-Redirect"] == "/masuk"


def test_wrong_password_is_refused_then_limited(browser: TestClient, staff: Staff) -> None:
    with_settings(AUTH_FAILURES_PER_MINUTE=3)
    token = csrf_of(browser.get("/masuk").text)
    for _ in range(3):
        wrong = browser.post(
            "/masuk",
            data={"email": staff.email, "password": "salah-salah-salah", "csrf_token": token},
            follow_redirects=False,
        )
        assert wrong.status_code == 401
        assert "E-mail atau kata sandi salah" in wrong.text
        assert SESSION_COOKIE not in set_cookies(wrong.headers.get_list("set-cookie"))
        assert f'value="{staff.email}"' in wrong.text  # the e-mail stays filled in
    unknown = browser.post(
        "/masuk",
        data={"email": "nobody@test.go.id", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    # Past the limit even the right password waits, as failed API keys do (the same counter).
    assert unknown.status_code == 429
    limited = browser.post(
        "/masuk",
        data={"email": staff.email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert "Terlalu banyak percobaan masuk yang gagal" in limited.text
    assert browser.get("/api/v1/stats", headers={"X-API-Key": "nkr_wrong"}).status_code == 429


def test_a_deactivated_user_cannot_sign_in_and_their_session_stops(
    browser: TestClient, staff: Staff, admin_headers: dict[str, str]
) -> None:
    sign_in(browser, staff)
    assert staff.name in browser.get("/").text
    user = browser.get(f"/api/v1/users/{staff.id}", headers=admin_headers).json()
    off = browser.patch(
        f"/api/v1/users/{staff.id}",
        json={"active": False, "version": user["version"]},
        headers=admin_headers,
    )
    assert off.status_code == 200, off.text
    page = browser.get("/")
    assert "<title>Masuk" in page.text and staff.name not in page.text
    form = browser.get("/masuk")
    refused = browser.post(
        "/masuk",
        data={"email": staff.email, "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert refused.status_code == 401


def test_sign_out_ends_the_session(browser: TestClient, staff: Staff, session: Session) -> None:
    sign_in(browser, staff)
    token = browser.cookies[SESSION_COOKIE]
    beranda = browser.get("/")
    out = browser.post(
        "/keluar", data={"csrf_token": csrf_of(beranda.text)}, follow_redirects=False
    )
    assert out.status_code == 303 and out.headers["location"] == "/masuk"
    assert "<title>Masuk" in browser.get("/").text
    # The old cookie, sent again, signs nobody in: the session is gone from the server.
    browser.cookies.set(SESSION_COOKIE, token)
    assert "<title>Masuk" in browser.get("/").text
    assert (
        session.exec(select(ConsoleSession).where(ConsoleSession.user_id == staff.id)).all() == []
    )


def test_a_post_without_its_csrf_token_is_refused(browser: TestClient, staff: Staff) -> None:
    # The sign-in form: its token is paired with a cookie of its own.
    browser.get("/masuk")
    bare = browser.post("/masuk", data={"email": staff.email, "password": PASSWORD})
    assert bare.status_code == 403
    assert "<title>Permintaan ditolak" in bare.text
    forged = browser.post(
        "/masuk", data={"email": staff.email, "password": PASSWORD, "csrf_token": "x" * 43}
    )
    assert forged.status_code == 403
    # A signed-in form: the session's token.
    sign_in(browser, staff)
    for data in ({}, {"csrf_token": ""}, {"csrf_token": "not-the-token"}):
        refused = browser.post("/keluar", data=data, follow_redirects=False)
        assert refused.status_code == 403, data
        assert "Formulir ini tidak sah" in refused.text
    assert staff.name in browser.get("/").text  # still signed in


def test_an_htmx_request_gets_the_pages_block_alone(signed_in: TestClient) -> None:
    cards = signed_in.get("/", headers={"HX-Request": "true"})
    assert cards.status_code == 200
    assert cards.text.lstrip().startswith('<section aria-labelledby="ringkasan">')
    assert "<html" not in cards.text and "NK berlaku" in cards.text
    assert "unsafe-inline" not in cards.headers["content-security-policy"]


def test_idle_timeout(browser: TestClient, staff: Staff, clock: list[datetime]) -> None:
    sign_in(browser, staff)
    clock[0] += timedelta(minutes=29)
    assert staff.name in browser.get("/").text  # seen: idle counts from here
    clock[0] += timedelta(minutes=29)
    assert staff.name in browser.get("/").text
    clock[0] += timedelta(minutes=31)
    assert "<title>Masuk" in browser.get("/").text
    clock[0] += timedelta(minutes=1)
    assert "<title>Masuk" in browser.get("/").text  # gone for good


def test_sessions_nobody_came_back_to_are_removed_at_the_next_sign_in(
    browser: TestClient, staff: Staff, session: Session, clock: list[datetime]
) -> None:
    sign_in(browser, staff)
    browser.cookies.clear()  # the browser was closed: nobody comes back to that session
    clock[0] += timedelta(minutes=31)
    sign_in(browser, make_staff(session, name="Budi Santoso"))
    left = session.exec(select(ConsoleSession)).all()
    assert [row.created_at for row in left] == [clock[0]]


def test_absolute_timeout(browser: TestClient, staff: Staff, clock: list[datetime]) -> None:
    with_settings(CONSOLE_ABSOLUTE_HOURS=1)
    sign_in(browser, staff)
    for _ in range(3):  # busy all along: never idle
        clock[0] += timedelta(minutes=20)
        assert staff.name in browser.get("/").text
    clock[0] += timedelta(minutes=1)
    assert "<title>Masuk" in browser.get("/").text


def test_secure_cookies_over_https(browser: TestClient, staff: Staff) -> None:
    form = browser.get("https://testserver/masuk")
    assert "Secure" in set_cookies(form.headers.get_list("set-cookie"))["registry_sign_in"]
    response = browser.post(
        "https://testserver/masuk",
        data={"email": staff.email, "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "Secure" in set_cookies(response.headers.get_list("set-cookie"))[SESSION_COOKIE]


def test_sign_ins_are_in_the_users_history(
    browser: TestClient, staff: Staff, admin_headers: dict[str, str]
) -> None:
    token = csrf_of(browser.get("/masuk").text)
    browser.post(
        "/masuk", data={"email": staff.email, "password": "bukan-sandinya", "csrf_token": token}
    )
    sign_in(browser, staff)
    browser.post("/keluar", data={"csrf_token": csrf_of(browser.get("/").text)})
    history = browser.get(f"/api/v1/users/{staff.id}/history", headers=admin_headers).json()
    actions = [event["action"] for event in history["items"]]
    assert actions[:4] == ["signed_out", "signed_in", "sign_in_failed", "password_set"]
    signed_in = history["items"][1]
    assert signed_in["actor"] == staff.name and signed_in["actor_id"] == staff.id
    assert signed_in["details"] == {"address": "testclient"}
    assert all(PASSWORD not in str(event) for event in history["items"])


def test_a_new_password_ends_open_sessions(
    browser: TestClient, staff: Staff, session: Session
) -> None:
    sign_in(browser, staff)
    set_password(session=session, email=staff.email, password="sandi-baru-yang-panjang")
    assert "<title>Masuk" in browser.get("/").text


def registry(
    *args: str, database_url: str, tmp_path: Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "DOCUMENTS_DIR": str(tmp_path / "documents"),
    }
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_set_password_from_standard_input(scratch_database_url: str, tmp_path: Path) -> None:
    assert registry("migrate", database_url=scratch_database_url, tmp_path=tmp_path).returncode == 0
    made = registry("create-admin", database_url=scratch_database_url, tmp_path=tmp_path)
    assert made.returncode == 0, made.stderr
    short = registry(
        "set-password",
        "admin@kerjasama.go.id",
        stdin="pendek\n",
        database_url=scratch_database_url,
        tmp_path=tmp_path,
    )
    assert short.returncode == 2 and "12 to 200 characters" in short.stderr
    unknown = registry(
        "set-password",
        "nobody@registry.local",
        stdin=PASSWORD + "\n",
        database_url=scratch_database_url,
        tmp_path=tmp_path,
    )
    assert unknown.returncode == 2 and "No user with e-mail nobody@registry.local" in unknown.stderr
    done = registry(
        "set-password",
        "ADMIN@kerjasama.go.id",
        stdin=PASSWORD + "\n",
        database_url=scratch_database_url,
        tmp_path=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "password set for Admin <admin@kerjasama.go.id>" in done.stdout

    # The admin signs in to the console of that database with it.
    engine = create_engine(scratch_database_url)
    try:
        with Session(engine) as session:
            stored = session.exec(select(User)).one().password_hash
            assert stored is not None and stored.startswith("$argon2id$")

            def _session() -> Iterator[Session]:
                yield session

            app.dependency_overrides[get_session] = _session
            try:
                with TestClient(app) as browser:
                    form = browser.get("/masuk")
                    response = browser.post(
                        "/masuk",
                        data={
                            "email": "admin@kerjasama.go.id",
                            "password": PASSWORD,
                            "csrf_token": csrf_of(form.text),
                        },
                    )
                    assert response.status_code == 200
                    assert "<title>Beranda" in response.text and "Admin" in response.text
            finally:
                app.dependency_overrides.pop(get_session, None)
    finally:
        engine.dispose()
