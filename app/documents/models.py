"""Signed documents attached to agreements; the bytes live outside the database."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow


class AgreementDocument(SQLModel, table=True):
    """A signed document (scan, PDF or image) kept outside the database, by its SHA-256."""

    __tablename__ = "agreement_document"
    # The same file is attached to an agreement once, whoever uploads it at the same moment.
    __table_args__ = (sa.UniqueConstraint("agreement_id", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="RESTRICT")
    filename: str = Field(max_length=300)
    content_type: str = Field(max_length=100)
    size_bytes: int = Field(sa_type=sa.BigInteger)
    sha256: str = Field(max_length=64, index=True)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
