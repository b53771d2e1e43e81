"""Drafts from templates: one agreement's draft, the 21 Kalsel PKS drafts in one ZIP, the final
text's SHA-256 at finalisasi, and the checks on an admin's template."""

import hashlib
import io
import zipfile
from typing import Any

import pytest
from docx import Document
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from app.agreements.models import AgreementKind
from app.core.config import settings
from app.drafts.defaults import default_template
from tests.conftest import key_for
from tests.helpers import assert_problem, create_agreement, finalize
from tests.world import Kalsel, nk_body, pks_body

BASE = "/api/v1/agreements"
TEMPLATES = "/api/v1/draft-templates"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NK_NUMBERS = ("30/ORI-MoU/X/2021", "053/NK-PEMOTDA/2021")


def text_of(content: bytes) -> str:
    """Every paragraph and table cell of a DOCX, as python-docx reads it."""
    document = Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def docx_with(*paragraphs: str) -> bytes:
    """A Word document whose paragraphs are these (placeholders and all)."""
    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(client: TestClient, kind: str, content: bytes, name: str = "templat.docx") -> Any:
    return client.post(f"{TEMPLATES}/{kind}", files={"file": (name, content, DOCX)})


def seeded_kalsel_nk(client: TestClient) -> dict[str, Any]:
    found = client.get(BASE, params={"number": "053/NK-PEMOTDA/2021"}).json()["items"]
    return dict(found[0])


class TestSeededKalselDrafts:
    def test_the_21_pks_drafts_in_one_zip_each_naming_its_skpd_and_the_nk_numbers(
        self, seeded_connection: Connection, client: TestClient
    ) -> None:
        nk = seeded_kalsel_nk(client)
        response = client.get(f"{BASE}/{nk['id']}/pks-drafts.zip")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/zip"
        assert "attachment" in response.headers["content-disposition"]
        pks = client.get(BASE, params={"parent_id": nk["id"], "limit": 200}).json()["items"]
        skpd = {p["parties"][1]["organization_name"] for p in pks}
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            names = archive.namelist()
            assert len(names) == 21
            assert {n.removeprefix("PKS ").removesuffix(".docx") for n in names} == skpd
            for name in names:
                text = text_of(archive.read(name))
                agency = name.removeprefix("PKS ").removesuffix(".docx")
                assert agency.upper() in text and agency in text, name
                for number in NK_NUMBERS:
                    assert number in text, (name, number)
                assert "PERJANJIAN KERJA SAMA" in text
                assert "Pasal 1" in text and "RUANG LINGKUP" in text

    def test_one_pks_draft_names_its_parties_scope_and_nk(
        self, seeded_connection: Connection, client: TestClient
    ) -> None:
        nk = seeded_kalsel_nk(client)
        found = client.get(BASE, params={"parent_id": nk["id"], "q": "Komunikasi"}).json()
        (pks,) = found["items"]
        response = client.get(f"{BASE}/{pks['id']}/draft.docx")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == DOCX
        text = text_of(response.content)
        assert "DINAS KOMUNIKASI DAN INFORMATIKA" in text
        assert "OMBUDSMAN REPUBLIK INDONESIA PERWAKILAN PROVINSI KALIMANTAN SELATAN" in text
        assert "Muhamad Muslim" in text and "Hadi Rahman" in text
        assert "PIHAK KESATU" in text and "PIHAK KEDUA" in text
        assert "30/ORI-MoU/X/2021 dan 053/NK-PEMOTDA/2021" in text
        for item in pks["scope_items"]:
            assert item["title"] in text

    def test_the_nk_draft_and_its_numbers(
        self, seeded_connection: Connection, client: TestClient
    ) -> None:
        nk = seeded_kalsel_nk(client)
        text = text_of(client.get(f"{BASE}/{nk['id']}/draft.docx").content)
        assert "NOTA KESEPAHAMAN" in text
        assert "NOMOR: 30/ORI-MoU/X/2021" in text and "NOMOR: 053/NK-PEMOTDA/2021" in text
        assert "PENINGKATAN KUALITAS PELAYANAN PUBLIK" in text

    def test_the_drafts_of_a_pks_are_asked_of_its_nk(
        self, seeded_connection: Connection, client: TestClient
    ) -> None:
        nk = seeded_kalsel_nk(client)
        pks = client.get(BASE, params={"parent_id": nk["id"], "limit": 1}).json()["items"][0]
        assert_problem(client.get(f"{BASE}/{pks['id']}/pks-drafts.zip"), 422, "not-an-nk")
        assert_problem(client.get(f"{BASE}/999999/pks-drafts.zip"), 404, "agreement-not-found")
        assert_problem(client.get(f"{BASE}/999999/draft.docx"), 404, "agreement-not-found")


