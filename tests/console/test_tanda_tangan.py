"""Electronic signatures on an agreement's page (Dokumen): each PDF's verdicts in Indonesian,
the confirmation of a party from a verified signature, and the refusal of a modified PDF."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.config import settings
from app.core.deps import get_today
from app.documents.router import get_document_store
from app.documents.signatures.records import configured_trust_roots
from app.documents.signatures.verify import load_trust_roots
from app.documents.storage import DocumentStore
from app.main import app
from tests.console.conftest import Staff
from tests.console.forms import form_of, make_member, signed_in_as, text_of
from tests.documents import esign
from tests.helpers import create_agreement, finalize
from tests.world import Kalsel, pks_body


@pytest.fixture
def pks(
    client: TestClient, tmp_path: Path, kalsel: Kalsel, signed_nk: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """The Diskominfo PKS awaiting signatures, the test root configured, today the real day
    (the PDFs are signed now); then the client is a browser."""
    store = DocumentStore(root=tmp_path / "documents", max_bytes=256 * 1024)
    roots = load_trust_roots(esign.authority().write_to(tmp_path / "roots"))
    app.dependency_overrides[get_document_store] = lambda: store
    app.dependency_overrides[configured_trust_roots] = lambda: roots
    app.dependency_overrides[get_today] = settings.today
    found = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
    finalize(client, found["id"])
    client.headers.pop("X-API-Key", None)
    yield found


@pytest.fixture
def perwakilan(session: Session, kalsel: Kalsel) -> Staff:
    return make_member(session, "editor", kalsel.office, name="Hadi Rahman")


def upload(browser: TestClient, pks: dict[str, Any], content: bytes, name: str) -> str:
    form = form_of(browser.get(f"/perjanjian/{pks['id']}").text, "dokumen")
    files = {"file": (name, content, "application/pdf")}
    sent = browser.post(form.action, data=form.data(), files=files, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    return browser.get(f"/perjanjian/{pks['id']}").text


def test_the_page_shows_the_verdicts_and_confirms_the_party_from_the_signature(
    client: TestClient, pks: dict[str, Any], perwakilan: Staff, kalsel: Kalsel
) -> None:
    browser = signed_in_as(client, perwakilan)
    page = upload(browser, pks, esign.signed_pdf(), "PKS ditandatangani.pdf")
    words = text_of(page)
    assert (
        "Ditandatangani secara elektronik oleh Hadi Rahman (Ombudsman Republik Indonesia)" in words
    )
    assert "utuh, tepercaya." in words
    assert (
        "Pencabutan sertifikat hanya diperiksa dari data yang dimuat PDF (tanpa jaringan)" in words
    )
    [name] = re.findall(r'id="formulir-(konfirmasi_\d+)"', page)
    form = form_of(page, name)
    assert form.fields["organization_id"] == [str(kalsel.office)]  # its signatory's name matches
    done = browser.post(form.action, data=form.data(), follow_redirects=False)
    assert done.status_code == 303, done.text
    after = text_of(browser.get(done.headers["location"]).text)
    assert "Tanda tangan pihak dicatat dari tanda tangan elektronik" in after
    assert "Sudah dipakai untuk mencatat tanda tangan pihak." in after
    assert "Dikonfirmasi dari tanda tangan elektronik" in after  # the history


def test_a_modified_pdf_is_flagged_and_offers_no_confirmation(
    client: TestClient, pks: dict[str, Any], perwakilan: Staff
) -> None:
    browser = signed_in_as(client, perwakilan)
    page = upload(browser, pks, esign.tampered(esign.signed_pdf()), "diubah.pdf")
    words = text_of(page)
    assert "Ditandatangani secara elektronik oleh Hadi Rahman" in words
    assert "diubah setelah ditandatangani, tidak tepercaya." in words
    assert not re.findall(r'id="formulir-(konfirmasi_\d+)"', page)


def test_an_unreadable_pdf_says_it_cannot_be_verified(
    client: TestClient, pks: dict[str, Any], perwakilan: Staff
) -> None:
    browser = signed_in_as(client, perwakilan)
    page = upload(browser, pks, b"%PDF-1.7\n" + bytes(500) + b"\n%%EOF\n", "rusak.pdf")
    assert "Tanda tangan elektronik tidak dapat diperiksa: The PDF cannot be read" in text_of(page)


def test_verify_again_after_the_roots_are_installed(
    client: TestClient, pks: dict[str, Any], perwakilan: Staff, tmp_path: Path
) -> None:
    app.dependency_overrides[configured_trust_roots] = lambda: []  # none installed yet
    browser = signed_in_as(client, perwakilan)
    page = upload(browser, pks, esign.signed_pdf(), "sebelum-akar.pdf")
    assert "utuh, tidak tepercaya." in text_of(page)
    assert "Belum ada akar kepercayaan yang dipasang" in text_of(page)
    roots = load_trust_roots(esign.authority().write_to(tmp_path / "installed"))
    app.dependency_overrides[configured_trust_roots] = lambda: roots
    [name] = re.findall(r'id="formulir-(periksa_\d+)"', page)
    form = form_of(page, name)
    done = browser.post(form.action, data=form.data(), follow_redirects=False)
    assert done.status_code == 303, done.text
    after = text_of(browser.get(done.headers["location"]).text)
    assert "Diperiksa ulang: Tanda tangan elektronik diperiksa." in after
    assert "utuh, tepercaya." in after
    assert "Tanda tangan elektronik diperiksa ulang" in after  # the history
