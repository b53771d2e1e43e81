"""Stored copies must agree with what they copy, after every test: the signature facts with the
party rows, an organization's search text with its names."""

from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from app.core.text import fold

FROM_ROWS = text(
    """
    SELECT a.id, a.parties_signed, a.parties_unsigned, a.last_signed_on,
           (SELECT count(*) FROM agreement_party p
             WHERE p.agreement_id = a.id AND p.signature_recorded_at IS NOT NULL),
           (SELECT count(*) FROM agreement_party p
             WHERE p.agreement_id = a.id AND p.signature_recorded_at IS NULL),
           (SELECT max(p.signed_on) FROM agreement_party p WHERE p.agreement_id = a.id)
    FROM agreement a
    """
)


def disagreements(session: Session) -> list[Any]:
    """Agreements whose stored signature facts differ from their party rows."""
    rows = session.execute(FROM_ROWS).all()
    return [r for r in rows if (r[1], r[2], str(r[3])) != (r[4], r[5], str(r[6]))]


def stale_search_texts(session: Session) -> list[Any]:
    rows = session.execute(text("SELECT id, name, short_name, search_text FROM organization"))
    return [r for r in rows if r[3] != fold(r[1], r[2])]


def assert_stored_facts_agree(session: Session) -> None:
    found = disagreements(session)
    assert found == [], f"stored signature facts disagree with the party rows: {found}"
    stale = stale_search_texts(session)
    assert stale == [], f"organizations' search text disagrees with their names: {stale}"
