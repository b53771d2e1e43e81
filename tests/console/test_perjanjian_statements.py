"""One agreement's page (/perjanjian/{id}) reads its sections in batches and the user's rights on
every control at once: a fixed number of statements, whatever the number of parties,
obligations, activities and documents (a page of the national registry stays a page)."""

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.agreements.models import AgreementStatus
from app.console.session import set_password
from app.documents.router import get_document_store
from app.documents.storage import DocumentStore
from app.labels import day_text, label
from app.main import app
from app.users import service as users
from app.users.models import Role
from app.users.schemas import UserCreate
from tests.conftest import key_for
from tests.console.conftest import PASSWORD, Staff, make_staff, sign_in
from tests.console.test_perjanjian import seeded, text_of
from tests.world import Kalsel, nk_body, pks_body

# At most, whatever the rows: the session and its user 1; the agreement's read shape 3; history
# 1; documents with their signature checks and verdicts 3; obligations 1; activities (their
# reporters' names joined), scope items and evidence 3; evaluations 1; an editor's scope and the
# ancestry of the organizations on the page 2; the organizations that may owe an obligation 1;
# the stage of a signed agreement 1 (whether it is tracked: its status, read with the agreement,
# has no stage); a PKS's NK's renewal 1, or an NK's PKS 2 (as lines: their parties' numbers, no
# scope) and its live PKS 1.
MAX_STATEMENTS = 20
ROW_TEXT = re.compile(r'<tr>\s*<td>[^<]*</td>\s*<td><a href="/perjanjian/(\d+)">(.*?)</tr>', re.S)
__all__ = ["seeded"]  # the fixture, shared with the Perjanjian tests
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"


def editor_of(session: Session, organization_id: int) -> Staff:
    email = f"editor.{organization_id}@kalselprov.go.id"
    user = users.create_user(
        session=session,
        user_in=UserCreate(
            name="Editor", email=email, role=Role.editor, organization_id=organization_id
        ),
    )
    set_password(session=session, email=email, password=PASSWORD)
    return Staff(user.id, "Editor", email, PASSWORD)


def post(browser: TestClient, headers: dict[str, str], path: str, **kwargs: Any) -> Any:
    answer = browser.post(path, headers=headers, **kwargs)
    assert answer.status_code == 201, answer.text
    return answer.json()


