"""Akun saya and Pengguna in Debian's Chromium on a 360 px phone: each page, a new key shown
once, a refused form and a registered user accessible (axe-core), within the CSP, without
horizontal scroll; and what the API then returns."""

import secrets
from collections.abc import Callable

import httpx

from tests.console.browser import (
    PHONE,
    Visit,
    assert_accessible,
    assert_clean,
    assert_fits,
    expect,
    sign_in,
)
from tests.console.conftest import LiveConsole


def test_akun_and_pengguna_at_360_px(
    open_page: Callable[..., Visit], live_console: LiveConsole
) -> None:
    visit = open_page(viewport=PHONE)
    page = visit.page
    sign_in(page, live_console.email, live_console.password)
    page.get_by_role("link", name=live_console.name).click()
    expect(page.get_by_role("heading", name="Akun saya")).to_be_visible()
    assert_accessible(page)
    assert_fits(page)

    page.get_by_label("Nama kunci").fill("Uji peramban")
    page.get_by_role("button", name="Buat kunci").click()
    shown = page.locator("#kunci-baru-isi")
    expect(shown).to_be_visible()
    key = shown.input_value()
    assert_accessible(page)
    assert_fits(page)
    me = httpx.get(f"{live_console.url}/api/v1/users/me", headers={"X-API-Key": key}, timeout=30)
    assert me.status_code == 200, (key, me.text)
    assert me.json()["email"] == live_console.email

    # A wrong current password: refused at its field, accessibly.
    page.get_by_label("Kata sandi saat ini").fill("bukan-kata-sandinya")
    page.locator("#sandi-new-password").fill("kata-sandi-baru-yang-panjang")
    page.locator("#sandi-new-password-again").fill("kata-sandi-baru-yang-panjang")
    page.get_by_role("button", name="Ganti kata sandi").click()
    expect(page.locator("#sandi-current-password-galat-1")).to_have_text(
        "Kata sandi saat ini salah."
    )
    assert_accessible(page)
    assert_fits(page)

    page.get_by_role("link", name="Pengguna").click()
    expect(page.get_by_role("heading", name="Pengguna", exact=True)).to_be_visible()
    assert_accessible(page)
    assert_fits(page)
    email = f"uji.{secrets.token_hex(4)}@ombudsman.go.id"
    page.locator("#pengguna-name").fill("Uji Pengguna Peramban")
    page.locator("#pengguna-email").fill(email)
    page.locator("#pengguna-role").select_option("editor")
    page.get_by_role("button", name="Daftarkan").click()
    expect(page.locator("#pengguna-organization-galat-1")).to_be_visible()
    assert_accessible(page)
    assert_fits(page)
    # The organization field suggests names as the user types (typeahead.js), then is cleared.
    page.locator("#pengguna-organization").fill("Kalimantan")
    expect(page.locator("#organisasi-saran option").first).to_be_attached()
    page.locator("#pengguna-organization").fill("")
    page.locator("#pengguna-role").select_option("viewer")
    page.get_by_role("button", name="Daftarkan").click()
    expect(page.locator(".flash")).to_contain_text("Uji Pengguna Peramban didaftarkan")
    assert_accessible(page)
    assert_fits(page)
    users = httpx.get(
        f"{live_console.url}/api/v1/users",
        params={"limit": "200"},
        headers={"X-API-Key": live_console.key},
        timeout=30,
    ).json()["items"]
    [made] = [u for u in users if u["email"] == email]
    assert (made["role"], made["active"]) == ("viewer", True)
    assert_clean(visit)
