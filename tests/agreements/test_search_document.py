"""`q` on the agreement list searches one document per agreement (app/agreements/search.py): the
same answers as the four conditions it replaced (kept below as the oracle), on the seeds and on
random texts, on both databases; on PostgreSQL one trigram index serves it."""

import random
from datetime import date
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlmodel import Session, col, or_, select

from app.agreements.models import Agreement, AgreementParty, ScopeItem
from app.agreements.queries import AgreementFilters
from app.core.text import contains_folded
from app.organizations.models import Organization
from tests.helpers import create_agreement, create_org, patch_org
from tests.world import Kalsel, pks_body


def _has_party(*conditions: Any) -> Any:
    return (
        select(AgreementParty.id)
        .where(AgreementParty.agreement_id == Agreement.id, *conditions)
        .correlate(Agreement)
        .exists()
    )


def old_condition(text: str) -> Any:
    """`q` as it was before the search document: four conditions ORed, three of them EXISTS."""
    party_named = (
        select(AgreementParty.id)
        .join(Organization, col(Organization.id) == AgreementParty.organization_id)
        .where(
            AgreementParty.agreement_id == Agreement.id,
            contains_folded(Organization.search_text, text),
        )
        .correlate(Agreement)
        .exists()
    )
    in_scope = (
        select(ScopeItem.id)
        .where(
            ScopeItem.agreement_id == Agreement.id,
            or_(
                contains_folded(ScopeItem.title, text),
                contains_folded(ScopeItem.description, text),
            ),
        )
        .correlate(Agreement)
        .exists()
    )
    return or_(
        contains_folded(Agreement.title, text),
        _has_party(contains_folded(AgreementParty.document_number, text)),
        party_named,
        in_scope,
    )


def old_answer(session: Session, text: str) -> list[int]:
    query = select(Agreement.id).where(old_condition(text)).order_by(col(Agreement.id).desc())
    return [i for i in session.exec(query) if i is not None]


def new_answer(client: TestClient, text: str) -> list[int]:
    """The list's answer over HTTP, every page (newest first)."""
    found: list[int] = []
    offset = 0
    while True:
        response = client.get(
            "/api/v1/agreements", params={"q": text, "limit": 200, "offset": offset}
        )
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        found += [item["id"] for item in items]
        if len(items) < 200:
            return found
        offset += 200


def searched_fields(session: Session) -> list[str]:
    """Every text `q` looks in, as stored."""
    texts = list(session.exec(select(Agreement.title)))
    texts += [n for n in session.exec(select(AgreementParty.document_number)) if n]
    texts += list(session.exec(select(Organization.name)))
    texts += [n for n in session.exec(select(Organization.short_name)) if n]
    texts += list(session.exec(select(ScopeItem.title)))
    texts += [d for d in session.exec(select(ScopeItem.description)) if d]
    return texts


def queries_from(texts: list[str], rng: random.Random, count: int) -> list[str]:
    """Parts of the stored texts (hits), some in another case, and strings that are in none."""
    queries = []
    for _ in range(count):
        text = rng.choice(texts)
        start = rng.randrange(len(text))
        part = text[start : start + rng.randint(1, 14)].strip()
        if part:
            queries.append(part.upper() if rng.random() < 0.3 else part)
    return queries


def assert_same_answers(session: Session, client: TestClient, queries: list[str]) -> int:
    hits = 0
    for text in queries:
        old = old_answer(session, text)
        assert new_answer(client, text) == old, text
        hits += bool(old)
    return hits


FIXED = ["pengaduan", "Kalsel", "053/NK", "ORI-MoU", "%", "_", "\\", "ombudsman", "zzzq"]


def test_q_answers_as_before_on_the_seeds(
    seeded_connection: Connection, session: Session, client: TestClient
) -> None:
    rng = random.Random(22)
    queries = FIXED + queries_from(searched_fields(session), rng, 60)
    hits = assert_same_answers(session, client, queries)
    assert hits >= 40  # the queries found something: the comparison compared answers


# Few letters: many partial matches, LIKE's wildcards among them; no accents (below).
ALPHABET = "aab bc/-%_dA"


def random_text(rng: random.Random, longest: int) -> str:
    text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, longest)))
    # One space between words: the old conditions did not collapse runs (see the test below).
    return " ".join(text.split()) or "a"


