"""An error raised inside a console route is the console's error page (HTML, in Indonesian, with
the problem's status), never problem+json; the API keeps answering problem+json."""

import html

import pytest
from fastapi.testclient import TestClient

from app.console.pages import kewajiban
from app.core.errors import (
    AppError,
    Conflict,
    Forbidden,
    NotFound,
    RuleViolation,
    TooManyRequests,
)
from app.labels import PROBLEM_TITLES
from tests.console.test_perjanjian import text_of


def test_an_unknown_agreement_is_the_console_404_page(signed_in: TestClient) -> None:
    for path in ("/perjanjian/999999", "/perjanjian/abc"):
        page = signed_in.get(path)
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "Content-Security-Policy" in page.headers
        assert "<title>Perjanjian tidak ditemukan · Registri Kerja Sama</title>" in page.text
        words = text_of(page.text)
        assert "Perjanjian tidak ditemukan" in words
        assert "tidak ada di registri" in words
        assert 'aria-label="Navigasi utama"' in page.text  # still signed in: the navigation


def test_the_api_still_answers_problem_json(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    answer = client.get("/api/v1/agreements/999999", headers=admin_headers)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == "/problems/agreement-not-found"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFound("No obligation with id 7.", type_slug="obligation-not-found"), 404),
        (Forbidden("Siti may not edit 'Dinas Perhubungan'."), 403),
        (Conflict("The record changed.", type_slug="stale-version"), 409),
        (RuleViolation("PKS party outside the NK.", type_slug="pks-party-outside-nk"), 422),
        (TooManyRequests("Slow down.", retry_after=30), 429),
    ],
)
def test_a_problem_raised_in_a_console_route_is_a_page_in_indonesian(
    signed_in: TestClient, monkeypatch: pytest.MonkeyPatch, error: AppError, status: int
) -> None:
    def refuse(**_: object) -> None:
        raise error

    monkeypatch.setattr(kewajiban.service, "list_obligations", refuse)
    page = signed_in.get("/kewajiban")
    assert page.status_code == status
    assert page.headers["content-type"].startswith("text/html")
    title = PROBLEM_TITLES[error.type_slug]
    assert f"<h1>{html.escape(title)}</h1>" in page.text
    assert error.detail in text_of(page.text)  # the service's own words, as the detail
    if status == 429:
        assert page.headers["Retry-After"] == "30"


def test_an_address_the_route_cannot_read_is_a_page_too(
    signed_in: TestClient, admin_headers: dict[str, str]
) -> None:
    page = signed_in.get("/tenggat", params={"organization_id": "abc", "limit": "0"})
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert f"<h1>{PROBLEM_TITLES['validation-error']}</h1>" in page.text
    assert "organization_id, limit" in text_of(page.text)
    api = signed_in.get(
        "/api/v1/deadlines", params={"organization_id": "abc"}, headers=admin_headers
    )
    assert api.status_code == 422
    assert api.headers["content-type"] == "application/problem+json"


HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.parametrize("path", ["/tidak-ada", "/perjanjian/1/xyz", "/pengguna/1/xyz/abc"])
def test_an_address_no_page_serves_is_the_console_404_page_for_a_browser(
    signed_in: TestClient, path: str
) -> None:
    page = signed_in.get(path, headers=HTML)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Content-Security-Policy" in page.headers
    assert "<title>Halaman tidak ditemukan · Registri Kerja Sama</title>" in page.text
    assert "Alamat ini tidak ada di konsol." in text_of(page.text)
    # A client that does not ask for HTML gets problem+json, as before.
    plain = signed_in.get(path)
    assert plain.status_code == 404
    assert plain.headers["content-type"] == "application/problem+json"


def test_a_get_of_a_form_only_address_is_the_console_405_page_for_a_browser(
    signed_in: TestClient,
) -> None:
    page = signed_in.get("/akun/sandi", headers=HTML)
    assert page.status_code == 405
    assert page.headers["content-type"].startswith("text/html")
    assert "POST" in page.headers["allow"]
    assert "Alamat ini hanya menerima kiriman formulir." in text_of(page.text)


@pytest.mark.parametrize("path", ["/api/v1/tidak-ada", "/api/v1/agreements/1/xyz", "/api"])
def test_an_unknown_api_address_stays_problem_json_even_for_a_browser(
    client: TestClient, path: str
) -> None:
    answer = client.get(path, headers=HTML)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == "/problems/not-found"
