"""Bodies for deadlines and reminders."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.agreements.models import AgreementKind
from app.core.schemas import Day, RequestBody
from app.reminders.models import DeadlineType, ReminderStatus


class OrganizationRef(BaseModel):
    id: int
    name: str


class AgreementRef(BaseModel):
    id: int
    title: str
    kind: AgreementKind


class DeadlinePublic(BaseModel):
    """One deadline: an obligation's due date, an agreement's expiry, or an NK's pks_due_on."""

    key: str = Field(description="Stable identity of this deadline (also the calendar UID).")
    type: DeadlineType
    due_on: date
    title: str
    overdue: bool
    non_working_day: str | None = Field(
        description="Weekend or Indonesian public holiday on the due date, if so: move it?"
    )
    agreement: AgreementRef
    obligation_id: int | None
    organizations: list[OrganizationRef]


class RunIn(RequestBody):
    as_of: Day | None = Field(default=None, description="The day to run for; default today.")


class RunResult(BaseModel):
    """What one run did."""

    as_of: date
    created: int = Field(description="Reminders recorded by this run (each exactly once).")
    delivered: int
    failed: int = Field(description="Kept, with the error; retried on later runs with back-off.")
    undeliverable: int = Field(description="No channel: no webhook_url and no e-mail.")


class ReminderPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    deadline_key: str
    deadline_type: DeadlineType
    point: str
    due_on: date
    title: str
    agreement_id: int
    obligation_id: int | None
    organization_id: int
    status: ReminderStatus
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    webhook_delivered_at: datetime | None
    email_delivered_at: datetime | None
    created_at: datetime
