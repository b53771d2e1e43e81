"""An implementation report (realisasi kegiatan), the ruang lingkup items it implements, and its
evidence documents."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.schemas import NAME_MAX, TITLE_MAX
from app.core.types import UTCDateTime, enum_column_type, utcnow
from app.documents.models import keeps_stored_files


class Verification(StrEnum):
    """Where a report stands with the other party."""

    pending = "pending"  # reported, not yet judged
    verified = "verified"  # another party confirms it was done
    rejected = "rejected"  # another party says it was not (as reported): it does not count


class Activity(SQLModel, table=True):
    """One activity carried out under an agreement, on a day or over a period."""

    __tablename__ = "activity"
    __table_args__ = (sa.CheckConstraint("held_to >= held_from", name="held_in_order"),)

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="RESTRICT")
    # The reporting party.
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="RESTRICT")
    title: str = Field(max_length=TITLE_MAX)
    held_from: date = Field(index=True)
    held_to: date
    description: str = Field(sa_type=sa.Text)
    participants: str | None = Field(default=None, sa_type=sa.Text)
    # The obligation occurrence it fulfils; unique, so one occurrence is fulfilled by one
    # report (a rejected report lets go of it).
    obligation_id: int | None = Field(
        default=None, foreign_key="obligation.id", unique=True, ondelete="RESTRICT"
    )
    verification: Verification = Field(
        default=Verification.pending, sa_type=enum_column_type(Verification, 10), index=True
    )
    verdict_note: str | None = Field(default=None, sa_type=sa.Text)
    verdict_by: str | None = Field(default=None, max_length=NAME_MAX)
    verdict_organization_id: int | None = Field(
        default=None, foreign_key="organization.id", ondelete="RESTRICT"
    )
    verdict_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ActivityScopeItem(SQLModel, table=True):
    """A ruang lingkup item an activity implements."""

    __tablename__ = "activity_scope_item"

    activity_id: int = Field(foreign_key="activity.id", primary_key=True, ondelete="CASCADE")
    scope_item_id: int = Field(
        foreign_key="scope_item.id", primary_key=True, index=True, ondelete="RESTRICT"
    )


@keeps_stored_files
class ActivityDocument(SQLModel, table=True):
    """Evidence of an activity (minutes, attendance list, photos), kept like signed documents."""

    __tablename__ = "activity_document"
    __table_args__ = (sa.UniqueConstraint("activity_id", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True, ondelete="RESTRICT")
    filename: str = Field(max_length=300)
    content_type: str = Field(max_length=100)
    size_bytes: int = Field(sa_type=sa.BigInteger)
    sha256: str = Field(max_length=64, index=True)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
