"""Tenggat: the deadlines staff must meet, on the seeded registry (today 23 November 2026: the
yearly evaluations of the 2026 NK and PKS due 31 December, the Kalsel obligations after), with
an overdue obligation added."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

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
from tests.helpers import create_obligation
from tests.reminders.test_deadlines import world
from tests.world import Kalsel


@pytest.fixture
def seeded(
    signed_in: TestClient, seeded_connection: Connection, admin_headers: dict[str, str]
) -> dict:  # type: ignore[type-arg]
    """The seeds, and a report of Diskominfo Kalsel overdue since 2 November 2026."""
    api = {"headers": admin_headers}
    nk = signed_in.get("/api/v1/agreements", params={"number": "053/NK-PEMOTDA/2021"}, **api)
    nk_id = nk.json()["items"][0]["id"]
    pks = signed_in.get(
        "/api/v1/agreements", params={"parent_id": nk_id, "q": "Komunikasi"}, **api
    ).json()["items"][0]
    diskominfo = pks["parties"][1]["organization_id"]
    made = signed_in.post(
        f"/api/v1/agreements/{pks['id']}/obligations",
        json={
            "title": "Laporan triwulan III pengelolaan pengaduan",
            "responsible_organization_id": diskominfo,
            "due_on": "2026-11-02",
        },
        **api,
    )
    assert made.status_code == 201, made.text
    every = signed_in.get("/api/v1/deadlines", params={"limit": 200}, **api).json()
    return {"pks": pks["id"], "diskominfo": diskominfo, "api": every}


def headings(html: str) -> list[str]:
    return re.findall(r'<h3 id="kelompok-\d+">([^<]*)<', html)


class TestDeadlines:
    def test_counts_first_then_overdue_then_weeks(self, signed_in: TestClient, seeded: dict):  # type: ignore[type-arg]
        api = seeded["api"]
        assert api["total"] == 46 and api["counts"]["overdue"] == 1
        page = signed_in.get("/tenggat")
        assert page.status_code == 200
        html = page.text
        assert "<title>Tenggat ·" in html and 'aria-current="page">Tenggat</a>' in html
        assert re.search(r'id="jumlah-semua">46<', html)
        assert re.search(r'id="jumlah-terlambat">1<', html)
        assert "Evaluasi tahunan (monev)</a>: 23" in html
        assert "Jatuh tempo kewajiban</a>: 23" in html
        # The counts come before the list.
        assert html.index('id="jumlah-semua"') < html.index('id="daftar-tenggat"')
        assert headings(html) == [
            "Terlambat ",
            "Minggu mulai Senin, 28 Desember 2026 ",
            "Minggu mulai Senin, 4 Januari 2027 ",
        ]
        listing = html[html.index('id="daftar-tenggat"') :]
        assert listing.index("Laporan triwulan III") < listing.index("31 Desember 2026")
        assert "(24 tenggat)" in listing and "(22 tenggat)" not in listing
        # Each deadline links to its agreement's page.
        assert f'href="/perjanjian/{seeded["pks"]}"' in listing

    def test_pages_join_up_in_order(self, signed_in: TestClient, seeded: dict):  # type: ignore[type-arg]
        first = signed_in.get("/tenggat?limit=20").text
        assert "Menampilkan 1–20 dari 46" in first
        assert 'href="/tenggat?limit=20&amp;offset=20" rel="next"' in first
        second = signed_in.get("/tenggat?limit=20&offset=20").text
        assert "Menampilkan 21–40 dari 46" in second
        assert 'href="/tenggat?limit=20" rel="prev"' in second
        # The overdue heading only where the overdue ones are; a week goes on across pages.
        assert headings(first)[0] == "Terlambat "
        assert "Terlambat " not in headings(second)
        assert headings(second)[0].startswith("Minggu mulai Senin")
        last = signed_in.get("/tenggat?limit=20&offset=40").text
        assert "Menampilkan 41–46 dari 46" in last and 'rel="next"' not in last

    def test_filter_by_type(self, signed_in: TestClient, seeded: dict):  # type: ignore[type-arg]
        html = signed_in.get("/tenggat?type=evaluation_due").text
        assert re.search(r'id="jumlah-semua">23<', html)
        assert re.search(r'id="jumlah-terlambat">0<', html)
        assert "Jatuh tempo kewajiban</a>: 23" in html  # the other types still counted
        assert '<option value="evaluation_due" selected>' in html
        listing = html[html.index('id="daftar-tenggat"') :]
        assert "Laporan triwulan III" not in listing
        assert headings(html) == ["Minggu mulai Senin, 28 Desember 2026 "]

    def test_filter_by_organization_name(self, signed_in: TestClient, seeded: dict):  # type: ignore[type-arg]
        # Several organizations match: a choice of links, no JavaScript needed.
        many = signed_in.get("/tenggat", params={"organisasi": "Dinas"}).text
        assert "pilih satu" in many
        assert f'href="/tenggat?organization_id={seeded["diskominfo"]}"' in many
        one = signed_in.get("/tenggat", params={"organisasi": "Komunikasi dan Informatika"})
        html = one.text
        assert "Organisasi: <strong>Dinas Komunikasi dan Informatika</strong>" in html
        assert re.search(r'id="jumlah-terlambat">1<', html)
        # The calendar address carries the same organization, and a placeholder for the key.
        assert (
            f"/api/v1/calendar.ics?organization_id={seeded['diskominfo']}&amp;key=KUNCI_API_ANDA"
            in html
        )
        nothing = signed_in.get("/tenggat", params={"organisasi": "tidak-ada-xyz"}).text
        assert "Tidak ada organisasi yang namanya memuat" in nothing

    def test_the_calendar_subscription_is_explained(self, signed_in: TestClient, seeded: dict):  # type: ignore[type-arg]
        html = signed_in.get("/tenggat").text
        assert 'value="http://testserver/api/v1/calendar.ics?key=KUNCI_API_ANDA"' in html
        assert "Google Calendar: Setelan → Tambahkan kalender → Dari URL" in html
        assert "Berlangganan dari web" in html
        assert "kunci API" in html and "Bagian 2" in html

    def test_signed_out_is_sent_to_sign_in(self, browser: TestClient):
        page = browser.get("/tenggat?type=evaluation_due", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/masuk?next=")


def test_the_api_filters_deadlines_by_type(
    signed_in: TestClient, seeded: dict, admin_headers: dict[str, str]
):  # type: ignore[type-arg]
    answer = signed_in.get(
        "/api/v1/deadlines", params={"type": "obligation_due", "limit": 5}, headers=admin_headers
    ).json()
    assert answer["total"] == 23 and len(answer["items"]) == 5
    assert {d["type"] for d in answer["items"]} == {"obligation_due"}
    assert answer["counts"]["overdue"] == 1
    assert answer["counts"]["by_type"]["evaluation_due"] == 23  # every type still counted
    assert sum(w["count"] for w in answer["counts"]["by_week"]) == 22


def test_in_the_browser(open_page: Callable[..., Visit], live_console: LiveConsole) -> None:
    """Chromium on the seeded registry: the counts, the weeks, the type filter by keyboard; at
    360 px and without JavaScript the filter form still works."""
    visit = open_page()
    page = visit.page
    sign_in(page, live_console.email, live_console.password)
    page.goto("/tenggat")
    expect(page).to_have_title("Tenggat · Registri Kerja Sama")
    expect(page.get_by_role("heading", name="Jumlah")).to_be_visible()
    expect(page.locator("h3[id^=kelompok-]").first).to_contain_text("Minggu mulai Senin")
    assert_accessible(page)
    tab_to(page, "#type")
    page.locator("#type").select_option("evaluation_due")
    tab_to(page, "form.filters button")
    page.keyboard.press("Enter")
    expect(page.locator("#type")).to_have_value("evaluation_due")
    expect(page.locator(".deadline-list .tag").first).to_have_text("Evaluasi tahunan (monev)")
    assert_clean(visit)

    phone = open_page(java_script=False, viewport=PHONE)
    sign_in(phone.page, live_console.email, live_console.password)
    phone.page.goto("/tenggat")
    assert_fits(phone.page)
    phone.page.locator("#type").select_option("obligation_due")
    phone.page.get_by_role("button", name="Saring").click()
    expect(phone.page.locator("#type")).to_have_value("obligation_due")
    assert_clean(phone)


class TestTenggatStatements:
    """A Perwakilan's Tenggat counts and pages in the database: the deadlines cost two
    statements whatever their number (tests/reminders/test_deadline_statements.py)."""

    def test_a_page_of_an_organization_reads_the_deadlines_once(
        self,
        kalsel: Kalsel,  # (made first, while the client has its API key)
        admin_headers: dict[str, str],
        signed_in: TestClient,
        count_statements: Callable[[], Any],
    ) -> None:
        signed_in.headers.update(admin_headers)  # the world is made through the API
        w = world(signed_in, kalsel)
        for n in range(5):
            create_obligation(signed_in, w["nk"]["id"], kalsel.ori, f"2026-12-0{n + 1}", f"L{n}")
        del signed_in.headers["X-API-Key"]
        with count_statements() as statements:
            page = signed_in.get("/tenggat", params={"organization_id": kalsel.ori, "limit": 3})
        assert page.status_code == 200 and 'id="jumlah-semua">' in page.text
        deadlines = [s for s in statements if s.lstrip().startswith("WITH deadline")]
        assert len(deadlines) == 1
        # Besides the sign-in session's and the organization's name: the page's parties.
        parties = [s for s in statements if "FROM agreement_party" in s and s not in deadlines]
        assert len(parties) == 1, statements
