"""Beranda's charts and to-do lists, the Perjanjian organization type-ahead and the console's
error page in Debian's Chromium on the seeded registry: accessible (axe-core), nothing off the
host, nothing refused by the CSP, no horizontal scroll at 360 px. (A file of its own beside
test_in_browser.py, so that work done in parallel merges cleanly.)"""

import re
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


def api(live: LiveConsole, path: str, **params: str) -> dict:  # type: ignore[type-arg]
    answer = httpx.get(
        f"{live.url}{path}", params=params, headers={"X-API-Key": live.key}, timeout=30
    )
    answer.raise_for_status()
    return answer.json()  # type: ignore[no-any-return]


def test_beranda_charts_link_to_their_lists(
    open_page: Callable[..., Visit], live_console: LiveConsole
) -> None:
    figures = api(live_console, "/api/v1/stats")
    pks = figures["agreements"]["pks"]["active"]
    visit = open_page()
    page = visit.page
    sign_in(page, live_console.email, live_console.password)
    chart = page.get_by_role("img", name=re.compile("Jumlah NK dan PKS per status"))
    expect(chart).to_be_visible()
    zones = figures["compliance_latest"]
    expect(page.get_by_role("img", name=f"Sebaran zona kepatuhan {zones['year']}")).to_be_visible()
    kalsel = max(figures["coverage"], key=lambda row: row["with_signed_pks"])
    row = page.get_by_role("row", name=re.compile(re.escape(kalsel["title"])))
    expect(row.get_by_role("img")).to_have_accessible_name("95% SKPD sudah memegang PKS")
    # The admin has no organization: the whole registry's next deadlines.
    national = page.get_by_role("region", name="Seluruh registri")
    deadlines = api(live_console, "/api/v1/deadlines", limit="5")
    expect(national.get_by_role("link", name=re.compile("^Semua .* tenggat"))).to_have_text(
        f"Semua {deadlines['total']} tenggat ({deadlines['counts']['overdue']} terlambat)"
    )
    assert_accessible(page)
    # A number under the chart opens the list it counts.
    page.get_by_role("link", name=f"{pks} PKS Berlaku", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Perjanjian")
    expect(page.locator("#hasil-daftar")).to_have_text(f"{pks} perjanjian")
    assert_clean(visit)

    phone = open_page(viewport=PHONE)
    sign_in(phone.page, live_console.email, live_console.password)
    expect(phone.page.get_by_role("img", name=re.compile("per status"))).to_be_visible()
    assert_fits(phone.page)
    assert_accessible(phone.page)
    assert_clean(phone)


KOBAR = "Pemerintah Kabupaten Kotawaringin Barat"


def test_perjanjian_party_type_ahead(
    open_page: Callable[..., Visit], live_console: LiveConsole
) -> None:
    """Typing part of a name fills the field's suggestions (htmx, /organisasi/cari); the name
    chosen filters the list; without JavaScript the typed text is read by the server."""
    kobar = next(
        o
        for o in api(live_console, "/api/v1/organizations", q="Kotawaringin Barat")["items"]
        if o["name"] == KOBAR
    )
    expected = api(
        live_console, "/api/v1/agreements", organization_id=str(kobar["id"]), count="true"
    )
    visit = open_page()
    page = visit.page
    sign_in(page, live_console.email, live_console.password)
    page.goto("/perjanjian")
    field = page.get_by_label("Pihak (organisasi)")
    field.press_sequentially("kotawaringin")
    expect(page.locator(f'#organisasi-daftar option[value="{KOBAR}"]')).to_have_count(1)
    assert_accessible(page)
    field.fill(KOBAR)
    field.press("Enter")
    expect(page.locator("#hasil-daftar")).to_have_text(f"{expected['total']} perjanjian")
    expect(field).to_have_value(KOBAR)
    for agreement in expected["items"]:
        expect(page.get_by_role("link", name=agreement["title"], exact=True)).to_be_visible()
    assert_accessible(page)
    assert_clean(visit)

    plain = open_page(java_script=False, viewport=PHONE)
    sign_in(plain.page, live_console.email, live_console.password)
    plain.page.goto("/perjanjian")
    plain.page.get_by_label("Pihak (organisasi)").fill("kotawaringin barat")
    plain.page.get_by_role("button", name="Terapkan").click()
    expect(plain.page.locator("#hasil-daftar")).to_have_text(f"{expected['total']} perjanjian")
    expect(plain.page.get_by_label("Pihak (organisasi)")).to_have_value(KOBAR)
    assert_fits(plain.page)
    assert_clean(plain)


def test_the_error_page_in_the_browser(
    open_page: Callable[..., Visit], live_console: LiveConsole
) -> None:
    visit = open_page()
    page = visit.page
    sign_in(page, live_console.email, live_console.password)
    response = page.goto("/perjanjian/999999")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Perjanjian tidak ditemukan")
    expect(page).to_have_title("Perjanjian tidak ditemukan · Registri Kerja Sama")
    assert_accessible(page)
    assert_fits(page)
    assert_clean(visit)
