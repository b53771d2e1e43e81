"""Akun saya (/akun) through the console as a browser without JavaScript: own details, own
password (the current one checked, every session ended), own API keys (shown once, working as
X-API-Key, revoked), the personal calendar link (a key in ?key=, revoked like any key)."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.idempotency.models import IdempotencyRecord
from tests.console.conftest import PASSWORD, Staff, make_staff, sign_in
from tests.console.forms import field_errors, form_of, signed_in_as, text_of

NEW_PASSWORD = "kata-sandi-baru-yang-panjang"


def shown_key(page: str) -> str:
    found = re.search(r'id="kunci-baru-isi" type="text" readonly value="([^"]+)"', page)
    assert found, "no key shown"
    return found.group(1)


def test_akun_shows_own_details_and_a_link_in_the_header(
    browser: TestClient, session: Session
) -> None:
    viewer = make_staff(session, "viewer", name="Rina Pembaca")
    signed_in_as(browser, viewer)
    home = browser.get("/")
    assert 'href="/akun"' in home.text
    assert 'href="/pengguna"' not in home.text  # not an admin
    words = text_of(browser.get("/akun").text)
    assert f"Nama Rina Pembaca E-mail {viewer.email} Peran Pembaca Organisasi —" in words


def test_a_wrong_current_password_is_refused_at_its_field(
    browser: TestClient, session: Session
) -> None:
    staff = make_staff(session, "viewer")
    signed_in_as(browser, staff)
    form = form_of(browser.get("/akun").text, "sandi")
    wrong = browser.post(
        form.action,
        data=form.data(
            current_password="bukan-kata-sandinya",
            new_password=NEW_PASSWORD,
            new_password_again=NEW_PASSWORD,
        ),
    )
    assert wrong.status_code == 422
    assert field_errors(wrong.text, "sandi", "current_password") == ["Kata sandi saat ini salah."]
    assert "bukan-kata-sandinya" not in wrong.text and NEW_PASSWORD not in wrong.text
    form = form_of(wrong.text, "sandi")
    differ = browser.post(
        form.action,
        data=form.data(
            current_password=PASSWORD, new_password=NEW_PASSWORD, new_password_again="lain"
        ),
    )
    assert differ.status_code == 422
    assert field_errors(differ.text, "sandi", "new_password_again") == [
        "Tidak sama dengan kata sandi baru."
    ]
    form = form_of(differ.text, "sandi")
    short = browser.post(
        form.action,
        data=form.data(
            current_password=PASSWORD, new_password="pendek", new_password_again="pendek"
        ),
    )
    assert short.status_code == 422
    assert field_errors(short.text, "sandi", "new_password") == ["Kata sandi tidak memenuhi aturan"]
    # Nothing changed: the old password still signs in.
    browser.cookies.clear()
    sign_in(browser, staff)


def test_changing_own_password_ends_every_session(
    browser: TestClient, client: TestClient, session: Session
) -> None:
    staff = make_staff(session, "viewer")
    signed_in_as(browser, staff)
    form = form_of(browser.get("/akun").text, "sandi")
    done = browser.post(
        form.action,
        data=form.data(
            current_password=PASSWORD,
            new_password=NEW_PASSWORD,
            new_password_again=NEW_PASSWORD,
        ),
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/masuk?next=/akun&sandi=baru"
    landing = browser.get(done.headers["location"])
    assert "Kata sandi Anda diganti, dan semua sesi Anda berakhir" in text_of(landing.text)
    # This session ended too: /akun asks to sign in.
    again = browser.get("/akun", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/masuk")
    sign_in(browser, Staff(staff.id, staff.name, staff.email, NEW_PASSWORD))
    assert browser.get("/akun").status_code == 200


def test_a_new_key_is_shown_once_works_and_is_revoked(
    browser: TestClient, session: Session
) -> None:
    staff = make_staff(session, "viewer", name="Rina Pembaca")
    signed_in_as(browser, staff)
    form = form_of(browser.get("/akun").text, "kunci")
    bad = browser.post(form.action, data=form.data(name=" ", expires_on="2000-01-01"))
    assert bad.status_code == 422
    assert field_errors(bad.text, "kunci", "name") == ["Wajib diisi."]
    form = form_of(bad.text, "kunci")
    made = browser.post(
        form.action, data=form.data(name="Skrip laporan", expires_on=None), follow_redirects=False
    )
    assert made.status_code == 200  # shown in the answer itself, never redirected
    assert made.headers["cache-control"] == "no-store"
    assert "registry_flash" not in made.headers.get("set-cookie", "")
    key = shown_key(made.text)
    assert "hanya ditampilkan sekali" in text_of(made.text)
    # Once: the page again shows the key's prefix only.
    later = browser.get("/akun").text
    assert key not in later and key[:12] in later
    me = browser.get("/api/v1/users/me", headers={"X-API-Key": key})
    assert me.status_code == 200 and me.json()["email"] == staff.email
    [listed] = browser.get(f"/api/v1/users/{staff.id}/api-keys", headers={"X-API-Key": key}).json()
    assert listed["name"] == "Skrip laporan" and listed["revoked_at"] is None
    revoke = form_of(later, f"cabut-{listed['id']}")
    gone = browser.post(revoke.action, data=revoke.data(), follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"] == "/akun"
    assert "Kunci API dicabut" in text_of(browser.get("/akun").text)
    assert browser.get("/api/v1/users/me", headers={"X-API-Key": key}).status_code == 401


@pytest.mark.parametrize("form_name", ["kunci", "kalender"])
def test_a_key_form_sent_twice_issues_one_key_and_keeps_no_secret(
    browser: TestClient, session: Session, form_name: str
) -> None:
    staff = make_staff(session, "viewer", name="Rina Pembaca")
    signed_in_as(browser, staff)
    form = form_of(browser.get("/akun").text, form_name)
    values = form.data(name="Skrip laporan") if form_name == "kunci" else form.data()
    first = browser.post(form.action, data=values, follow_redirects=False)
    second = browser.post(form.action, data=values, follow_redirects=False)
    assert first.status_code == 200
    key = shown_key(first.text)
    assert second.status_code == 303 and second.headers.get("idempotent-replayed") == "true"
    listed = browser.get(f"/api/v1/users/{staff.id}/api-keys", headers={"X-API-Key": key}).json()
    assert len(listed) == 1
    assert second.headers["location"] == f"/akun?dibuat={listed[0]['id']}"
    again = browser.get(second.headers["location"])
    assert key not in again.text and 'id="kunci-baru-isi"' not in again.text
    assert (
        f"Kunci API “{listed[0]['name']}” ( {key[:12]}… ) sudah dibuat oleh kiriman pertama "
        "formulir ini; kunci kedua tidak dibuat." in text_of(again.text)
    )
    kept = session.exec(select(IdempotencyRecord.body)).all()
    assert kept and not any(key in (body or "") for body in kept)
    # A form read anew issues a new key.
    form = form_of(again.text, form_name)
    values = form.data(name="Skrip kedua") if form_name == "kunci" else form.data()
    assert browser.post(form.action, data=values).status_code == 200
    keys = browser.get(f"/api/v1/users/{staff.id}/api-keys", headers={"X-API-Key": key}).json()
    assert len(keys) == 2


def test_the_calendar_link_works_until_its_key_is_revoked(
    browser: TestClient, session: Session
) -> None:
    staff = make_staff(session, "viewer")
    signed_in_as(browser, staff)
    form = form_of(browser.get("/akun").text, "kalender")
    made = browser.post(form.action, data=form.data())
    assert made.status_code == 200
    link = re.search(r'id="kalender-baru-isi" type="text" readonly value="([^"]+)"', made.text)
    assert link and "/api/v1/calendar.ics?key=" in link.group(1)
    path = link.group(1).split("://", 1)[1].split("/", 1)[1]
    feed = browser.get("/" + path)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    page = browser.get("/akun").text
    key_id = re.search(r'action="/akun/kunci/(\d+)/cabut"', page)
    assert key_id
    revoke = form_of(page, f"cabut-{key_id.group(1)}")
    assert browser.post(revoke.action, data=revoke.data()).status_code == 200
    assert browser.get("/" + path).status_code == 401


def test_a_forged_revoke_of_anothers_key_is_not_found(
    browser: TestClient, session: Session, admin_headers: dict[str, str]
) -> None:
    other = make_staff(session, "viewer")
    issued = browser.post(
        f"/api/v1/users/{other.id}/api-keys",
        json={"name": "Milik orang lain"},
        headers=admin_headers,
    )
    assert issued.status_code == 201
    staff = make_staff(session, "viewer")
    signed_in_as(browser, staff)
    form = form_of(browser.get("/akun").text, "kunci")
    forged = browser.post(
        f"/akun/kunci/{issued.json()['id']}/cabut",
        data={"csrf_token": form.fields["csrf_token"][0], "idempotency_key": "kunci-palsu-123456"},
    )
    assert forged.status_code == 404
    listed = browser.get(f"/api/v1/users/{other.id}/api-keys", headers=admin_headers).json()
    assert listed[0]["revoked_at"] is None
