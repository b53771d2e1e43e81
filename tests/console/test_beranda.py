"""Beranda through HTTP on the seeded real cases: the figures of /api/v1/stats as cards and SVG
charts (their numbers as text, each a link to its list), and what the signed-in user's
organizations must do next, as Tenggat, Kewajiban and Perjanjian list it."""

import html
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.console.session import set_password
from app.users import service as users
from app.users.models import Role
from app.users.schemas import UserCreate
from tests.console.conftest import PASSWORD, Staff, sign_in
from tests.console.test_perjanjian import api, listed_ids, seeded, text_of

__all__ = ["seeded"]  # the fixture, shared with the Perjanjian tests

SVG = re.compile(r"<svg\b[^>]*>.*?</svg>", re.S)


def organization(client: TestClient, headers: dict[str, str], name: str) -> dict[str, Any]:
    found = api(client, headers, "/api/v1/organizations", q=name)["items"]
    return next(o for o in found if o["name"] == name)  # type: ignore[no-any-return]


def staff_of(session: Session, organization_id: int, name: str) -> Staff:
    email = f"editor.{organization_id}@kalselprov.go.id"
    user = users.create_user(
        session=session,
        user_in=UserCreate(
            name=name, email=email, role=Role.editor, organization_id=organization_id
        ),
    )
    set_password(session=session, email=email, password=PASSWORD)
    return Staff(user.id, name, email, PASSWORD)


def section(page: str, heading: str) -> str:
    """The HTML of the `<section>` whose h3 reads `heading`."""
    start = page.index(f">{html.escape(heading)}</h3>")
    return page[start : page.index("</section>", start)]


class TestCharts:
    def test_status_chart_is_an_image_with_its_numbers_as_links(
        self, signed_in: TestClient, seeded: None, admin_headers: dict[str, str]
    ) -> None:
        figures = api(signed_in, admin_headers, "/api/v1/stats")
        page = signed_in.get("/")
        assert page.status_code == 200
        charts = SVG.findall(page.text)
        assert len(charts) >= 3  # per status, the zones, a coverage bar per NK
        for chart in charts:
            assert 'role="img"' in chart and "<title" in chart
            assert "style=" not in chart and "<script" not in chart
        status_chart = next(c for c in charts if "per status" in c)
        pks = figures["agreements"]["pks"]
        nk = figures["agreements"]["nk"]
        # The description reads the chart: every status with NK or PKS in it.
        for count in pks.values():
            assert f"{count} PKS" in status_chart or count == 0
        words = text_of(page.text)
        assert f"{pks['active']} PKS Berlaku" in words
        assert f'href="/perjanjian?kind=pks&amp;status=active">{pks["active"]}<' in page.text
        assert f'href="/perjanjian?kind=nk&amp;status=active">{nk["active"]}<' in page.text
        # The list behind a bar shows as many as the bar counts.
        listed = signed_in.get("/perjanjian", params={"kind": "pks", "status": "active"})
        assert f"{pks['active']} perjanjian" in text_of(listed.text)

    def test_coverage_bars_and_zones(
        self, signed_in: TestClient, seeded: None, admin_headers: dict[str, str]
    ) -> None:
        figures = api(signed_in, admin_headers, "/api/v1/stats")
        page = signed_in.get("/").text
        kalsel = max(figures["coverage"], key=lambda row: row["with_signed_pks"])
        assert (kalsel["with_signed_pks"], kalsel["agencies"]) == (21, 22)
        assert f'<title id="cakupan-{kalsel["nk_id"]}">95% SKPD sudah memegang PKS</title>' in page
        assert f'href="/cakupan/{kalsel["nk_id"]}"' in page
        zones = figures["compliance_latest"]
        assert f"Sebaran zona kepatuhan {zones['year']}" in page
        assert f"{zones['green']} hijau, {zones['yellow']} kuning, {zones['red']} merah." in page


class TestWhatToDoNext:
    def test_a_user_without_organization_sees_the_whole_registry(
        self, signed_in: TestClient, seeded: None, admin_headers: dict[str, str]
    ) -> None:
        page = signed_in.get("/").text
        national = section(page, "Seluruh registri")
        deadlines = api(signed_in, admin_headers, "/api/v1/deadlines", limit=5)
        overdue = api(
            signed_in, admin_headers, "/api/v1/obligations", status="overdue", count="true"
        )
        awaiting = api(
            signed_in,
            admin_headers,
            "/api/v1/agreements",
            status="awaiting_signatures",
            count="true",
        )
        words = text_of(national)
        total, late = deadlines["total"], deadlines["counts"]["overdue"]
        assert f"Semua {total} tenggat ({late} terlambat)" in words
        assert 'href="/tenggat"' in national
        for item in deadlines["items"]:
            assert html.escape(item["title"]) in national
        assert f"Semua {overdue['total']} kewajiban terlambat" in words
        assert 'href="/kewajiban?status=overdue"' in national
        assert f"Menunggu penandatanganan: {awaiting['total']}" in words
        assert 'href="/perjanjian?status=awaiting_signatures"' in national

    def test_an_editor_sees_the_signatures_its_organization_owes(
        self,
        browser: TestClient,
        session: Session,
        seeded: None,
        admin_headers: dict[str, str],
    ) -> None:
        kobar = organization(browser, admin_headers, "Pemerintah Kabupaten Kotawaringin Barat")
        sign_in(browser, staff_of(session, kobar["id"], "Staf Kobar"))
        page = browser.get("/").text
        assert "Seluruh registri" not in page
        own = section(page, kobar["name"])
        owed = api(
            browser,
            admin_headers,
            "/api/v1/agreements",
            unsigned_by=kobar["id"],
            status="partially_signed",
            count="true",
        )
        assert owed["total"] >= 1  # the Kalteng joint NK, signed by the others
        for agreement in owed["items"]:
            assert f'<a href="/perjanjian/{agreement["id"]}">' in own
        link = f"/perjanjian?unsigned_by={kobar['id']}&amp;status=partially_signed"
        assert link in own
        assert f"Sebagian sudah menandatangani: {owed['total']}" in text_of(own)
        # The link opens exactly that list, saying whose signature it waits for.
        listed = browser.get(html.unescape(link))
        assert listed_ids(listed.text) == [a["id"] for a in owed["items"]]
        assert f"belum ditandatangani {kobar['name']}" in text_of(listed.text)
        deadlines = api(
            browser, admin_headers, "/api/v1/deadlines", organization_id=kobar["id"], limit=5
        )
        assert f"Semua {deadlines['total']} tenggat" in text_of(own)
        assert f'href="/tenggat?organization_id={kobar["id"]}"' in own

    def test_a_unit_acting_for_its_government_sees_both(
        self, browser: TestClient, session: Session, seeded: None, admin_headers: dict[str, str]
    ) -> None:
        biro = next(
            o
            for o in api(browser, admin_headers, "/api/v1/organizations", q="Biro")["items"]
            if o["acts_for_parent"]
        )
        parent = api(browser, admin_headers, f"/api/v1/organizations/{biro['parent_id']}")
        sign_in(browser, staff_of(session, biro["id"], "Staf Biro"))
        page = browser.get("/").text
        headings = re.findall(r'<h3 id="tugas-\d+">([^<]+)</h3>', page)
        assert [html.unescape(h) for h in headings] == [biro["name"], parent["name"]]
        overdue = api(
            browser,
            admin_headers,
            "/api/v1/obligations",
            status="overdue",
            organization_id=parent["id"],
            count="true",
        )
        assert f"Semua {overdue['total']} kewajiban terlambat" in text_of(
            section(page, parent["name"])
        )
