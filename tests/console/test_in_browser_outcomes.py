"""Obligations and activities in Debian's Chromium, on a 360 px phone and by keyboard alone: add
a quarterly obligation to a seeded Kalsel PKS, report an activity that fulfils it, open the
verdict form; each form and each refusal accessible (axe-core), on the host, within the CSP,
without horizontal scroll; and what the API then returns."""

from collections.abc import Callable
from typing import Any

import httpx
from playwright.sync_api import FilePayload

from tests.console.browser import (
    PHONE,
    Visit,
    assert_accessible,
    assert_clean,
    assert_fits,
    expect,
    sign_in,
    tab_to,
)
from tests.console.conftest import LiveConsole

TITLE = "Uji papan ketik: pendampingan berkala"
# Tab presses allowed to reach a form low on the agreement's page.
FAR = 400


def api(live: LiveConsole, path: str, **params: str) -> Any:
    answer = httpx.get(
        f"{live.url}{path}", params=params, headers={"X-API-Key": live.key}, timeout=30
    )
    answer.raise_for_status()
    return answer.json()


def test_add_an_obligation_and_report_an_activity_by_keyboard_at_360_px(
    open_page: Callable[..., Visit], live_console: LiveConsole
) -> None:
    nk = api(live_console, "/api/v1/agreements", number="053/NK-PEMOTDA/2021")["items"][0]
    pks = api(live_console, "/api/v1/agreements", parent_id=str(nk["id"]), status="active")[
        "items"
    ][0]
    pks = api(live_console, f"/api/v1/agreements/{pks['id']}")
    first_party = pks["parties"][0]["organization_name"]
    visit = open_page(viewport=PHONE)
    page = visit.page
    sign_in(page, live_console.email, live_console.password)
    page.goto(f"/perjanjian/{pks['id']}")
    expect(page.get_by_role("heading", name="Tambah kewajiban")).to_be_visible()
    assert_accessible(page)
    assert_fits(page)

    # A refusal first: the form sent empty shows each missing field, accessibly.
    tab_to(page, "#formulir-kewajiban_baru button[type=submit]", most=FAR)
    page.keyboard.press("Enter")
    expect(page.locator("#kewajiban_baru-masalah")).to_contain_text("Periksa isian yang ditandai")
    expect(page.locator("#kewajiban-baru-title-galat-1")).to_have_text("Wajib diisi.")
    assert_accessible(page)
    assert_fits(page)

    # The obligation, by keyboard: title, (description), who owes (the first party, as
    # offered), the due date, quarterly.
    tab_to(page, "#kewajiban-baru-title", most=FAR)
    page.keyboard.type(TITLE)
    page.keyboard.press("Tab")  # description
    page.keyboard.press("Tab")  # responsible organization: the first party is chosen
    expect(page.locator("#kewajiban-baru-responsible-organization-id")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#kewajiban-baru-due-on")).to_be_focused()
    page.keyboard.type("12312030")  # headless Chromium: mm/dd/yyyy
    expect(page.locator("#kewajiban-baru-due-on")).to_have_value("2030-12-31")
    tab_to(page, "#kewajiban-baru-recurrence")  # past the date's parts
    page.keyboard.type("Tri")  # Triwulanan
    expect(page.locator("#kewajiban-baru-recurrence")).to_have_value("quarterly")
    tab_to(page, "#formulir-kewajiban_baru button[type=submit]")
    page.keyboard.press("Enter")
    flash = page.locator(".flash")
    expect(flash).to_contain_text(f"Kewajiban “{TITLE}” (triwulanan) dicatat")
    expect(flash).to_contain_text("jatuh tempo 31 Desember 2030")
    owed = [
        o
        for o in api(live_console, "/api/v1/obligations", agreement_id=str(pks["id"]), limit="200")[
            "items"
        ]
        if o["title"] == TITLE
    ]
    assert [(o["recurrence"], o["due_on"], o["status"]) for o in owed] == [
        ("quarterly", "2030-12-31", "open")
    ]
    assert_accessible(page)

    # The activity that fulfils it, by keyboard: its name, the reporting party (the first, as
    # offered), today, what was done, the first ruang lingkup item, the obligation.
    tab_to(page, "#kegiatan-baru-title", most=FAR)
    page.keyboard.type("Sosialisasi uji papan ketik")
    page.keyboard.press("Tab")
    expect(page.locator("#kegiatan-baru-organization-id")).to_be_focused()
    tab_to(page, "#kegiatan-baru-description")
    page.keyboard.type("Sosialisasi standar pelayanan kepada pegawai")
    tab_to(page, "#formulir-kegiatan_baru input[type=checkbox]")
    page.keyboard.press("Space")
    tab_to(page, "#kegiatan-baru-obligation-id")
    page.keyboard.type("Uji")
    expect(page.locator("#kegiatan-baru-obligation-id")).to_have_value(str(owed[0]["id"]))
    tab_to(page, "#formulir-kegiatan_baru button[type=submit]")
    page.keyboard.press("Enter")
    expect(flash).to_contain_text("“Sosialisasi uji papan ketik”")
    expect(flash).to_contain_text("Kewajiban yang dipenuhinya ditandai selesai.")
    reported = [
        a
        for a in api(live_console, f"/api/v1/agreements/{pks['id']}/activities", limit="200")[
            "items"
        ]
        if a["title"] == "Sosialisasi uji papan ketik"
    ]
    assert [(a["organization_name"], a["obligation_id"], a["verification"]) for a in reported] == [
        (first_party, owed[0]["id"], "pending")
    ]
    done = api(live_console, f"/api/v1/obligations/{owed[0]['id']}")
    assert done["status"] == "done"

    # The verdict form of that report (an admin judges any): opened by keyboard, accessible.
    activity_id = reported[0]["id"]
    tab_to(page, f"#kegiatan-{activity_id} details:last-of-type summary", most=FAR)
    page.keyboard.press("Enter")
    expect(page.locator(f"#verifikasi-{activity_id}-verdict")).to_be_visible()
    assert_accessible(page)
    assert_fits(page)
    assert_clean(visit)


def test_the_monev_the_compliance_result_and_the_import_forms_are_accessible_at_360_px(
    open_page: Callable[..., Visit], live_console: LiveConsole
) -> None:
    """The other forms of this part, empty and refused: axe-core clean, no horizontal scroll,
    each reached by keyboard."""
    nk = api(live_console, "/api/v1/agreements", number="053/NK-PEMOTDA/2021")["items"][0]
    visit = open_page(viewport=PHONE)
    page = visit.page
    sign_in(page, live_console.email, live_console.password)

    # Monev on the signed NK: sent with the findings empty.
    page.goto(f"/perjanjian/{nk['id']}")
    expect(page.get_by_role("heading", name="Catat evaluasi (monev)")).to_be_visible()
    tab_to(page, "#formulir-monev button[type=submit]", most=FAR)
    page.keyboard.press("Enter")
    expect(page.locator("#monev-findings-galat-1")).to_have_text("Wajib diisi.")
    assert_accessible(page)
    assert_fits(page)

    # A compliance result: sent without its source.
    page.goto("/hasil")
    tab_to(page, "a[href='/hasil/catat']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Catat hasil penilaian kepatuhan")
    assert_accessible(page)
    tab_to(page, "#formulir-penilaian button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#penilaian-source-galat-1")).to_have_text("Wajib diisi.")
    assert_accessible(page)
    assert_fits(page)

    # Import: the page, and a dry run refused (a file that is no register).
    page.goto("/impor")
    assert_accessible(page)
    junk: FilePayload = {"name": "register.csv", "mimeType": "text/csv", "buffer": b"\x00 bukan"}
    page.locator("#impor-periksa-file").set_input_files(files=[junk])
    tab_to(page, "#formulir-impor_periksa button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#impor-periksa-file-galat-1")).to_contain_text("tidak dapat dibaca")
    assert_accessible(page)
    assert_fits(page)
    assert_clean(visit)
