"""Stored copies must agree with what they copy, after every test: the signature facts with the
party rows, the validity facts with the amendments and renewals, the dates of record in their
order, an organization's search text with its names, an agreement's search document with what it
searches; and the plain status conditions (in force, live) with the status expression."""

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import text
from sqlmodel import Session, col

from app.agreements.models import Agreement, AgreementParty, AgreementSearch, AgreementStatus
from app.agreements.search import search_documents
from app.agreements.status import (
    ENDED,
    IN_FORCE,
    amended_valid_until_from_rows,
    in_force_condition,
    live_condition,
    status_condition,
    status_expression,
    superseded_from_rows,
)
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


def stale_search_documents(session: Session) -> list[Any]:
    """Agreements whose stored search document (or its absence) differs from their rows'."""
    ids = [i for i in session.scalars(sa.select(col(Agreement.id))) if i is not None]
    wanted = search_documents(session, ids)
    stored = dict(
        session.execute(
            sa.select(col(AgreementSearch.agreement_id), col(AgreementSearch.document))
        ).all()
    )
    return [(i, stored.get(i), d) for i, d in wanted.items() if stored.get(i) != d]


def dates_of_record_out_of_order(session: Session) -> list[Any]:
    """Agreements whose dates of record break drafted_on <= finalized_on <= first dated
    signature, or whose finalized_on is set while finalized_at is not (or the reverse)."""
    first_signed = dict(
        session.execute(
            sa.select(col(AgreementParty.agreement_id), sa.func.min(AgreementParty.signed_on))
            .where(col(AgreementParty.signature_recorded_at).is_not(None))
            .group_by(col(AgreementParty.agreement_id))
        ).all()
    )
    rows = session.execute(
        sa.select(
            col(Agreement.id),
            col(Agreement.drafted_on),
            col(Agreement.finalized_on),
            col(Agreement.finalized_at),
        )
    ).all()
    wrong = []
    for agreement_id, drafted, finalized, finalized_at in rows:
        signed = first_signed.get(agreement_id)
        if (
            (finalized is None) != (finalized_at is None)
            or (finalized is not None and drafted > finalized)
            or (signed is not None and max(drafted, finalized or drafted) > signed)
        ):
            wrong.append((agreement_id, drafted, finalized, finalized_at, signed))
    return wrong


# The days the plain status conditions are checked on: before, on and after the tests' day and
# the dates the tests give validity, terminations and renewals.
CONDITION_DAYS = (
    date(2020, 1, 1),
    date(2022, 7, 4),
    date(2025, 12, 31),
    date(2026, 11, 23),
    date(2026, 11, 24),
    date(2027, 6, 30),
    date(2027, 7, 1),
    date(2031, 1, 1),
)


def plain_conditions_disagreeing(session: Session) -> list[Any]:
    """Agreements for which in_force_condition, live_condition or status_condition (plain
    comparisons of the stored facts) says otherwise than the status expression, on any of
    CONDITION_DAYS and on each day one of its own dates falls (the edges of its validity)."""
    edges = [
        col(Agreement.valid_from),
        col(Agreement.effective_valid_until),
        col(Agreement.superseded_from),
        col(Agreement.terminated_on),
        col(Agreement.last_signed_on),
    ]
    days = set(CONDITION_DAYS)
    for row in session.execute(sa.select(*edges)):
        for day in row:
            if day is not None and day.year > 1:
                days |= {day - timedelta(days=1), day, day + timedelta(days=1)}
    rows = session.execute(
        sa.union_all(
            *[
                sa.select(
                    col(Agreement.id),
                    sa.literal(day.isoformat()),
                    status_expression(Agreement, day),
                    in_force_condition(Agreement, day),
                    live_condition(Agreement, day),
                    *[status_condition(Agreement, status, day) for status in AgreementStatus],
                )
                for day in sorted(days)
            ]
        )
    ).all()
    wrong = []
    for agreement_id, day, status, in_force, live, *each in rows:
        expected = (AgreementStatus(status) in IN_FORCE, AgreementStatus(status) not in ENDED)
        met = [s.value for s, holds in zip(AgreementStatus, each, strict=True) if holds]
        if (bool(in_force), bool(live)) != expected or met != [status]:
            wrong.append((agreement_id, day, status, in_force, live, met))
    return wrong


def assert_stored_facts_agree(session: Session) -> None:
    found = disagreements(session)
    assert found == [], f"stored signature facts disagree with the party rows: {found}"
    validity = stale_validity_facts(session)
    assert validity == [], f"stored validity facts disagree with amendments/renewals: {validity}"
    dates = dates_of_record_out_of_order(session)
    assert dates == [], f"dates of record out of order: {dates}"
    stale = stale_search_texts(session)
    assert stale == [], f"organizations' search text disagrees with their names: {stale}"
    documents = stale_search_documents(session)
    assert documents == [], f"search documents disagree with the agreements: {documents}"
    plain = plain_conditions_disagreeing(session)
    assert plain == [], f"plain status conditions disagree with the status expression: {plain}"
