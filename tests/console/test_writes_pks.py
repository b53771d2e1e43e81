"""An NK's PKS many at once through the console: derive PKS for SKPD that hold none (titles
previewed, one confirmation) and sign a morning's PKS with one date; every refusal against its
row, all or nothing, rights as in the API."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import TODAY
from tests.console.conftest import Staff, csrf_of
from tests.console.forms import field_errors, form_of, has_form, make_member, signed_in_as, text_of
from tests.helpers import create_agreement
from tests.world import Kalsel, pks_body

OFFICE = "Ombudsman RI Perwakilan Provinsi Kalimantan Selatan"


@pytest.fixture
def browser(
    client: TestClient, admin_headers: dict[str, str], kalsel: Kalsel, signed_nk: dict[str, Any]
) -> TestClient:
    """The browser (no API key) once the Kalsel world and its signed NK are built."""
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


def children(browser: TestClient, headers: dict[str, str], nk_id: int) -> list[Any]:
    answer = browser.get(f"/api/v1/agreements?parent_id={nk_id}&sort=title", headers=headers)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def test_derive_pks_for_two_skpd_with_the_titles_previewed(
    browser: TestClient,
    editor: Staff,
    kalsel: Kalsel,
    signed_nk: dict[str, Any],
    admin_headers: dict[str, str],
) -> None:
    signed_in_as(browser, editor)
    nk_page = browser.get(f"/perjanjian/{signed_nk['id']}")
    assert f'href="/perjanjian/{signed_nk["id"]}/susun-pks"' in nk_page.text
    url = f"/perjanjian/{signed_nk['id']}/susun-pks"
    page = browser.get(url)
    assert page.status_code == 200
    form = form_of(page.text, "susun_pks")
    assert form.fields["counterpart_organization_id"] == [str(kalsel.office)]  # own office
    assert form.fields["title"] == [f"Perjanjian Kerja Sama {OFFICE} dengan {{organization}}"]
    both = [str(kalsel.diskominfo), str(kalsel.dinkes)]
    preview = browser.post(url, data=form.data(organization_ids=both, langkah="pratinjau"))
    assert preview.status_code == 200
    words = text_of(preview.text)
    assert f"Perjanjian Kerja Sama {OFFICE} dengan Dinas Kesehatan" in words
    assert f"Perjanjian Kerja Sama {OFFICE} dengan Dinas Komunikasi dan Informatika" in words
    assert children(browser, admin_headers, signed_nk["id"]) == []  # a preview writes nothing
    confirm = form_of(preview.text, "susun_pks")
    assert sorted(confirm.fields["organization_ids"]) == sorted(both)  # the ticks are kept
    done = browser.post(url, data=confirm.data(), follow_redirects=False)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"/perjanjian/{signed_nk['id']}"
    assert "2 PKS disusun sebagai draf" in text_of(browser.get(done.headers["location"]).text)
    made = children(browser, admin_headers, signed_nk["id"])
    assert [p["title"] for p in made] == [
        f"Perjanjian Kerja Sama {OFFICE} dengan Dinas Kesehatan",
        f"Perjanjian Kerja Sama {OFFICE} dengan Dinas Komunikasi dan Informatika",
    ]
    assert {p["status"] for p in made} == {"draft"}
    history = browser.get(f"/api/v1/agreements/{made[0]['id']}/history", headers=admin_headers)
    assert history.json()["items"][-1]["actor"] == "Hadi Rahman"
    # Now both hold a live PKS: shown, not selectable.
    again = browser.get(url)
    assert 'name="organization_ids"' not in again.text
    assert text_of(again.text).count("Draf") >= 2
    # A double submit of the confirmed form created nothing more.
    replay = browser.post(url, data=confirm.data(), follow_redirects=False)
    assert replay.status_code == 303 and replay.headers.get("idempotent-replayed") == "true"
    assert len(children(browser, admin_headers, signed_nk["id"])) == 2


def test_derived_drafts_take_the_day_of_drafting_given_on_the_form(
    browser: TestClient,
    editor: Staff,
    kalsel: Kalsel,
    signed_nk: dict[str, Any],
    admin_headers: dict[str, str],
) -> None:
    """Entered after the fact: the form offers today, takes the morning of 4 July 2022, and
    refuses a day in the future next to its field, creating nothing."""
    signed_in_as(browser, editor)
    url = f"/perjanjian/{signed_nk['id']}/susun-pks"
    form = form_of(browser.get(url).text, "susun_pks")
    assert form.fields["drafted_on"] == [TODAY.isoformat()]
    refused = browser.post(
        url, data=form.data(organization_ids=[str(kalsel.dinkes)], drafted_on="2099-01-01")
    )
    assert refused.status_code == 422
    assert field_errors(refused.text, "susun_pks", "drafted_on") != []
    assert children(browser, admin_headers, signed_nk["id"]) == []
    again = form_of(refused.text, "susun_pks")
    done = browser.post(url, data=again.data(drafted_on="2022-07-04"), follow_redirects=False)
    assert done.status_code == 303, done.text
    [made] = children(browser, admin_headers, signed_nk["id"])
    assert made["drafted_on"] == "2022-07-04"


def test_a_second_live_pks_for_one_skpd_is_refused_against_its_row(
    browser: TestClient,
    editor: Staff,
    kalsel: Kalsel,
    signed_nk: dict[str, Any],
    admin_headers: dict[str, str],
) -> None:
    with as_admin(browser, admin_headers) as client:
        create_agreement(client, **pks_body(kalsel, signed_nk["id"]))  # Diskominfo's PKS
    signed_in_as(browser, editor)
    url = f"/perjanjian/{signed_nk['id']}/susun-pks"
    page = browser.get(url)
    assert f'value="{kalsel.diskominfo}"' not in page.text  # not selectable
    form = form_of(page.text, "susun_pks")
    # A form sent anyway with Diskominfo (a stale page, a forged post): refused, row by row.
    answer = browser.post(
        url, data=form.data(organization_ids=[str(kalsel.dinkes), str(kalsel.diskominfo)])
    )
    assert answer.status_code == 422
    assert "Tidak ada PKS yang disusun: periksa SKPD yang ditandai." in text_of(answer.text)
    assert field_errors(answer.text, "susun_pks", f"skpd-{kalsel.diskominfo}") == [
        "SKPD ini sudah memiliki PKS yang masih hidup di bawah NK ini."
    ]
    assert field_errors(answer.text, "susun_pks", f"skpd-{kalsel.dinkes}") == []
    assert len(children(browser, admin_headers, signed_nk["id"])) == 1  # all or nothing


def test_deriving_is_refused_to_a_viewer_and_to_another_province(
    browser: TestClient, session: Session, kalsel: Kalsel, signed_nk: dict[str, Any]
) -> None:
    url = f"/perjanjian/{signed_nk['id']}/susun-pks"
    for staff in (
        make_member(session, "viewer", kalsel.office, name="Pembaca"),
        make_member(session, "editor", kalsel.kalteng, name="Staf Kalteng"),
    ):
        signed_in_as(browser, staff)
        page = browser.get(url)
        assert not has_form(page.text, "susun_pks")
        assert "Anda tidak berwenang menyusun PKS" in text_of(page.text)
        answer = browser.post(
            url,
            data={
                "csrf_token": csrf_of(page.text),
                "idempotency_key": f"forged-{staff.id}",
                "counterpart_organization_id": str(kalsel.office),
                "organization_ids": str(kalsel.dinkes),
                "title": "PKS {organization}",
            },
        )
        assert answer.status_code == 403, answer.text


@pytest.fixture
def finalized_pks(
    browser: TestClient, admin_headers: dict[str, str], kalsel: Kalsel, signed_nk: dict[str, Any]
) -> list[dict[str, Any]]:
    """The PKS of Diskominfo and Dinkes, drafted 1 June and finalised 27 June 2022."""
    made = []
    with as_admin(browser, admin_headers) as client:
        for agency, title in ((kalsel.diskominfo, "Diskominfo"), (kalsel.dinkes, "Dinkes")):
            pks = create_agreement(
                client,
                **pks_body(
                    kalsel,
                    signed_nk["id"],
                    agency,
                    title=f"PKS dengan {title}",
                    drafted_on="2022-06-01",
                ),
            )
            answer = client.post(
                f"/api/v1/agreements/{pks['id']}/finalize", json={"finalized_on": "2022-06-27"}
            )
            assert answer.status_code == 200, answer.text
            made.append(answer.json())
    return made


def test_sign_a_mornings_pks_at_once_with_one_date(
    browser: TestClient,
    editor: Staff,
    kalsel: Kalsel,
    signed_nk: dict[str, Any],
    finalized_pks: list[dict[str, Any]],
    admin_headers: dict[str, str],
) -> None:
    signed_in_as(browser, editor)
    nk_page = browser.get(f"/perjanjian/{signed_nk['id']}")
    url = f"/perjanjian/{signed_nk['id']}/tanda-tangan-pks"
    assert f'href="{url}"' in nk_page.text
    page = browser.get(url)
    form = form_of(page.text, "tanda_tangan_pks")
    rows = form.fields["baris"]
    assert len(rows) == 4  # two PKS, two parties each, all ticked
    dinkes_pks = finalized_pks[1]["id"]
    # Before the NK was signed (28 October 2021): every row refused, nothing recorded.
    early = browser.post(url, data=form.data(signed_on="2021-10-01"))
    assert early.status_code == 422
    assert "Tidak ada tanda tangan yang dicatat: periksa baris yang ditandai." in text_of(
        early.text
    )
    for key in rows:
        assert field_errors(early.text, "tanda_tangan_pks", f"baris-{key}") == [
            "PKS tidak dapat ditandatangani sebelum tanggal tanda tangan NK-nya."
        ]
    assert sorted(form_of(early.text, "tanda_tangan_pks").fields["baris"]) == sorted(rows)
    # Nothing ticked: said at the list.
    empty = browser.post(url, data=form.data(baris=None, signed_on="2022-07-04"))
    assert empty.status_code == 422
    assert "Pilih sedikitnya 1." in text_of(empty.text)
    # The morning of 4 July 2022, with one SKPD's number given on its row.
    number_field = f"nomor-{dinkes_pks}-{kalsel.dinkes}"
    done = browser.post(
        url,
        data=form.data(signed_on="2022-07-04", **{number_field: "800/123-DINKES/2022"}),
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"/cakupan/{signed_nk['id']}"
    grid = browser.get(done.headers["location"])
    assert "4 tanda tangan pada 4 Juli 2022 dicatat untuk 2 PKS" in text_of(grid.text)
    for pks in children(browser, admin_headers, signed_nk["id"]):
        assert pks["signed_on"] == "2022-07-04"
        assert pks["status"] in ("signed", "active")
        if pks["id"] == dinkes_pks:
            dinkes = next(p for p in pks["parties"] if p["organization_id"] == kalsel.dinkes)
            assert dinkes["document_number"] == "800/123-DINKES/2022"
    # Nothing is left to sign.
    assert "Tidak ada PKS di bawah NK ini yang menunggu penandatanganan." in text_of(
        browser.get(url).text
    )


def test_signing_at_once_shows_only_what_the_user_may_sign_and_refuses_forged_rows(
    browser: TestClient,
    session: Session,
    kalsel: Kalsel,
    signed_nk: dict[str, Any],
    finalized_pks: list[dict[str, Any]],
    editor: Staff,
) -> None:
    signed_in_as(browser, editor)
    url = f"/perjanjian/{signed_nk['id']}/tanda-tangan-pks"
    forged = form_of(browser.get(url).text, "tanda_tangan_pks")
    viewer = make_member(session, "viewer", kalsel.office, name="Pembaca")
    signed_in_as(browser, viewer)
    page = browser.get(url)
    assert not has_form(page.text, "tanda_tangan_pks")
    assert "tidak berwenang" in text_of(page.text)
    answer = browser.post(
        url, data=forged.data(csrf_token=csrf_of(page.text), signed_on="2022-07-04")
    )
    assert answer.status_code == 403
