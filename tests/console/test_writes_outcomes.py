"""Writes on what an agreement brings about, through the console (a browser without
JavaScript): add an obligation with its recurrence and mark it done; report an activity that
fulfils it, attach its evidence, and the other party's verdict; upload the signed scan and
download it. Each checks what the page then shows and what the API returns, and the refusals:
a rule shown next to its field, a forged post refused, a double submit recording once."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.documents.router import get_document_store
from app.documents.storage import DocumentStore
from app.main import app
from tests.console.conftest import Staff, csrf_of
from tests.console.forms import (
    field_errors,
    form_of,
    has_form,
    make_member,
    signed_in_as,
    text_of,
)
from tests.helpers import create_agreement, sign_all
from tests.world import Kalsel, pks_body

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


@pytest.fixture
def store(tmp_path: Path, client: TestClient) -> Iterator[DocumentStore]:
    document_store = DocumentStore(root=tmp_path / "documents", max_bytes=64 * 1024)
    app.dependency_overrides[get_document_store] = lambda: document_store
    yield document_store
    app.dependency_overrides.pop(get_document_store, None)


@pytest.fixture
def signed_pks(
    client: TestClient, admin_headers: dict[str, str], kalsel: Kalsel, signed_nk: dict[str, Any]
) -> dict[str, Any]:
    """The Diskominfo PKS with the Perwakilan Kalsel, signed by both on 4 July 2022; then the
    client is a browser (no API key)."""
    scope = [{"title": "Sosialisasi standar pelayanan publik"}, {"title": "Pendampingan"}]
    pks = create_agreement(
        client,
        **pks_body(kalsel, signed_nk["id"], drafted_on="2022-06-01", scope_items=scope),
    )
    signed = sign_all(client, pks, "2022-07-04")
    client.headers.pop("X-API-Key", None)
    return signed


@pytest.fixture
def browser(client: TestClient, signed_pks: dict[str, Any]) -> TestClient:
    """The browser (no API key) once the signed PKS is built through the API."""
    client.headers.pop("X-API-Key", None)
    return client


@pytest.fixture
def perwakilan(session: Session, kalsel: Kalsel) -> Staff:
    return make_member(session, "editor", kalsel.office, name="Hadi Rahman")


@pytest.fixture
def diskominfo(session: Session, kalsel: Kalsel) -> Staff:
    return make_member(session, "editor", kalsel.diskominfo, name="Muhamad Muslim")


def api(browser: TestClient, headers: dict[str, str], path: str) -> Any:
    answer = browser.get(path, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def obligations_of(browser: TestClient, headers: dict[str, str], agreement_id: int) -> list[Any]:
    found = api(browser, headers, f"/api/v1/obligations?agreement_id={agreement_id}&limit=200")
    return list(found["items"])


def add_obligation(browser: TestClient, pks: dict[str, Any], kalsel: Kalsel, **changes: Any) -> Any:
    form = form_of(browser.get(f"/perjanjian/{pks['id']}").text, "kewajiban_baru")
    values = {
        "title": "Pendampingan secara berkala",
        "responsible_organization_id": str(kalsel.diskominfo),
        "due_on": "2022-09-30",
        "recurrence": "quarterly",
        "repeat_until": "2023-06-30",
        **changes,
    }
    return browser.post(form.action, data=form.data(**values), follow_redirects=False)


def test_an_editor_adds_a_quarterly_obligation_and_marks_it_done(
    browser: TestClient,
    perwakilan: Staff,
    kalsel: Kalsel,
    signed_pks: dict[str, Any],
    admin_headers: dict[str, str],
) -> None:
    signed_in_as(browser, perwakilan)
    page = browser.get(f"/perjanjian/{signed_pks['id']}")
    form = form_of(page.text, "kewajiban_baru")
    assert form.action == f"/perjanjian/{signed_pks['id']}/kewajiban"
    assert "Triwulanan" in page.text and "Dinas Komunikasi dan Informatika" in page.text
    answer = add_obligation(browser, signed_pks, kalsel)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/perjanjian/{signed_pks['id']}#kewajiban"
    shown = browser.get(answer.headers["location"])
    words = text_of(shown.text)
    assert "Kewajiban “Pendampingan secara berkala” (triwulanan) dicatat pada PKS " in words
    assert "Dinas Komunikasi dan Informatika, jatuh tempo 30 September 2022." in words
    # What the API then returns, and who is recorded as having done it.
    [made] = obligations_of(browser, admin_headers, signed_pks["id"])
    assert (made["title"], made["recurrence"], made["due_on"], made["repeat_until"]) == (
        "Pendampingan secara berkala",
        "quarterly",
        "2022-09-30",
        "2023-06-30",
    )
    assert made["responsible_organization_id"] == kalsel.diskominfo
    history = api(browser, admin_headers, f"/api/v1/obligations/{made['id']}/history")
    assert history["items"][0]["actor"] == "Hadi Rahman"

    # Mark it done: the next quarter's occurrence opens.
    done = form_of(shown.text, f"selesai_{made['id']}")
    answer = browser.post(
        done.action,
        data=done.data(completed_on="2022-09-28", note="Pendampingan di Diskominfo"),
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    words = text_of(browser.get(answer.headers["location"]).text)
    assert "ditandai selesai pada 28 September 2022. Berikutnya jatuh tempo 30 Desember 2022." in (
        words
    ), words[words.find("Kewajiban “") : words.find("Kewajiban “") + 300]
    first, following = obligations_of(browser, admin_headers, signed_pks["id"])
    assert (first["status"], first["completed_on"], first["next_id"]) == (
        "done",
        "2022-09-28",
        following["id"],
    )
    assert following["due_on"] == "2022-12-30"


def test_a_rule_refusal_shows_next_to_its_field_and_records_nothing(
    browser: TestClient,
    perwakilan: Staff,
    kalsel: Kalsel,
    signed_pks: dict[str, Any],
    admin_headers: dict[str, str],
) -> None:
    signed_in_as(browser, perwakilan)
    # Due before the PKS is in force (signed 4 July 2022).
    answer = add_obligation(browser, signed_pks, kalsel, due_on="2022-01-31")
    assert answer.status_code == 422
    assert field_errors(answer.text, "kewajiban_baru", "due_on") == [
        "Kewajiban ini melanggar aturan: jatuh tempo dalam masa berlaku perjanjian, penanggung "
        "jawab pihak perjanjian atau organisasi di bawahnya, pengulangan sampai tanggal setelah "
        "jatuh tempo."
    ]
    again = form_of(answer.text, "kewajiban_baru")
    assert again.fields["title"] == ["Pendampingan secara berkala"]  # kept as sent
    # A form rule: the title left empty.
    answer = add_obligation(browser, signed_pks, kalsel, title="  ")
    assert answer.status_code == 422
    assert field_errors(answer.text, "kewajiban_baru", "title") == ["Wajib diisi."]
    # Done in the future.
    assert add_obligation(browser, signed_pks, kalsel).status_code == 303
    [made] = obligations_of(browser, admin_headers, signed_pks["id"])
    done = form_of(browser.get(f"/perjanjian/{signed_pks['id']}").text, f"selesai_{made['id']}")
    refused = browser.post(done.action, data=done.data(completed_on="2999-01-01"))
    assert refused.status_code == 422
    assert "Tanggal selesai tidak boleh setelah hari ini." in text_of(refused.text)
    assert obligations_of(browser, admin_headers, signed_pks["id"])[0]["status"] != "done"


def test_a_double_submit_adds_one_obligation(
    browser: TestClient,
    perwakilan: Staff,
    kalsel: Kalsel,
    signed_pks: dict[str, Any],
    admin_headers: dict[str, str],
) -> None:
    signed_in_as(browser, perwakilan)
    form = form_of(browser.get(f"/perjanjian/{signed_pks['id']}").text, "kewajiban_baru")
    data = form.data(
        title="Laporan triwulan",
        responsible_organization_id=str(kalsel.diskominfo),
        due_on="2022-09-30",
        recurrence="none",
    )
    first = browser.post(form.action, data=data, follow_redirects=False)
    second = browser.post(form.action, data=data, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert second.headers.get("idempotent-replayed") == "true"
    assert len(obligations_of(browser, admin_headers, signed_pks["id"])) == 1


def test_a_viewer_sees_no_forms_and_forged_posts_are_refused(
    browser: TestClient,
    session: Session,
    perwakilan: Staff,
    kalsel: Kalsel,
    signed_pks: dict[str, Any],
    admin_headers: dict[str, str],
) -> None:
    signed_in_as(browser, perwakilan)
    page = browser.get(f"/perjanjian/{signed_pks['id']}").text
    forged = form_of(page, "kewajiban_baru")
    report = form_of(page, "kegiatan_baru")
    viewer = make_member(session, "viewer", kalsel.office, name="Pembaca Perwakilan")
    for who in (viewer, make_member(session, "editor", kalsel.kalteng, name="Staf Kalteng")):
        signed_in_as(browser, who)
        page = browser.get(f"/perjanjian/{signed_pks['id']}").text
        assert not has_form(page, "kewajiban_baru") and not has_form(page, "kegiatan_baru")
        assert not has_form(page, "dokumen")
        for form in (forged, report):
            answer = browser.post(
                form.action,
                data=form.data(
                    csrf_token=csrf_of(page),
                    title="Palsu",
                    responsible_organization_id=str(kalsel.diskominfo),
                    due_on="2022-09-30",
                    description="Palsu",
                    organization_id=str(kalsel.office),
                    held_on="2022-08-01",
                ),
            )
            assert answer.status_code == 403
            assert "Anda tidak berwenang melakukan ini." in text_of(answer.text)
    assert obligations_of(browser, admin_headers, signed_pks["id"]) == []
    activities = api(browser, admin_headers, f"/api/v1/agreements/{signed_pks['id']}/activities")
    assert activities["total"] == 0


def test_a_party_reports_an_activity_with_evidence_and_the_other_party_judges_it(
    browser: TestClient,
    perwakilan: Staff,
    diskominfo: Staff,
    kalsel: Kalsel,
    signed_pks: dict[str, Any],
    store: DocumentStore,
    admin_headers: dict[str, str],
) -> None:
    signed_in_as(browser, perwakilan)
    assert add_obligation(browser, signed_pks, kalsel).status_code == 303
    [owed] = obligations_of(browser, admin_headers, signed_pks["id"])
    scope = api(browser, admin_headers, f"/api/v1/agreements/{signed_pks['id']}")["scope_items"]

    # Diskominfo reports what it did, fulfilling its obligation.
    signed_in_as(browser, diskominfo)
    page = browser.get(f"/perjanjian/{signed_pks['id']}").text
    assert has_form(page, f"selesai_{owed['id']}")  # Diskominfo edits its own PKS too
    report = form_of(page, "kegiatan_baru")
    values: dict[str, Any] = {
        "title": "Sosialisasi standar pelayanan",
        "organization_id": str(kalsel.diskominfo),
        "held_on": "2022-09-20",
        "description": "Sosialisasi kepada 40 pegawai",
        "obligation_id": str(owed["id"]),
        "scope_item_ids": str(scope[0]["id"]),
    }
    # One way of dating only: a day and a period at once is refused next to the day.
    both = browser.post(report.action, data=report.data(**values, held_from="2022-09-19"))
    assert both.status_code == 422, text_of(both.text)[-3000:]
    assert field_errors(both.text, "kegiatan_baru", "held_on") == [
        "Isi tanggal pelaksanaan, atau tanggal mulai dan selesai (selesai tidak sebelum mulai), "
        "tidak keduanya."
    ]
    answer = browser.post(report.action, data=report.data(**values), follow_redirects=False)
    assert answer.status_code == 303, answer.text
    shown = browser.get(answer.headers["location"])
    words = text_of(shown.text)
    assert "Kegiatan “Sosialisasi standar pelayanan” (Dinas Komunikasi dan Informatika, 20 " in (
        words
    )
    assert "Kewajiban yang dipenuhinya ditandai selesai." in words
    [activity] = api(browser, admin_headers, f"/api/v1/agreements/{signed_pks['id']}/activities")[
        "items"
    ]
    assert (activity["verification"], activity["obligation_id"]) == ("pending", owed["id"])
    assert obligations_of(browser, admin_headers, signed_pks["id"])[0]["status"] == "done"
    # The reporter does not judge its own report.
    assert not has_form(shown.text, f"verifikasi_{activity['id']}")

    # Its evidence: a file that is no PDF nor image is refused; a PDF is kept, its hash shown.
    evidence = form_of(shown.text, f"bukti_{activity['id']}")
    refused = browser.post(
        evidence.action,
        data=evidence.data(),
        files={"file": ("catatan.txt", b"bukan pdf", "text/plain")},
    )
    assert refused.status_code == 415
    assert "Hanya PDF atau gambar" in text_of(refused.text)
    empty = browser.post(
        evidence.action, data=evidence.data(), files={"file": ("", b"", "application/octet-stream")}
    )
    assert empty.status_code == 422
    assert field_errors(empty.text, f"bukti_{activity['id']}", "file") == ["Wajib diisi."]
    evidence = form_of(empty.text, f"bukti_{activity['id']}")
    kept = browser.post(
        evidence.action,
        data=evidence.data(),
        files={"file": ("notulen.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert kept.status_code == 303, kept.text
    page = browser.get(kept.headers["location"]).text
    [document] = api(
        browser, admin_headers, f"/api/v1/agreements/{signed_pks['id']}/activities/{activity['id']}"
    )["documents"]
    assert f"SHA-256: {document['sha256']}" in text_of(page)
    download = browser.get(
        f"/perjanjian/{signed_pks['id']}/kegiatan/{activity['id']}/bukti/{document['id']}"
    )
    assert download.status_code == 200 and download.content == PDF

    # The Perwakilan judges it: a rejection needs a note, shown next to the note.
    signed_in_as(browser, perwakilan)
    page = browser.get(f"/perjanjian/{signed_pks['id']}").text
    verdict = form_of(page, f"verifikasi_{activity['id']}")
    assert verdict.fields["verdict"] == ["verified"]
    refused = browser.post(verdict.action, data=verdict.data(verdict="rejected"))
    assert refused.status_code == 422
    assert field_errors(refused.text, f"verifikasi_{activity['id']}", "note") == [
        "Penolakan memerlukan catatan: apa yang kurang."
    ]
    answer = browser.post(verdict.action, data=verdict.data(), follow_redirects=False)
    assert answer.status_code == 303, answer.text
    words = text_of(browser.get(answer.headers["location"]).text)
    assert "Kegiatan “Sosialisasi standar pelayanan” kini terverifikasi." in words
    judged = api(
        browser, admin_headers, f"/api/v1/agreements/{signed_pks['id']}/activities/{activity['id']}"
    )
    assert (judged["verification"], judged["verdict_by"]) == ("verified", "Hadi Rahman")
    # A correction: rejected with a note; the obligation is open again.
    page = browser.get(f"/perjanjian/{signed_pks['id']}").text
    verdict = form_of(page, f"verifikasi_{activity['id']}")
    assert verdict.fields["verdict"] == ["rejected"]
    answer = browser.post(
        verdict.action,
        data=verdict.data(note="Daftar hadir belum dilampirkan"),
        follow_redirects=False,
    )
    assert answer.status_code == 303
    words = text_of(browser.get(answer.headers["location"]).text)
    assert "kini ditolak. Catatan: Daftar hadir belum dilampirkan" in words
    assert obligations_of(browser, admin_headers, signed_pks["id"])[0]["status"] != "done"


def test_upload_the_signed_scan_see_its_hash_and_download_it(
    browser: TestClient,
    perwakilan: Staff,
    signed_pks: dict[str, Any],
    store: DocumentStore,
    admin_headers: dict[str, str],
) -> None:
    signed_in_as(browser, perwakilan)
    form = form_of(browser.get(f"/perjanjian/{signed_pks['id']}").text, "dokumen")
    missing = browser.post(form.action, data=form.data())
    assert missing.status_code == 422
    assert field_errors(missing.text, "dokumen", "file") == ["Wajib diisi."]
    files = {"file": ("PKS Diskominfo.pdf", PDF, "application/pdf")}
    first = browser.post(form.action, data=form.data(), files=files, follow_redirects=False)
    second = browser.post(form.action, data=form.data(), files=files, follow_redirects=False)
    assert first.status_code == second.status_code == 303, first.text
    assert second.headers.get("idempotent-replayed") == "true"
    [document] = api(browser, admin_headers, f"/api/v1/agreements/{signed_pks['id']}/documents")
    page = browser.get(first.headers["location"]).text
    words = text_of(page)
    assert f"Dokumen “PKS Diskominfo.pdf” diunggah. SHA-256: {document['sha256']}" in words
    assert f"SHA-256: <code>{document['sha256']}</code>" in page  # in the list of documents
    download = browser.get(f"/perjanjian/{signed_pks['id']}/dokumen/{document['id']}")
    assert download.status_code == 200 and download.content == PDF
    events = api(browser, admin_headers, f"/api/v1/agreements/{signed_pks['id']}/history")
    assert (events["items"][0]["action"], events["items"][0]["actor"]) == (
        "document_attached",
        "Hadi Rahman",
    )


def test_an_editor_records_the_monev_once_per_period(
    browser: TestClient,
    session: Session,
    perwakilan: Staff,
    kalsel: Kalsel,
    signed_pks: dict[str, Any],
    admin_headers: dict[str, str],
) -> None:
    signed_in_as(browser, perwakilan)
    form = form_of(browser.get(f"/perjanjian/{signed_pks['id']}").text, "monev")
    values = {
        "period": "2023",
        "score": "3",
        "findings": "Sosialisasi dan pendampingan terlaksana",
        "obstacles": "Anggaran terbatas",
        "recommendation": "continue",
    }
    # Before the PKS was signed (2022): refused next to the period.
    early = browser.post(form.action, data=form.data(**{**values, "period": "2021"}))
    assert early.status_code == 422
    assert field_errors(early.text, "monev", "period") == [
        "Periode evaluasi tidak boleh sebelum perjanjian ditandatangani."
    ]
    malformed = browser.post(form.action, data=form.data(**{**values, "period": "tahun lalu"}))
    assert malformed.status_code == 422
    assert field_errors(malformed.text, "monev", "period") != []
    # A score is a number typed as staff type it; text is refused next to the score.
    wordy = browser.post(form.action, data=form.data(**{**values, "score": "tiga"}))
    assert wordy.status_code == 422
    assert field_errors(wordy.text, "monev", "score") == ["Tulis angka, mis. 86,6."]
    answer = browser.post(form.action, data=form.data(**values), follow_redirects=False)
    assert answer.status_code == 303, answer.text
    words = text_of(browser.get(answer.headers["location"]).text)
    assert "Evaluasi (monev) 2023 dicatat: nilai 3, rekomendasi dilanjutkan." in words
    [made] = api(browser, admin_headers, f"/api/v1/agreements/{signed_pks['id']}/evaluations")
    assert (made["period"], made["score"], made["obstacles"], made["recommendation"]) == (
        "2023",
        3,
        "Anggaran terbatas",
        "continue",
    )
    # The same period again (a new form): refused, nothing written twice.
    form = form_of(browser.get(f"/perjanjian/{signed_pks['id']}").text, "monev")
    again = browser.post(form.action, data=form.data(**values))
    assert again.status_code == 409
    assert "Periode ini sudah dievaluasi untuk perjanjian ini." in text_of(again.text)
    # A viewer sees no form, and its forged post is refused.
    viewer = make_member(session, "viewer", kalsel.office, name="Pembaca Perwakilan")
    signed_in_as(browser, viewer)
    page = browser.get(f"/perjanjian/{signed_pks['id']}").text
    assert not has_form(page, "monev")
    forged = browser.post(
        form.action, data=form.data(**{**values, "period": "2024"}, csrf_token=csrf_of(page))
    )
    assert forged.status_code == 403
    assert (
        len(api(browser, admin_headers, f"/api/v1/agreements/{signed_pks['id']}/evaluations")) == 1
    )
