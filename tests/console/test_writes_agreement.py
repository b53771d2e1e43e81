"""Writes on an agreement's page through the console (a browser without JavaScript: cookies,
forms, redirects): finalisasi, reopen, cancel, one party's signature, changing a draft; with the
framework's behaviour (app/console/forms.py): the same services and rights as the API, errors
next to their fields in Indonesian, a stale edit that names who changed what, a double submit
that records once, a forged post refused."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.console.conftest import Staff, csrf_of
from tests.console.forms import (
    field_errors,
    form_of,
    has_form,
    make_member,
    refused_in_both_steps,
    signed_in_as,
    text_of,
)
from tests.helpers import create_agreement, finalize, sign
from tests.world import Kalsel, nk_body, pks_body


@pytest.fixture
def browser(
    client: TestClient, admin_headers: dict[str, str], kalsel: Kalsel, signed_nk: dict[str, Any]
) -> TestClient:
    """The browser (no API key) once the Kalsel world and its signed NK are built through the
    API."""
    client.headers.pop("X-API-Key", None)
    return client


@contextmanager
def as_admin(client: TestClient, admin_headers: dict[str, str]) -> Iterator[TestClient]:
    """The client with the admin's API key for a few API calls, then a browser again."""
    client.headers.update(admin_headers)
    try:
        yield client
    finally:
        client.headers.pop("X-API-Key", None)


@pytest.fixture
def draft_pks(
    client: TestClient, admin_headers: dict[str, str], kalsel: Kalsel, signed_nk: dict[str, Any]
) -> dict[str, Any]:
    """A draft PKS of the Perwakilan Kalsel with Diskominfo under the signed Kalsel NK."""
    with as_admin(client, admin_headers):
        return create_agreement(
            client, **pks_body(kalsel, signed_nk["id"], drafted_on="2022-06-01")
        )


@pytest.fixture
def editor(session: Session, kalsel: Kalsel) -> Staff:
    return make_member(session, "editor", kalsel.office, name="Hadi Rahman")


