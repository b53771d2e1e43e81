"""The stored copy of the signature facts must agree with the party rows, after every test."""

from typing import Any

from sqlalchemy import text
from sqlmodel import Session

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


def assert_stored_facts_agree(session: Session) -> None:
    found = disagreements(session)
    assert found == [], f"stored signature facts disagree with the party rows: {found}"
