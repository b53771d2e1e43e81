"""Obligations (kewajiban, tindak lanjut): what a party owes under an agreement, and by when."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.schemas import TITLE_MAX
from app.core.types import UTCDateTime, enum_column_type, utcnow


class Recurrence(StrEnum):
    """How often an obligation comes back (e.g. pendampingan secara berkala: quarterly)."""

    none = "none"
    monthly = "monthly"
    quarterly = "quarterly"
    semiannual = "semiannual"
    annual = "annual"


MONTHS = {
    Recurrence.monthly: 1,
    Recurrence.quarterly: 3,
    Recurrence.semiannual: 6,
    Recurrence.annual: 12,
}


class ObligationStatus(StrEnum):
    """Derived from completed_on, waived_at and today; never stored."""

    open = "open"
    overdue = "overdue"
    done = "done"
    waived = "waived"


class Obligation(SQLModel, table=True):
    """One occurrence of something a party owes, due on a date."""

    __tablename__ = "obligation"
    __table_args__ = (
        # The reminder run reads open obligations by due date; done and waived ones (the bulk,
        # over the years) are not in this index, so the run does not grow with them.
        sa.Index(
            "ix_obligation_open_due_on",
            "due_on",
            postgresql_where=sa.text("completed_on IS NULL AND waived_at IS NULL"),
            sqlite_where=sa.text("completed_on IS NULL AND waived_at IS NULL"),
        ),
        sa.CheckConstraint(
            "repeat_until IS NULL OR repeat_until >= due_on", name="repeat_after_due"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="RESTRICT")
    title: str = Field(max_length=TITLE_MAX)
    description: str | None = Field(default=None, sa_type=sa.Text)
    responsible_organization_id: int = Field(
        foreign_key="organization.id", index=True, ondelete="RESTRICT"
    )
    due_on: date
    recurrence: Recurrence = Field(
        default=Recurrence.none, sa_type=enum_column_type(Recurrence, 20)
    )
    repeat_until: date | None = None
    scope_item_id: int | None = Field(
        default=None, foreign_key="scope_item.id", index=True, ondelete="SET NULL"
    )
    # A recurring series keeps its first due date, so month ends stay calendar-correct
    # (31 January, 28/29 February, 31 March ...), and each occurrence its number in the series.
    series_start: date
    occurrence: int = 0
    # The occurrence this one follows; unique, so completing twice cannot open two successors.
    previous_id: int | None = Field(
        default=None, foreign_key="obligation.id", unique=True, ondelete="SET NULL"
    )
    completed_on: date | None = None
    completion_note: str | None = Field(default=None, sa_type=sa.Text)
    waived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    waiver_reason: str | None = Field(default=None, sa_type=sa.Text)
    # Raised by every change; PATCH must carry the version it read (optimistic locking).
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
