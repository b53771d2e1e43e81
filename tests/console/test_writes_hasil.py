"""Recording a compliance result on Hasil through the console (a browser without JavaScript):
the same service and access rule as POST /api/v1/compliance-assessments; the organizations
offered are those the user may record for; refusals next to their fields, once per year, a
forged post refused, a double submit recorded once."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.console.conftest import Staff, csrf_of
from tests.console.forms import field_errors, form_of, has_form, make_member, signed_in_as, text_of
from tests.world import Kalsel

SOURCE = "https://ombudsman.go.id/hasil-penilaian-kepatuhan-2023"


@pytest.fixture
def browser(client: TestClient, kalsel: Kalsel, admin_headers: dict[str, str]) -> TestClient:
    client.headers.pop("X-API-Key", None)
    return client


@pytest.fixture
def perwakilan(session: Session, kalsel: Kalsel) -> Staff:
    return make_member(session, "editor", kalsel.office, name="Hadi Rahman")


def results(browser: TestClient, headers: dict[str, str], organization_id: int) -> list[Any]:
    answer = browser.get(
        f"/api/v1/compliance-assessments?organization_id={organization_id}", headers=headers
    )
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def test_a_perwakilan_records_a_result_once_per_year(
    browser: TestClient, perwakilan: Staff, kalsel: Kalsel, admin_headers: dict[str, str]
) -> None:
    signed_in_as(browser, perwakilan)
    hasil = browser.get("/hasil")
    assert 'href="/hasil/catat"' in hasil.text
    page = browser.get("/hasil/catat")
    form = form_of(page.text, "penilaian")
    # An assessor records anyone's result: the other province's SKPD is offered too.
    assert f'value="{kalsel.kalteng_agency}"' in page.text
    values = {
        "organization_id": str(kalsel.province),
        "year": "2023",
        "zone": "green",
        "score": "86,6",
        "category": "Kepatuhan tertinggi",
        "source": SOURCE,
    }
    bad = browser.post(form.action, data=form.data(**{**values, "score": "101", "source": " "}))
    assert bad.status_code == 422
    assert field_errors(bad.text, "penilaian", "score") == ["Paling besar 100."]
    assert field_errors(bad.text, "penilaian", "source") == ["Wajib diisi."]
    first = browser.post(form.action, data=form.data(**values), follow_redirects=False)
    second = browser.post(form.action, data=form.data(**values), follow_redirects=False)
    assert first.status_code == second.status_code == 303, first.text
    assert second.headers.get("idempotent-replayed") == "true"
    assert first.headers["location"] == f"/hasil?organization_id={kalsel.province}"
    words = text_of(browser.get(first.headers["location"]).text)
    assert (
        "Hasil penilaian kepatuhan Pemerintah Provinsi Kalimantan Selatan tahun 2023 dicatat: "
        "Zona hijau (kepatuhan tinggi), nilai 86,6." in words
    )
    assert "(nilai 86,6)" in words and "86.6" not in words  # the flash and the table alike
    [made] = results(browser, admin_headers, kalsel.province)
    assert (made["year"], made["zone"], made["score"], made["source"]) == (
        2023,
        "green",
        86.6,
        SOURCE,
    )
    # The same year again, from a new form: refused, named.
    form = form_of(browser.get("/hasil/catat").text, "penilaian")
    again = browser.post(form.action, data=form.data(**values))
    assert again.status_code == 409
    assert "Hasil penilaian organisasi ini untuk tahun itu sudah tercatat." in text_of(again.text)
    assert len(results(browser, admin_headers, kalsel.province)) == 1


def test_an_skpd_records_its_own_result_only_and_a_viewer_none(
    browser: TestClient, session: Session, kalsel: Kalsel, admin_headers: dict[str, str]
) -> None:
    skpd = make_member(session, "editor", kalsel.diskominfo, name="Muhamad Muslim")
    signed_in_as(browser, skpd)
    page = browser.get("/hasil/catat").text
    form = form_of(page, "penilaian")
    assert f'value="{kalsel.diskominfo}"' in page
    assert f'value="{kalsel.dinkes}"' not in page  # another SKPD: not its to record
    values = {"year": "2023", "zone": "yellow", "source": SOURCE}
    forged = browser.post(form.action, data=form.data(**values, organization_id=str(kalsel.dinkes)))
    assert forged.status_code == 403
    own = browser.post(
        form.action,
        data=form.data(**values, organization_id=str(kalsel.diskominfo)),
        follow_redirects=False,
    )
    assert own.status_code == 303, own.text
    assert [r["zone"] for r in results(browser, admin_headers, kalsel.diskominfo)] == ["yellow"]

    viewer = make_member(session, "viewer", kalsel.office, name="Pembaca Perwakilan")
    signed_in_as(browser, viewer)
    assert 'href="/hasil/catat"' not in browser.get("/hasil").text
    page = browser.get("/hasil/catat").text
    assert not has_form(page, "penilaian")
    assert "Anda tidak berwenang mencatat hasil penilaian kepatuhan." in text_of(page)
    forged = browser.post(
        form.action,
        data=form.data(**values, organization_id=str(kalsel.dinkes), csrf_token=csrf_of(page)),
    )
    assert forged.status_code == 403
    assert results(browser, admin_headers, kalsel.dinkes) == []
