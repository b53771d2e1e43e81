"""Who changed what: the history of organizations, obligations and users."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.schemas import NAME_MAX
from app.core.types import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    """One change to an organization, an obligation or a user, and who made it."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_subject", "subject_type", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    subject_type: str = Field(max_length=20)
    subject_id: int
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    action: str = Field(max_length=40)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    actor: str | None = Field(default=None, max_length=NAME_MAX)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
