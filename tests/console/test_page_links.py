"""Every paged console list pages through the one macro of templates/page_links.html: the same
"Menampilkan 6–10 dari N · Halaman 2 dari M" and previous/next links everywhere."""

import html
import re
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

from app.console.pages import cakupan, hasil, kewajiban, organisasi, perjanjian, riwayat
from tests.console.test_perjanjian import api, seeded

__all__ = ["seeded"]

TEMPLATES = Path(perjanjian.__file__).parents[1] / "templates"
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
SHOWING = re.compile(r"Menampilkan (\d+)–(\d+) dari (\d+) · Halaman (\d+) dari (\d+)")


def test_no_template_writes_its_own_page_links() -> None:
    own = [
        path.name
        for path in TEMPLATES.glob("*.html")
        if path.name != "page_links.html"
        and ('rel="next"' in path.read_text() or 'class="pager"' in path.read_text())
    ]
    assert own == [], f"use pager() of page_links.html in {own}"


# (the page's module and the page size to give it, the page, the API list it pages) — each spans
# pages on the seeded registry at that size. (Tenggat takes `limit=` as its API does.)
PAGED: list[tuple[ModuleType | None, int, str, tuple[str, dict[str, str]]]] = [
    (perjanjian, 3, "/perjanjian", ("/api/v1/agreements", {"count": "true"})),
    (kewajiban, 3, "/kewajiban", ("/api/v1/obligations", {"count": "true"})),
    (organisasi, 3, "/organisasi?q=dinas", ("/api/v1/organizations", {"q": "dinas"})),
    (hasil, 3, "/hasil", ("/api/v1/compliance-assessments", {})),
    (cakupan, 1, "/cakupan", ("/api/v1/agreements", {"kind": "nk", "count": "true"})),
    (None, 3, "/tenggat?limit=3", ("/api/v1/deadlines", {})),
]


@pytest.mark.parametrize(("module", "size", "path", "listing"), PAGED, ids=[p[2] for p in PAGED])
def test_paged_lists_link_their_pages(
    signed_in: TestClient,
    seeded: None,
    admin_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    module: ModuleType | None,
    size: int,
    path: str,
    listing: tuple[str, dict[str, str]],
) -> None:
    if module is not None:
        monkeypatch.setattr(module, "PAGE_SIZE", size)
    total = api(signed_in, admin_headers, listing[0], **listing[1])["total"]
    assert total > size
    first = signed_in.get(path)
    assert first.status_code == 200
    showing = SHOWING.search(first.text)
    assert showing, "no page links"
    pages = str((total - 1) // size + 1)
    assert showing.groups() == ("1", str(size), str(total), "1", pages)
    assert 'rel="prev"' not in first.text
    following = NEXT.search(first.text)
    assert following, "no link to the next page"
    second = SHOWING.search(signed_in.get(html.unescape(following.group(1))).text)
    assert second, "no page links on the second page"
    assert second.groups() == (str(size + 1), str(min(2 * size, total)), str(total), "2", pages)


def test_riwayat_pages_from_the_latest(
    signed_in: TestClient,
    seeded: None,
    admin_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(riwayat, "PAGE_SIZE", 3)
    nk = api(signed_in, admin_headers, "/api/v1/agreements", number="053/NK-PEMOTDA/2021")
    agreement_id = nk["items"][0]["id"]
    first = signed_in.get(f"/riwayat/perjanjian/{agreement_id}")
    assert 'rel="next">Lebih lama ›</a>' in first.text
    assert SHOWING.search(first.text)
    second = signed_in.get(html.unescape(NEXT.search(first.text).group(1)))  # type: ignore[union-attr]
    assert 'rel="prev">‹ Lebih baru</a>' in second.text
