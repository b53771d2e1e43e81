"""The stages (tahapan) on an agreement's page, through the console (a browser without
JavaScript): start them, see the stage, the time left and the required documents, be refused
while one is missing (each marked), upload them with their type, advance, go back with a
reason; a viewer sees no move."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.documents.router import get_document_store
from app.documents.storage import DocumentStore
from app.main import app
from tests.conftest import TODAY
from tests.console.conftest import Staff
from tests.console.forms import field_errors, form_of, has_form, make_member, signed_in_as, text_of
from tests.helpers import create_agreement, finalize, sign
from tests.stages.test_router import advance, attach, start
from tests.world import Kalsel, nk_body

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"
NK_PENJAJAKAN = ["application_letter", "terms_of_reference", "profile", "legal_standing"]


@pytest.fixture
def store(tmp_path: Path, client: TestClient) -> Iterator[DocumentStore]:
    document_store = DocumentStore(root=tmp_path / "documents", max_bytes=64 * 1024)
    app.dependency_overrides[get_document_store] = lambda: document_store
    yield document_store
    app.dependency_overrides.pop(get_document_store, None)


@pytest.fixture
def draft_nk(client: TestClient, kalsel: Kalsel) -> dict[str, Any]:
    """A draft NK registered through the API; then the client is a browser (no API key)."""
    nk = create_agreement(client, **nk_body(kalsel))
    client.headers.pop("X-API-Key", None)
    return nk


@pytest.fixture
def province_editor(session: Session, kalsel: Kalsel) -> Staff:
    return make_member(session, "editor", kalsel.province, name="Staf Biro Pemerintahan")


def upload(browser: TestClient, agreement_id: int, document_type: str) -> None:
    form = form_of(browser.get(f"/perjanjian/{agreement_id}").text, "dokumen")
    assert form.fields["document_type"] == ["signed"]
    kept = browser.post(
        form.action,
        data=form.data(document_type=document_type),
        files={"file": (f"{document_type}.pdf", PDF + document_type.encode(), "application/pdf")},
        follow_redirects=False,
    )
    assert kept.status_code == 303, kept.text


def test_a_draft_goes_through_the_stages_on_its_page(
    client: TestClient, draft_nk: dict[str, Any], province_editor: Staff, store: DocumentStore
) -> None:
    browser = signed_in_as(client, province_editor)
    url = f"/perjanjian/{draft_nk['id']}"
    page = browser.get(url).text
    assert "belum melalui tahapan" in text_of(page)
    assert not has_form(page, "tahap_lanjut")
    begin = form_of(page, "tahap_mulai")
    started = browser.post(begin.action, data=begin.data(started_on="2026-11-20"))
    assert started.status_code == 200, started.text  # followed to the page
    shown = text_of(started.text)
    assert "Tahapan dimulai: Penjajakan." in shown
    assert "Tahap saat ini Penjajakan" in shown
    assert "Sejak 20 November 2026" in shown
    assert "27 hari lagi (sampai 20 Desember 2026)" in shown
    assert "Surat permohonan: belum ada" in shown and "KAK atau studi kelayakan: belum ada" in shown

    # Advancing with the documents missing is refused; each missing one is marked.
    advance = form_of(started.text, "tahap_lanjut")
    refused = browser.post(advance.action, data=advance.data())
    assert refused.status_code == 422
    shown = text_of(refused.text)
    assert "Dokumen wajib tahap ini belum lengkap" in shown
    assert shown.count("belum ada — unggah dahulu sebelum lanjut") == 4

    # A document type the form does not offer is refused next to its field.
    form = form_of(refused.text, "dokumen")
    odd = browser.post(
        form.action,
        data=form.data(document_type="foto"),
        files={"file": ("x.pdf", PDF, "application/pdf")},
    )
    assert odd.status_code == 422
    assert field_errors(odd.text, "dokumen", "document_type")

    for document_type in NK_PENJAJAKAN:
        upload(browser, draft_nk["id"], document_type)
    page = browser.get(url).text
    assert "Surat permohonan: ada" in text_of(page)
    assert "Profil, " in text_of(page)  # the document list names each type
    advance = form_of(page, "tahap_lanjut")
    moved = browser.post(advance.action, data=advance.data(note="Sepakat berunding"))
    assert moved.status_code == 200
    shown = text_of(moved.text)
    assert "Lanjut ke tahap Perundingan." in shown
    assert "Tahap saat ini Perundingan" in shown
    assert "Tahap ini tidak mewajibkan dokumen." in shown

    # Going back needs a reason, shown next to its field.
    back = form_of(moved.text, "tahap_kembali")
    no_reason = browser.post(back.action, data=back.data())
    assert no_reason.status_code == 422
    assert field_errors(no_reason.text, "tahap_kembali", "reason")
    back = form_of(no_reason.text, "tahap_kembali")
    returned = browser.post(back.action, data=back.data(reason="Profil mitra belum mutakhir"))
    assert returned.status_code == 200
    assert "Kembali ke tahap Penjajakan." in text_of(returned.text)

    history = text_of(browser.get(url).text)
    assert "Lanjut ke tahap berikutnya" in history
    assert "Kembali ke tahap sebelumnya" in history
    assert "Profil mitra belum mutakhir" in history


def test_a_viewer_reads_the_stage_but_moves_nothing(
    client: TestClient,
    admin_headers: dict[str, str],
    draft_nk: dict[str, Any],
    session: Session,
    kalsel: Kalsel,
) -> None:
    started = client.post(f"/api/v1/agreements/{draft_nk['id']}/stage/start", headers=admin_headers)
    assert started.status_code == 200
    viewer = make_member(session, "viewer", kalsel.province, name="Pembaca")
    browser = signed_in_as(client, viewer)
    page = browser.get(f"/perjanjian/{draft_nk['id']}").text
    assert "Tahap saat ini Penjajakan" in text_of(page)
    assert not has_form(page, "tahap_lanjut") and not has_form(page, "tahap_kembali")


def test_a_signed_agreement_shows_its_stages_done_as_the_api_does(
    client: TestClient, kalsel: Kalsel, province_editor: Staff, store: DocumentStore
) -> None:
    """Past the signatures, the panel tells from the status read with the agreement that no
    stage is left (every step done), as GET …/stage does; an agreement recorded without the
    stages has no panel."""
    tracked = create_agreement(client, **nk_body(kalsel))
    start(client, tracked["id"])
    for document_type in NK_PENJAJAKAN:
        attach(client, tracked["id"], document_type)
    assert advance(client, tracked["id"]).status_code == 200  # → perundingan
    assert advance(client, tracked["id"]).status_code == 200  # → penyusunan rancangan
    attach(client, tracked["id"], "draft")
    assert advance(client, tracked["id"]).status_code == 200  # → finalisasi
    parties = [{"organization_id": kalsel.ori}, {"organization_id": kalsel.province}]
    untracked = create_agreement(client, **nk_body(kalsel, parties=parties))
    for agreement in (tracked, untracked):
        finalize(client, agreement["id"])
        sign(client, agreement["id"], kalsel.ori, TODAY.isoformat())
        sign(client, agreement["id"], kalsel.province, TODAY.isoformat())
    api = client.get(f"/api/v1/agreements/{tracked['id']}/stage").json()
    assert api["tracked"] and api["stage"] is None
    client.headers.pop("X-API-Key", None)

    browser = signed_in_as(client, province_editor)
    shown = text_of(browser.get(f"/perjanjian/{tracked['id']}").text)
    assert "Tahapan kerja sama" in shown
    assert "Semua tahapan sudah dilalui." in shown
    assert "tahap saat ini" not in shown
    for step in api["steps"]:
        assert f"{step['name']} — selesai" in shown
    assert "Tahapan kerja sama" not in text_of(browser.get(f"/perjanjian/{untracked['id']}").text)
