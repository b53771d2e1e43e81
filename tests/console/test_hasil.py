"""Hasil: compliance zones year by year beside the agreements, on the seeded registry."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection


@pytest.fixture
def seeded(seeded_connection: Connection) -> None:
    """The seeded real cases (loaded once for consecutive tests; see tests/conftest.py)."""


def organization_id(client: TestClient, q: str, headers: dict[str, str]) -> int:
    found = client.get("/api/v1/organizations", params={"q": q}, headers=headers).json()
    assert found["total"] == 1, found
    return int(found["items"][0]["id"])


def row_of(html: str, name: str) -> list[str]:
    """The cells of an organization's row, as text."""
    row = re.search(rf'<th scope="row">(?:<a [^>]*>)?{name}(?:</a>)?</th>(.*?)</tr>', html, re.S)
    assert row, f"no row for {name}"
    return [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    ]


def test_kalsel_yellow_in_2021_green_in_2023_and_kotabaru_yellow(
    signed_in: TestClient, seeded: None, admin_headers: dict[str, str]
) -> None:
    kalsel = organization_id(signed_in, "Pemprov Kalsel", admin_headers)
    page = signed_in.get("/hasil", params={"organization_id": str(kalsel)})
    assert page.status_code == 200
    assert "<title>Pemerintah Provinsi Kalimantan Selatan · Hasil" in page.text
    assert re.search(
        r'<th scope="col">2021</th>\s*<th scope="col">2022</th>\s*<th scope="col">2023</th>',
        page.text,
    )

    province = row_of(page.text, "Pemerintah Provinsi Kalimantan Selatan")
    assert province[0].startswith("Zona kuning (kepatuhan sedang) Berlaku: 1 perjanjian")
    assert province[1].startswith("Belum dinilai Berlaku: 22 perjanjian")
    assert province[2].startswith("Zona hijau (kepatuhan tinggi) Berlaku: 22 perjanjian")
    kotabaru = row_of(page.text, "Pemerintah Kabupaten Kotabaru")
    assert kotabaru[-1].startswith("Zona kuning (kepatuhan sedang)")
    assert row_of(page.text, "Pemerintah Kota Banjarbaru")[-1].startswith("Zona hijau")
    # The colour and the text say the same.
    assert '<td class="zone-cell zone-cell-yellow">' in page.text

    # The chart: an accessible image, its figures in words and in a table beside it.
    svg = re.search(r"<svg[^>]*>.*?</svg>", page.text, re.S)
    assert svg and 'role="img"' in svg.group(0)
    assert '<title id="grafik-judul">Sebaran zona kepatuhan per tahun' in svg.group(0)
    assert "2023: 13 hijau, 1 kuning, 0 merah, 0 belum dinilai." in svg.group(0)
    assert svg.group(0).count('class="bar-yellow"') == 2  # 2021 Kalsel, 2023 Kotabaru


def test_kalteng_signed_awaiting_others(
    signed_in: TestClient, seeded: None, admin_headers: dict[str, str]
) -> None:
    kalteng = organization_id(signed_in, "Pemprov Kalteng", admin_headers)
    page = signed_in.get(
        "/hasil", params={"organization_id": str(kalteng), "from_year": "2023", "to_year": ""}
    )
    assert page.status_code == 200
    assert row_of(page.text, "Pemerintah Provinsi Kalimantan Tengah")[0] == (
        "Zona hijau (kepatuhan tinggi) (nilai 86,6) Ditandatangani, menunggu pihak lain"
    )
    assert "Sudah ditandatangani, menunggu pihak lain (2023)" in page.text
    waiting = re.search(r'<section aria-labelledby="menunggu">(.*?)</section>', page.text, re.S)
    assert waiting
    text = " ".join(re.sub(r"<[^>]+>", " ", waiting.group(1)).split())
    assert "Pemerintah Provinsi Kalimantan Tengah sudah menandatangani" in text
    assert "menunggu tanda tangan 1 pihak lain: Pemerintah Kabupaten Kotawaringin Barat." in text


def test_results_by_year_and_zone_without_an_organization(
    signed_in: TestClient, seeded: None
) -> None:
    page = signed_in.get("/hasil", params={"year": "2023", "zone": "yellow"})
    assert page.status_code == 200
    assert "1 hasil penilaian kepatuhan" in page.text
    assert row_of(page.text, "Pemerintah Kabupaten Kotabaru")[0] == "Zona kuning (kepatuhan sedang)"
    everything = signed_in.get("/hasil")
    assert "16 hasil penilaian kepatuhan" in everything.text


def test_bad_choices_are_explained_not_500(
    signed_in: TestClient, seeded: None, admin_headers: dict[str, str]
) -> None:
    kalsel = organization_id(signed_in, "Pemprov Kalsel", admin_headers)
    span = signed_in.get(
        "/hasil", params={"organization_id": kalsel, "from_year": "2023", "to_year": "2021"}
    )
    assert span.status_code == 200
    assert "Rentang tahun 2023–2021 tidak dapat ditampilkan" in span.text
    assert signed_in.get("/hasil", params={"organization_id": "999999"}).status_code == 404
    zone = signed_in.get("/hasil", params={"zone": "purple"})
    assert zone.status_code == 200 and "Pilihan zona tidak dikenal" in zone.text
