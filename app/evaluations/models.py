"""An evaluation (monev) of an agreement for a year or a half-year."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, enum_column_type, utcnow


class Recommendation(StrEnum):
    """What the evaluation recommends for the agreement."""

    continue_ = "continue"  # dilanjutkan as it is
    extend = "extend"  # diperpanjang when it lapses
    revise = "revise"  # direvisi (an adendum)
    stop = "stop"  # dihentikan


class Evaluation(SQLModel, table=True):
    """One agreement's evaluation for one period: a year ("2023") or a half-year ("2023-H1")."""

    __tablename__ = "evaluation"
    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "period", name="uq_evaluation_period"),
        sa.CheckConstraint("score BETWEEN 1 AND 4", name="score_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="RESTRICT")
    period: str = Field(max_length=7)
    year: int = Field(index=True)  # the period's year, for the yearly deadline
    score: int
    findings: str = Field(sa_type=sa.Text)
    obstacles: str | None = Field(default=None, sa_type=sa.Text)  # kendala
    follow_up: str | None = Field(default=None, sa_type=sa.Text)  # tindak lanjut
    recommendation: Recommendation = Field(sa_type=enum_column_type(Recommendation, 10))
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
