"""Request and response bodies of implementation reports (realisasi kegiatan)."""

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.activities.models import Verification
from app.core.schemas import Day, Id, LongText, Reason, RequestBody, Title, rule_error
from app.documents.schemas import DocumentFields

MAX_SCOPE_ITEMS = 50


class ActivityCreate(RequestBody):
    """What was carried out under the agreement, when, by which party, for which ruang lingkup
    items (and, where it is one, which obligation occurrence it fulfils)."""

    title: Title
    held_on: Day | None = Field(
        default=None, description="The day it was held; or give held_from and held_to."
    )
    held_from: Day | None = Field(default=None, description="First day of a longer activity.")
    held_to: Day | None = Field(default=None, description="Last day of a longer activity.")
    description: Reason = Field(description="What was done, and what came of it.")
    scope_item_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_SCOPE_ITEMS)] = Field(
        description="The ruang lingkup items of the agreement it implements (ids from the "
        "agreement's scope_items, amendments in effect on the last day included)."
    )
    organization_id: Id = Field(
        description="The reporting party: a party of the agreement that you edit for."
    )
    participants: LongText | None = Field(
        default=None, description="Who took part (peserta), as free text."
    )
    obligation_id: Id | None = Field(
        default=None,
        description="The open obligation occurrence of the reporting party that it fulfils: "
        "reporting it completes that occurrence (on the last day held) and opens the next of a "
        "recurring series. Its ruang lingkup item is added to scope_item_ids.",
    )

    @model_validator(mode="after")
    def _one_way_of_dating(self) -> Self:
        if self.held_on is not None:
            if self.held_from is not None or self.held_to is not None:
                raise rule_error(
                    "activity-dates", "give held_on, or held_from and held_to, not both"
                )
        elif self.held_from is None or self.held_to is None:
            raise rule_error("activity-dates", "give held_on, or both held_from and held_to")
        elif self.held_to < self.held_from:
            raise rule_error("activity-dates", "held_to must not be before held_from")
        return self

    @property
    def period(self) -> tuple[date, date]:
        if self.held_on is not None:
            return self.held_on, self.held_on
        assert self.held_from is not None and self.held_to is not None
        return self.held_from, self.held_to


class VerdictIn(RequestBody):
    """Another party's judgement of a report."""

    verdict: Literal[Verification.verified, Verification.rejected] = Field(
        description="`verified` (it was done as reported) or `rejected` (it was not: it does "
        "not count as implemented, and an obligation it fulfilled opens again)."
    )
    note: LongText | None = Field(
        default=None, description="Why; required when rejecting, so the reporter knows what to add."
    )

    @model_validator(mode="after")
    def _judged(self) -> Self:
        if self.verdict == Verification.rejected and not self.note:
            raise rule_error(
                "rejection-needs-note", "a rejection needs a note saying what is missing"
            )
        return self


class ActivityDocumentPublic(DocumentFields):
    """Evidence attached to an activity."""

    activity_id: int


class ActivityPublic(BaseModel):
    """A reported activity, where it stands, and its evidence."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    agreement_id: int
    organization_id: int
    organization_name: str
    title: str
    held_from: date
    held_to: date
    description: str
    participants: str | None
    scope_item_ids: list[int]
    obligation_id: int | None = Field(
        description="The occurrence it fulfils; null if none, or once a rejection let go of it."
    )
    verification: Verification
    verdict_note: str | None
    verdict_by: str | None = Field(description="The user who gave the verdict.")
    verdict_organization_id: int | None = Field(description="The party they judged for.")
    verdict_at: datetime | None
    documents: list[ActivityDocumentPublic]
    version: int
    created_at: datetime
    updated_at: datetime


ACTIVITY_EXAMPLES: dict[str, dict[str, Any]] = {
    "sosialisasi": {
        "summary": "Diskominfo Kalsel (12) reports under its PKS (10): item 50, data exchange",
        "value": {
            "title": "Sosialisasi standar pelayanan publik",
            "held_on": "2026-10-15",
            "description": "Sosialisasi standar pelayanan kepada 40 petugas layanan, "
            "bersama Ombudsman RI Perwakilan Kalimantan Selatan.",
            "scope_item_ids": [50],
            "organization_id": 12,
            "participants": "40 petugas layanan Diskominfo; 2 asisten Ombudsman",
        },
    },
    "two_days": {
        "summary": "A two-day training (item 51, kompetensi SDM), given as a period",
        "value": {
            "title": "Pelatihan pengelolaan pengaduan",
            "held_from": "2026-09-01",
            "held_to": "2026-09-02",
            "description": "Pelatihan pengelolaan pengaduan bagi pejabat penghubung.",
            "scope_item_ids": [51],
            "organization_id": 12,
        },
    },
}
VERDICT_EXAMPLES: dict[str, dict[str, Any]] = {
    "verified": {
        "summary": "The Perwakilan confirms it",
        "value": {"verdict": "verified", "note": "Daftar hadir dan notulen sesuai."},
    },
    "rejected": {
        "summary": "The Perwakilan rejects it, saying what is missing",
        "value": {"verdict": "rejected", "note": "Lampirkan daftar hadir dan notulen."},
    },
}
