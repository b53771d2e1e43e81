"""The sign-in page and Beranda in Debian's Chromium on the seeded registry: accessible (axe-core),
nothing loaded from off the host, nothing refused by the CSP, no horizontal scroll at 360 px,
usable by keyboard alone, and Beranda readable with JavaScript off."""

import re
from collections.abc import Callable
from pathlib import Path

import httpx
from playwright.sync_api import Error as PlaywrightError

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

COVERAGE_TABLE = re.compile("SKPD yang sudah memegang PKS")


def seeded_stats(live: LiveConsole) -> dict:  # type: ignore[type-arg]
    answer = httpx.get(f"{live.url}/api/v1/stats", headers={"X-API-Key": live.key}, timeout=30)
    answer.raise_for_status()
    return answer.json()  # type: ignore[no-any-return]


def test_sign_in_page(open_page: Callable[..., Visit], live_console: LiveConsole) -> None:
    visit = open_page()
    page = visit.page
    page.goto("/")
    expect(page).to_have_title("Masuk · Registri Kerja Sama")
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk")
    assert page.locator("html").get_attribute("lang") == "id"
    assert_accessible(page)

    # Keyboard alone: the skip link first, then the form; Enter submits it.
    assert tab_to(page, "a.skip-link") == 1
    tab_to(page, "#email")
    page.keyboard.type(live_console.email)
    page.keyboard.press("Tab")
    page.keyboard.type("bukan-kata-sandinya")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text(
        "E-mail atau kata sandi salah, atau akun ini tidak aktif."
    )
    assert_accessible(page)  # with its error message
    expect(page.get_by_label("E-mail")).to_have_value(live_console.email)
    page.get_by_label("Kata sandi").fill(live_console.password)
    page.get_by_label("Kata sandi").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Beranda")

    phone = open_page(viewport=PHONE)
    phone.page.goto("/")
    expect(phone.page.get_by_role("button", name="Masuk")).to_be_visible()
    assert_fits(phone.page)
    assert_clean(visit)
    assert_clean(phone)


def test_beranda(
    open_page: Callable[..., Visit], live_console: LiveConsole, tmp_path: Path
) -> None:
    figures = seeded_stats(live_console)
    visit = open_page()
    page = visit.page
    sign_in(page, live_console.email, live_console.password)
    expect(page).to_have_title("Beranda · Registri Kerja Sama")
    expect(page.locator(".account-name")).to_have_text(live_console.name)

    # The figures of /api/v1/stats, each a link to the list behind it.
    pks = page.locator(".card", has_text="PKS berlaku")
    expect(pks.locator(".card-figure")).to_have_text(str(figures["agreements"]["pks"]["active"]))
    expect(pks.get_by_role("link")).to_have_attribute("href", "/perjanjian?kind=pks&status=active")
    # The Kalsel NK of 2021: 21 of its 22 SKPD hold a signed PKS.
    kalsel = max(figures["coverage"], key=lambda row: row["with_signed_pks"])
    assert kalsel["title"].startswith("Peningkatan Kualitas Pelayanan Publik")
    expect(page.get_by_role("table", name=COVERAGE_TABLE)).to_contain_text(kalsel["title"])
    expect(page.get_by_role("row", name=kalsel["title"])).to_contain_text(
        f"{kalsel['with_signed_pks']} dari {kalsel['agencies']}"
    )
    assert_accessible(page)
    page.screenshot(path=str(tmp_path / "beranda.png"), full_page=True)

    # Keyboard: Tab reaches the navigation; sign-out is a button the keyboard presses too.
    tab_to(page, "nav a[href='/perjanjian']")
    expect(page.locator("nav a[aria-current='page']")).to_have_text("Beranda")
    tab_to(page, "button.link-button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk")
    assert_clean(visit)

    phone = open_page(viewport=PHONE)
    sign_in(phone.page, live_console.email, live_console.password)
    assert_fits(phone.page)
    assert_accessible(phone.page)
    phone.page.screenshot(path=str(tmp_path / "beranda-360.png"), full_page=True)
    assert_clean(phone)
    print(f"\nscreenshots: {tmp_path / 'beranda.png'} {tmp_path / 'beranda-360.png'}")


def test_beranda_works_without_javascript(
    open_page: Callable[..., Visit], live_console: LiveConsole
) -> None:
    figures = seeded_stats(live_console)
    visit = open_page(java_script=False)
    sign_in(visit.page, live_console.email, live_console.password)
    nk = visit.page.locator(".card", has_text="NK berlaku")
    expect(nk.locator(".card-figure")).to_have_text(str(figures["agreements"]["nk"]["active"]))
    expect(visit.page.get_by_role("table", name=COVERAGE_TABLE)).to_contain_text(
        figures["coverage"][0]["title"]
    )
    assert_clean(visit)


