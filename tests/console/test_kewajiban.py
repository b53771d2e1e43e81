"""Kewajiban: the obligations on the seeded registry, filtered as staff ask (what is overdue)."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection


@pytest.fixture
def seeded(seeded_connection: Connection) -> None:
    """The seeded real cases (loaded once for consecutive tests; see tests/conftest.py)."""


def rows(html: str) -> list[str]:
    return re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", html, flags=re.S)


def test_obligations_with_agreement_party_due_day_status_and_recurrence(
    signed_in: TestClient, seeded: None
) -> None:
    page = signed_in.get("/kewajiban")
    assert page.status_code == 200
    assert "<title>Kewajiban · Registri Kerja Sama</title>" in page.text
    assert 'aria-current="page">Kewajiban' in page.text
    found = rows(page.text)
    assert "22 kewajiban" in page.text
    # Diskominfo's half-yearly data exchange, due first (31 December 2026).
    first = found[0]
    assert "Pertukaran data pengaduan LAPOR Paman" in first
    assert "31 Desember 2026" in first and "Semesteran" in first and "Belum jatuh tempo" in first
    assert "Dinas Komunikasi dan Informatika" in first  # the responsible party by name
    # Then the Perwakilan's quarterly pendampingan under each SKPD's PKS, due 4 January 2027.
    second = found[1]
    assert "Pendampingan secara berkala" in second
    assert "4 Januari 2027" in second and "Triwulanan" in second
    assert "Ombudsman" in second
    assert re.search(r'<a href="/perjanjian/\d+">[^<]+</a>', second)


def test_the_overdue_filter_shows_what_is_late_only(
    signed_in: TestClient, seeded: None, admin_headers: dict[str, str]
) -> None:
    pks = signed_in.get(
        "/api/v1/agreements", params={"q": "kominfo", "kind": "pks"}, headers=admin_headers
    ).json()["items"][0]
    kominfo = signed_in.get(
        "/api/v1/organizations", params={"q": "kominfo"}, headers=admin_headers
    ).json()["items"][0]["id"]
    late = signed_in.post(
        f"/api/v1/agreements/{pks['id']}/obligations",
        json={
            "title": "Pengiriman data pengaduan LAPOR Paman",
            "responsible_organization_id": kominfo,
            "due_on": "2026-10-01",
        },
        headers=admin_headers,
    )
    assert late.status_code == 201, late.text

    page = signed_in.get("/kewajiban", params={"status": "overdue"})
    assert page.status_code == 200
    found = rows(page.text)
    assert len(found) == 1 and "1 kewajiban" in page.text
    assert "Pengiriman data pengaduan LAPOR Paman" in found[0]
    assert "1 Oktober 2026" in found[0] and "Terlambat" in found[0] and "Sekali" in found[0]
    assert f'<a href="/perjanjian/{pks["id"]}">' in found[0]
    assert '<option value="overdue" selected>Terlambat</option>' in page.text

    # Due before a day; the organization filter keeps the responsible party's only.
    before = signed_in.get("/kewajiban", params={"due_before": "2026-12-31"})
    assert len(rows(before.text)) == 2  # the late one and Diskominfo's of 31 December
    theirs = signed_in.get("/kewajiban", params={"organization_id": kominfo, "status": ""})
    assert len(rows(theirs.text)) == 2
    assert "Pendampingan secara berkala" not in theirs.text


def test_empty_and_unreadable_filters_are_not_errors(signed_in: TestClient, seeded: None) -> None:
    page = signed_in.get(
        "/kewajiban", params={"status": "", "organization_id": "", "due_before": ""}
    )
    assert page.status_code == 200 and rows(page.text)
    bad = signed_in.get("/kewajiban", params={"status": "late", "due_before": "4 Juli"})
    assert bad.status_code == 200
    assert "Pilihan status tidak dikenal" in bad.text
    assert "Tanggal jatuh tempo tidak terbaca" in bad.text


def test_signed_out_goes_to_sign_in(browser: TestClient) -> None:
    response = browser.get("/kewajiban?status=overdue", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/masuk?next=%2Fkewajiban%3Fstatus%3Doverdue"
