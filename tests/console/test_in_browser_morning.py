"""The morning of 4 July 2022 in Chromium, through the console only, on a copy of the seeds where
the 21 Kalsel PKS (finalised 27 June 2022) still await their signatures (tests/seed_variants.py).

The editor of Ombudsman RI Perwakilan Provinsi Kalimantan Selatan derives PKS for the two SKPD
that hold none, dated that morning; finalises them; signs all 23 PKS of the NK at once with one
date; sees the coverage grid (Cakupan) turn to signed; uploads the signed scan by drag and drop
(a progress bar, the SHA-256 the server recorded); adds a quarterly obligation and reports the
activity that fulfils it. The Biro Pemerintahan dan Kerja Sama's editor then verifies the report.
Each step checks what the page shows and what the API then returns (httpx, an API key), and
axe-core on each form. The upload without JavaScript (a plain multipart POST) closes the module.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import FilePayload, Page

from tests.conftest import scratch_database
from tests.console.browser import (
    PHONE,
    Visit,
    assert_accessible,
    assert_clean,
    assert_fits,
    derive_ticked,
    expect,
    open_deriving,
    sign_in,
    tab_to,
)
from tests.console.conftest import (
    KALSEL_OFFICE as OFFICE,
)
from tests.console.conftest import (
    PASSWORD,
    live_kalsel,
    live_member,
    live_named,
    pages_on,
)
from tests.seed_variants import kalsel_awaiting_signatures
from tests.server import running_server

# This module's tests on one worker (`make test` runs --dist loadgroup): one server and one
# Chromium for them, not one on each worker that meets one of them.
pytestmark = pytest.mark.xdist_group("in_browser_morning")

BIRO = "Biro Pemerintahan dan Kerja Sama Sekretariat Daerah"
NEW_SKPD = "Dinas Perpustakaan dan Kearsipan"  # added to the province this morning
MORNING = "2022-07-04"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 400 + b"\n%%EOF\n"


@dataclass
class Morning:
    url: str
    key: str
    nk_id: int
    office_id: int
    editor: str  # Hadi Rahman, editor of the Perwakilan
    biro: str  # an editor of the Biro Pemerintahan dan Kerja Sama (for Pemprov Kalsel)

    def api(self, path: str, **params: Any) -> Any:
        answer = httpx.get(
            f"{self.url}{path}", params=params, headers={"X-API-Key": self.key}, timeout=60
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    def coverage(self, **params: str) -> Any:
        return self.api(f"/api/v1/agreements/{self.nk_id}/coverage", **params)


@pytest.fixture(scope="module")
def morning(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Morning]:
    """A server seeded with the Kalsel PKS awaiting signatures, one more SKPD of the province,
    and the two editors."""
    directory = tmp_path_factory.mktemp("console-morning")
    seeds = kalsel_awaiting_signatures(directory)
    with (
        scratch_database(database_url, directory) as url,
        running_server(url, directory, extra_env={"SEEDS_DIR": str(seeds)}) as live,
    ):
        kalsel = live_kalsel(live, NEW_SKPD)
        biro = live_named(live, "/api/v1/organizations", BIRO)
        yield Morning(
            url=live.url,
            key=live.key,
            nk_id=kalsel.nk["id"],
            office_id=kalsel.office_id,
            editor=live_member(live, "Hadi Rahman", "editor", kalsel.office_id),
            biro=live_member(live, "Staf Biro Kerja Sama", "editor", biro["id"]),
        )


@pytest.fixture
def open_page(chromium: Any, morning: Morning) -> Iterator[Callable[..., Visit]]:
    """A watched page in a fresh context (no cookies) on this module's server."""
    with pages_on(chromium, morning.url) as new:
        yield new


def title_of(name: str) -> str:
    return f"Perjanjian Kerja Sama {OFFICE} dengan {name}"


