"""Drafts and the public list in the console (a browser without JavaScript): the agreement's
page offers the draft, the NK's PKS drafts and the final text with its SHA-256, and the
"tampilkan di daftar publik" toggle to its editors; Templat draf for admins only."""

import hashlib
import io
import zipfile
from typing import Any

import pytest
from docx import Document
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.console.conftest import Staff, csrf_of, make_staff
from tests.console.forms import field_errors, form_of, has_form, make_member, signed_in_as, text_of
from tests.helpers import create_agreement, finalize
from tests.world import Kalsel, pks_body

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def world(
    client: TestClient, admin_headers: dict[str, str], kalsel: Kalsel, signed_nk: dict[str, Any]
) -> dict[str, Any]:
    """The signed Kalsel NK with one finalised PKS under it, built through the API; then the
    client is a browser (no key)."""
    pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
    pks = finalize(client, pks["id"])
    client.headers.pop("X-API-Key", None)
    return {"nk": signed_nk, "pks": pks}


@pytest.fixture
def editor(session: Session, kalsel: Kalsel) -> Staff:
    return make_member(session, "editor", kalsel.office, name="Hadi Rahman")


def docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def test_the_agreement_page_offers_drafts_and_the_final_texts_hash(
    client: TestClient, world: dict[str, Any], editor: Staff
) -> None:
    signed_in_as(client, editor)
    nk, pks = world["nk"], world["pks"]
    page = client.get(f"/perjanjian/{nk['id']}")
    words = text_of(page.text)
    assert "Unduh draf (DOCX)" in words and "Unduh semua draf PKS (ZIP)" in words
    assert f"SHA-256 naskah final: {nk['final_text_sha256']}" in words
    draft = client.get(f"/perjanjian/{nk['id']}/draf.docx")
    assert draft.status_code == 200 and draft.headers["content-type"] == DOCX
    assert "053/NK-PEMOTDA/2021" in docx_text(draft.content)
    bundle = client.get(f"/perjanjian/{nk['id']}/draf-pks.zip")
    assert bundle.status_code == 200
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        assert archive.namelist() == ["PKS Dinas Komunikasi dan Informatika.docx"]
    pks_page = text_of(client.get(f"/perjanjian/{pks['id']}").text)
    assert "Unduh semua draf PKS" not in pks_page
    final = client.get(f"/perjanjian/{pks['id']}/naskah-final.docx")
    assert hashlib.sha256(final.content).hexdigest() == pks["final_text_sha256"]
    assert f"SHA-256 naskah final: {pks['final_text_sha256']}" in pks_page


def test_signed_out_visitors_get_no_draft(client: TestClient, world: dict[str, Any]) -> None:
    answer = client.get(f"/perjanjian/{world['nk']['id']}/draf.docx", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/masuk")


def test_an_editor_shows_the_nk_in_the_public_list(
    client: TestClient, world: dict[str, Any], session: Session, kalsel: Kalsel
) -> None:
    signed_in_as(client, make_member(session, "editor", kalsel.province, name="Staf Biro"))
    nk = world["nk"]
    form = form_of(client.get(f"/perjanjian/{nk['id']}").text, "daftar_publik")
    assert "listed" not in form.fields  # off by default
    answer = client.post(form.action, data=form.data(listed="1"), follow_redirects=False)
    assert answer.status_code == 303, answer.text
    shown = text_of(client.get(answer.headers["location"]).text)
    assert "ditampilkan di daftar publik setelah ditandatangani semua pihak" in shown
    assert nk["title"] in text_of(client.get("/publik").text)
    listed = client.get("/api/v1/public/agreements").json()["items"]
    assert [a["id"] for a in listed] == [nk["id"]]
    # And off again: an unticked box sends nothing.
    form = form_of(client.get(f"/perjanjian/{nk['id']}").text, "daftar_publik")
    assert form.fields["listed"] == ["1"]
    client.post(form.action, data=form.data(listed=None)).raise_for_status()
    assert client.get("/api/v1/public/agreements").json()["items"] == []


def test_a_viewer_gets_no_toggle_and_a_forged_post_is_refused(
    client: TestClient, world: dict[str, Any], session: Session
) -> None:
    nk = world["nk"]
    signed_in_as(client, make_staff(session, "viewer"))
    page = client.get(f"/perjanjian/{nk['id']}")
    assert "Unduh draf (DOCX)" in text_of(page.text)
    assert not has_form(page.text, "daftar_publik")
    answer = client.post(
        f"/perjanjian/{nk['id']}/daftar-publik",
        data={"csrf_token": csrf_of(page.text), "idempotency_key": "x1", "listed": "1"},
    )
    assert answer.status_code == 403


class TestTemplatePage:
    def test_admins_upload_a_template_and_see_a_refusal_next_to_the_file(
        self, client: TestClient, world: dict[str, Any], session: Session
    ) -> None:
        signed_in_as(client, make_staff(session, "admin", name="Admin Biro"))
        page = client.get("/templat-draf")
        assert page.status_code == 200
        words = text_of(page.text)
        assert "Templat draf" in words and "Dipakai: templat bawaan." in words
        assert "scope_items" in words
        default = client.get("/templat-draf/pks.docx")
        assert default.status_code == 200 and default.headers["content-type"] == DOCX
        form = form_of(page.text, "unggah_pks")
        bad = client.post(
            form.action,
            data=form.data(),
            files={"file": ("salah.docx", _docx("{{ judul }}"), DOCX)},
        )
        assert bad.status_code == 422
        assert field_errors(bad.text, "unggah_pks", "file") == ["Templat draf tidak dapat dipakai"]
        assert "judul" in text_of(bad.text)
        form = form_of(bad.text, "unggah_pks")
        good = client.post(
            form.action,
            data=form.data(),
            files={"file": ("PKS Kalsel.docx", _docx("PKS {{ title }}"), DOCX)},
            follow_redirects=False,
        )
        assert good.status_code == 303, good.text
        words = text_of(client.get(good.headers["location"]).text)
        assert "Templat draf PKS “PKS Kalsel.docx” kini dipakai" in words
        pks = world["pks"]
        assert docx_text(client.get(f"/perjanjian/{pks['id']}/draf.docx").content) == (
            f"PKS {pks['title']}"
        )
        back = form_of(client.get("/templat-draf").text, "bawaan_pks")
        assert client.post(back.action, data=back.data(), follow_redirects=False).status_code == 303
        assert "PERJANJIAN KERJA SAMA" in docx_text(
            client.get(f"/perjanjian/{pks['id']}/draf.docx").content
        )

    def test_others_are_refused(
        self, client: TestClient, world: dict[str, Any], editor: Staff
    ) -> None:
        signed_in_as(client, editor)
        assert client.get("/templat-draf").status_code == 403
        assert "Templat draf" not in client.get("/").text


def _docx(*paragraphs: str) -> bytes:
    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
