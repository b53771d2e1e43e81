"""The stages an agreement goes through before and up to its signature, and where each is.

Peraturan Ombudsman RI 55/2022: penjajakan → perundingan → penyusunan rancangan naskah →
penandatanganan; the registry keeps its own finalisasi draft between the last two. Admins
configure each stage (name, whether it is used, the time allowed and the documents required per
kind of agreement); the last two are the agreement's lifecycle (app/agreements/lifecycle.py):
they are left by finalisasi and by the last signature, not by "advance".
"""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.schemas import NAME_MAX
from app.core.types import UTCDateTime, utcnow

# The codes of the two stages that are the agreement's own lifecycle.
FINALISASI = "finalisasi"
PENANDATANGANAN = "penandatanganan"
LIFECYCLE_STAGES = (FINALISASI, PENANDATANGANAN)
CODE_MAX = 40


class StageDefinition(SQLModel, table=True):
    """One stage (tahap) as the admins configured it."""

    __tablename__ = "stage_definition"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=CODE_MAX, unique=True)
    name: str = Field(max_length=NAME_MAX)
    position: int = Field(unique=True)
    # False: a stage before the draft that this registry skips; the lifecycle stages are always on.
    enabled: bool = Field(default=True)
    # Days allowed in the stage per kind ({"nk": 30, "pks": 45, "amendment": 21}); a kind left
    # out has no time limit.
    days: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    # A warning this many days before the time is up (the stage shows "segera berakhir", and the
    # reminder run sends that point).
    warn_days_before: int = Field(default=2)
    # The document types (app/documents/models.py DocumentType) the stage cannot be left without,
    # per kind: {"nk": ["application_letter", ...], "pks": [...]}.
    required_documents: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AgreementStage(SQLModel, table=True):
    """Where an agreement that goes through the stages is, before its finalisasi.

    An agreement without a row is past the stages, or never went through them (every
    agreement recorded before the stages existed, and records entered after the fact): nothing
    is asked of it. After finalisasi the stage is penandatanganan, read from the agreement's
    status; the row keeps `finalisasi` then.
    """

    __tablename__ = "agreement_stage"

    agreement_id: int = Field(foreign_key="agreement.id", primary_key=True, ondelete="CASCADE")
    stage_code: str = Field(
        max_length=CODE_MAX, foreign_key="stage_definition.code", index=True, ondelete="RESTRICT"
    )
    entered_on: date
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
