"""Kewajiban, Organisasi and Hasil in Debian's Chromium on the seeded registry: accessible
(axe-core), nothing off the host, nothing refused by the CSP, no horizontal scroll at 360 px,
the main control reached by keyboard; a branch of the tree and the Hasil table without JavaScript.
(A file of its own beside test_in_browser.py, so that pages built in parallel merge cleanly.)"""

from collections.abc import Callable

import httpx
import pytest

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


def organization_id(live: LiveConsole, q: str) -> int:
    answer = httpx.get(
        f"{live.url}/api/v1/organizations",
        params={"q": q},
        headers={"X-API-Key": live.key},
        timeout=30,
    )
    answer.raise_for_status()
    return int(answer.json()["items"][0]["id"])


# (path, or a query naming the organization of ?organization_id=), title, what it shows, the main
# control (a selector the keyboard must reach).
PAGES = [
    ("/kewajiban?status=open", "Kewajiban", "Pendampingan secara berkala", "#status"),
    ("/organisasi?q=kominfo", "Organisasi", "Dinas Komunikasi dan Informatika", "#q"),
    ("/hasil?organization_id={Pemprov Kalsel}", "Hasil", "Zona kuning", "#organization_id"),
    ("/hasil?organization_id={Kotabaru}", "Hasil", "Zona kuning", "#organization_id"),
]


@pytest.mark.parametrize(("path", "title", "shows", "control"), PAGES)
def test_page_in_the_browser(
    open_page: Callable[..., Visit],
    live_console: LiveConsole,
    path: str,
    title: str,
    shows: str,
    control: str,
) -> None:
    if "{" in path:
        name = path[path.index("{") + 1 : path.index("}")]
        path = path.replace(f"{{{name}}}", str(organization_id(live_console, name)))
    visit = open_page()
    page = visit.page
    sign_in(page, live_console.email, live_console.password)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("main")).to_contain_text(shows)
    expect(page.locator("nav a[aria-current='page']")).to_have_text(title)
    assert_accessible(page)
    assert tab_to(page, control) > 1
    assert_clean(visit)

    phone = open_page(viewport=PHONE)
    sign_in(phone.page, live_console.email, live_console.password)
    phone.page.goto(path)
    expect(phone.page.get_by_role("heading", level=1)).to_have_text(title)
    assert_fits(phone.page)
    assert_accessible(phone.page)
    assert_clean(phone)


def test_tree_and_outcomes_without_javascript(
    open_page: Callable[..., Visit], live_console: LiveConsole
) -> None:
    visit = open_page(java_script=False)
    page = visit.page
    sign_in(page, live_console.email, live_console.password)
    page.goto("/organisasi")
    row = page.get_by_role("row", name="Pemerintah Provinsi Kalimantan Selatan")
    row.get_by_role("link", name="organisasi di bawah").click()
    expect(page).to_have_title(
        "Pemerintah Provinsi Kalimantan Selatan · Organisasi · Registri Kerja Sama"
    )
    expect(page.locator("main")).to_contain_text("Dinas Komunikasi dan Informatika")
    page.goto("/hasil")
    page.get_by_label("Organisasi", exact=True).select_option(
        label="Pemerintah Provinsi Kalimantan Tengah"
    )
    page.get_by_role("button", name="Tampilkan").click()
    expect(page.locator("#menunggu")).to_have_text(
        "Sudah ditandatangani, menunggu pihak lain (2023)"
    )
    expect(page.get_by_role("img", name="Sebaran zona kepatuhan per tahun")).to_be_visible()
    assert_clean(visit)
