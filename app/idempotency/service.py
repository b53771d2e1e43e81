"""Claiming an Idempotency-Key and remembering the answer, exactly once across replicas.

A claim is a lease: the request that runs holds the key until `locked_until`, as attempt
`attempt`. Its answer is kept in the same transaction as its write, on condition that it still
holds the key (remember); a request that died (a crash, a lost database) therefore left neither,
and once its lease has run out a retry takes the key over as the next attempt and runs again."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from app.idempotency.models import IdempotencyRecord


@dataclass(frozen=True)
class Claim:
    """What to do with a request: run it (new), replay an answer, or refuse it."""

    outcome: str  # "new", "replay", "mismatch", "in_progress"
    record_id: int | None = None
    status_code: int | None = None
    media_type: str | None = None
    body: str | None = None
    attempt: int = 1


def claim(
    session: Session,
    *,
    user_id: int,
    key: str,
    fingerprint: str,
    now: datetime,
    ttl: timedelta,
    lease: timedelta,
) -> Claim:
    """Take the key for this request (a new one, or one whose request died: its lease ran out),
    or say why not; committed at once, so the request runs with no transaction held."""
    mine = (col(IdempotencyRecord.user_id) == user_id) & (col(IdempotencyRecord.key) == key)
    # A few rounds: between our failed insert and our read, the holder may let go of the key
    # (its attempt failed and forgot it); then the key is free again and the next round takes it.
    for _ in range(3):
        outcome = _claim_once(
            session,
            mine=mine,
            user_id=user_id,
            key=key,
            fingerprint=fingerprint,
            now=now,
            ttl=ttl,
            lease=lease,
        )
        if outcome is not None:
            return outcome
    return Claim("in_progress")


def _claim_once(
    session: Session,
    *,
    mine: sa.ColumnElement[bool],
    user_id: int,
    key: str,
    fingerprint: str,
    now: datetime,
    ttl: timedelta,
    lease: timedelta,
) -> Claim | None:
    session.execute(
        sa.delete(IdempotencyRecord).where(mine, col(IdempotencyRecord.expires_at) < now)
    )
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    new_id = session.execute(
        insert(IdempotencyRecord)
        .values(
            user_id=user_id,
            key=key,
            fingerprint=fingerprint,
            created_at=now,
            expires_at=now + ttl,
            locked_until=now + lease,
            attempt=1,
        )
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(col(IdempotencyRecord.id))
    ).scalar_one_or_none()
    if new_id is not None:
        session.commit()
        return Claim("new", record_id=new_id)
    # The same request again after its first run died: the next attempt takes the key over.
    taken = session.execute(
        sa.update(IdempotencyRecord)
        .where(
            mine,
            col(IdempotencyRecord.fingerprint) == fingerprint,
            col(IdempotencyRecord.status_code).is_(None),
            # A claim made before leases existed holds nothing.
            col(IdempotencyRecord.locked_until).is_(None)
            | (col(IdempotencyRecord.locked_until) <= now),
        )
        .values(locked_until=now + lease, attempt=col(IdempotencyRecord.attempt) + 1)
        .returning(col(IdempotencyRecord.id), col(IdempotencyRecord.attempt))
    ).first()
    if taken is not None:
        session.commit()
        return Claim("new", record_id=taken[0], attempt=taken[1])
    # Plain values, not an entity: a row read now and removed by its holder before we look at
    # it must not be refreshed after the commit (that was a 500).
    found = session.execute(
        sa.select(
            col(IdempotencyRecord.id),
            col(IdempotencyRecord.fingerprint),
            col(IdempotencyRecord.status_code),
            col(IdempotencyRecord.media_type),
            col(IdempotencyRecord.body),
        ).where(mine)
    ).first()
    session.commit()
    if found is None:
        return None  # let go of meanwhile: try again
    record_id, found_fingerprint, status_code, media_type, answer = found
    if found_fingerprint != fingerprint:
        return Claim("mismatch")
    if status_code is None:
        return Claim("in_progress")
    return Claim("replay", record_id, status_code, media_type, answer)


def remember(
    session: Session | sa.Connection,
    *,
    record_id: int,
    attempt: int,
    status_code: int,
    media_type: str | None,
    body: str,
) -> bool:
    """Keep the answer this attempt got, in the caller's transaction (the one of its write);
    False if the key is no longer this attempt's (its lease ran out and a retry took over):
    then the caller rolls back its write too."""
    kept = session.execute(
        sa.update(IdempotencyRecord)
        .where(
            col(IdempotencyRecord.id) == record_id,
            col(IdempotencyRecord.attempt) == attempt,
            col(IdempotencyRecord.status_code).is_(None),
        )
        .values(status_code=status_code, media_type=media_type, body=body, locked_until=None)
    )
    return bool(kept.rowcount)  # type: ignore[attr-defined]


def forget(session: Session, *, record_id: int, attempt: int) -> None:
    """The attempt failed on our side (nothing of it was committed): a retry with the same key
    may run again at once."""
    session.execute(
        sa.delete(IdempotencyRecord).where(
            col(IdempotencyRecord.id) == record_id,
            col(IdempotencyRecord.attempt) == attempt,
            col(IdempotencyRecord.status_code).is_(None),
        )
    )
    session.commit()
