"""A remembered POST: the same Idempotency-Key from the same user gets the same answer."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow


class IdempotencyRecord(SQLModel, table=True):
    """One Idempotency-Key of one user: the request it came with, and the answer it got."""

    __tablename__ = "idempotency_record"
    # Two requests with the same key at the same moment: the database lets one in.
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=200)
    fingerprint: str = Field(max_length=64)
    # Null while the first request is under way.
    status_code: int | None = None
    media_type: str | None = Field(default=None, max_length=100)
    body: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    # While no answer is kept: until when the request running it holds the key (a lease, so a
    # request that died lets go of it), and which attempt holds it. A retry that takes over an
    # expired lease is the next attempt; the earlier one can then save neither its answer nor
    # its write (they are committed together, on condition of still holding the key).
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempt: int = Field(default=1)
