"""Organisasi: the tree of organizations on the seeded registry, searched and expanded by links,
and the type-ahead fragment other pages use."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection


@pytest.fixture
def seeded(seeded_connection: Connection) -> None:
    """The seeded real cases (loaded once for consecutive tests; see tests/conftest.py)."""


def names(html: str) -> list[str]:
    return re.findall(r'<th scope="row">([^<]+)', html)


def test_search_finds_diskominfo_with_its_kind_parent_and_agreements(
    signed_in: TestClient, seeded: None, admin_headers: dict[str, str]
) -> None:
    kominfo = signed_in.get(
        "/api/v1/organizations", params={"q": "kominfo"}, headers=admin_headers
    ).json()["items"][0]
    page = signed_in.get("/organisasi", params={"q": "kominfo"})
    assert page.status_code == 200
    assert "<title>Organisasi · Registri Kerja Sama</title>" in page.text
    assert names(page.text) == [kominfo["name"]]
    assert "1 organisasi cocok dengan “kominfo”" in page.text
    assert "Perangkat daerah (SKPD/OPD)" in page.text
    assert (
        f'<a href="/organisasi?parent_id={kominfo["parent_id"]}">'
        "Pemerintah Provinsi Kalimantan Selatan</a>"
    ) in page.text
    assert f'href="/perjanjian?organization_id={kominfo["id"]}"' in page.text


def test_the_tree_top_level_then_a_branch_by_link(signed_in: TestClient, seeded: None) -> None:
    top = signed_in.get("/organisasi")
    assert top.status_code == 200
    assert "Ombudsman Republik Indonesia" in names(top.text)
    assert "Pemerintah Provinsi Kalimantan Selatan" in names(top.text)
    assert not [n for n in names(top.text) if n.startswith("Dinas")]  # SKPD are in branches
    kalsel = re.search(
        r'Pemerintah Provinsi Kalimantan Selatan<.*?<a href="/organisasi\?parent_id=(\d+)">'
        r"(\d+) organisasi",
        top.text,
        flags=re.S,
    )
    assert kalsel, "no link to the SKPD of Kalsel"
    branch = signed_in.get(f"/organisasi?parent_id={kalsel.group(1)}")
    assert branch.status_code == 200
    skpd = names(branch.text)
    assert len(skpd) == int(kalsel.group(2)) >= 21
    assert any("Komunikasi dan Informatika" in n for n in skpd)
    assert "Pemerintah Provinsi Kalimantan Selatan · Organisasi" in branch.text  # its title
    assert '<li><a href="/organisasi">Tingkat teratas</a></li>' in branch.text
    assert "Pemerintah provinsi" in branch.text  # the parent's kind


def test_an_unknown_branch_is_a_404_page(signed_in: TestClient, seeded: None) -> None:
    page = signed_in.get("/organisasi?parent_id=999999")
    assert page.status_code == 404
    assert "Organisasi itu tidak ada di registri." in page.text
    assert signed_in.get("/organisasi?parent_id=abc").status_code == 200


def test_type_ahead_fragment(signed_in: TestClient, seeded: None) -> None:
    fragment = signed_in.get(
        "/organisasi/cari", params={"q": "kominfo"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert fragment.text.startswith('<ul class="typeahead"')
    assert "<html" not in fragment.text
    assert re.search(
        r'<a href="/perjanjian\?organization_id=\d+" data-organization-id="\d+">Dinas Komunikasi',
        fragment.text,
    )
    options = signed_in.get("/organisasi/cari", params={"q": "kotabaru", "as": "option"})
    assert re.fullmatch(
        r'<option value="\d+">Pemerintah Kabupaten Kotabaru</option>\s*', options.text
    )
    none = signed_in.get("/organisasi/cari", params={"q": "tidak-ada-sama-sekali"})
    assert "Tidak ada organisasi yang cocok" in none.text
