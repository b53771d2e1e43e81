"""Pengguna (/pengguna) through the console as a browser without JavaScript: an admin lists,
registers (the organization named by its name), changes role and organization, disables and
gives a new password, as /api/v1/users does; a double submit registers once; anyone else
gets 403 for the page and for a forged post."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.console.pages.pengguna import PAGE_SIZE
from app.users import service as users
from app.users.models import Role
from app.users.schemas import UserCreate
from tests.console.conftest import Staff, csrf_of, make_staff, sign_in
from tests.console.forms import field_errors, form_of, make_member, signed_in_as, text_of
from tests.world import Kalsel

NEW_PASSWORD = "kata-sandi-baru-yang-panjang"


@pytest.fixture
def browser(client: TestClient, kalsel: Kalsel, admin_headers: dict[str, str]) -> TestClient:
    client.headers.pop("X-API-Key", None)
    return client


@pytest.fixture
def admin(session: Session) -> Staff:
    return make_staff(session, "admin", name="Admin Biro Kerja Sama")


def api_user(browser: TestClient, headers: dict[str, str], user_id: int) -> dict[str, Any]:
    answer = browser.get(f"/api/v1/users/{user_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_an_admin_registers_changes_and_disables_a_user(
    browser: TestClient, admin: Staff, kalsel: Kalsel, admin_headers: dict[str, str]
) -> None:
    signed_in_as(browser, admin)
    assert 'href="/pengguna"' in browser.get("/").text
    page = browser.get("/pengguna")
    assert "Admin Biro Kerja Sama" in text_of(page.text)
    form = form_of(page.text, "pengguna")
    values = {
        "name": "Staf Perwakilan Kalsel",
        "email": "staf.kalsel@ombudsman.go.id",
        "role": "editor",
        "organization": "Perwakilan Provinsi Kalimantan Selatan",
    }
    unknown = browser.post(form.action, data=form.data(**{**values, "organization": "Atlantis"}))
    assert unknown.status_code == 422
    assert field_errors(unknown.text, "pengguna", "organization") == [
        "Tidak ada organisasi bernama “Atlantis”: pilih dari saran."
    ]
    form = form_of(unknown.text, "pengguna")
    no_org = browser.post(form.action, data=form.data(**{**values, "organization": None}))
    assert no_org.status_code == 422
    assert field_errors(no_org.text, "pengguna", "organization") == [
        "Data pengguna tidak memenuhi aturan"
    ]
    form = form_of(no_org.text, "pengguna")
    first = browser.post(form.action, data=form.data(**values), follow_redirects=False)
    second = browser.post(form.action, data=form.data(**values), follow_redirects=False)
    assert first.status_code == second.status_code == 303, first.text
    assert second.headers.get("idempotent-replayed") == "true"
    location = first.headers["location"]
    user_id = int(location.rsplit("/", 1)[1])
    words = text_of(browser.get(location).text)
    assert "Staf Perwakilan Kalsel didaftarkan sebagai Penyunting." in words
    made = api_user(browser, admin_headers, user_id)
    assert (made["role"], made["organization_id"], made["active"]) == (
        "editor",
        kalsel.office,
        True,
    )
    listed = browser.get("/api/v1/users?limit=200", headers=admin_headers).json()["items"]
    assert [u["email"] for u in listed].count("staf.kalsel@ombudsman.go.id") == 1
    listing = text_of(browser.get("/pengguna").text)
    assert (
        "Staf Perwakilan Kalsel staf.kalsel@ombudsman.go.id Penyunting "
        "Ombudsman RI Perwakilan Provinsi Kalimantan Selatan Aktif" in listing
    )
    # A new password: the user signs in with it.
    page = browser.get(location)
    reset = form_of(page.text, "sandi")
    differ = browser.post(
        reset.action, data=reset.data(new_password=NEW_PASSWORD, new_password_again="lain")
    )
    assert differ.status_code == 422
    assert field_errors(differ.text, "sandi", "new_password_again") == [
        "Tidak sama dengan kata sandi baru."
    ]
    assert NEW_PASSWORD not in differ.text
    reset = form_of(differ.text, "sandi")
    done = browser.post(
        reset.action, data=reset.data(new_password=NEW_PASSWORD, new_password_again=NEW_PASSWORD)
    )
    assert done.status_code == 200
    assert "Kata sandi baru Staf Perwakilan Kalsel ditetapkan" in text_of(done.text)
    member = Staff(user_id, "Staf Perwakilan Kalsel", "staf.kalsel@ombudsman.go.id", NEW_PASSWORD)
    other = TestClient(browser.app, base_url=str(browser.base_url))
    sign_in(other, member)
    assert other.get("/akun").status_code == 200
    # Role and organization changed, then disabled: the user's session ends.
    change = form_of(browser.get(location).text, "ubah")
    assert change.fields["organization"] == ["Ombudsman RI Perwakilan Provinsi Kalimantan Selatan"]
    changed = browser.post(
        change.action, data=change.data(role="viewer", organization=None), follow_redirects=False
    )
    assert changed.status_code == 303, changed.text
    assert "Staf Perwakilan Kalsel disimpan: Pembaca, aktif." in text_of(browser.get(location).text)
    after = api_user(browser, admin_headers, user_id)
    assert (after["role"], after["organization_id"]) == ("viewer", None)
    # The form read before the change is stale now: refused, nothing overwritten.
    fresh = form_of(browser.get(location).text, "ubah")
    old_version = change.fields["version"][0]
    stale = browser.post(fresh.action, data=fresh.data(version=old_version, role="admin"))
    assert stale.status_code == 409, text_of(stale.text)
    change = form_of(browser.get(location).text, "ubah")
    off = browser.post(change.action, data=change.data(active="false"))
    assert off.status_code == 200
    assert api_user(browser, admin_headers, user_id)["active"] is False
    assert "Nonaktif" in text_of(browser.get("/pengguna").text)
    assert other.get("/akun", follow_redirects=False).status_code == 303  # signed out
    change = form_of(browser.get(location).text, "ubah")
    on = browser.post(change.action, data=change.data(active="true"), follow_redirects=False)
    assert on.status_code == 303
    assert api_user(browser, admin_headers, user_id)["active"] is True


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_others_get_403_for_the_page_and_a_forged_post(
    browser: TestClient,
    session: Session,
    admin: Staff,
    kalsel: Kalsel,
    admin_headers: dict[str, str],
    role: str,
) -> None:
    signed_in_as(browser, admin)
    create = form_of(browser.get("/pengguna").text, "pengguna")
    change = form_of(browser.get(f"/pengguna/{admin.id}").text, "ubah")
    reset = form_of(browser.get(f"/pengguna/{admin.id}").text, "sandi")
    member = make_member(session, role, kalsel.office)
    signed_in_as(browser, member)
    home = browser.get("/")
    assert 'href="/pengguna"' not in home.text
    token = form_of(browser.get("/akun").text, "kunci").fields["csrf_token"][0]
    assert browser.get("/pengguna").status_code == 403
    assert browser.get(f"/pengguna/{admin.id}").status_code == 403
    forged = [
        (create, {"name": "Penyusup", "email": "penyusup@contoh.go.id", "role": "admin"}),
        (change, {"role": "viewer", "active": "false"}),
        (reset, {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}),
    ]
    for form, values in forged:
        answer = browser.post(form.action, data=form.data(csrf_token=token, **values))
        assert answer.status_code == 403, form.action
        assert "Anda tidak berwenang melakukan ini." in text_of(answer.text)
    me = api_user(browser, admin_headers, admin.id)
    assert (me["role"], me["active"]) == ("admin", True)
    emails = [
        u["email"] for u in browser.get("/api/v1/users", headers=admin_headers).json()["items"]
    ]
    assert "penyusup@contoh.go.id" not in emails
    # The admin's password is unchanged.
    signed_in_as(browser, admin)


def test_the_users_come_a_page_at_a_time_and_a_bad_offset_is_the_first_page(
    browser: TestClient, session: Session, admin: Staff
) -> None:
    for number in range(PAGE_SIZE + 5):
        users.create_user(
            session=session,
            user_in=UserCreate(
                name=f"Staf {number:03}", email=f"staf{number}@contoh.go.id", role=Role.viewer
            ),
        )
    total = users.list_users(session=session, limit=1, offset=0)[1]
    assert PAGE_SIZE < total <= 2 * PAGE_SIZE
    signed_in_as(browser, admin)
    first = browser.get("/pengguna")
    assert first.status_code == 200
    assert first.text.count('<tr id="pengguna-') == PAGE_SIZE
    assert f"Menampilkan 1–{PAGE_SIZE} dari {total} · Halaman 1 dari 2" in text_of(first.text)
    following = browser.get(f"/pengguna?offset={PAGE_SIZE}")
    assert following.text.count('<tr id="pengguna-') == total - PAGE_SIZE
    assert 'href="/pengguna?offset=0" rel="prev"' in following.text
    for bad in ("-1", "abc", "1e3", "99999999999999999999", "%00"):
        answer = browser.get(f"/pengguna?offset={bad}")
        assert answer.status_code == 200, bad
        assert answer.text.count('<tr id="pengguna-') == PAGE_SIZE, bad
    beyond = browser.get("/pengguna?offset=10000")
    assert beyond.status_code == 200
    assert '<tr id="pengguna-' not in beyond.text


def test_an_organization_named_with_a_nul_is_no_organization_not_a_500(
    browser: TestClient, admin: Staff, kalsel: Kalsel
) -> None:
    """PostgreSQL cannot compare text holding a NUL: the name names nobody, at its field."""
    signed_in_as(browser, admin)
    form = form_of(browser.get("/pengguna").text, "pengguna")
    values = {"name": "Staf", "email": "staf@contoh.go.id", "role": "editor"}
    answer = browser.post(form.action, data=form.data(**values, organization="Kal\x00sel"))
    assert answer.status_code == 422
    assert field_errors(answer.text, "pengguna", "organization") == [
        "Tidak ada organisasi bernama “Kal\x00sel”: pilih dari saran."
    ]
    change = form_of(browser.get(f"/pengguna/{admin.id}").text, "ubah")
    refused = browser.post(change.action, data=change.data(organization="\x00"))
    assert refused.status_code == 422


def test_signing_in_with_a_nul_in_the_email_is_a_wrong_email(
    browser: TestClient, admin: Staff
) -> None:
    nobody = Staff(admin.id, admin.name, "admin\x00@contoh.go.id", admin.password)
    page = browser.get("/masuk")
    answer = browser.post(
        "/masuk",
        data={"email": nobody.email, "password": nobody.password, "csrf_token": csrf_of(page.text)},
    )
    assert answer.status_code == 401


def signed_in_elsewhere(browser: TestClient, member: Staff) -> TestClient:
    other = TestClient(browser.app, base_url=str(browser.base_url))
    sign_in(other, member)
    assert other.get("/akun", follow_redirects=False).status_code == 200
    return other


def still_signed_in(other: TestClient) -> bool:
    return other.get("/akun", follow_redirects=False).status_code == 200


@pytest.mark.parametrize(
    "change",
    [{"role": "viewer"}, {"organization": "Pemerintah Provinsi Kalimantan Tengah"}],
)
def test_a_changed_role_or_organization_ends_the_users_sessions(
    browser: TestClient, session: Session, admin: Staff, kalsel: Kalsel, change: dict[str, str]
) -> None:
    member = make_member(session, "editor", kalsel.office)
    other = signed_in_elsewhere(browser, member)
    signed_in_as(browser, admin)
    form = form_of(browser.get(f"/pengguna/{member.id}").text, "ubah")
    done = browser.post(form.action, data=form.data(**change), follow_redirects=False)
    assert done.status_code == 303, text_of(done.text)
    assert not still_signed_in(other)
    assert still_signed_in(browser)  # the admin's own session is another user's


def test_disabled_and_enabled_again_the_old_session_stays_ended(
    browser: TestClient, session: Session, admin: Staff, kalsel: Kalsel
) -> None:
    member = make_member(session, "editor", kalsel.office)
    other = signed_in_elsewhere(browser, member)
    signed_in_as(browser, admin)
    for active in ("false", "true"):  # the member's browser makes no request in between
        form = form_of(browser.get(f"/pengguna/{member.id}").text, "ubah")
        answer = browser.post(form.action, data=form.data(active=active), follow_redirects=False)
        assert answer.status_code == 303
    assert not still_signed_in(other)
    sign_in(other, member)  # enabled: the member signs in again
    assert still_signed_in(other)


def test_a_change_through_the_api_ends_console_sessions_as_the_console_does(
    browser: TestClient, session: Session, kalsel: Kalsel, admin_headers: dict[str, str]
) -> None:
    """A key reads the user's current rights at every request; a console session ends at a
    change of role, organization or state (not of the name)."""
    member = make_member(session, "editor", kalsel.office)
    other = signed_in_elsewhere(browser, member)
    version = api_user(browser, admin_headers, member.id)["version"]
    renamed = browser.patch(
        f"/api/v1/users/{member.id}",
        json={"version": version, "name": "Staf Perwakilan Kalsel"},
        headers=admin_headers,
    )
    assert renamed.status_code == 200, renamed.text
    assert still_signed_in(other)
    demoted = browser.patch(
        f"/api/v1/users/{member.id}",
        json={"version": version + 1, "role": "viewer"},
        headers=admin_headers,
    )
    assert demoted.status_code == 200, demoted.text
    assert not still_signed_in(other)
