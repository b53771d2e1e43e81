"""The morning of the Kalsel PKS in Chromium, through the console's forms only (its own server
on a freshly seeded database, so the reading pages' browser tests see the seeds unchanged).

An editor of Ombudsman RI Perwakilan Provinsi Kalimantan Selatan signs in, derives PKS for two
SKPD that hold none (titles previewed, one confirmation), finalises them (one by keyboard alone,
one by a double click that records once), signs all PKS of the NK at once with one date, and sees
the coverage grid (Cakupan) turn to signed; each step checked on the page and in the API;
axe-core clean on every form, with its errors too. Played today, on the seeds as they are; the
morning of 4 July 2022 itself, on seeds where the 21 PKS await their signatures, is
test_in_browser_morning.py."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import scratch_database
from tests.console.browser import (
    Visit,
    assert_accessible,
    assert_clean,
    derive_ticked,
    expect,
    open_deriving,
    sign_in,
    tab_to,
)
from tests.console.conftest import KALSEL_OFFICE as OFFICE
from tests.console.conftest import PASSWORD, live_kalsel, live_member, pages_on
from tests.server import SeededTemplate, running_server

# This module's tests on one worker (`make test` runs --dist loadgroup): one server and one
# Chromium for them, not one on each worker that meets one of them.
pytestmark = pytest.mark.xdist_group("in_browser_writes")

NEW_SKPD = ("Badan Pendapatan Daerah", "Dinas Perpustakaan dan Kearsipan")


@dataclass
class Morning:
    url: str
    key: str
    nk: dict[str, Any]
    office_id: int
    email: str
    viewer_email: str

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = httpx.request(
            method, f"{self.url}{path}", headers={"X-API-Key": self.key}, timeout=60, **kwargs
        )
        assert answer.status_code < 300, answer.text
        return answer.json()


@pytest.fixture(scope="module")
def morning(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, seeded_template: SeededTemplate
) -> Iterator[Morning]:
    """The seeded registry, two more SKPD of the province without a PKS, an editor and a viewer
    of the Perwakilan Kalsel."""
    directory = tmp_path_factory.mktemp("console-writes")
    with (
        scratch_database(database_url, directory) as url,
        running_server(url, directory, template=seeded_template) as live,
    ):
        kalsel = live_kalsel(live, *NEW_SKPD)
        yield Morning(
            url=live.url,
            key=live.key,
            nk=kalsel.nk,
            office_id=kalsel.office_id,
            email=live_member(live, "Hadi Rahman", "editor", kalsel.office_id),
            viewer_email=live_member(live, "Pembaca Perwakilan", "viewer", kalsel.office_id),
        )


@pytest.fixture
def open_page(chromium: Any, morning: Morning) -> Iterator[Callable[..., Visit]]:
    """A watched page in a fresh context on this module's server."""
    with pages_on(chromium, morning.url) as new:
        yield new


def test_the_morning_of_the_kalsel_pks(open_page: Callable[..., Visit], morning: Morning) -> None:
    nk_id = morning.nk["id"]
    visit = open_page()
    page = visit.page
    sign_in(page, morning.email, PASSWORD)

    # Derive PKS for the two SKPD that hold none: a checklist, the titles previewed.
    open_deriving(page, nk_id)
    assert_accessible(page)
    expect(page.get_by_label("Pihak lawan setiap PKS")).to_have_value(str(morning.office_id))
    # Those holding a live PKS are listed without a box to tick.
    grid = page.locator("table.checklist tbody tr")
    assert grid.count() >= 23
    for name in NEW_SKPD:
        page.get_by_label(f"Susun PKS untuk {name}").check()
    page.get_by_role("button", name="Pratinjau judul").click()
    for name in NEW_SKPD:
        expect(page.locator("table.checklist")).to_contain_text(
            f"Perjanjian Kerja Sama {OFFICE} dengan {name}"
        )
        expect(page.get_by_label(f"Susun PKS untuk {name}")).to_be_checked()
    assert (
        morning.api("GET", f"/api/v1/agreements?parent_id={nk_id}&status=draft&count=true")["total"]
        == 0
    )
    derive_ticked(page, 2)
    drafts = morning.api("GET", f"/api/v1/agreements?parent_id={nk_id}&status=draft")["items"]
    assert sorted(d["title"] for d in drafts) == [
        f"Perjanjian Kerja Sama {OFFICE} dengan {name}" for name in NEW_SKPD
    ]

    # Finalise the first by keyboard alone.
    first, second = sorted(drafts, key=lambda d: d["title"])
    page.goto(f"/perjanjian/{first['id']}")
    assert_accessible(page)
    tab_to(page, "#formulir-finalisasi button[type=submit]", most=80)
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("difinalisasi pada")
    # The second by a double click: recorded once, the page shows the result.
    page.goto(f"/perjanjian/{second['id']}")
    page.locator("#formulir-finalisasi button[type=submit]").dblclick()
    expect(page.locator(".flash")).to_contain_text("difinalisasi pada")
    events = morning.api("GET", f"/api/v1/agreements/{second['id']}/history")["items"]
    assert [e["action"] for e in events].count("finalized") == 1
    assert events[0]["actor"] == "Hadi Rahman"

    # Sign every PKS of the NK awaiting signatures at once, with one date.
    page.goto(f"/perjanjian/{nk_id}")
    page.get_by_role("link", name="Catat tanda tangan PKS sekaligus").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Catat tanda tangan PKS sekaligus")
    assert_accessible(page)
    rows = page.locator("table.checklist tbody tr")
    expect(rows).to_have_count(4)  # two PKS, two parties each
    for index in range(4):
        expect(rows.nth(index).get_by_role("checkbox")).to_be_checked()
    # A date before the NK was signed: every row refused, shown against it, nothing recorded.
    page.get_by_label("Tanggal tanda tangan").fill("2021-01-04")
    page.get_by_role("button", name="Catat tanda tangan yang dicentang").click()
    expect(page.locator(".form-problems")).to_contain_text("Tidak ada tanda tangan yang dicatat")
    expect(page.locator("table.checklist .field-error")).to_have_count(4)
    assert_accessible(page)  # with its errors
    today = morning.api("GET", f"/api/v1/agreements/{first['id']}")["drafted_on"]
    page.get_by_label("Tanggal tanda tangan").fill(today)
    page.get_by_role("button", name="Catat tanda tangan yang dicentang").click()

    # The coverage grid: both SKPD now signed.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cakupan")
    expect(page.locator(".flash")).to_contain_text("4 tanda tangan pada")
    for name in NEW_SKPD:
        cell = page.locator(".coverage-cell", has_text=name)
        expect(cell).to_have_class(re.compile(r"state-(active|signed)"))
    coverage = morning.api("GET", f"/api/v1/agreements/{nk_id}/coverage")
    states = {
        a["organization_name"]: a["pks"]["status"] if a["pks"] else None
        for g in coverage["governments"]
        for a in g["agencies"]
    }
    for name in NEW_SKPD:
        assert states[name] in ("active", "signed")
    assert_clean(visit)


