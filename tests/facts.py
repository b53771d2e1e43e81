"""Stored copies must agree with what they copy, after every test: the signature facts with the
party rows, the validity facts with the amendments and renewals, an organization's search text
with its names."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy import text
from sqlmodel import Session, col

from app.agreements.models import Agreement
from app.agreements.status import amended_valid_until_from_rows, superseded_from_rows
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


def stale_validity_facts(session: Session) -> list[Any]:
    """Agreements whose stored effective_valid_until or superseded_from differ from what their
    amendments and renewals say."""
    rows = session.execute(
        sa.select(
            col(Agreement.id),
            col(Agreement.effective_valid_until),
            amended_valid_until_from_rows(Agreement),
            col(Agreement.superseded_from),
            superseded_from_rows(Agreement),
        )
    ).all()
    return [r for r in rows if (str(r[1]), str(r[3])) != (str(r[2]), str(r[4]))]


def stale_search_texts(session: Session) -> list[Any]:
    rows = session.execute(text("SELECT id, name, short_name, search_text FROM organization"))
    return [r for r in rows if r[3] != fold(r[1], r[2])]


def assert_stored_facts_agree(session: Session) -> None:
    found = disagreements(session)
    assert found == [], f"stored signature facts disagree with the party rows: {found}"
    validity = stale_validity_facts(session)
    assert validity == [], f"stored validity facts disagree with amendments/renewals: {validity}"
    stale = stale_search_texts(session)
    assert stale == [], f"organizations' search text disagrees with their names: {stale}"