def drop_file(page: Page, selector: str, name: str, content: bytes) -> None:
    """Drag a file from the desktop onto an element: a drop event carrying it."""
    transfer = page.evaluate_handle(
        """([name, bytes]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], name, {type: "application/pdf"}));
            return transfer;
        }""",
        [name, list(content)],
    )
    page.locator(selector).dispatch_event("dragover", {"dataTransfer": transfer})
    page.locator(selector).dispatch_event("drop", {"dataTransfer": transfer})


def test_the_morning_of_4_july_2022(open_page: Callable[..., Visit], morning: Morning) -> None:
    nk_id = morning.nk_id
    before = morning.coverage()["counts"]
    assert (before["awaiting_signatures"], before["none"]) == (21, 2)
    visit = open_page()
    page = visit.page
    sign_in(page, morning.editor, PASSWORD)

    # Derive PKS for the two SKPD that hold none, dated that morning.
    open_deriving(page, nk_id)
    expect(page.get_by_label("Susun PKS untuk Inspektorat", exact=True)).to_have_count(0)
    page.get_by_label("Tanggal penyusunan draf").fill(MORNING)
    for name in (BIRO, NEW_SKPD):
        page.get_by_label(f"Susun PKS untuk {name}").check()
    assert_accessible(page)
    derive_ticked(page, 2)
    drafts = morning.api("/api/v1/agreements", parent_id=nk_id, status="draft")["items"]
    assert sorted((d["title"], d["drafted_on"]) for d in drafts) == [
        (title_of(BIRO), MORNING),
        (title_of(NEW_SKPD), MORNING),
    ]

    # Finalise each, that morning.
    for draft in drafts:
        page.goto(f"/perjanjian/{draft['id']}")
        form = page.locator("#formulir-finalisasi")
        form.get_by_label("Tanggal finalisasi").fill(MORNING)
        form.get_by_role("button").click()
        expect(page.locator(".flash")).to_contain_text("difinalisasi pada 4 Juli 2022")
        pks = morning.api(f"/api/v1/agreements/{draft['id']}")
        assert (pks["status"], pks["finalized_on"]) == ("awaiting_signatures", MORNING)

    # Sign all 23 PKS of the NK at once, with one date.
    page.goto(f"/perjanjian/{nk_id}")
    page.get_by_role("link", name="Catat tanda tangan PKS sekaligus").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Catat tanda tangan PKS sekaligus")
    rows = page.locator("table.checklist tbody tr")
    expect(rows).to_have_count(46)  # 23 PKS, two parties each, every one ticked
    expect(page.locator("table.checklist tbody input[type=checkbox]:checked")).to_have_count(46)
    assert_accessible(page)
    page.get_by_label("Tanggal tanda tangan").fill(MORNING)
    page.get_by_role("button", name="Catat tanda tangan yang dicentang").click()

    # The coverage grid turns to signed.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cakupan")
    expect(page.locator(".flash")).to_contain_text(
        "46 tanda tangan pada 4 Juli 2022 dicatat untuk 23 PKS"
    )
    expect(page.locator("#ditandatangani")).to_have_text("23 dari 23")
    expect(page.locator(".coverage-cell.state-active")).to_have_count(23)
    assert_accessible(page)
    after = morning.coverage()
    assert {status: n for status, n in after["counts"].items() if n} == {"active": 23}
    assert {a["pks"]["signed_on"] for g in after["governments"] for a in g["agencies"]} == {MORNING}
    # The day before, as recorded: the 21 awaited their signatures, the two were not drafted.
    eve = morning.coverage(as_of="2022-07-03")["counts"]
    assert (eve["awaiting_signatures"], eve["none"]) == (21, 2)

    # The signed scan of the new SKPD's PKS, dropped on the form: progress, then the hash.
    pks = next(d for d in drafts if d["title"] == title_of(NEW_SKPD))
    page.goto(f"/perjanjian/{pks['id']}")
    zone = page.locator(".drop-zone")
    expect(zone).to_contain_text("tarik dan lepas berkas")
    assert_accessible(page)
    page.evaluate("() => { window.samePage = true; }")  # gone if the browser navigated
    drop_file(page, ".drop-zone", "PKS Dinas Perpustakaan.pdf", PDF)
    expect(zone.locator(".upload-status")).to_have_text(
        "Berkas dipilih: PKS Dinas Perpustakaan.pdf."
    )
    page.evaluate(
        """() => {
            const said = document.querySelector('.drop-zone .upload-status');
            window.said = [];
            new MutationObserver(() => window.said.push(said.textContent))
                .observe(said, {childList: true, characterData: true, subtree: true});
        }"""
    )
    page.get_by_role("button", name="Unggah dokumen").click()
    status = page.locator(".drop-zone .upload-status")
    expect(status).to_contain_text("Terunggah. SHA-256 yang dicatat server: ")
    [document] = morning.api(f"/api/v1/agreements/{pks['id']}/documents")
    expect(status).to_have_text(f"Terunggah. SHA-256 yang dicatat server: {document['sha256']}")
    expect(page.locator(".drop-zone progress")).to_have_js_property("value", 100)
    expect(page.locator(".flash")).to_contain_text(f"SHA-256: {document['sha256']}")
    expect(page.get_by_role("link", name="Unduh PKS Dinas Perpustakaan.pdf")).to_be_visible()
    assert page.evaluate("() => window.samePage === true")  # sent by XMLHttpRequest
    progress = page.evaluate("() => window.said")  # what the bar's words said meanwhile
    assert progress[0] == "Mengunggah… 0 %" and "Mengunggah… 100 %" in progress, progress
    assert page.url.endswith(f"/perjanjian/{pks['id']}#dokumen")
    assert document["filename"] == "PKS Dinas Perpustakaan.pdf"
    assert document["size_bytes"] == len(PDF)
    assert_accessible(page)

    # A quarterly obligation: pendampingan secara berkala, owed by the Perwakilan.
    title = "Pendampingan secara berkala peningkatan kualitas layanan publik"
    page.locator("#kewajiban-baru-title").fill(title)
    page.locator("#kewajiban-baru-due-on").fill("2022-09-30")
    page.locator("#kewajiban-baru-recurrence").select_option("quarterly")
    page.get_by_role("button", name="Catat kewajiban").click()
    expect(page.locator(".flash")).to_contain_text(f"Kewajiban “{title}” (triwulanan) dicatat")
    [owed] = morning.api("/api/v1/obligations", agreement_id=pks["id"])["items"]
    assert (
        owed["title"],
        owed["recurrence"],
        owed["due_on"],
        owed["responsible_organization_id"],
    ) == (
        title,
        "quarterly",
        "2022-09-30",
        morning.office_id,
    )

    # The activity that fulfils it.
    report = "Pendampingan penyusunan standar pelayanan"
    page.locator("#kegiatan-baru-title").fill(report)
    page.locator("#kegiatan-baru-held-on").fill("2022-08-18")
    page.locator("#kegiatan-baru-description").fill(
        "Pendampingan penyusunan standar pelayanan perpustakaan daerah bersama Ombudsman."
    )
    page.locator("#formulir-kegiatan_baru input[type=checkbox]").last.check()
    page.locator("#kegiatan-baru-obligation-id").select_option(str(owed["id"]))
    assert_accessible(page)
    page.get_by_role("button", name="Laporkan kegiatan").click()
    expect(page.locator(".flash")).to_contain_text(f"“{report}”")
    expect(page.locator(".flash")).to_contain_text("Kewajiban yang dipenuhinya ditandai selesai.")
    [activity] = morning.api(f"/api/v1/agreements/{pks['id']}/activities")["items"]
    assert (activity["title"], activity["obligation_id"], activity["verification"]) == (
        report,
        owed["id"],
        "pending",
    )
    assert morning.api(f"/api/v1/obligations/{owed['id']}")["status"] == "done"
    assert_clean(visit)

    # The Biro Pemerintahan dan Kerja Sama, for the province, verifies the report.
    biro = open_page()
    page = biro.page
    sign_in(page, morning.biro, PASSWORD)
    page.goto(f"/perjanjian/{pks['id']}")
    row = page.locator(f"#kegiatan-{activity['id']}")
    expect(row).to_contain_text("Menunggu verifikasi")
    row.locator("summary", has_text="Verifikasi atau tolak").click()
    expect(page.locator(f"#verifikasi-{activity['id']}-verdict")).to_have_value("verified")
    assert_accessible(page)
    row.get_by_role("button", name="Simpan putusan").click()
    expect(page.locator(".flash")).to_contain_text(f"Kegiatan “{report}” kini terverifikasi.")
    judged = morning.api(f"/api/v1/agreements/{pks['id']}/activities")["items"][0]
    assert judged["verification"] == "verified"
    events = morning.api(f"/api/v1/agreements/{pks['id']}/history")["items"]
    assert (events[0]["action"], events[0]["actor"]) == (
        "activity_verified",
        "Staf Biro Kerja Sama",
    )
    assert_clean(biro)