def test_a_viewer_sees_no_form_and_a_post_is_refused(
    open_page: Callable[..., Visit], morning: Morning
) -> None:
    visit = open_page()
    page = visit.page
    sign_in(page, morning.viewer_email, PASSWORD)
    page.goto(f"/perjanjian/{morning.nk['id']}/susun-pks")
    expect(page.locator("main")).to_contain_text("Anda tidak berwenang menyusun PKS")
    expect(page.locator("form.console-form")).to_have_count(0)
    assert_accessible(page)
    # A post forged from the viewer's own session (its CSRF token from the sign-out form).
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    answer = page.request.post(
        f"/perjanjian/{morning.nk['id']}/susun-pks",
        form={
            "csrf_token": token or "",
            "idempotency_key": "forged",
            "counterpart_organization_id": str(morning.office_id),
            "organization_ids": "1",
            "title": "PKS {organization}",
        },
    )
    assert answer.status == 403
    assert "Anda tidak berwenang melakukan ini." in answer.text()
    assert_clean(visit)


def test_registering_a_pks_by_name_and_a_second_live_pks_refused(
    open_page: Callable[..., Visit], morning: Morning
) -> None:
    """The type-ahead (static/typeahead.js under the strict CSP) suggests names; an SKPD that
    already holds a live PKS under the NK (signed in the seeds) is refused, the message on the
    form, axe-core clean with it."""
    nk_id = morning.nk["id"]
    coverage = morning.api("GET", f"/api/v1/agreements/{nk_id}/coverage")
    holder = next(
        a["organization_name"]
        for g in coverage["governments"]
        for a in g["agencies"]
        if a["pks"] and a["pks"]["status"] == "active"
    )
    visit = open_page()
    page = visit.page
    sign_in(page, morning.email, PASSWORD)
    page.goto(f"/perjanjian/{nk_id}")
    page.get_by_role("link", name="Daftarkan PKS di bawah NK ini").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Daftarkan PKS")
    assert_accessible(page)
    expect(page.locator("#perjanjian-pihak-1")).to_have_value(OFFICE)
    page.locator("#perjanjian-title").fill("PKS kedua untuk satu SKPD")
    second = page.locator("#perjanjian-pihak-2")
    second.focus()
    page.keyboard.type(holder[:12])
    expect(page.locator("#organisasi-saran option", has_text=holder).first).to_be_attached()
    second.fill(holder)
    page.get_by_role("button", name="Daftarkan sebagai draf").click()
    expect(page.locator(".form-problems")).to_contain_text(
        "SKPD ini sudah memiliki PKS yang masih hidup di bawah NK ini."
    )
    expect(page.locator("#perjanjian-pihak-2")).to_have_value(holder)  # kept
    assert_accessible(page)
    titles = morning.api("GET", f"/api/v1/agreements?parent_id={nk_id}&q=PKS kedua&count=true")[
        "total"
    ]
    assert titles == 0
    assert_clean(visit)


def test_a_renewal_confirmation_says_what_will_happen_and_is_accessible(
    open_page: Callable[..., Visit], morning: Morning
) -> None:
    """Checked only (not confirmed): the module's seeds stay as the morning needs them."""
    found = morning.api(
        "GET",
        "/api/v1/agreements",
        params={"parent_id": morning.nk["id"], "organization_id": morning.office_id, "limit": 200},
    )["items"]
    pks = next(a for a in found if a["status"] in ("signed", "active", "expired"))
    visit = open_page()
    page = visit.page
    sign_in(page, morning.email, PASSWORD)
    page.goto(f"/perjanjian/{pks['id']}")
    form = page.locator("#judul-perpanjang").locator("..")
    form.get_by_label("Berlaku sejak").fill("2026-07-04")
    form.get_by_label("Berlaku sampai").fill("2031-07-03")
    form.get_by_role("button", name="Periksa perpanjangan").click()
    confirmation = page.locator("#perpanjang-konfirmasi")
    expect(confirmation).to_contain_text("berlaku sejak 4 Juli 2026 sampai 3 Juli 2031")
    expect(page.get_by_role("button", name="Ya, daftarkan perpanjangan")).to_be_visible()
    assert_accessible(page)
    assert_clean(visit)
    assert morning.api("GET", f"/api/v1/agreements/{pks['id']}")["superseded_by_id"] is None
