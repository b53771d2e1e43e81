"""Search that finds what staff type: short names, parts of numbers, accents, scope items;
who has (not) signed; the orders of a list. Runs on SQLite and on PostgreSQL (trigram indexes)."""

from typing import Any

from fastapi.testclient import TestClient

from app.core.text import fold, like_pattern
from tests.helpers import assert_problem, create_agreement, create_org, finalize, patch_org, sign
from tests.world import Kalsel, nk_body, pks_body


def ids(client: TestClient, url: str, **params: Any) -> list[int]:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return [item["id"] for item in body["items"]]


def agreements(client: TestClient, **params: Any) -> list[int]:
    return ids(client, "/api/v1/agreements", count="true", **params)


def organizations(client: TestClient, **params: Any) -> list[int]:
    return ids(client, "/api/v1/organizations", **params)


def test_fold_ignores_case_accents_and_spacing() -> None:
    assert fold("Pemerintah  Kotawaringin BARÁT") == "pemerintah kotawaringin barat"
    assert fold("Dinas Komunikasi", "Diskominfo") == "dinas komunikasi diskominfo"
    assert fold(None, "LKPP") == "lkpp"
    assert like_pattern("100%_a\\b") == "%100\\%\\_a\\\\b%"


def test_organizations_by_name_or_short_name_ignoring_case_and_accents(
    client: TestClient, kalsel: Kalsel
) -> None:
    patch_org(client, kalsel.diskominfo, short_name="Diskominfo Kalsel")
    lkpp = create_org(
        client,
        "Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah",
        "state_institution",
        short_name="LKPP",
    )
    accented = create_org(client, "Dinas Perhubungan Banjarmasin Timúr", "other")

    assert organizations(client, q="kominfo") == [kalsel.diskominfo]
    assert organizations(client, q="LKPP") == [lkpp]
    assert organizations(client, q="lkpp") == [lkpp]
    assert organizations(client, q="TIMUR") == [accented]  # no accent typed, one stored
    assert organizations(client, q="Timúr") == [accented]
    assert organizations(client, q="barang/jasa") == [lkpp]
    # LIKE's wildcards are taken literally.
    assert organizations(client, q="%") == []
    assert organizations(client, q="_") == []
    # A renamed organization is found by its new name.
    patch_org(client, lkpp, short_name="LKPP RI")
    assert organizations(client, q="lkpp ri") == [lkpp]


def test_agreements_q_finds_part_of_a_number_a_party_and_a_scope_item(
    client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
) -> None:
    nk = signed_nk["id"]
    patch_org(client, kalsel.diskominfo, short_name="Diskominfo Kalsel")
    pks = create_agreement(
        client,
        **pks_body(
            kalsel,
            nk,
            title="Perjanjian Kerja Sama tentang Pengelolaan Pengaduan",
            scope_items=[
                {
                    "title": "Pengelolaan pengaduan",
                    "description": "Layanan LAPOR Paman dan layanan informasi PPID",
                }
            ],
        ),
    )["id"]
    other = create_agreement(
        client, **pks_body(kalsel, nk, kalsel.dinkes, title="PKS Dinas Kesehatan")
    )["id"]

    assert agreements(client, q="053/NK-PEMOTDA") == [nk]  # part of a party's number
    assert agreements(client, q="053/nk-pemotda") == [nk]
    assert agreements(client, q="ORI-MoU/X") == [nk]  # the other party's number
    assert agreements(client, q="kominfo") == [pks]  # a party's short name
    assert agreements(client, q="Komunikasi dan Informatika") == [pks]  # a party's name
    assert agreements(client, q="lapor paman") == [pks]  # a scope item's description
    assert agreements(client, q="pencegahan MALADMINISTRASI") == [nk]  # a scope item's title
    assert agreements(client, q="dinas kesehatan") == [other]
    assert agreements(client, q="Kalimantan Selatan") == [other, pks, nk]  # newest first
    assert agreements(client, q="tidak ada yang seperti ini") == []
    assert agreements(client, q="%") == []
    # The exact number filter stays exact.
    assert agreements(client, number="053/NK-PEMOTDA") == []
    assert agreements(client, number="053/nk-pemotda/2021") == [nk]


def test_unsigned_by_and_signed_by(client: TestClient, kalsel: Kalsel) -> None:
    nk = create_agreement(client, **nk_body(kalsel))["id"]
    finalize(client, nk)
    sign(client, nk, kalsel.ori, "2021-10-28")

    assert agreements(client, unsigned_by=kalsel.province) == [nk]
    assert agreements(client, unsigned_by=kalsel.ori) == []
    assert agreements(client, signed_by=kalsel.ori) == [nk]
    assert agreements(client, signed_by=kalsel.province) == []
    assert agreements(client, unsigned_by=kalsel.dinkes) == []  # not a party at all

    sign(client, nk, kalsel.province, "2021-10-28")
    assert agreements(client, unsigned_by=kalsel.province) == []
    assert agreements(client, signed_by=kalsel.province) == [nk]
    assert agreements(client, signed_by=kalsel.province, unsigned_by=kalsel.ori) == []


def test_sort_orders(client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]) -> None:
    nk = signed_nk["id"]

    def pks(agency: int, title: str, valid_until: str | None, signed_on: str | None) -> int:
        body = pks_body(kalsel, nk, agency, title=title)
        if valid_until:
            body["valid_from"], body["valid_until"] = "2022-07-04", valid_until
        created = create_agreement(client, **body)["id"]
        if signed_on:
            finalize(client, created)
            sign(client, created, kalsel.office, signed_on)
            sign(client, created, agency, signed_on)
        return created

    b = pks(kalsel.diskominfo, "b PKS Diskominfo", "2027-07-04", "2022-07-04")
    c = pks(kalsel.dinkes, "C PKS Dinkes", "2025-07-04", None)
    a = pks(kalsel.province, "a PKS Pemprov", None, "2023-01-10")
    children = {"parent_id": nk}

    assert agreements(client, **children) == [a, c, b]  # newest by default
    assert agreements(client, **children, sort="newest") == [a, c, b]
    assert agreements(client, **children, sort="title") == [a, b, c]  # case ignored
    assert agreements(client, **children, sort="signed_on") == [a, b, c]  # unsigned last
    assert agreements(client, **children, sort="valid_until") == [c, b, a]  # open-ended last

    refused = client.get("/api/v1/agreements", params={"sort": "oldest"})
    body = assert_problem(refused, 422)
    assert body["errors"][0]["loc"] == ["query", "sort"]
