"""Registering an NK or a PKS through the console, and editing a draft's whole text: parties
chosen by name (never an id), a name borne by several organizations chosen among them, numbers,
ruang lingkup items in the order given, validity; the API's rules and rights."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.console.conftest import Staff
from tests.console.forms import field_errors, form_of, make_member, signed_in_as, text_of
from tests.world import Kalsel

OFFICE = "Ombudsman RI Perwakilan Provinsi Kalimantan Selatan"


@pytest.fixture
def browser(
    client: TestClient, admin_headers: dict[str, str], kalsel: Kalsel, signed_nk: dict[str, Any]
) -> TestClient:
    client.headers.pop("X-API-Key", None)
    return client


@contextmanager
def as_admin(client: TestClient, admin_headers: dict[str, str]) -> Iterator[TestClient]:
    client.headers.update(admin_headers)
    try:
        yield client
    finally:
        client.headers.pop("X-API-Key", None)


@pytest.fixture
def editor(session: Session, kalsel: Kalsel) -> Staff:
    return make_member(session, "editor", kalsel.office, name="Hadi Rahman")


def agreement(browser: TestClient, headers: dict[str, str], agreement_id: int) -> Any:
    answer = browser.get(f"/api/v1/agreements/{agreement_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_register_a_pks_choosing_the_parties_by_name(
    browser: TestClient,
    editor: Staff,
    kalsel: Kalsel,
    signed_nk: dict[str, Any],
    admin_headers: dict[str, str],
) -> None:
    signed_in_as(browser, editor)
    nk_page = browser.get(f"/perjanjian/{signed_nk['id']}")
    assert f'href="/perjanjian/baru?induk={signed_nk["id"]}"' in nk_page.text
    page = browser.get(f"/perjanjian/baru?induk={signed_nk['id']}")
    assert page.status_code == 200
    form = form_of(page.text, "perjanjian")
    assert form.fields["pihak_1"] == [OFFICE]  # the editor's own organization
    assert form.fields["butir_1"] == ["Percepatan penanganan dan penyelesaian laporan masyarakat"]
    assert 'data-typeahead=""' in page.text and 'list="organisasi-saran"' in page.text
    assert not any(name.endswith("organization_id") for name in form.fields)  # no ids typed
    data = form.data(
        title="PKS Perwakilan Kalsel dengan Dinas Kesehatan",
        pihak_2="dinas kesehatan",  # any case; two organizations bear it (Kalsel, Kalteng)
        nomor_1="B/101/PW.17/VI/2022",
        nomor_2="440/123-DINKES/2022",
        urutan_1="2",  # the NK's items in the other order
        urutan_2="1",
    )
    ambiguous = browser.post(form.action, data=data)
    assert ambiguous.status_code == 422
    assert field_errors(ambiguous.text, "perjanjian", "pihak_2") == [
        "Ada 2 organisasi bernama “dinas kesehatan”: pilih salah satu di bawah."
    ]
    assert "Dinas Kesehatan — Pemerintah Provinsi Kalimantan Selatan" in ambiguous.text
    assert "Dinas Kesehatan — Pemerintah Provinsi Kalimantan Tengah" in ambiguous.text
    chosen = form_of(ambiguous.text, "perjanjian")
    done = browser.post(
        chosen.action,
        data=chosen.data(pihak_2_pilihan=str(kalsel.dinkes)),
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    shown = browser.get(done.headers["location"])
    assert "didaftarkan sebagai draf dengan 2 pihak dan 2 butir ruang lingkup" in text_of(
        shown.text
    )
    made = agreement(browser, admin_headers, int(done.headers["location"].rsplit("/", 1)[1]))
    assert (made["kind"], made["status"], made["parent_id"]) == ("pks", "draft", signed_nk["id"])
    assert [(p["organization_id"], p["document_number"]) for p in made["parties"]] == [
        (kalsel.office, "B/101/PW.17/VI/2022"),
        (kalsel.dinkes, "440/123-DINKES/2022"),
    ]
    assert [i["title"] for i in made["scope_items"]] == [
        "Pencegahan maladministrasi",
        "Percepatan penanganan dan penyelesaian laporan masyarakat",
    ]


def test_an_unknown_name_and_the_apis_rules_are_shown_next_to_their_fields(
    browser: TestClient, editor: Staff, kalsel: Kalsel, signed_nk: dict[str, Any]
) -> None:
    signed_in_as(browser, editor)
    form = form_of(browser.get(f"/perjanjian/baru?induk={signed_nk['id']}").text, "perjanjian")
    unknown = browser.post(form.action, data=form.data(title="PKS", pihak_2="Dinas Pariwisata"))
    assert unknown.status_code == 422
    assert field_errors(unknown.text, "perjanjian", "pihak_2") == [
        "Tidak ada organisasi bernama “Dinas Pariwisata”: pilih dari saran."
    ]
    assert 'value="Dinas Pariwisata"' in unknown.text  # kept
    # A party of another province: the API's rule, next to that party's row.
    outside = browser.post(
        form.action,
        data=form.data(
            title="PKS", pihak_2="Dinas Kesehatan", pihak_2_pilihan=kalsel.kalteng_agency
        ),
    )
    assert outside.status_code == 422, outside.text
    assert field_errors(outside.text, "perjanjian", "pihak_2") == [
        "Setiap pihak PKS harus pihak NK-nya atau organisasi di bawahnya."
    ]
    # "Tambah pihak": one more row, nothing written, the same key.
    more = browser.post(form.action, data=form.data(langkah="tambah_pihak"))
    assert more.status_code == 200
    again = form_of(more.text, "perjanjian")
    assert again.fields["jumlah_pihak"] == ["3"] and "pihak_3" in again.fields
    assert again.fields["idempotency_key"] == form.fields["idempotency_key"]


def test_edit_a_drafts_parties_and_scope_and_a_stale_edit_is_refused(
    browser: TestClient,
    editor: Staff,
    kalsel: Kalsel,
    signed_nk: dict[str, Any],
    admin_headers: dict[str, str],
) -> None:
    with as_admin(browser, admin_headers) as client:
        made = client.post(
            "/api/v1/agreements",
            json={
                "kind": "pks",
                "title": "PKS dengan Diskominfo",
                "parent_id": signed_nk["id"],
                "parties": [
                    {"organization_id": kalsel.office},
                    {"organization_id": kalsel.diskominfo},
                ],
                "scope_items": [{"title": "Pencegahan maladministrasi"}],
            },
        ).json()
    signed_in_as(browser, editor)
    page = browser.get(f"/perjanjian/{made['id']}")
    assert f'href="/perjanjian/{made["id"]}/ubah-draf"' in page.text
    form = form_of(browser.get(f"/perjanjian/{made['id']}/ubah-draf").text, "perjanjian")
    assert form.fields["pihak_2"] == ["Dinas Komunikasi dan Informatika"]
    assert form.fields["version"] == [str(made["version"])]
    # Someone saves first: this form's version is stale; who changed what is shown.
    with as_admin(browser, admin_headers) as client:
        assert (
            client.patch(
                f"/api/v1/agreements/{made['id']}",
                json={"version": made["version"], "title": "PKS dengan Diskominfo (Biro)"},
            ).status_code
            == 200
        )
    stale = browser.post(form.action, data=form.data(nomor_2="555/1-DKISP/2022"))
    assert stale.status_code == 409
    words = text_of(stale.text)
    assert "Perubahan Anda belum disimpan" in words and "PKS dengan Diskominfo (Biro)" in words
    assert agreement(browser, admin_headers, made["id"])["parties"][1]["document_number"] is None
    fresh = form_of(browser.get(f"/perjanjian/{made['id']}/ubah-draf").text, "perjanjian")
    saved = browser.post(
        fresh.action,
        data=fresh.data(nomor_2="555/1-DKISP/2022", butir_2="Penanganan laporan", urutan_2="1"),
    )
    assert saved.status_code == 200 and "disimpan" in text_of(saved.text)
    now = agreement(browser, admin_headers, made["id"])
    assert now["parties"][1]["document_number"] == "555/1-DKISP/2022"
    assert [i["title"] for i in now["scope_items"]] == [
        "Penanganan laporan",
        "Pencegahan maladministrasi",
    ]


def test_a_viewer_may_not_register(
    browser: TestClient, session: Session, kalsel: Kalsel, signed_nk: dict[str, Any]
) -> None:
    viewer = make_member(session, "viewer", kalsel.office, name="Pembaca")
    signed_in_as(browser, viewer)
    assert 'href="/perjanjian/baru"' not in browser.get("/perjanjian").text
    assert browser.get("/perjanjian/baru").status_code == 403


def test_the_type_ahead_offers_names_not_ids(browser: TestClient, editor: Staff) -> None:
    signed_in_as(browser, editor)
    answer = browser.get("/organisasi/cari", params={"q": "kesehatan", "as": "nama"})
    assert answer.status_code == 200
    assert answer.text.count('<option value="Dinas Kesehatan">') == 2
