"""Request and response bodies for obligations."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from app.core.schemas import Day, Id, LongText, Reason, RequestBody, Title, Version
from app.obligations.models import ObligationStatus, Recurrence


class ObligationCreate(RequestBody):
    """Something a party owes under an agreement (kewajiban / tindak lanjut), due on a date."""

    title: Title
    description: LongText | None = None
    responsible_organization_id: Id = Field(
        description="A party of the agreement, or an organization under one (e.g. an SKPD)."
    )
    due_on: Day
    recurrence: Recurrence = Field(
        default=Recurrence.none,
        description="none, monthly, quarterly, semiannual, annual; completing an occurrence "
        "opens the next one (31 January + 1 month = 28/29 February).",
    )
    repeat_until: Day | None = Field(default=None, description="No occurrence after this day.")
    scope_item_id: Id | None = Field(
        default=None, description="The item of the ruang lingkup this obligation serves."
    )


class ObligationUpdate(RequestBody):
    """Fields to change on an open obligation, with the `version` you read."""

    version: Version
    title: Title | SkipJsonSchema[None] = None
    description: LongText | None = None
    responsible_organization_id: Id | SkipJsonSchema[None] = None
    due_on: Day | SkipJsonSchema[None] = None
    recurrence: Recurrence | SkipJsonSchema[None] = None
    repeat_until: Day | None = None
    scope_item_id: Id | None = None

    @model_validator(mode="before")
    @classmethod
    def _required_fields_not_null(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in ("title", "responsible_organization_id", "due_on", "recurrence", "version"):
                if name in data and data[name] is None:
                    raise ValueError(f"{name} cannot be null")
        return data


class CompleteIn(RequestBody):
    completed_on: Day = Field(description="The day it was done; not in the future.")
    note: LongText | None = None


class WaiveIn(RequestBody):
    reason: Reason


class ObligationPublic(BaseModel):
    """An obligation with its status today."""

    id: int
    agreement_id: int
    agreement_title: str
    title: str
    description: str | None
    responsible_organization_id: int
    responsible_organization_name: str
    due_on: date
    recurrence: Recurrence
    repeat_until: date | None
    scope_item_id: int | None
    status: ObligationStatus
    occurrence: int = Field(description="0 for the first occurrence of a series.")
    previous_id: int | None
    next_id: int | None = Field(description="The occurrence opened when this one was completed.")
    completed_on: date | None
    completion_note: str | None
    waived_at: datetime | None
    waiver_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime


OBLIGATION_EXAMPLES: dict[str, dict[str, Any]] = {
    "training": {
        "summary": "Diskominfo's PKS: the Perwakilan trains its staff, every half-year",
        "value": {
            "title": "Peningkatan kompetensi SDM pengelola pengaduan LAPOR Paman",
            "responsible_organization_id": 2,
            "due_on": "2027-03-31",
            "recurrence": "semiannual",
            "scope_item_id": 51,
        },
    },
    "data": {
        "summary": "Diskominfo sends its complaint data (LAPOR Paman) once",
        "value": {
            "title": "Rekap data pengaduan LAPOR Paman semester II 2026",
            "responsible_organization_id": 12,
            "due_on": "2027-01-15",
        },
    },
}