def api(browser: TestClient, headers: dict[str, str], path: str) -> Any:
    answer = browser.get(path, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def history(browser: TestClient, headers: dict[str, str], agreement_id: int) -> list[Any]:
    return list(
        api(browser, headers, f"/api/v1/agreements/{agreement_id}/history?limit=200")["items"]
    )


def test_an_editor_finalizes_a_draft_and_sees_what_was_recorded(
    browser: TestClient, editor: Staff, draft_pks: dict[str, Any], admin_headers: dict[str, str]
) -> None:
    signed_in_as(browser, editor)
    page = browser.get(f"/perjanjian/{draft_pks['id']}")
    assert page.status_code == 200
    form = form_of(page.text, "finalisasi")
    assert form.action == f"/perjanjian/{draft_pks['id']}/finalisasi"
    assert form.fields["idempotency_key"][0] and form.fields["csrf_token"][0]
    answer = browser.post(
        form.action, data=form.data(finalized_on="2022-06-27"), follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/perjanjian/{draft_pks['id']}"
    shown = browser.get(answer.headers["location"])
    words = text_of(shown.text)
    assert "difinalisasi pada 27 Juni 2022; kini menunggu penandatanganan" in words
    assert '<p class="flash" role="status">' in shown.text
    # Shown once.
    assert '<p class="flash"' not in browser.get(answer.headers["location"]).text
    # What the API then returns: the same state, the signed-in person as the actor.
    agreement = api(browser, admin_headers, f"/api/v1/agreements/{draft_pks['id']}")
    assert agreement["status"] == "awaiting_signatures"
    assert agreement["finalized_on"] == "2022-06-27"
    latest = history(browser, admin_headers, draft_pks["id"])[0]
    assert (latest["action"], latest["actor"]) == ("finalized", "Hadi Rahman")
    # The page now offers what comes next, not finalisasi again.
    assert not has_form(shown.text, "finalisasi")
    assert has_form(shown.text, "buka") and has_form(shown.text, "tanda_tangan")


def test_a_double_submit_records_once_and_both_land_on_the_result(
    browser: TestClient, editor: Staff, draft_pks: dict[str, Any], admin_headers: dict[str, str]
) -> None:
    signed_in_as(browser, editor)
    form = form_of(browser.get(f"/perjanjian/{draft_pks['id']}").text, "finalisasi")
    first = browser.post(form.action, data=form.data(), follow_redirects=False)
    second = browser.post(form.action, data=form.data(), follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert second.headers.get("idempotent-replayed") == "true"
    assert "difinalisasi" in text_of(browser.get(second.headers["location"]).text)
    actions = [e["action"] for e in history(browser, admin_headers, draft_pks["id"])]
    assert actions.count("finalized") == 1


def test_a_refusal_shows_the_form_again_with_the_reason_next_to_the_field(
    browser: TestClient, editor: Staff, draft_pks: dict[str, Any], admin_headers: dict[str, str]
) -> None:
    signed_in_as(browser, editor)
    page = browser.get(f"/perjanjian/{draft_pks['id']}")
    form = form_of(page.text, "batal")
    answer = browser.post(form.action, data=form.data(reason="   "))
    assert answer.status_code == 422
    assert field_errors(answer.text, "batal", "reason") == ["Wajib diisi."]
    assert 'aria-invalid="true"' in answer.text
    assert "Periksa isian yang ditandai." in text_of(answer.text)
    again = form_of(answer.text, "batal")
    assert again.fields["idempotency_key"] != form.fields["idempotency_key"]  # a new key
    # A rule of the registry: a day of finalisasi before the draft was made.
    finalisasi = form_of(page.text, "finalisasi")
    refused = browser.post(finalisasi.action, data=finalisasi.data(finalized_on="2022-05-01"))
    assert refused.status_code == 422
    words = text_of(refused.text)
    assert "Urutan tanggal harus: penyusunan draf, finalisasi" in words
    assert 'value="2022-05-01"' in refused.text  # the value sent is kept
    agreement = api(browser, admin_headers, f"/api/v1/agreements/{draft_pks['id']}")
    assert agreement["status"] == "draft"  # nothing written


def test_cancel_with_a_reason_and_reopen(
    browser: TestClient, editor: Staff, draft_pks: dict[str, Any], admin_headers: dict[str, str]
) -> None:
    signed_in_as(browser, editor)
    url = f"/perjanjian/{draft_pks['id']}"
    form = form_of(browser.get(url).text, "finalisasi")
    assert browser.post(form.action, data=form.data(), follow_redirects=False).status_code == 303
    reopen = form_of(browser.get(url).text, "buka")
    answer = browser.post(reopen.action, data=reopen.data())
    assert answer.status_code == 200 and "dibuka kembali sebagai draf" in text_of(answer.text)
    cancel = form_of(answer.text, "batal")
    answer = browser.post(cancel.action, data=cancel.data(reason="Duplikat dari PKS lain"))
    assert "dibatalkan. Alasan: Duplikat dari PKS lain" in text_of(answer.text)
    agreement = api(browser, admin_headers, f"/api/v1/agreements/{draft_pks['id']}")
    assert agreement["status"] == "cancelled"
    assert agreement["cancellation_reason"] == "Duplikat dari PKS lain"
    # Nothing is offered on a cancelled agreement.
    assert 'id="tindakan"' not in answer.text


def test_signing_one_party_with_its_date_signatory_and_number(
    browser: TestClient, editor: Staff, draft_pks: dict[str, Any], admin_headers: dict[str, str]
) -> None:
    signed_in_as(browser, editor)
    url = f"/perjanjian/{draft_pks['id']}"
    form = form_of(browser.get(url).text, "finalisasi")
    browser.post(form.action, data=form.data(finalized_on="2022-06-27"))
    form = form_of(browser.get(url).text, "tanda_tangan")
    office, agency = (p["organization_id"] for p in draft_pks["parties"])
    future = browser.post(
        form.action, data=form.data(organization_id=office, signed_on="2030-01-01")
    )
    assert future.status_code == 422
    assert "Tanggal tanda tangan tidak boleh setelah hari ini." in text_of(future.text)
    answer = browser.post(
        form.action,
        data=form.data(
            organization_id=agency,
            signed_on="2022-07-04",
            signatory_name="Muhamad Muslim",
            signatory_title="Kepala Dinas",
            document_number="555/12-DKISP/2022",
        ),
    )
    assert answer.status_code == 200
    assert "pada 4 Juli 2022" in text_of(answer.text) and "dicatat" in text_of(answer.text)
    agreement = api(browser, admin_headers, f"/api/v1/agreements/{draft_pks['id']}")
    party = next(p for p in agreement["parties"] if p["organization_id"] == agency)
    assert party["signed"] and party["signed_on"] == "2022-07-04"
    assert party["document_number"] == "555/12-DKISP/2022"
    assert party["signatory_title"] == "Kepala Dinas"
    assert agreement["status"] == "partially_signed"


def test_a_stale_edit_says_who_changed_what_and_does_not_overwrite(
    browser: TestClient,
    client: TestClient,
    editor: Staff,
    draft_pks: dict[str, Any],
    admin_headers: dict[str, str],
) -> None:
    signed_in_as(browser, editor)
    url = f"/perjanjian/{draft_pks['id']}"
    form = form_of(browser.get(url).text, "ubah")
    assert form.fields["version"] == [str(draft_pks["version"])]
    # Someone else saves first, through the API.
    changed = browser.patch(
        f"/api/v1/agreements/{draft_pks['id']}",
        json={"version": draft_pks["version"], "title": "PKS dengan Diskominfo (revisi Biro)"},
        headers=admin_headers,
    )
    assert changed.status_code == 200, changed.text
    answer = browser.post(form.action, data=form.data(title="PKS dengan Diskominfo (versi saya)"))
    assert answer.status_code == 409
    words = text_of(answer.text)
    assert "Perubahan Anda belum disimpan" in words
    assert "Diubah oleh admin" in words  # the API key's user (tests/conftest.key_for)
    assert "PKS dengan Diskominfo (revisi Biro)" in words  # what they changed it to
    assert f'<a href="{url}">Muat ulang halaman</a>' in answer.text
    # The stale version stays in the form: sending it again never overwrites.
    again = form_of(answer.text, "ubah")
    assert again.fields["version"] == [str(draft_pks["version"])]
    assert browser.post(again.action, data=again.data()).status_code == 409
    agreement = api(browser, admin_headers, f"/api/v1/agreements/{draft_pks['id']}")
    assert agreement["title"] == "PKS dengan Diskominfo (revisi Biro)"
    # Reloaded, the form carries the new version and the change goes through.
    fresh = form_of(browser.get(url).text, "ubah")
    saved = browser.post(fresh.action, data=fresh.data(title="PKS dengan Diskominfo (versi saya)"))
    assert saved.status_code == 200 and "disimpan" in text_of(saved.text)


def test_a_viewer_sees_no_controls_and_a_forged_post_is_refused(
    browser: TestClient,
    session: Session,
    kalsel: Kalsel,
    editor: Staff,
    draft_pks: dict[str, Any],
    admin_headers: dict[str, str],
) -> None:
    signed_in_as(browser, editor)
    forged = form_of(browser.get(f"/perjanjian/{draft_pks['id']}").text, "finalisasi")
    viewer = make_member(session, "viewer", kalsel.office, name="Pembaca Perwakilan")
    signed_in_as(browser, viewer)
    page = browser.get(f"/perjanjian/{draft_pks['id']}")
    assert page.status_code == 200 and 'id="tindakan"' not in page.text
    # The viewer's own session and CSRF token, the editor's form otherwise.
    answer = browser.post(forged.action, data=forged.data(csrf_token=csrf_of(page.text)))
    assert answer.status_code == 403
    assert "Anda tidak berwenang melakukan ini." in text_of(answer.text)
    # Another province's editor: not a party, refused too.
    other = make_member(session, "editor", kalsel.kalteng, name="Staf Kalteng")
    signed_in_as(browser, other)
    page = browser.get(f"/perjanjian/{draft_pks['id']}")
    assert 'id="tindakan"' not in page.text
    answer = browser.post(forged.action, data=forged.data(csrf_token=csrf_of(page.text)))
    assert answer.status_code == 403
    agreement = api(browser, admin_headers, f"/api/v1/agreements/{draft_pks['id']}")
    assert agreement["status"] == "draft"


def test_a_post_without_the_session_csrf_token_is_refused(
    browser: TestClient, editor: Staff, draft_pks: dict[str, Any]
) -> None:
    signed_in_as(browser, editor)
    form = form_of(browser.get(f"/perjanjian/{draft_pks['id']}").text, "finalisasi")
    answer = browser.post(form.action, data=form.data(csrf_token="not-the-token"))
    assert answer.status_code == 403


def test_a_pks_cannot_be_signed_before_its_nk(
    browser: TestClient, admin_headers: dict[str, str], kalsel: Kalsel, editor: Staff
) -> None:
    with as_admin(browser, admin_headers) as client:
        nk = create_agreement(
            client,
            **nk_body(
                kalsel,
                parties=[{"organization_id": kalsel.ori}, {"organization_id": kalsel.province}],
            ),
        )
        finalize(client, nk["id"])
        sign(client, nk["id"], kalsel.ori, "2021-10-28")
        pks = create_agreement(client, **pks_body(kalsel, nk["id"]))
        finalize(client, pks["id"])
    signed_in_as(browser, editor)
    form = form_of(browser.get(f"/perjanjian/{pks['id']}").text, "tanda_tangan")
    answer = browser.post(
        form.action, data=form.data(organization_id=kalsel.office, signed_on="2022-07-04")
    )
    assert answer.status_code == 409
    assert "PKS baru dapat ditandatangani setelah NK-nya ditandatangani" in text_of(answer.text)


@pytest.fixture
def signed_pks(
    browser: TestClient,
    admin_headers: dict[str, str],
    kalsel: Kalsel,
    signed_nk: dict[str, Any],
) -> dict[str, Any]:
    """Diskominfo's PKS under the Kalsel NK, signed by both on 4 July 2022."""
    with as_admin(browser, admin_headers) as client:
        pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
        finalize(client, pks["id"])
        sign(client, pks["id"], kalsel.office, "2022-07-04")
        return sign(client, pks["id"], kalsel.diskominfo, "2022-07-04")


def test_terminating_an_nk_asks_for_its_pks_explicitly_and_confirms_what_will_happen(
    browser: TestClient,
    session: Session,
    signed_nk: dict[str, Any],
    signed_pks: dict[str, Any],
    admin_headers: dict[str, str],
) -> None:
    signed_in_as(browser, make_member(session, "admin", None, name="Admin Biro"))
    url = f"/perjanjian/{signed_nk['id']}"
    form = form_of(browser.get(url).text, "akhiri")
    data = form.data(terminated_on="2026-11-01", reason="Diganti NK baru")
    unchosen = browser.post(form.action, data=data)
    assert unchosen.status_code == 422
    assert field_errors(unchosen.text, "akhiri", "cascade") == ["Wajib diisi."]
    check = browser.post(form.action, data=data | {"cascade": "ya"})
    assert check.status_code == 200
    words = text_of(check.text)
    assert "Yang akan terjadi:" in words
    assert "diakhiri sejak 1 November 2026 dengan alasan: Diganti NK baru" in words
    assert "1 PKS yang masih hidup di bawahnya ikut diakhiri pada tanggal yang sama" in words
    assert agreement_status(browser, admin_headers, signed_nk["id"]) == "active"  # not yet
    confirm = form_of(check.text, "akhiri")
    assert confirm.fields["konfirmasi"] == ["1"]
    assert confirm.fields["idempotency_key"] == form.fields["idempotency_key"]
    done = browser.post(confirm.action, data=confirm.data())
    assert done.status_code == 200
    assert "diakhiri sejak 1 November 2026. 1 PKS di bawahnya ikut diakhiri." in text_of(done.text)
    assert agreement_status(browser, admin_headers, signed_nk["id"]) == "terminated"
    assert agreement_status(browser, admin_headers, signed_pks["id"]) == "terminated"


def test_terminating_a_pks_without_cascade_and_its_refusals(
    browser: TestClient,
    editor: Staff,
    signed_pks: dict[str, Any],
    admin_headers: dict[str, str],
) -> None:
    signed_in_as(browser, editor)
    form = form_of(browser.get(f"/perjanjian/{signed_pks['id']}").text, "akhiri")
    assert "cascade" not in form.fields
    early = browser.post(
        form.action, data=form.data(terminated_on="2022-01-01", reason="x", konfirmasi="1")
    )
    assert early.status_code == 422
    assert "Tanggal pengakhiran tidak boleh sebelum perjanjian ditandatangani." in text_of(
        early.text
    )
    check = browser.post(form.action, data=form.data(reason="SKPD dilebur"))
    confirm = form_of(check.text, "akhiri")
    done = browser.post(confirm.action, data=confirm.data(), follow_redirects=False)
    assert done.status_code == 303
    assert agreement_status(browser, admin_headers, signed_pks["id"]) == "terminated"


def test_a_termination_the_rules_refuse_is_refused_at_the_first_step(
    browser: TestClient, editor: Staff, signed_pks: dict[str, Any], admin_headers: dict[str, str]
) -> None:
    """The service's own check (check_termination) runs before "Yang akan terjadi"."""
    signed_in_as(browser, editor)
    form = form_of(browser.get(f"/perjanjian/{signed_pks['id']}").text, "akhiri")
    early = browser.post(form.action, data=form.data(terminated_on="2022-01-01", reason="x"))
    assert early.status_code == 422
    words = text_of(early.text)
    assert "Tanggal pengakhiran tidak boleh sebelum perjanjian ditandatangani." in words
    assert "Yang akan terjadi:" not in words
    assert form_of(early.text, "akhiri").fields.get("konfirmasi") is None
    assert agreement_status(browser, admin_headers, signed_pks["id"]) == "active"
    check = browser.post(form.action, data=form.data(reason="SKPD dilebur"))
    confirm = form_of(check.text, "akhiri")
    assert browser.post(confirm.action, data=confirm.data()).status_code == 200
    # Ended already: a form read before is refused at its first step.
    again = browser.post(form.action, data=form.data(reason="Lagi", idempotency_key="lain"))
    assert again.status_code == 409, text_of(again.text)
    assert "Yang akan terjadi:" not in text_of(again.text)


def adendum_data(browser: TestClient, agreement_id: int, **values: str) -> tuple[str, Any]:
    """The adendum form of a signed agreement's page, filled in, posted to `agreement_id`."""
    form = form_of(browser.get(f"/perjanjian/{agreement_id}").text, "adendum")
    return form.action, form.data(title="Adendum I", added_1="Sosialisasi", **values)


def test_an_amendment_of_a_draft_is_refused_at_the_first_step(
    browser: TestClient,
    session: Session,
    signed_nk: dict[str, Any],
    draft_pks: dict[str, Any],
    admin_headers: dict[str, str],
) -> None:
    """The service's own check (check_amendment) runs before "Yang akan terjadi"."""
    signed_in_as(browser, make_member(session, "admin", None, name="Admin Biro"))
    _, data = adendum_data(browser, signed_nk["id"])
    draft = browser.post(f"/perjanjian/{draft_pks['id']}/adendum", data=data)
    assert draft.status_code == 409
    assert "Yang akan terjadi:" not in text_of(draft.text)
    assert api(browser, admin_headers, "/api/v1/agreements?kind=amendment")["items"] == []


def test_an_amendment_that_changes_nothing_is_refused_at_the_first_step(
    browser: TestClient, editor: Staff, signed_pks: dict[str, Any], admin_headers: dict[str, str]
) -> None:
    signed_in_as(browser, editor)
    action, data = adendum_data(browser, signed_pks["id"])
    data.pop("added_1")
    nothing = browser.post(action, data=data)
    assert nothing.status_code == 422, text_of(nothing.text)
    assert "Adendum harus mengubah sesuatu" in text_of(nothing.text)
    assert "Yang akan terjadi:" not in text_of(nothing.text)
    assert api(browser, admin_headers, "/api/v1/agreements?kind=amendment")["items"] == []


def agreement_status(browser: TestClient, headers: dict[str, str], agreement_id: int) -> str:
    return str(api(browser, headers, f"/api/v1/agreements/{agreement_id}")["status"])


def test_an_amendment_is_confirmed_with_what_changes_then_drafted(
    browser: TestClient,
    session: Session,
    signed_nk: dict[str, Any],
    admin_headers: dict[str, str],
) -> None:
    signed_in_as(browser, make_member(session, "admin", None, name="Admin Biro"))
    form = form_of(browser.get(f"/perjanjian/{signed_nk['id']}").text, "adendum")
    nothing = browser.post(form.action, data=form.data(konfirmasi="1"))
    assert nothing.status_code == 422
    assert "Adendum harus mengubah sesuatu" in text_of(nothing.text)
    withdrawn = signed_nk["scope_items"][1]
    data = form.data(
        valid_until="2027-10-28",
        withdrawn=str(withdrawn["id"]),
        added_1="Sosialisasi standar pelayanan",
    )
    check = browser.post(form.action, data=data)
    assert check.status_code == 200
    words = text_of(check.text)
    assert "masa berlaku menjadi sampai 28 Oktober 2027" in words
    assert "butir ruang lingkup ditambah: Sosialisasi standar pelayanan" in words
    assert f"butir ruang lingkup ditarik: {withdrawn['title']}" in words
    confirm = form_of(check.text, "adendum")
    done = browser.post(confirm.action, data=confirm.data(), follow_redirects=False)
    assert done.status_code == 303, done.text
    amendment_id = done.headers["location"].rsplit("/", 1)[1]
    made = api(browser, admin_headers, f"/api/v1/agreements/{amendment_id}")
    assert (made["kind"], made["status"]) == ("amendment", "draft")
    assert made["amends_id"] == signed_nk["id"]


def test_a_renewal_is_confirmed_with_what_is_created_then_drafted_once(
    browser: TestClient,
    editor: Staff,
    signed_pks: dict[str, Any],
    admin_headers: dict[str, str],
) -> None:
    signed_in_as(browser, editor)
    url = f"/perjanjian/{signed_pks['id']}"
    form = form_of(browser.get(url).text, "perpanjang")
    assert form.action == f"{url}/perpanjang"
    # A rule of the registry, at the first step already, next to its field; nothing written.
    backwards = browser.post(
        form.action,
        data=form.data(valid_from="2027-07-04", valid_until="2026-07-04"),
    )
    assert backwards.status_code == 422
    assert field_errors(backwards.text, "perpanjang", "valid_until") == [
        "Tanggal mulai berlaku tidak boleh setelah tanggal berakhirnya."
    ]
    data = form.data(title="PKS Kalsel–Diskominfo 2026", valid_from="2026-07-04")
    data["valid_until"] = "2031-07-03"
    check = browser.post(form.action, data=data)
    assert check.status_code == 200
    words = text_of(check.text)
    assert (
        "Yang akan terjadi: PKS baru “PKS Kalsel–Diskominfo 2026” didaftarkan sebagai draf "
        f"perpanjangan dari PKS “{signed_pks['title']}”, dengan para pihak dan ruang lingkup yang "
        "sama, berlaku sejak 4 Juli 2026 sampai 3 Juli 2031." in words
    )
    assert (
        api(browser, admin_headers, f"/api/v1/agreements/{signed_pks['id']}")["superseded_by_id"]
        is None
    )  # not yet
    confirm = form_of(check.text, "perpanjang")
    assert confirm.fields["konfirmasi"] == ["1"]
    assert confirm.fields["idempotency_key"] == form.fields["idempotency_key"]
    first = browser.post(confirm.action, data=confirm.data(), follow_redirects=False)
    second = browser.post(confirm.action, data=confirm.data(), follow_redirects=False)
    assert first.status_code == second.status_code == 303, first.text
    assert first.headers["location"] == second.headers["location"]
    successor_id = int(first.headers["location"].rsplit("/", 1)[1])
    shown = text_of(browser.get(first.headers["location"]).text)
    assert (
        f"Perpanjangan PKS “{signed_pks['title']}” didaftarkan sebagai draf: PKS “PKS "
        "Kalsel–Diskominfo 2026” sejak 4 Juli 2026 sampai 3 Juli 2031." in shown
    )
    made = api(browser, admin_headers, f"/api/v1/agreements/{successor_id}")
    assert (made["kind"], made["status"], made["supersedes_id"]) == (
        "pks",
        "draft",
        signed_pks["id"],
    )
    actions = [e["action"] for e in history(browser, admin_headers, signed_pks["id"])]
    assert actions.count("renewed") == 1  # the double submit created once
    # Renewed once: the old PKS no longer offers it.
    assert not has_form(browser.get(url).text, "perpanjang")


def outsiders(session: Session, kalsel: Kalsel) -> list[Staff]:
    """A viewer of a party, and an editor of another province (no party): neither may write."""
    return [
        make_member(session, "viewer", kalsel.office, name="Pembaca Perwakilan"),
        make_member(session, "editor", kalsel.kalteng, name="Staf Kalteng"),
    ]


def test_a_viewer_or_another_provinces_editor_may_not_renew_a_forged_renewal_is_refused(
    browser: TestClient,
    session: Session,
    kalsel: Kalsel,
    editor: Staff,
    signed_pks: dict[str, Any],
    admin_headers: dict[str, str],
) -> None:
    signed_in_as(browser, editor)
    url = f"/perjanjian/{signed_pks['id']}"
    refused_in_both_steps(browser, outsiders(session, kalsel), url, "perpanjang")
    agreement = api(browser, admin_headers, f"/api/v1/agreements/{signed_pks['id']}")
    assert agreement["superseded_by_id"] is None


@pytest.fixture
def renewed_nk(
    browser: TestClient, admin_headers: dict[str, str], signed_nk: dict[str, Any]
) -> dict[str, Any]:
    """The Kalsel NK's renewal of 2026, a draft with a title of its own."""
    with as_admin(browser, admin_headers) as client:
        answer = client.post(
            f"/api/v1/agreements/{signed_nk['id']}/renew",
            json={"title": "Nota Kesepakatan Kalsel 2026", "valid_from": "2026-10-28"},
        )
        assert answer.status_code == 201, answer.text
        return dict(answer.json())


@pytest.fixture
def movable_pks_page(browser: TestClient, session: Session, signed_pks: dict[str, Any]) -> str:
    """The signed PKS's page, the browser signed in as an admin of the Biro (who may move it)."""
    signed_in_as(browser, make_member(session, "admin", None, name="Admin Biro"))
    return f"/perjanjian/{signed_pks['id']}"


def test_a_pks_is_moved_to_its_nk_renewal_named_by_title_after_a_confirmation(
    browser: TestClient,
    kalsel: Kalsel,
    signed_nk: dict[str, Any],
    signed_pks: dict[str, Any],
    renewed_nk: dict[str, Any],
    movable_pks_page: str,
    admin_headers: dict[str, str],
) -> None:
    url = movable_pks_page
    form = form_of(browser.get(url).text, "pindah")
    assert form.fields["nk"] == ["Nota Kesepakatan Kalsel 2026"]  # its NK's renewal, offered
    unknown = browser.post(form.action, data=form.data(nk="NK yang tidak ada"))
    assert unknown.status_code == 422
    assert field_errors(unknown.text, "pindah", "nk") == [
        "Tidak ada NK bernomor atau berjudul “NK yang tidak ada”."
    ]
    # The old NK itself (by a party's number): not a renewal, refused by the service.
    old = browser.post(form.action, data=form.data(nk="053/NK-PEMOTDA/2021", konfirmasi="1"))
    assert old.status_code == 422
    assert field_errors(old.text, "pindah", "nk") == [
        "NK yang dipilih bukan hasil perpanjangan NK lain: PKS hanya dapat dipindahkan ke "
        "perpanjangan NK-nya."
    ]
    # The renewal of another NK: refused by the service, next to the field too.
    with as_admin(browser, admin_headers) as client:
        other = create_agreement(
            client,
            **nk_body(
                kalsel,
                title="NK Kalsel lain",
                parties=[{"organization_id": kalsel.ori}, {"organization_id": kalsel.province}],
            ),
        )
        finalize(client, other["id"])
        sign(client, other["id"], kalsel.ori, "2021-11-01")
        sign(client, other["id"], kalsel.province, "2021-11-01")
        renewal = client.post(
            f"/api/v1/agreements/{other['id']}/renew", json={"title": "NK Kalsel lain 2026"}
        )
        assert renewal.status_code == 201, renewal.text
    elsewhere = browser.post(form.action, data=form.data(nk="nk kalsel lain 2026", konfirmasi="1"))
    assert elsewhere.status_code == 422
    assert field_errors(elsewhere.text, "pindah", "nk") == [
        "PKS tidak dipindahkan: NK yang dipilih harus perpanjangan NK-nya, dengan para pihak yang "
        "sesuai dan masa berlaku yang mencakup akhir PKS ini, dan SKPD-nya belum memegang PKS lain "
        "di bawah NK itu."
    ]
    check = browser.post(form.action, data=form.data())
    assert check.status_code == 200
    assert (
        f"Yang akan terjadi: PKS “{signed_pks['title']}” dipindahkan dari "
        f"NK “{signed_nk['title']}” ke NK “Nota Kesepakatan Kalsel 2026” "
        "sejak 28 Oktober 2026." in text_of(check.text)
    )
    assert (
        api(browser, admin_headers, f"/api/v1/agreements/{signed_pks['id']}")["parent_id"]
        == signed_nk["id"]
    )  # not yet
    confirm = form_of(check.text, "pindah")
    first = browser.post(confirm.action, data=confirm.data(), follow_redirects=False)
    second = browser.post(confirm.action, data=confirm.data(), follow_redirects=False)
    assert first.status_code == second.status_code == 303, first.text
    assert "dipindahkan ke NK “Nota Kesepakatan Kalsel 2026”." in text_of(
        browser.get(first.headers["location"]).text
    )
    moved = api(browser, admin_headers, f"/api/v1/agreements/{signed_pks['id']}")
    assert moved["parent_id"] == renewed_nk["id"]
    actions = [e["action"] for e in history(browser, admin_headers, signed_pks["id"])]
    assert actions.count("relinked") == 1
    assert not has_form(browser.get(url).text, "pindah")  # under the renewal now


def test_moving_a_pks_needs_the_right_to_edit_it_a_viewer_or_another_provinces_editor_is_refused(
    browser: TestClient,
    session: Session,
    kalsel: Kalsel,
    signed_pks: dict[str, Any],
    renewed_nk: dict[str, Any],
    signed_nk: dict[str, Any],
    movable_pks_page: str,
    admin_headers: dict[str, str],
) -> None:
    members = outsiders(session, kalsel)
    refused_in_both_steps(browser, members, movable_pks_page, "pindah", nk=renewed_nk["title"])
    moved = api(browser, admin_headers, f"/api/v1/agreements/{signed_pks['id']}")
    assert moved["parent_id"] == signed_nk["id"]


def test_renewing_an_nk_says_its_pks_stay_until_moved(
    browser: TestClient,
    session: Session,
    signed_nk: dict[str, Any],
    signed_pks: dict[str, Any],
    admin_headers: dict[str, str],
) -> None:
    signed_in_as(browser, make_member(session, "admin", None, name="Admin Biro"))
    form = form_of(browser.get(f"/perjanjian/{signed_nk['id']}").text, "perpanjang")
    check = browser.post(form.action, data=form.data(valid_from="2026-10-28"))
    assert check.status_code == 200
    words = text_of(check.text)
    assert f"NK baru “{signed_nk['title']}” didaftarkan sebagai draf perpanjangan" in words
    assert "berlaku sejak 28 Oktober 2026." in words
    assert "PKS di bawahnya tetap di bawah NK ini sampai dipindahkan ke perpanjangannya." in words
    confirm = form_of(check.text, "perpanjang")
    done = browser.post(confirm.action, data=confirm.data(), follow_redirects=False)
    assert done.status_code == 303, done.text
    renewal = api(
        browser,
        admin_headers,
        done.headers["location"].replace("/perjanjian", "/api/v1/agreements"),
    )
    assert (renewal["kind"], renewal["supersedes_id"]) == ("nk", signed_nk["id"])
    pks = api(browser, admin_headers, f"/api/v1/agreements/{signed_pks['id']}")
    assert pks["parent_id"] == signed_nk["id"]  # stays until moved
