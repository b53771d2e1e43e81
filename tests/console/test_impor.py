"""Importing a register through the console (a browser without JavaScript): the dry run as a
table (new / already registered, every error at its sheet, row and column), then the commit of
the very file checked, once; as POST /api/v1/imports with its rights (viewers import nothing)."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.console.conftest import Staff, csrf_of
from tests.console.forms import field_errors, form_of, has_form, make_member, signed_in_as, text_of
from tests.world import Kalsel


@pytest.fixture
def browser(client: TestClient, kalsel: Kalsel, admin_headers: dict[str, str]) -> TestClient:
    client.headers.pop("X-API-Key", None)
    return client


@pytest.fixture
def biro(session: Session, kalsel: Kalsel) -> Staff:
    return make_member(session, "editor", kalsel.province, name="Staf Biro Pemerintahan")


def register(kalsel: Kalsel, *extra: str) -> bytes:
    lines = [
        "Nama,Jenis,Induk",
        f"Dinas Pariwisata,SKPD,#{kalsel.province}",
        f"Dinas Kesehatan,SKPD,#{kalsel.province}",  # registered already
        *extra,
    ]
    return "\r\n".join(lines).encode("utf-8")


def children(browser: TestClient, headers: dict[str, str], parent: int) -> list[str]:
    found = browser.get(f"/api/v1/organizations?parent_id={parent}&limit=200", headers=headers)
    assert found.status_code == 200
    return sorted(o["name"] for o in found.json()["items"])


def test_a_dry_run_shows_each_record_then_the_commit_creates_once(
    browser: TestClient, biro: Staff, kalsel: Kalsel, admin_headers: dict[str, str]
) -> None:
    signed_in_as(browser, biro)
    assert 'href="/impor"' in browser.get("/perjanjian").text
    page = browser.get("/impor")
    assert page.status_code == 200
    upload = form_of(page.text, "impor_periksa")
    before = children(browser, admin_headers, kalsel.province)
    dry = browser.post(
        upload.action,
        data=upload.data(),
        files={"file": ("register.csv", register(kalsel), "text/csv")},
    )
    assert dry.status_code == 200, dry.text
    words = text_of(dry.text)
    assert "Organisasi: 1 baru, 1 sudah ada, 0 ditolak." in words
    assert "Dinas Pariwisata" in words and "Baru" in words and "Sudah ada" in words
    assert children(browser, admin_headers, kalsel.province) == before  # a dry run
    confirm = form_of(dry.text, "impor_simpan")
    first = browser.post(confirm.action, data=confirm.data(), follow_redirects=False)
    second = browser.post(confirm.action, data=confirm.data(), follow_redirects=False)
    assert first.status_code == second.status_code == 303, first.text
    assert second.headers.get("idempotent-replayed") == "true"
    done = text_of(browser.get(first.headers["location"]).text)
    assert "Impor selesai: 1 organisasi dan 0 perjanjian dibuat; 1 catatan sudah ada" in done
    after = children(browser, admin_headers, kalsel.province)
    assert after.count("Dinas Pariwisata") == 1 and len(after) == len(before) + 1
    # A confirmation whose file was changed on the way is refused; nothing imported.
    again = browser.post(
        upload.action,
        data=form_of(browser.get("/impor").text, "impor_periksa").data(),
        files={
            "file": (
                "register.csv",
                register(kalsel, f"Dinas Sosial,SKPD,#{kalsel.province}"),
                "text/csv",
            )
        },
    )
    confirm = form_of(again.text, "impor_simpan")
    forged = browser.post(
        confirm.action,
        data=confirm.data(content="TmFtYSxKZW5pcyxJbmR1aw0KRGluYXMgTGFpbixTS1BELCMx"),
    )
    assert forged.status_code == 422
    assert "Tidak ada yang diimpor." in text_of(forged.text)
    assert "Dinas Sosial" not in children(browser, admin_headers, kalsel.province)


def test_every_error_at_its_sheet_row_and_column_and_nothing_to_commit(
    browser: TestClient, biro: Staff, kalsel: Kalsel
) -> None:
    signed_in_as(browser, biro)
    upload = form_of(browser.get("/impor").text, "impor_periksa")
    bad = register(kalsel, "Dinas Sosial,Bukan jenis,#" + str(kalsel.province))
    dry = browser.post(
        upload.action, data=upload.data(), files={"file": ("register.csv", bad, "text/csv")}
    )
    assert dry.status_code == 422
    assert not has_form(dry.text, "impor_simpan")
    table = dry.text[dry.text.index('id="tabel-kesalahan"') :]
    body = table[table.index("<tbody>") :]
    row = text_of(body[: body.index("</tr>")])
    assert row.startswith("Organisasi 4 B (Jenis)"), row
    # No file chosen, and a file that is no register: said next to the file field.
    none = browser.post(
        upload.action, data=upload.data(), files={"file": ("", b"", "application/octet-stream")}
    )
    assert none.status_code == 422
    assert field_errors(none.text, "impor_periksa", "file") == [
        "Pilih berkas register (.xlsx atau .csv)."
    ]
    junk = browser.post(
        upload.action,
        data=upload.data(),
        files={"file": ("register.csv", b"\x00\x01\x02 bukan register", "text/csv")},
    )
    assert junk.status_code == 422
    assert field_errors(junk.text, "impor_periksa", "file") == [
        "Berkas ini tidak dapat dibaca sebagai register (.xlsx atau .csv menurut templat)."
    ]


def test_a_viewer_imports_nothing(
    browser: TestClient,
    session: Session,
    biro: Staff,
    kalsel: Kalsel,
    admin_headers: dict[str, str],
) -> None:
    signed_in_as(browser, biro)
    upload = form_of(browser.get("/impor").text, "impor_periksa")
    dry = browser.post(
        upload.action,
        data=upload.data(),
        files={"file": ("register.csv", register(kalsel), "text/csv")},
    )
    confirm = form_of(dry.text, "impor_simpan")
    viewer = make_member(session, "viewer", kalsel.province, name="Pembaca Biro")
    signed_in_as(browser, viewer)
    assert browser.get("/impor").status_code == 403
    assert 'href="/impor"' not in browser.get("/perjanjian").text
    token = csrf_of(browser.get("/").text)
    forged = browser.post(confirm.action, data=confirm.data(csrf_token=token))
    assert forged.status_code == 403
    assert "Dinas Pariwisata" not in children(browser, admin_headers, kalsel.province)
    checked: Any = browser.post(
        upload.action,
        data=upload.data(csrf_token=token),
        files={"file": ("register.csv", register(kalsel), "text/csv")},
    )
    assert checked.status_code == 403
