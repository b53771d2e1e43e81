"""Cakupan: the coverage of an NK as staff read it, on the seeded Kalsel NK of 2021 (22 SKPD, 21
PKS finalised 15-27 June 2022 and signed 4 July 2022)."""

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Connection
from sqlmodel import Session

from tests.conftest import TODAY
from tests.console.browser import (
    PHONE,
    Visit,
    assert_accessible,
    assert_clean,
    assert_fits,
    expect,
    tab_to,
)
from tests.console.browser import sign_in as sign_in_browser
from tests.console.conftest import LiveConsole, make_staff, sign_in


@pytest.fixture
def kalsel_nk(
    seeded_connection: Connection, signed_in: TestClient, admin_headers: dict[str, str]
) -> int:
    found = signed_in.get(
        "/api/v1/agreements", params={"number": "053/NK-PEMOTDA/2021"}, headers=admin_headers
    ).json()
    return int(found["items"][0]["id"])


def figure(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">([^<]*)<', html)
    assert found, element_id
    return found.group(1)


def cells(html: str) -> list[tuple[str, str]]:
    """(CSS state, the state's text) of each cell of the grid."""
    return re.findall(
        r'<li class="coverage-cell state-(\w+)[^"]*">\s*<span class="cell-name">[^<]*</span>\s*'
        r'<span class="cell-state">([^<]*)</span>',
        html,
    )


class TestCoverageGrid:
    def test_today_21_of_22_skpd_hold_a_signed_pks(self, signed_in: TestClient, kalsel_nk: int):
        page = signed_in.get(f"/cakupan/{kalsel_nk}")
        assert page.status_code == 200
        html = page.text
        assert "<title>Cakupan PKS 30/ORI-MoU/X/2021 / 053/NK-PEMOTDA/2021 ·" in html
        assert "Cakupan PKS di bawah NK 30/ORI-MoU/X/2021 dan 053/NK-PEMOTDA/2021" in html
        assert figure(html, "memegang") == "21 dari 22"
        assert figure(html, "ditandatangani") == "21 dari 22"
        grid = cells(html)
        assert len(grid) == 22
        # Each colour also says its state in words.
        assert grid.count(("active", "Berlaku")) == 21
        assert grid.count(("none", "Belum ada PKS")) == 1
        assert html.count("Ditandatangani 4 Juli 2022") == 21
        assert 'href="/perjanjian/' in html  # each PKS links to its page
        # The legend names every colour; the print layout has the table with row headers.
        assert 'class="legend"' in html and "Menunggu penandatanganan" in html
        assert html.count('<th scope="row">') == 22
        assert f"Keadaan per <strong>{TODAY.day} November {TODAY.year}</strong> (hari ini)" in html

    def test_the_page_takes_a_fixed_number_of_statements_and_reads_no_scope(
        self, signed_in: TestClient, kalsel_nk: int, count_statements: Callable[[], Any]
    ) -> None:
        """The session 1; the coverage 4 (the NK, its governments, their SKPD, the PKS they
        hold); the NK's title and numbers 2. Its ruang lingkup is not on the page."""
        with count_statements() as statements:
            page = signed_in.get(f"/cakupan/{kalsel_nk}")
        assert page.status_code == 200
        assert len(statements) <= 7, statements
        assert not any("scope_item" in statement for statement in statements), statements

    def test_as_of_3_july_2022_the_21_await_their_signatures(
        self, signed_in: TestClient, kalsel_nk: int
    ):
        html = signed_in.get(f"/cakupan/{kalsel_nk}", params={"as_of": "2022-07-03"}).text
        assert "Keadaan per <strong>3 Juli 2022</strong>." in html
        assert figure(html, "memegang") == "21 dari 22"
        assert figure(html, "ditandatangani") == "0 dari 22"
        grid = cells(html)
        assert grid.count(("awaiting_signatures", "Menunggu penandatanganan")) == 21
        assert "Ditandatangani 4 Juli 2022" not in html
        # The date picker keeps the day; the sheet link asks for the same day.
        assert 'type="date" value="2022-07-03"' in html
        assert f'href="/cakupan/{kalsel_nk}/unduh.xlsx?as_of=2022-07-03"' in html

    def test_as_of_14_june_2022_no_skpd_held_one(self, signed_in: TestClient, kalsel_nk: int):
        html = signed_in.get(f"/cakupan/{kalsel_nk}?as_of=2022-06-14").text
        assert figure(html, "memegang") == "0 dari 22"
        assert {state for state, _ in cells(html)} == {"none"}

    def test_the_date_picker_is_a_plain_get_form(self, signed_in: TestClient, kalsel_nk: int):
        html = signed_in.get(f"/cakupan/{kalsel_nk}").text
        form = re.search(r'<form method="get" action="([^"]+)"[^>]*>(.*?)</form>', html, re.S)
        assert form and form.group(1) == f"/cakupan/{kalsel_nk}"
        assert '<label for="as_of">' in form.group(2)
        assert 'name="as_of" type="date"' in form.group(2)
        # What a browser without JavaScript sends when the field is cleared: today.
        assert "(hari ini)" in signed_in.get(f"/cakupan/{kalsel_nk}?as_of=").text

    def test_a_wrong_day_is_said_in_indonesian(self, signed_in: TestClient, kalsel_nk: int):
        page = signed_in.get(f"/cakupan/{kalsel_nk}", params={"as_of": "3-7-2022"})
        assert page.status_code == 422
        assert page.headers["content-type"].startswith("text/html")
        assert "Tanggal tidak sah" in page.text
        assert 'role="alert"' in page.text

    def test_the_print_layout_has_no_navigation_and_the_grid_as_a_table(
        self, signed_in: TestClient, kalsel_nk: int
    ):
        css = signed_in.get("/console/static/console.css").text
        printing = css[css.rindex("@media print") :]
        assert ".screen-only" in printing and ".print-only { display: block; }" in printing
        assert ".site-header" in css[css.index("@media print") :]  # the navigation is hidden
        html = signed_in.get(f"/cakupan/{kalsel_nk}").text
        assert '<ul class="coverage-grid screen-only">' in html
        assert '<div class="table-wrap print-only">' in html


class TestCoverageRefusals:
    def test_an_unknown_nk_or_a_pks_is_an_html_404(
        self, signed_in: TestClient, kalsel_nk: int, admin_headers: dict[str, str]
    ):
        pks = signed_in.get(
            "/api/v1/agreements", params={"parent_id": kalsel_nk}, headers=admin_headers
        ).json()["items"][0]["id"]
        for path in ("/cakupan/999999", f"/cakupan/{pks}", f"/cakupan/{pks}/unduh.xlsx"):
            page = signed_in.get(path)
            assert page.status_code == 404
            assert page.headers["content-type"].startswith("text/html")
        assert "bukan NK" in signed_in.get(f"/cakupan/{pks}").text

    def test_signed_out_is_sent_to_sign_in(self, browser: TestClient):
        page = browser.get("/cakupan/1?as_of=2022-07-03", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"] == "/masuk?next=%2Fcakupan%2F1%3Fas_of%3D2022-07-03"


class TestCoverageSheet:
    def test_the_sheet_downloads_with_the_session_as_of_the_day(
        self, signed_in: TestClient, kalsel_nk: int
    ):
        answer = signed_in.get(f"/cakupan/{kalsel_nk}/unduh.xlsx?as_of=2022-07-03")
        assert answer.status_code == 200
        assert "X-API-Key" not in signed_in.headers  # the session alone
        assert (
            f"cakupan-pks-nk-{kalsel_nk}-2022-07-03.xlsx" in answer.headers["content-disposition"]
        )
        sheet = load_workbook(io.BytesIO(answer.content)).active
        assert sheet is not None
        rows = list(sheet.iter_rows(values_only=True))
        assert "053/NK-PEMOTDA/2021" in str(rows[0][0]) and "3 Juli 2022" in str(rows[0][0])
        statuses = [row[4] for row in rows[2:]]
        assert statuses.count("Menunggu penandatanganan") == 21 and len(statuses) == 22

    def test_the_sheet_needs_a_session(self, browser: TestClient, kalsel_nk: int):
        browser.cookies.clear()
        answer = browser.get(f"/cakupan/{kalsel_nk}/unduh.xlsx", follow_redirects=False)
        assert answer.status_code == 303


class TestChooseNk:
    def test_every_nk_links_to_its_coverage(self, signed_in: TestClient, kalsel_nk: int):
        html = signed_in.get("/cakupan").text
        assert "<title>Cakupan PKS ·" in html
        assert 'aria-current="page">Cakupan</a>' in html
        assert f'href="/cakupan/{kalsel_nk}"' in html
        assert "053/NK-PEMOTDA/2021" in html
        assert "3 NK" in html

    def test_search_by_number(self, signed_in: TestClient, kalsel_nk: int):
        html = signed_in.get("/cakupan", params={"q": "053/NK-PEMOTDA"}).text
        assert "1 NK yang cocok" in html and f'href="/cakupan/{kalsel_nk}"' in html
        assert "Tidak ada NK yang cocok" in signed_in.get("/cakupan?q=tidak-ada-xyz").text

    def test_a_viewer_sees_it_too(self, browser: TestClient, session: Session, kalsel_nk: int):
        browser.cookies.clear()
        sign_in(browser, make_staff(session, "viewer", name="Pembaca Biro"))
        page = browser.get(f"/cakupan/{kalsel_nk}")
        assert page.status_code == 200 and "21 dari 22" in page.text
        assert "<button" not in page.text.split('id="isi"')[1].replace(
            '<button type="submit">Tampilkan</button>', ""
        )


def test_in_the_browser(open_page: Callable[..., Visit], live_console: LiveConsole) -> None:
    """Chromium on the seeded registry: choose the Kalsel NK, read its grid, go back to 3 July
    2022 by keyboard, print it; at 360 px and without JavaScript the date picker still works."""
    visit = open_page()
    page = visit.page
    sign_in_browser(page, live_console.email, live_console.password)
    page.goto("/cakupan")
    expect(page).to_have_title("Cakupan PKS · Registri Kerja Sama")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Cakupan: Peningkatan Kualitas Pelayanan")).click()
    expect(page.locator("#memegang")).to_have_text("21 dari 22")
    expect(page.locator(".coverage-cell.state-active")).to_have_count(21)
    assert_accessible(page)
    tab_to(page, "#as_of")
    page.locator("#as_of").fill("2022-07-03")
    tab_to(page, "form.filters button")
    page.keyboard.press("Enter")
    expect(page.locator("#ditandatangani")).to_have_text("0 dari 22")
    expect(page.locator(".coverage-cell.state-awaiting_signatures")).to_have_count(21)
    page.emulate_media(media="print")
    expect(page.locator("table.coverage-table")).to_be_visible()
    expect(page.locator(".coverage-grid")).to_be_hidden()
    expect(page.locator(".site-nav")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_contain_text("053/NK-PEMOTDA/2021")
    page.emulate_media(media="screen")
    assert_clean(visit)

    phone = open_page(java_script=False, viewport=PHONE)
    sign_in_browser(phone.page, live_console.email, live_console.password)
    phone.page.goto("/cakupan/1")
    expect(phone.page.locator("#memegang")).to_have_text("21 dari 22")
    assert_fits(phone.page)
    phone.page.locator("#as_of").fill("2022-06-14")
    phone.page.get_by_role("button", name="Tampilkan").click()
    expect(phone.page.locator("#memegang")).to_have_text("0 dari 22")
    assert_clean(phone)
