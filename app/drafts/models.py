"""Draft templates (a DOCX per kind of agreement) and the final text kept at finalisasi."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.agreements.models import AgreementKind
from app.core.types import UTCDateTime, enum_column_type, utcnow


class DraftTemplate(SQLModel, table=True):
    """The DOCX template an admin uploaded for one kind (NK, PKS, adendum); at most one per
    kind. A kind without one uses the default built in code (app/drafts/defaults.py)."""

    __tablename__ = "draft_template"

    id: int | None = Field(default=None, primary_key=True)
    kind: AgreementKind = Field(sa_type=enum_column_type(AgreementKind, 10), unique=True)
    filename: str = Field(max_length=300)
    sha256: str = Field(max_length=64)
    size_bytes: int
    content: bytes = Field(sa_type=sa.LargeBinary)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    uploaded_by_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")


class FinalDraft(SQLModel, table=True):
    """The draft as rendered at finalisasi (the final text), kept byte for byte with its
    SHA-256, so that a signed scan can later be compared with what was agreed. A reopened and
    finalised again agreement gets a new one; the newest is the one in force."""

    __tablename__ = "final_draft"

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="CASCADE")
    sha256: str = Field(max_length=64)
    size_bytes: int
    content: bytes = Field(sa_type=sa.LargeBinary)
    # Which template rendered it: the uploaded one's SHA-256, or null for the default.
    template_sha256: str | None = Field(default=None, max_length=64)
    rendered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