def signed(browser: TestClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    agreement = post(browser, headers, "/api/v1/agreements", json=body)
    ok = browser.post(f"/api/v1/agreements/{agreement['id']}/finalize", headers=headers)
    assert ok.status_code == 200, ok.text
    for party in agreement["parties"]:
        ok = browser.post(
            f"/api/v1/agreements/{agreement['id']}/signatures",
            json={"organization_id": party["organization_id"], "signed_on": "2022-07-04"},
            headers=headers,
        )
        assert ok.status_code == 200, ok.text
    return agreement


def statements_of(
    browser: TestClient, count_statements: Callable[[], Any], staff: list[Staff], path: str
) -> list[int]:
    """How many statements the page takes for each of these users."""
    counts = []
    for person in staff:
        browser.cookies.clear()
        sign_in(browser, person)
        with count_statements() as statements:
            page = browser.get(path)
        assert page.status_code == 200, page.text
        assert len(statements) <= MAX_STATEMENTS, (person.email, path, statements)
        counts.append(len(statements))
    return counts


def test_a_pks_page_takes_as_many_statements_with_two_rows_as_with_six(
    kalsel: Kalsel,
    browser: TestClient,
    session: Session,
    admin_headers: dict[str, str],
    count_statements: Callable[[], Any],
    tmp_path: Path,
) -> None:
    store = DocumentStore(root=tmp_path / "documents", max_bytes=64 * 1024)
    app.dependency_overrides[get_document_store] = lambda: store
    nk = signed(browser, admin_headers, nk_body(kalsel))
    scope = [{"title": "Pencegahan maladministrasi"}]
    pks = signed(browser, admin_headers, pks_body(kalsel, nk["id"], scope_items=scope))
    base = f"/api/v1/agreements/{pks['id']}"
    reporter = {"X-API-Key": key_for(session, "editor", kalsel.diskominfo)}
    staff = [
        make_staff(session, "admin", name="Admin"),
        make_staff(session, "viewer", name="Viewer"),
        editor_of(session, kalsel.office),  # the counterpart: verifies Diskominfo's reports
        editor_of(session, kalsel.diskominfo),  # the reporter
    ]

    added: list[int] = []

    def add(n: int) -> None:
        for i in range(len(added), len(added) + n):
            added.append(i)
            post(
                browser,
                admin_headers,
                f"{base}/obligations",
                json={
                    "title": f"Laporan {i}",
                    "responsible_organization_id": kalsel.diskominfo,
                    "due_on": f"2027-0{i + 1}-15",
                },
            )
            post(
                browser,
                reporter,
                f"{base}/activities",
                json={
                    "title": f"Sosialisasi {i}",
                    "held_on": "2026-10-15",
                    "description": "Sosialisasi kepada petugas layanan.",
                    "scope_item_ids": [pks["scope_items"][0]["id"]],
                    "organization_id": kalsel.diskominfo,
                },
            )
            files = {"file": (f"PKS {i}.pdf", PDF + bytes([i]), "application/pdf")}
            post(browser, admin_headers, f"{base}/documents", files=files)

    add(2)
    with_two = statements_of(browser, count_statements, staff, f"/perjanjian/{pks['id']}")
    add(4)
    with_six = statements_of(browser, count_statements, staff, f"/perjanjian/{pks['id']}")
    assert with_six == with_two
    page = browser.get(f"/perjanjian/{pks['id']}")
    assert page.text.count("Sosialisasi ") >= 6  # the rows are all there


def test_an_nk_page_takes_as_many_statements_with_two_parties_as_with_eight(
    kalsel: Kalsel,
    browser: TestClient,
    session: Session,
    admin_headers: dict[str, str],
    count_statements: Callable[[], Any],
) -> None:
    others = []
    for n in range(6):
        made = browser.post(
            "/api/v1/organizations",
            json={"name": f"Pemerintah Kabupaten {n}", "kind": "regency_government"},
            headers=admin_headers,
        )
        assert made.status_code == 201, made.text
        others.append({"organization_id": made.json()["id"]})
    two = post(browser, admin_headers, "/api/v1/agreements", json=nk_body(kalsel))
    parties = [{"organization_id": kalsel.ori}, {"organization_id": kalsel.province}]
    eight = post(
        browser, admin_headers, "/api/v1/agreements", json=nk_body(kalsel, parties=parties + others)
    )
    staff = [make_staff(session, "admin", name="Admin"), editor_of(session, kalsel.province)]
    assert statements_of(
        browser, count_statements, staff, f"/perjanjian/{two['id']}"
    ) == statements_of(browser, count_statements, staff, f"/perjanjian/{eight['id']}")


def test_the_list_reads_no_scope_and_shows_each_row_as_the_api(
    signed_in: TestClient,
    seeded: None,
    admin_headers: dict[str, str],
    count_statements: Callable[[], Any],
) -> None:
    """Perjanjian shows lines (kind, title, numbers, status, validity): the API's rows, without
    reading their ruang lingkup. The session 1, the page's rows 1, the count 1 (only when a
    page is full), the parties 1."""
    for limit in (5, 50):
        with count_statements() as statements:
            page = signed_in.get("/perjanjian", params={"limit": limit})
        assert page.status_code == 200, page.text
        assert len(statements) <= 4, statements
        assert not any("scope_item" in statement for statement in statements), statements
        expected = signed_in.get(
            "/api/v1/agreements", params={"limit": limit}, headers=admin_headers
        ).json()["items"]
        rows = ROW_TEXT.findall(page.text)
        assert [int(r[0]) for r in rows] == [a["id"] for a in expected]
        for (_, cells), agreement in zip(rows, expected, strict=True):
            shown = text_of(cells)
            numbers = [p["document_number"] for p in agreement["parties"] if p["document_number"]]
            for number in numbers or ["Belum bernomor"]:
                assert number in shown
            assert label(AgreementStatus(agreement["status"])) in shown
            until = agreement["valid_until"]
            assert (day_text(date.fromisoformat(until)) if until else "tidak ditentukan") in shown