def test_the_scan_uploads_without_javascript_and_the_drop_zone_fits_a_phone(
    open_page: Callable[..., Visit], morning: Morning
) -> None:
    """Without JavaScript the upload is a plain file field, a multipart POST and a redirect; with
    it, the drop zone is the same file input (reached by Tab) and fits 360 px."""
    inspektorat = next(
        a["pks"]["id"]
        for g in morning.coverage()["governments"]
        for a in g["agencies"]
        if a["organization_name"] == "Inspektorat"
    )
    scan: FilePayload = {
        "name": "PKS Inspektorat.pdf",
        "mimeType": "application/pdf",
        "buffer": PDF,
    }
    plain = open_page(java_script=False)
    page = plain.page
    sign_in(page, morning.editor, PASSWORD)
    page.goto(f"/perjanjian/{inspektorat}")
    expect(page.locator(".drop-zone")).to_have_count(0)
    page.locator("#dokumen-file").set_input_files(files=[scan])
    page.get_by_role("button", name="Unggah dokumen").click()
    expect(page.locator(".flash")).to_contain_text("Dokumen “PKS Inspektorat.pdf” diunggah.")
    documents = morning.api(f"/api/v1/agreements/{inspektorat}/documents")
    [document] = [d for d in documents if d["filename"] == "PKS Inspektorat.pdf"]
    expect(page.locator(".flash")).to_have_text(
        f"Dokumen “PKS Inspektorat.pdf” diunggah. SHA-256: {document['sha256']}"
    )
    assert page.url.endswith(f"/perjanjian/{inspektorat}#dokumen")
    assert_clean(plain)

    phone = open_page()
    page = phone.page
    sign_in(page, morning.editor, PASSWORD)
    page.goto(f"/perjanjian/{inspektorat}")
    expect(page.locator(".drop-zone")).to_have_count(1)
    assert_fits(page, PHONE)
    tab_to(page, "input[type=file][data-unggah]", most=400)  # the drop zone's own input
    # A refusal (not a PDF nor an image) comes back on the form, where the focus goes.
    note: FilePayload = {"name": "catatan.txt", "mimeType": "text/plain", "buffer": b"bukan"}
    page.locator("#dokumen-file").set_input_files(files=[note])
    page.get_by_role("button", name="Unggah dokumen").click()
    refused = page.locator("#formulir-dokumen .form-problems")
    expect(refused).to_be_focused()
    assert_accessible(page)
    assert len(morning.api(f"/api/v1/agreements/{inspektorat}/documents")) == 1
    page.locator("#dokumen-file").set_input_files(files=[scan])  # the same file again
    tab_to(page, "#formulir-dokumen button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".drop-zone .upload-status")).to_have_text(
        f"Terunggah. SHA-256 yang dicatat server: {document['sha256']}"
    )
    expect(page.locator(".flash")).to_contain_text("sudah ada sebelumnya (berkas yang sama)")
    assert_accessible(page)
    assert_fits(page, PHONE)
    assert_clean(phone)
