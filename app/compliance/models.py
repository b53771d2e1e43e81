"""The yearly compliance assessment of an organization (penilaian kepatuhan)."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.schemas import SHORT_MAX, URL_MAX
from app.core.types import UTCDateTime, enum_column_type, utcnow


class Zone(StrEnum):
    """The zone of a compliance result: green (zona hijau, kepatuhan tinggi), yellow (zona
    kuning, kepatuhan sedang), red (zona merah, kepatuhan rendah)."""

    green = "green"
    yellow = "yellow"
    red = "red"


class ComplianceAssessment(SQLModel, table=True):
    """One organization's result in one year's assessment, as published."""

    __tablename__ = "compliance_assessment"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "year", name="uq_compliance_assessment_year"),
        sa.CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="RESTRICT")
    year: int
    # 0-100 where the result gives one (Pemprov Kalteng 2023: 86.6); often only the zone is known.
    score: float | None = None
    zone: Zone = Field(sa_type=enum_column_type(Zone, 10))
    # The result's own words, e.g. "kepatuhan tertinggi" or "Opini Kualitas Tinggi".
    category: str | None = Field(default=None, max_length=SHORT_MAX)
    # Where the result was published (an article, a report, a URL).
    source: str = Field(max_length=URL_MAX)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
