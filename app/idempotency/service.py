"""Claiming an Idempotency-Key and remembering the answer, exactly once across replicas."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.idempotency.models import IdempotencyRecord


@dataclass(frozen=True)
class Claim:
    """What to do with a request: run it (new), replay an answer, or refuse it."""

    outcome: str  # "new", "replay", "mismatch", "in_progress"
    record_id: int | None = None
    status_code: int | None = None
    media_type: str | None = None
    body: str | None = None


def claim(
    session: Session, *, user_id: int, key: str, fingerprint: str, now: datetime, ttl: timedelta
) -> Claim:
    """Take the key for this request, or say why not; committed at once, so the request runs
    with no transaction held."""
    session.execute(
        sa.delete(IdempotencyRecord).where(
            col(IdempotencyRecord.user_id) == user_id,
            col(IdempotencyRecord.key) == key,
            col(IdempotencyRecord.expires_at) < now,
        )
    )
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    new_id = session.execute(
        insert(IdempotencyRecord)
        .values(
            user_id=user_id, key=key, fingerprint=fingerprint, created_at=now, expires_at=now + ttl
        )
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(col(IdempotencyRecord.id))
    ).scalar_one_or_none()
    if new_id is not None:
        session.commit()
        return Claim("new", record_id=new_id)
    found = session.exec(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
        )
    ).one()
    session.commit()
    if found.fingerprint != fingerprint:
        return Claim("mismatch")
    if found.status_code is None:
        return Claim("in_progress")
    return Claim("replay", found.id, found.status_code, found.media_type, found.body)


def remember(
    session: Session, *, record_id: int, status_code: int, media_type: str | None, body: str
) -> None:
    """Keep the answer the first request got."""
    session.execute(
        sa.update(IdempotencyRecord)
        .where(col(IdempotencyRecord.id) == record_id)
        .values(status_code=status_code, media_type=media_type, body=body)
    )
    session.commit()


def forget(session: Session, *, record_id: int) -> None:
    """The first request failed on our side: a retry with the same key may run again."""
    session.execute(sa.delete(IdempotencyRecord).where(col(IdempotencyRecord.id) == record_id))
    session.commit()