class TestFinalText:
    def test_finalisasi_keeps_the_draft_and_its_sha256(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = create_agreement(client, **nk_body(kalsel))
        assert nk["final_text_sha256"] is None
        assert_problem(client.get(f"{BASE}/{nk['id']}/final-draft"), 404, "final-draft-not-found")
        before = client.get(f"{BASE}/{nk['id']}/draft.docx").content
        finalized = finalize(client, nk["id"])
        sha = finalized["final_text_sha256"]
        assert sha == hashlib.sha256(before).hexdigest()  # the same facts, the same bytes
        kept = client.get(f"{BASE}/{nk['id']}/final-draft.docx")
        assert kept.status_code == 200 and hashlib.sha256(kept.content).hexdigest() == sha
        assert client.get(f"{BASE}/{nk['id']}/final-draft").json()["sha256"] == sha
        history = client.get(f"{BASE}/{nk['id']}/history").json()["items"]
        assert history[0]["action"] == "finalized"
        assert history[0]["details"]["final_text_sha256"] == sha

    def test_a_seeded_finalisation_keeps_no_final_text(
        self, seeded_connection: Connection, client: TestClient
    ) -> None:
        """The seeded cases were finalised outside the registry: no text of today's template
        stands for theirs."""
        nk = seeded_kalsel_nk(client)
        assert nk["finalized_on"] is not None and nk["final_text_sha256"] is None
        assert_problem(client.get(f"{BASE}/{nk['id']}/final-draft"), 404, "final-draft-not-found")
        history = client.get(f"{BASE}/{nk['id']}/history").json()["items"]
        finalized = [e for e in history if e["action"] == "finalized"]
        assert len(finalized) == 1 and "final_text_sha256" not in finalized[0]["details"]

    def test_a_later_change_does_not_touch_the_kept_text_and_reopen_clears_it(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        nk = create_agreement(
            client,
            **nk_body(
                kalsel,
                parties=[
                    {"organization_id": kalsel.ori},
                    {"organization_id": kalsel.province},
                ],
            ),
        )
        sha = finalize(client, nk["id"])["final_text_sha256"]
        # After finalisasi a party's number may still be filled in: the draft now differs.
        current = client.get(f"{BASE}/{nk['id']}").json()
        changed = client.patch(
            f"{BASE}/{nk['id']}",
            json={
                "version": current["version"],
                "parties": [
                    {"organization_id": kalsel.ori, "document_number": "30/ORI-MoU/X/2021"},
                    {"organization_id": kalsel.province},
                ],
            },
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["final_text_sha256"] == sha
        now = client.get(f"{BASE}/{nk['id']}/draft.docx").content
        assert hashlib.sha256(now).hexdigest() != sha
        assert "30/ORI-MoU/X/2021" in text_of(now)
        kept = client.get(f"{BASE}/{nk['id']}/final-draft.docx").content
        assert "30/ORI-MoU/X/2021" not in text_of(kept)
        reopened = client.post(f"{BASE}/{nk['id']}/reopen")
        assert reopened.status_code == 200, reopened.text
        assert reopened.json()["final_text_sha256"] is None
        assert_problem(client.get(f"{BASE}/{nk['id']}/final-draft"), 404, "final-draft-not-found")


class TestTemplateUpload:
    def test_the_default_template_of_each_kind_is_in_force_until_an_upload(
        self, client: TestClient
    ) -> None:
        listed = client.get(TEMPLATES).json()
        assert [(t["kind"], t["uploaded"]) for t in listed] == [
            ("nk", False),
            ("pks", False),
            ("amendment", False),
        ]
        response = client.get(f"{TEMPLATES}/pks")
        assert response.status_code == 200
        assert response.content == default_template(AgreementKind.pks)

    def test_an_uploaded_template_renders_the_drafts(
        self, client: TestClient, kalsel: Kalsel
    ) -> None:
        content = docx_with(
            "KESEPAKATAN {{ title }}",
            "{%p for party in parties %}",
            "{{ party.role }}: {{ party.name }} ({{ party.number or 'tanpa nomor' }})",
            "{%p endfor %}",
            "Berlaku {{ validity }}.",
        )
        response = upload(client, "nk", content, "Templat NK Kalsel.docx")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["uploaded"] is True and body["filename"] == "Templat NK Kalsel.docx"
        assert body["sha256"] == hashlib.sha256(content).hexdigest()
        nk = create_agreement(client, **nk_body(kalsel, title="Uji & <coba>"))
        text = text_of(client.get(f"{BASE}/{nk['id']}/draft.docx").content)
        assert "KESEPAKATAN Uji & <coba>" in text  # escaped for Word, read back as typed
        assert "PIHAK KEDUA: Pemerintah Provinsi Kalimantan Selatan (053/NK-PEMOTDA/2021)" in text
        assert "Berlaku sejak ditandatangani oleh para pihak." in text
        finalized = finalize(client, nk["id"])
        final = client.get(f"{BASE}/{nk['id']}/final-draft").json()
        assert final["template_sha256"] == body["sha256"]
        assert final["sha256"] == finalized["final_text_sha256"]
        back = client.delete(f"{TEMPLATES}/nk")
        assert back.status_code == 200 and back.json()["uploaded"] is False
        text = text_of(client.get(f"{BASE}/{nk['id']}/draft.docx").content)
        assert "NOTA KESEPAHAMAN" in text

    def test_an_unknown_placeholder_is_named(self, client: TestClient) -> None:
        response = upload(client, "pks", docx_with("{{ judul }}"))
        problem = assert_problem(response, 422, "draft-template-invalid")
        assert problem["errors"][0]["placeholder"] == "judul"
        assert problem["errors"][0]["loc"] == ["body", "file"]
        assert "judul" in problem["detail"]

    def test_a_placeholder_its_kind_has_not_is_named(self, client: TestClient) -> None:
        # An NK has no NK above it: `nk` is empty for it.
        response = upload(client, "nk", docx_with("Berdasarkan {{ nk.subject }}"))
        problem = assert_problem(response, 422, "draft-template-invalid")
        assert problem["errors"][0]["placeholder"] == "subject"

    def test_a_syntax_error_is_named_with_its_place(self, client: TestClient) -> None:
        response = upload(client, "pks", docx_with("Pasal 1", "{% for item in scope_items %}"))
        problem = assert_problem(response, 422, "draft-template-invalid")
        assert "syntax" in problem["detail"]

    def test_python_internals_are_out_of_reach(self, client: TestClient) -> None:
        response = upload(client, "pks", docx_with("{{ title.__class__.__mro__ }}"))
        assert_problem(response, 422, "draft-template-invalid")

    @pytest.mark.parametrize(
        ("content", "why"),
        [
            (b"%PDF-1.4\n%%EOF\n", "not a DOCX package"),
            (b"", "not a DOCX package"),
            (b"PK\x05\x06" + bytes(18), "has no part"),
        ],
    )
    def test_what_is_not_a_docx_is_refused(
        self, client: TestClient, content: bytes, why: str
    ) -> None:
        problem = assert_problem(upload(client, "pks", content), 415, "draft-template-not-docx")
        assert why in problem["errors"][0]["msg"]

    def test_a_zip_bomb_is_refused_before_it_is_unpacked(self, client: TestClient) -> None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            with zipfile.ZipFile(io.BytesIO(default_template(AgreementKind.pks))) as source:
                for entry in source.infolist():
                    archive.writestr(entry.filename, source.read(entry))
            archive.writestr("word/media/zeros.bin", bytes(64 * 1024 * 1024))
        assert len(out.getvalue()) < settings.DRAFT_TEMPLATE_MAX_BYTES
        problem = assert_problem(upload(client, "pks", out.getvalue()), 413)
        assert problem["type"] == "/problems/draft-template-too-large"
        assert "DRAFT_TEMPLATE_MAX_UNPACKED_BYTES" in problem["detail"]

    def test_a_file_over_the_limit_is_refused(
        self, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(settings, "DRAFT_TEMPLATE_MAX_BYTES", 1000)
        response = upload(client, "pks", default_template(AgreementKind.pks))
        problem = assert_problem(response, 413, "draft-template-too-large")
        assert "DRAFT_TEMPLATE_MAX_BYTES" in problem["detail"]

    def test_a_refused_upload_keeps_the_template_before(self, client: TestClient) -> None:
        kept = docx_with("{{ title }}")
        assert upload(client, "pks", kept).status_code == 200
        assert_problem(upload(client, "pks", docx_with("{{ judul }}")), 422)
        listed = {t["kind"]: t for t in client.get(TEMPLATES).json()}
        assert listed["pks"]["sha256"] == hashlib.sha256(kept).hexdigest()

    def test_only_admins_upload(self, client: TestClient, session: Any, kalsel: Kalsel) -> None:
        client.headers["X-API-Key"] = key_for(session, "editor", kalsel.province)
        assert_problem(upload(client, "pks", docx_with("{{ title }}")), 403)
        assert_problem(client.delete(f"{TEMPLATES}/pks"), 403)
        # Reading drafts is for every signed-in user.
        assert client.get(TEMPLATES).status_code == 200


def test_a_pks_draft_refers_to_its_nk(client: TestClient, kalsel: Kalsel) -> None:
    nk = create_agreement(client, **nk_body(kalsel))
    pks = create_agreement(client, **pks_body(kalsel, nk["id"]))
    text = text_of(client.get(f"{BASE}/{pks['id']}/draft.docx").content)
    assert "Berdasarkan Nota Kesepahaman" in text
    assert "30/ORI-MoU/X/2021 dan 053/NK-PEMOTDA/2021" in text
