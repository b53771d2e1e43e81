"""Writing and reading the history of organizations, obligations and users."""

from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.audit.schemas import AuditEventPublic
from app.core.actor import actor_of
from app.core.masking import mask_secret_fields
from app.core.pagination import paginate


def record_audit(
    session: Session, subject_type: str, subject_id: int, action: str, **details: Any
) -> None:
    """Add a history entry in the caller's transaction, naming who made the change."""
    actor = actor_of(session)
    session.add(
        AuditEvent(
            subject_type=subject_type,
            subject_id=subject_id,
            action=action,
            actor_id=actor.id,
            actor=actor.name,
            details=jsonable_encoder(details),
        )
    )


def list_audit(
    *,
    session: Session,
    subject_type: str,
    subject_id: int,
    limit: int,
    offset: int,
    reveal_secrets: bool = False,
) -> tuple[list[AuditEventPublic], int]:
    """A record's history, newest first; secrets in it (a webhook URL's credentials) masked
    unless `reveal_secrets` (admins)."""
    events, total = paginate(
        session,
        select(AuditEvent)
        .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc()),
        limit=limit,
        offset=offset,
    )
    public = [AuditEventPublic.model_validate(e, from_attributes=True) for e in events]
    if not reveal_secrets:
        for event in public:
            event.details = mask_secret_fields(event.details)
    return public, total
