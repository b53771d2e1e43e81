"""Reminders: one per (deadline, reminder point, organization), delivered through an outbox."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.schemas import TITLE_MAX
from app.core.types import UTCDateTime, enum_column_type, utcnow


class DeadlineType(StrEnum):
    obligation_due = "obligation_due"  # an obligation's due date
    agreement_expiry = "agreement_expiry"  # the valid_until of an agreement in force
    pks_due = "pks_due"  # an NK's date by which its PKS should be signed
    planned_signing = "planned_signing"  # the planned signing day of an agreement not yet signed
    evaluation_due = "evaluation_due"  # the yearly evaluation (monev) of an agreement in force
    stage_due = "stage_due"  # the time limit of the stage (tahap) a tracked agreement is in


class ReminderStatus(StrEnum):
    pending = "pending"  # recorded, not yet delivered
    delivered = "delivered"  # every channel of its organization took it
    failed = "failed"  # a channel failed; retried on later runs with back-off
    undeliverable = "undeliverable"  # its organization has no channel (no webhook, no e-mail)


class Reminder(SQLModel, table=True):
    """A reminder that a deadline reached a reminder point, for one organization."""

    __tablename__ = "reminder"
    __table_args__ = (
        # Exactly once: the database refuses a second reminder for the same deadline, point and
        # organization, whatever number of runs or replicas try at the same moment.
        sa.UniqueConstraint("deadline_key", "point", "organization_id"),
        sa.Index(
            "ix_reminder_undelivered",
            "next_attempt_at",
            postgresql_where=sa.text("status <> 'delivered'"),
            sqlite_where=sa.text("status <> 'delivered'"),
        ),
        # Room in each page for the claim a run writes right after recording (PostgreSQL): a
        # heap-only update, no index touched (migration b5d2e8f7a9c1).
        {"postgresql_with": {"fillfactor": 50}},
    )

    id: int | None = Field(default=None, primary_key=True)
    # e.g. "obligation:12:2026-12-31", "expiry:7:2026-10-27", "pks_due:1:2022-04-28"
    deadline_key: str = Field(max_length=100)
    # e.g. "before_30", "before_7", "before_1", "due", "overdue_7", "overdue_14"
    point: str = Field(max_length=20)
    deadline_type: DeadlineType = Field(sa_type=enum_column_type(DeadlineType, 20))
    due_on: date
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="CASCADE")
    obligation_id: int | None = Field(
        default=None, foreign_key="obligation.id", index=True, ondelete="CASCADE"
    )
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=TITLE_MAX)
    # Sent as the Idempotency-Key header, so a receiver can drop a retry it already took.
    idempotency_key: str = Field(max_length=64, unique=True)
    status: ReminderStatus = Field(
        default=ReminderStatus.pending, sa_type=enum_column_type(ReminderStatus, 20), index=True
    )
    webhook_delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    email_delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # A run that is delivering it holds it until then, so two runs never send it twice.
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
