"""Bodies of the stages (tahapan) and of an agreement's place in them."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict

from app.agreements.models import AgreementKind
from app.core.schemas import Day, Flag, LongText, Name, Reason, RequestBody, json_integer
from app.documents.models import DocumentType

MAX_DAYS = 3660  # ten years: longer is a typing slip
DaysAllowed = Annotated[int, Strict(), Field(ge=1, le=MAX_DAYS), BeforeValidator(json_integer)]
DocumentTypes = Annotated[list[DocumentType], Field(max_length=20)]
WarnDays = Annotated[int, Strict(), Field(ge=0, le=MAX_DAYS), BeforeValidator(json_integer)]


class StageTiming(StrEnum):
    """How an agreement stands against its stage's time limit."""

    on_time = "on_time"  # dalam batas waktu
    warning = "warning"  # batas waktu segera tiba (warn_days_before or fewer days left)
    overdue = "overdue"  # melewati batas waktu
    no_limit = "no_limit"  # the stage has no time limit for this kind


class StageDefinitionPublic(BaseModel):
    """A stage as configured."""

    model_config = ConfigDict(from_attributes=True)

    code: str = Field(description="Stable code, e.g. `penjajakan`.")
    name: str = Field(description="Name shown to staff (Bahasa Indonesia), e.g. 'Penjajakan'.")
    position: int
    enabled: bool = Field(description="False: a stage before the draft this registry skips.")
    lifecycle: bool = Field(
        description="True for finalisasi and penandatanganan: left by finalisasi draft and by "
        "the last signature, not by `advance`; they cannot be switched off."
    )
    days: dict[AgreementKind, int] = Field(
        description="Days allowed in the stage per kind (batas waktu); a kind not listed has no "
        "limit."
    )
    warn_days_before: int = Field(description="A warning this many days before the limit.")
    required_documents: dict[AgreementKind, list[DocumentType]] = Field(
        description="Document types required before the stage may be left, per kind. "
        "`power_of_attorney` (surat kuasa) is asked only of an agreement one of whose parties "
        "signs on a `signing_authority` (a Kepala Dinas signing a PKS for the Gubernur)."
    )
    updated_at: datetime


class StageDefinitionUpdate(RequestBody):
    """What an admin changes of a stage; fields left out stay as they are."""

    name: Name | None = None
    enabled: Flag | None = None
    days: dict[AgreementKind, DaysAllowed] | None = Field(
        default=None, description="Replaces the time limits; a kind left out gets no limit."
    )
    warn_days_before: WarnDays | None = None
    required_documents: dict[AgreementKind, DocumentTypes] | None = Field(
        default=None,
        max_length=3,
        description="Replaces the required document types; a kind left out requires none.",
    )


STAGE_UPDATE_EXAMPLES: dict[str, Any] = {
    "longer_for_pks": {
        "summary": "Give a PKS 60 days in penjajakan (NK 30, adendum 21)",
        "value": {"days": {"nk": 30, "pks": 60, "amendment": 21}},
    },
    "require_kak_for_pks": {
        "summary": "Ask a PKS for its KAK too before leaving penjajakan",
        "value": {
            "required_documents": {
                "nk": ["application_letter", "terms_of_reference", "profile", "legal_standing"],
                "pks": ["application_letter", "terms_of_reference"],
                "amendment": ["application_letter"],
            }
        },
    },
}


class StageRef(BaseModel):
    code: str
    name: str


class RequiredDocument(BaseModel):
    """One document type the current stage asks for, and whether the agreement has it."""

    document_type: DocumentType
    present: bool
    document_ids: list[int] = Field(description="The agreement's documents of this type.")


class StageStep(BaseModel):
    """One enabled stage in order, and whether the agreement is past it, in it or before it."""

    code: str
    name: str
    state: str = Field(description="`done`, `current` or `ahead`.")


class AgreementStagePublic(BaseModel):
    """Where an agreement stands in the stages (tahapan) before and up to its signature."""

    agreement_id: int
    tracked: bool = Field(
        description="False: the agreement does not go through the stages (recorded after the "
        "fact, or before the stages existed); nothing is asked of it."
    )
    stage: StageRef | None = Field(
        description="The current stage; null when not tracked or past penandatanganan."
    )
    entered_on: date | None = Field(description="The day the agreement entered the stage.")
    due_on: date | None = Field(description="The stage's time limit (batas waktu), if any.")
    days_left: int | None = Field(description="Days until due_on; negative when overdue.")
    timing: StageTiming | None
    required_documents: list[RequiredDocument]
    missing: list[DocumentType] = Field(description="Required document types not yet attached.")
    may_advance: bool = Field(
        description="Whether `advance` applies: a stage before the draft, nothing missing."
    )
    steps: list[StageStep]


class StageStartIn(RequestBody):
    """Put a draft at the first stage."""

    started_on: Day | None = Field(
        default=None, description="The day the penjajakan began (default today; not later)."
    )


class StageAdvanceIn(RequestBody):
    """Leave the current stage for the next one."""

    note: LongText | None = Field(default=None, description="A note for the history.")


class StageReturnIn(RequestBody):
    """Go back to the previous stage, saying why."""

    reason: Reason = Field(description="Why the agreement goes back (alasan).")
