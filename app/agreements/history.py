"""An agreement's history: one event per change, written in the change's own transaction."""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.agreements.models import AgreementEvent
from app.agreements.schemas import EventPublic
from app.core.pagination import paginate
from app.core.types import utcnow


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def record(session: Session, agreement_id: int, action: str, **details: Any) -> None:
    """Add a history event to the session; the caller's commit writes it with the change."""
    session.add(AgreementEvent(agreement_id=agreement_id, action=action, details=_plain(details)))


def record_many(session: Session, agreement_ids: list[int], action: str, **details: Any) -> None:
    """The same event for many agreements, in one batched INSERT."""
    if not agreement_ids:
        return
    plain = _plain(details)
    at = utcnow()
    session.execute(
        sa.insert(AgreementEvent),
        [
            {"agreement_id": agreement_id, "action": action, "details": plain, "at": at}
            for agreement_id in agreement_ids
        ],
    )


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields whose values differ, each with its old and new value."""
    return {
        key: {"old": _plain(before.get(key)), "new": _plain(value)}
        for key, value in after.items()
        if before.get(key) != value
    }


def list_events(
    *, session: Session, agreement_id: int, limit: int, offset: int
) -> tuple[list[EventPublic], int]:
    """An agreement's history, newest first."""
    events, total = paginate(
        session,
        select(AgreementEvent)
        .where(AgreementEvent.agreement_id == agreement_id)
        .order_by(col(AgreementEvent.at).desc(), col(AgreementEvent.id).desc()),
        limit=limit,
        offset=offset,
    )
    return [EventPublic.model_validate(e, from_attributes=True) for e in events], total
