"""Starting a change to an agreement: optimistic versions, and row locks against races."""

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.agreements.errors import AgreementNotFound
from app.agreements.models import Agreement
from app.core.errors import Conflict
from app.core.types import utcnow


def claim_agreement(
    session: Session, *, agreement_id: int, expected_version: int | None = None
) -> Agreement:
    """Start a change: raise the version (checking the one the client read) and lock the row.

    The conditional UPDATE is the optimistic lock, and on PostgreSQL it holds the row until commit,
    so the rule checks that follow cannot race with another change to the same agreement.
    """
    statement = (
        sa.update(Agreement)
        .where(col(Agreement.id) == agreement_id)
        .values(version=col(Agreement.version) + 1, updated_at=utcnow())
    )
    if expected_version is not None:
        statement = statement.where(col(Agreement.version) == expected_version)
    result = session.execute(statement)
    if result.rowcount == 0:  # type: ignore[attr-defined]
        current = session.exec(
            select(Agreement.version).where(Agreement.id == agreement_id)
        ).first()
        if current is None:
            raise AgreementNotFound(agreement_id)
        raise Conflict(
            f"Agreement {agreement_id} was changed by someone else: you sent version "
            f"{expected_version}, the current version is {current}. Reload it and apply your "
            "change again.",
            type_slug="stale-version",
            current_version=current,
        )
    agreement = session.get(Agreement, agreement_id, populate_existing=True)
    assert agreement is not None
    return agreement


def lock_agreement(session: Session, agreement_id: int) -> None:
    """Hold an agreement's row until commit without changing it (an NK while PKS are added
    under it). SQLite needs nothing: every write transaction there starts with BEGIN IMMEDIATE."""
    session.execute(
        sa.select(col(Agreement.id)).where(col(Agreement.id) == agreement_id).with_for_update()
    )