def test_q_answers_as_before_on_random_texts(session: Session, client: TestClient) -> None:
    rng = random.Random(2026)
    names: set[str] = set()
    organizations: list[int] = []
    while len(organizations) < 6:
        name = f"Org {random_text(rng, 10)}"
        if name.lower() in names:
            continue
        names.add(name.lower())
        short = random_text(rng, 5) if rng.random() < 0.5 else None
        organizations.append(create_org(client, name, "other", short_name=short))
    numbers: set[tuple[int, str]] = set()
    for _ in range(18):
        parties = rng.sample(organizations, rng.randint(2, 3))
        body_parties = []
        for organization in parties:
            number = random_text(rng, 8) if rng.random() < 0.6 else None
            if number is not None and (organization, number.lower()) in numbers:
                number = None
            if number is not None:
                numbers.add((organization, number.lower()))
            body_parties.append({"organization_id": organization, "document_number": number})
        scope = [
            {
                "title": random_text(rng, 12),
                "description": random_text(rng, 16) if rng.random() < 0.5 else None,
            }
            for _ in range(rng.randint(0, 3))
        ]
        create_agreement(
            client, kind="nk", title=random_text(rng, 14), parties=body_parties, scope_items=scope
        )
    alphabet_queries = [random_text(rng, 4) for _ in range(40)]
    queries = alphabet_queries + queries_from(searched_fields(session), rng, 40)
    hits = assert_same_answers(session, client, queries)
    assert hits >= 40


def test_q_ignores_accents_and_runs_of_spaces_in_every_field(
    client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
) -> None:
    """Where the document answers more than the old conditions did: a title (or number, or scope
    item) with accents or with a line break is found as staff type it, as names already were."""
    pks = create_agreement(
        client,
        **pks_body(
            kalsel,
            signed_nk["id"],
            title="PKS Pelayanan Publik Kotawaringin Barát",
            scope_items=[{"title": "Laporan", "description": "penyelesaian pengaduan\nwarga"}],
        ),
    )["id"]
    assert new_answer(client, "kotawaringin barat") == [pks]
    assert new_answer(client, "Barát") == [pks]
    assert new_answer(client, "pengaduan warga") == [pks]


def test_q_finds_an_organization_by_its_new_name_after_a_rename(
    client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
) -> None:
    pks = create_agreement(client, **pks_body(kalsel, signed_nk["id"]))["id"]
    assert new_answer(client, "Diskominfo Banua") == []
    patch_org(client, kalsel.diskominfo, short_name="Diskominfo Banua")
    assert new_answer(client, "diskominfo banua") == [pks]
    patch_org(client, kalsel.diskominfo, name="Dinas Kominfo Provinsi Kalimantan Selatan")
    assert new_answer(client, "Komunikasi dan Informatika") == []
    assert new_answer(client, "dinas kominfo provinsi") == [pks]


def test_q_is_one_scan_of_the_search_documents(
    session: Session, client: TestClient, kalsel: Kalsel, signed_nk: dict[str, Any]
) -> None:
    """The plan of the agreements `q` matches: on PostgreSQL a scan of the document's trigram
    index and of no other (sequential and plain index scans off: the test's tables are tiny, and
    the planner would rightly read them whole or walk a primary key; at national size it weighs
    this scan against walking the newest first); on both, no EXISTS over parties, organizations
    or scope items."""
    create_agreement(client, **pks_body(kalsel, signed_nk["id"]))
    dialect = session.get_bind().dialect
    matching = (
        AgreementFilters(q="pengaduan masyarakat")
        .matching(date(2026, 11, 26))
        .compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    )
    if dialect.name == "postgresql":
        session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        session.execute(sa.text("SET LOCAL enable_indexscan = off"))
        plan = "\n".join(r[0] for r in session.execute(sa.text(f"EXPLAIN {matching}")))
        assert "Bitmap Index Scan on ix_agreement_search_document_trgm" in plan, plan
        assert plan.count("_trgm") == 1, plan
    else:
        plan = "\n".join(r[-1] for r in session.execute(sa.text(f"EXPLAIN QUERY PLAN {matching}")))
        assert "agreement_search" in plan, plan
    for table in ("agreement_party", "scope_item", "organization"):
        assert f" {table} " not in f"{plan} ", plan
