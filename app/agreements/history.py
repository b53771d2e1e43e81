"""An agreement's history: one event per change, written in the change's own transaction."""

from datetime import date, datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.agreements.models import AgreementEvent
from app.agreements.schemas import EventPublic
from app.core.actor import actor_of
from app.core.db import read_param
from app.core.pagination import PAGE_LIMIT, PAGE_OFFSET, paginate_prebuilt
from app.core.types import utcnow


def plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def record(session: Session, agreement_id: int, action: str, **details: Any) -> None:
    """Add a history event to the session; the caller's commit writes it with the change."""
    actor = actor_of(session)
    session.add(
        AgreementEvent(
            agreement_id=agreement_id,
            action=action,
            actor_id=actor.id,
            actor=actor.name,
            details=plain(details),
        )
    )


def record_many(session: Session, agreement_ids: list[int], action: str, **details: Any) -> None:
    """The same event for many agreements, in one batched INSERT."""
    if not agreement_ids:
        return
    values = plain(details)
    actor = actor_of(session)
    at = utcnow()
    session.execute(
        sa.insert(AgreementEvent),
        [
            {
                "agreement_id": agreement_id,
                "action": action,
                "details": values,
                "at": at,
                "actor_id": actor.id,
                "actor": actor.name,
            }
            for agreement_id in agreement_ids
        ],
    )


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields whose values differ, each with its old and new value."""
    return {
        key: {"old": plain(before.get(key)), "new": plain(value)}
        for key, value in after.items()
        if before.get(key) != value
    }


def list_events(
    *, session: Session, agreement_id: int, limit: int, offset: int
) -> tuple[list[EventPublic], int]:
    """An agreement's history, newest first."""
    matching, page = _event_statements()
    events, total = paginate_prebuilt(
        session,
        page,
        {"read_agreement_id": agreement_id},
        limit=limit,
        offset=offset,
        counted=matching,
        scalars=True,
    )
    return [EventPublic.model_validate(e, from_attributes=True) for e in events], total


@lru_cache(maxsize=1)
def _event_statements() -> tuple[Any, Any]:
    """An agreement's events (`read_agreement_id`), and a page of them newest first: built once."""
    matching = select(AgreementEvent).where(
        AgreementEvent.agreement_id == read_param("agreement_id")
    )
    page = (
        matching.order_by(col(AgreementEvent.at).desc(), col(AgreementEvent.id).desc())
        .limit(sa.bindparam(PAGE_LIMIT))
        .offset(sa.bindparam(PAGE_OFFSET))
    )
    return matching, page
