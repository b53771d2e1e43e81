"""Perjanjian, one agreement's page and Riwayat through HTTP (a browser-like client: cookies, no
API key, no JavaScript) on the seeded real cases."""

import html
import io
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Connection
from sqlmodel import Session

from app.documents.router import get_document_store
from app.documents.storage import DocumentStore
from app.main import app
from tests.console.conftest import make_staff, sign_in

KALSEL_NK = "053/NK-PEMOTDA/2021"
KALSEL_NK_OMBUDSMAN = "30/ORI-MoU/X/2021"
ROW = re.compile(r'<tr>\s*<td>(NK|PKS|Adendum)</td>\s*<td><a href="/perjanjian/(\d+)">')


@pytest.fixture
def seeded(seeded_connection: Connection) -> None:
    """The seeded real cases (loaded once for consecutive tests; see tests/conftest.py)."""


def api(client: TestClient, admin_headers: dict[str, str], path: str, **params: Any) -> Any:
    answer = client.get(path, params=params, headers=admin_headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def text_of(page: str) -> str:
    """The page's visible text, tags gone and spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def listed_ids(page: str) -> list[int]:
    return [int(found.group(2)) for found in ROW.finditer(page)]


def test_signed_out_goes_to_sign_in(browser: TestClient) -> None:
    answer = browser.get("/perjanjian?kind=nk", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/masuk?next=%2Fperjanjian%3Fkind%3Dnk"


def test_the_list_finds_the_kalsel_nk_by_its_number(
    signed_in: TestClient, seeded: None, admin_headers: dict[str, str]
) -> None:
    page = signed_in.get("/perjanjian", params={"q": KALSEL_NK})
    assert page.status_code == 200
    assert "<title>Perjanjian · Registri Kerja Sama</title>" in page.text
    expected = api(signed_in, admin_headers, "/api/v1/agreements", q=KALSEL_NK, count="true")
    assert listed_ids(page.text) == [a["id"] for a in expected["items"]]
    nk = next(a for a in expected["items"] if a["kind"] == "nk")
    words = text_of(page.text)
    assert f"{expected['total']} perjanjian" in words
    assert KALSEL_NK in words and KALSEL_NK_OMBUDSMAN in words
    assert f'<a href="/perjanjian/{nk["id"]}">{html.escape(nk["title"])}</a>' in page.text
    assert "Berlaku" in words  # the status label, not `active`
    # The search is kept in the form, and the export links carry the same query.
    assert f'value="{KALSEL_NK}"' in page.text
    assert "/perjanjian/ekspor.xlsx?q=053%2FNK-PEMOTDA%2F2021" in page.text


def test_filters_and_pages_work_without_javascript(
    signed_in: TestClient, seeded: None, admin_headers: dict[str, str]
) -> None:
    nk = api(signed_in, admin_headers, "/api/v1/agreements", number=KALSEL_NK)["items"][0]
    # A GET form sends every field, the empty ones too.
    form = {"q": "", "kind": "pks", "status": "", "organization_id": "", "expiring_before": ""}
    first = signed_in.get("/perjanjian", params=form | {"parent_id": nk["id"], "sort": "title"})
    assert first.status_code == 200, first.text
    expected = api(
        signed_in,
        admin_headers,
        "/api/v1/agreements",
        parent_id=nk["id"],
        sort="title",
        limit=200,
        count="true",
    )
    assert expected["total"] == 21
    ids = listed_ids(first.text)
    assert ids == [a["id"] for a in expected["items"]][: len(ids)]
    assert "21 perjanjian" in text_of(first.text)
    assert "Paling awal berakhir" in first.text  # the sort choices, in Indonesian
    assert '<option value="pks" selected>PKS</option>' in first.text

    # Organization and lapsing date filters: the API's answer, row for row.
    kominfo = api(signed_in, admin_headers, "/api/v1/organizations", q="kominfo")["items"][0]
    by_org = signed_in.get("/perjanjian", params={"organization_id": kominfo["id"]})
    assert listed_ids(by_org.text) == [
        a["id"]
        for a in api(signed_in, admin_headers, "/api/v1/agreements", organization_id=kominfo["id"])[
            "items"
        ]
    ]
    # The party field shows the organization's name (test_perjanjian_organisasi.py: by name).
    assert f'value="{html.escape(kominfo["name"])}"' in by_org.text
    lapsing = signed_in.get("/perjanjian", params={"expiring_before": "2026-12-31"})
    assert listed_ids(lapsing.text) == [
        a["id"]
        for a in api(signed_in, admin_headers, "/api/v1/agreements", expiring_before="2026-12-31")[
            "items"
        ]
    ]

    # Pages (50 rows unless `limit=` says otherwise, as the API): page by page, the API's list.
    everything = api(signed_in, admin_headers, "/api/v1/agreements", limit=200, count="true")
    assert everything["total"] == 24
    assert len(listed_ids(signed_in.get("/perjanjian").text)) == 24
    page_one = signed_in.get("/perjanjian?limit=20")
    assert len(listed_ids(page_one.text)) == 20
    assert "Halaman 1 dari 2" in page_one.text
    next_link = re.search(r'href="/perjanjian\?([^"]+)" rel="next"', page_one.text)
    assert next_link, "no link to the next page"
    page_two = signed_in.get("/perjanjian?" + html.unescape(next_link.group(1)))
    assert listed_ids(page_one.text) + listed_ids(page_two.text) == [
        a["id"] for a in everything["items"]
    ]
    assert 'rel="prev"' in page_two.text and "Halaman 2 dari 2" in page_two.text


def test_a_value_the_api_would_refuse_is_named_not_a_failure(
    signed_in: TestClient, seeded: None
) -> None:
    page = signed_in.get("/perjanjian", params={"status": "aktif", "expiring_before": "31-12-2026"})
    assert page.status_code == 200
    words = text_of(page.text)
    assert "Status tidak dikenal" in words
    assert "tidak sah (TTTT-BB-HH)" in words


def test_the_export_is_exactly_the_list(
    signed_in: TestClient, seeded: None, admin_headers: dict[str, str]
) -> None:
    nk = api(signed_in, admin_headers, "/api/v1/agreements", number=KALSEL_NK)["items"][0]
    # The API's export wants an API key; the console's link works with the session.
    assert signed_in.get(f"/api/v1/agreements/export.xlsx?parent_id={nk['id']}").status_code == 401
    answer = signed_in.get(f"/perjanjian/ekspor.xlsx?parent_id={nk['id']}&kind=pks")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None and sheet.max_row == 1 + 21
    csv = signed_in.get(f"/perjanjian/ekspor.csv?q={KALSEL_NK}")
    assert csv.status_code == 200 and KALSEL_NK in csv.content.decode("utf-8-sig")
    assert signed_in.get("/perjanjian/ekspor.pdf").status_code == 404


def test_the_kalsel_nk_page_lists_its_21_pks_and_both_numbers(
    signed_in: TestClient, seeded: None, admin_headers: dict[str, str]
) -> None:
    nk = api(signed_in, admin_headers, "/api/v1/agreements", number=KALSEL_NK)["items"][0]
    page = signed_in.get(f"/perjanjian/{nk['id']}")
    assert page.status_code == 200
    words = text_of(page.text)
    assert KALSEL_NK in words and KALSEL_NK_OMBUDSMAN in words
    assert "PKS di bawah NK ini (21)" in words
    pks = api(signed_in, admin_headers, "/api/v1/agreements", parent_id=nk["id"], limit=200)
    for child in pks["items"]:
        assert f'href="/perjanjian/{child["id"]}"' in page.text
    assert f'href="/perjanjian?parent_id={nk["id"]}"' in page.text
    assert f'href="/cakupan/{nk["id"]}"' in page.text
    assert "Tanggal penyusunan draf" in words and "Tanggal finalisasi" in words
    assert "Riwayat status dan perubahan" in words and "Didaftarkan" in words
    assert f'href="/riwayat/perjanjian/{nk["id"]}"' in page.text


def test_the_kalteng_nk_shows_kotawaringin_barats_pending_reason(
    signed_in: TestClient, seeded: None, admin_headers: dict[str, str]
) -> None:
    kalteng = api(signed_in, admin_headers, "/api/v1/agreements", status="partially_signed")
    nk = next(a for a in kalteng["items"] if a["kind"] == "nk")
    party = next(p for p in nk["parties"] if not p["signed"])
    assert party["organization_name"] == "Pemerintah Kabupaten Kotawaringin Barat"
    words = text_of(signed_in.get(f"/perjanjian/{nk['id']}").text)
    row = re.escape("Kotawaringin Barat") + r"[^|]*?Belum menandatangani\W+"
    assert re.search(row + re.escape(party["pending_reason"]), words)
    assert "Sebagian sudah menandatangani" in words


def test_a_pks_page_shows_its_signatories_and_the_signing_day(
    signed_in: TestClient, seeded: None, admin_headers: dict[str, str]
) -> None:
    nk = api(signed_in, admin_headers, "/api/v1/agreements", number=KALSEL_NK)["items"][0]
    pks = api(signed_in, admin_headers, "/api/v1/agreements", parent_id=nk["id"])["items"][0]
    page = signed_in.get(f"/perjanjian/{pks['id']}")
    words = text_of(page.text)
    assert "Ditandatangani 4 Juli 2022" in words
    for party in pks["parties"]:
        assert party["organization_name"] in words
        if party["signatory_name"]:
            assert party["signatory_name"] in words
    assert f'<a href="/perjanjian/{nk["id"]}">' in page.text  # up to its NK


def test_a_viewer_sees_no_write_control(
    browser: TestClient, session: Session, seeded: None, admin_headers: dict[str, str]
) -> None:
    sign_in(browser, make_staff(session, "viewer"))
    nk = api(browser, admin_headers, "/api/v1/agreements", number=KALSEL_NK)["items"][0]
    for path in ("/perjanjian", f"/perjanjian/{nk['id']}", f"/riwayat/perjanjian/{nk['id']}"):
        page = browser.get(path)
        assert page.status_code == 200
        forms = re.findall(r"<form[^>]*>", page.text)
        # Only the search (GET) and the sign-out of the header: nothing that changes a record.
        assert all('method="get"' in f or 'action="/keluar"' in f for f in forms), forms
        assert "<button" not in page.text.replace('<button type="submit">Terapkan', "").replace(
            '<button type="submit" class="link-button">Keluar', ""
        )


def test_an_unknown_agreement_is_a_404_page_in_indonesian(
    signed_in: TestClient, seeded: None
) -> None:
    for path in ("/perjanjian/999999", "/perjanjian/abc", "/riwayat/perjanjian/999999"):
        page = signed_in.get(path)
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "tidak ada di registri" in text_of(page.text)


def test_riwayat_shows_changes_with_actor_and_masks_secrets(
    browser: TestClient, session: Session, seeded: None, admin_headers: dict[str, str]
) -> None:
    nk = api(browser, admin_headers, "/api/v1/agreements", number=KALSEL_NK)["items"][0]
    org = api(browser, admin_headers, "/api/v1/organizations", q="kominfo")["items"][0]
    secret = "https://bot:rahasia@hooks.example.go.id/kirim?token=abc"
    changed = browser.patch(
        f"/api/v1/organizations/{org['id']}",
        json={"version": org["version"], "webhook_url": secret},
        headers=admin_headers,
    )
    assert changed.status_code == 200, changed.text
    sign_in(browser, make_staff(session, "viewer", name="Budi Pembaca"))

    page = browser.get(f"/riwayat/organisasi/{org['id']}")
    assert page.status_code == 200
    words = text_of(page.text)
    assert "Riwayat organisasi" in words and org["name"] in words
    assert "Diubah" in words and "Webhook" in words
    assert "rahasia" not in page.text and "token=abc" not in page.text
    assert "https://***@hooks.example.go.id/kirim?***" in words
    assert "oleh admin" in words  # who changed it: the admin of the API key

    agreement = browser.get(f"/riwayat/perjanjian/{nk['id']}")
    assert agreement.status_code == 200
    assert "Riwayat perjanjian" in text_of(agreement.text)
    # Another user's account history is for that user and admins only, as in the API.
    assert browser.get("/riwayat/pengguna/1").status_code == 404
    assert browser.get(f"/riwayat/tidak-ada/{nk['id']}").status_code == 404


def test_a_document_is_listed_and_downloaded_through_the_session(
    signed_in: TestClient, seeded: None, admin_headers: dict[str, str], tmp_path: Path
) -> None:
    store = DocumentStore(root=tmp_path / "documents", max_bytes=64 * 1024)
    app.dependency_overrides[get_document_store] = lambda: store
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"
    nk = api(signed_in, admin_headers, "/api/v1/agreements", number=KALSEL_NK)["items"][0]
    url = f"/api/v1/agreements/{nk['id']}/documents"
    files = {"file": ("NK Kalsel bertanda tangan.pdf", pdf, "application/pdf")}
    uploaded = signed_in.post(url, files=files, headers=admin_headers)
    assert uploaded.status_code == 201, uploaded.text
    document = uploaded.json()
    # The API's download wants an API key; the page links to the console's, which the session opens.
    assert signed_in.get(f"{url}/{document['id']}").status_code == 401
    page = signed_in.get(f"/perjanjian/{nk['id']}")
    link = f"/perjanjian/{nk['id']}/dokumen/{document['id']}"
    assert f'href="{link}"' in page.text
    assert "Unduh NK Kalsel bertanda tangan.pdf" in text_of(page.text)
    download = signed_in.get(link)
    assert download.status_code == 200 and download.content == pdf
    assert signed_in.get(f"/perjanjian/{nk['id']}/dokumen/999999").status_code == 404


def test_an_agreements_obligations_link_to_their_history(
    signed_in: TestClient, seeded: None, admin_headers: dict[str, str]
) -> None:
    obligation = api(signed_in, admin_headers, "/api/v1/obligations")["items"][0]
    page = signed_in.get(f"/perjanjian/{obligation['agreement_id']}")
    assert obligation["title"] in text_of(page.text)
    assert f'href="/riwayat/kewajiban/{obligation["id"]}"' in page.text
    history = signed_in.get(f"/riwayat/kewajiban/{obligation['id']}")
    assert history.status_code == 200
    words = text_of(history.text)
    assert "Riwayat kewajiban" in words and obligation["title"] in words
    expected = api(signed_in, admin_headers, f"/api/v1/obligations/{obligation['id']}/history")
    assert f"{expected['total']} catatan" in words