def test_the_checks_catch_what_they_must(
    open_page: Callable[..., Visit], live_console: LiveConsole
) -> None:
    """The harness is not vacuous: each check fails on a page that breaks its rule."""
    visit = open_page()
    page = visit.page
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk")
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            const image = document.createElement('img');  // no alt: axe's image-alt, critical
            image.src = '/console/static/htmx.LICENSE';
            main.append(image);
            const wide = document.createElement('div');
            wide.textContent = 'x'.repeat(400);  // one unbreakable word: 360 px overflow
            main.append(wide);
        }"""
    )
    for check in (assert_accessible, assert_fits):
        try:
            check(page)
        except AssertionError as caught:
            failure = str(caught)
        else:
            raise AssertionError(f"{check.__name__} passed a page that breaks its rule")
        assert ("image-alt" if check is assert_accessible else "horizontal scroll") in failure

    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(
            """() => {
                const inline = document.createElement('script');
                inline.textContent = 'document.title = "inline ran"';
                document.body.append(inline);
            }"""
        )
    expect(page).to_have_title("Masuk · Registri Kerja Sama")  # the inline script never ran
    assert any("script-src" in message for message in visit.refused_by_csp)

    # A fetch off the host: the CSP refuses it before it is sent (connect-src 'self').
    outcome = page.evaluate(
        "() => fetch('http://example.org/font.woff2').then(() => 'loaded', () => 'refused')"
    )
    assert outcome == "refused"
    # What the CSP does not cover (a navigation) the recorder refuses and names.
    try:
        page.goto("http://example.org/")
    except PlaywrightError:
        pass
    assert visit.offsite == ["http://example.org/"]


# Perjanjian, one agreement, Riwayat (pagesa)


def seeded_agreement(live: LiveConsole, **params: str) -> dict:  # type: ignore[type-arg]
    answer = httpx.get(
        f"{live.url}/api/v1/agreements", params=params, headers={"X-API-Key": live.key}, timeout=30
    )
    answer.raise_for_status()
    return answer.json()["items"][0]  # type: ignore[no-any-return]


def test_perjanjian_pages(open_page: Callable[..., Visit], live_console: LiveConsole) -> None:
    """The list (searched and filtered), the Kalsel NK, the Kalteng NK, a Kalsel PKS and a
    history: accessible, on the host, within the CSP, at 360 px; the search by keyboard."""
    nk = seeded_agreement(live_console, number="053/NK-PEMOTDA/2021")
    kalteng = seeded_agreement(live_console, status="partially_signed", kind="nk")
    pks = seeded_agreement(live_console, parent_id=str(nk["id"]))
    visit = open_page()
    page = visit.page
    sign_in(page, live_console.email, live_console.password)

    # Keyboard alone: to the search field, type the number, Enter.
    page.goto("/perjanjian")
    expect(page).to_have_title("Perjanjian · Registri Kerja Sama")
    tab_to(page, "#q")
    page.keyboard.type("053/NK-PEMOTDA/2021")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name=nk["title"], exact=True)).to_be_visible()
    assert_accessible(page)

    paths = [
        f"/perjanjian?kind=pks&parent_id={nk['id']}&sort=title",
        f"/perjanjian/{nk['id']}",
        f"/perjanjian/{kalteng['id']}",
        f"/perjanjian/{pks['id']}",
        f"/riwayat/perjanjian/{nk['id']}",
    ]
    for path in paths:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
    # The Kalteng joint NK: Kotawaringin Barat has not signed, and the page says why.
    kobar = next(
        p for p in kalteng["parties"] if p["organization_name"].endswith("Kotawaringin Barat")
    )
    page.goto(f"/perjanjian/{kalteng['id']}")
    kobar_row = page.get_by_role("row").filter(has_text="Kotawaringin Barat")
    expect(kobar_row).to_contain_text("Belum menandatangani")
    expect(kobar_row).to_contain_text(kobar["pending_reason"])
    assert_clean(visit)

    phone = open_page(viewport=PHONE, java_script=False)
    sign_in(phone.page, live_console.email, live_console.password)
    for path in ["/perjanjian", *paths]:
        phone.page.goto(path)
        assert_fits(phone.page)
    assert_clean(phone)
