"""Starting a change to an agreement: optimistic versions, and row locks against races."""

import sqlalchemy as sa
from sqlmodel import Session, col

from app.agreements.errors import AgreementNotFound
from app.agreements.models import Agreement
from app.core.locking import claim_version


def claim_agreement(
    session: Session, *, agreement_id: int, expected_version: int | None = None
) -> Agreement:
    """Start a change: raise the version (checking the one the client read) and lock the row."""
    claim_version(
        session,
        Agreement,
        agreement_id,
        expected_version,
        "Agreement",
        not_found=AgreementNotFound(agreement_id),
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
