"""The stages (tahapan) of a draft NK in Chromium, on a server of its own (a seeded database the
reading pages' browser tests do not share): the panel shows the stage, the time left and the
required documents; advancing without them is refused with each one marked; uploaded with
their type through the page, the NK advances to perundingan. axe-core clean, errors included;
it fits a phone's width."""

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import FilePayload

from tests.conftest import ROOT, scratch_database
from tests.console.browser import (
    Visit,
    assert_accessible,
    assert_clean,
    assert_fits,
    expect,
    sign_in,
    watch,
)
from tests.console.conftest import ADMIN_EMAIL, PASSWORD
from tests.server import SeededTemplate, running_server

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"


@dataclass
class Draft:
    url: str
    key: str
    nk_id: int

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = httpx.request(
            method, f"{self.url}{path}", headers={"X-API-Key": self.key}, timeout=60, **kwargs
        )
        assert answer.status_code < 300, answer.text
        return answer.json()


@pytest.fixture(scope="module")
def draft(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, seeded_template: SeededTemplate
) -> Iterator[Draft]:
    """The seeded registry and a new draft NK of Ombudsman RI and Pemprov Kalsel, its stages
    started; the bootstrap admin given a password."""
    directory = tmp_path_factory.mktemp("console-stages")
    with (
        scratch_database(database_url, directory) as url,
        running_server(url, directory, template=seeded_template) as live,
    ):
        found = Draft(live.url, live.key, 0)
        kalsel = found.api("GET", "/api/v1/agreements", params={"number": "053/NK-PEMOTDA/2021"})
        parties = kalsel["items"][0]["parties"]
        nk = found.api(
            "POST",
            "/api/v1/agreements",
            json={
                "kind": "nk",
                "title": "Nota Kesepakatan Pengawasan Pelayanan Publik 2027",
                "parties": [{"organization_id": p["organization_id"]} for p in parties],
            },
        )
        found.api("POST", f"/api/v1/agreements/{nk['id']}/stage/start")
        subprocess.run(
            [sys.executable, "-m", "app", "set-password", ADMIN_EMAIL],
            input=PASSWORD + "\n",
            cwd=ROOT,
            env=live.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        yield Draft(live.url, live.key, nk["id"])


@pytest.fixture
def visit(chromium: Any, draft: Draft) -> Iterator[Visit]:
    context = chromium.new_context(
        base_url=draft.url, viewport={"width": 1280, "height": 900}, locale="id-ID"
    )
    context.set_default_timeout(30_000)
    yield watch(context.new_page())
    context.close()


def test_a_draft_is_held_at_its_stage_until_its_documents_are_there(
    visit: Visit, draft: Draft
) -> None:
    page = visit.page
    sign_in(page, ADMIN_EMAIL, PASSWORD)
    page.goto(f"/perjanjian/{draft.nk_id}")
    panel = page.locator("section.stages")
    expect(panel.locator("#tahap-saat-ini")).to_contain_text("Penjajakan")
    expect(panel.locator("#sisa-waktu")).to_contain_text("30 hari lagi")
    expect(panel.locator("#daftar-dokumen-wajib li")).to_have_count(4)
    assert_accessible(page)

    page.get_by_role("button", name="Lanjutkan tahap").click()
    expect(page.locator("#tahap_lanjut-masalah")).to_contain_text(
        "Dokumen wajib tahap ini belum lengkap"
    )
    expect(panel.locator("#daftar-dokumen-wajib")).to_contain_text(
        "Surat permohonan: belum ada — unggah dahulu sebelum lanjut"
    )
    assert_accessible(page)  # with its errors

    # The surat permohonan through the page's upload form, with its type; the rest by the API.
    page.get_by_label("Jenis dokumen").select_option("application_letter")
    letter: FilePayload = {
        "name": "surat-permohonan.pdf",
        "mimeType": "application/pdf",
        "buffer": PDF,
    }
    page.get_by_label("Berkas (PDF atau gambar)").set_input_files(files=letter)
    page.get_by_role("button", name="Unggah dokumen").click()
    expect(page.locator(".flash")).to_contain_text("surat-permohonan.pdf")
    for document_type in ("terms_of_reference", "profile", "legal_standing"):
        draft.api(
            "POST",
            f"/api/v1/agreements/{draft.nk_id}/documents",
            files={"file": (f"{document_type}.pdf", PDF + document_type.encode())},
            data={"document_type": document_type},
        )
    page.goto(f"/perjanjian/{draft.nk_id}")
    expect(panel.locator("#daftar-dokumen-wajib")).to_contain_text("Surat permohonan: ada")
    page.get_by_role("button", name="Lanjutkan tahap").click()
    expect(page.locator(".flash")).to_contain_text("Lanjut ke tahap Perundingan.")
    expect(panel.locator("#tahap-saat-ini")).to_contain_text("Perundingan")
    assert_accessible(page)
    assert_fits(page)
    assert_clean(visit)
    state = draft.api("GET", f"/api/v1/agreements/{draft.nk_id}/stage")
    assert state["stage"]["code"] == "perundingan"
