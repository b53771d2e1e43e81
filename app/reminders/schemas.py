"""Bodies for deadlines and reminders."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.agreements.models import AgreementKind
from app.core.schemas import Day, Flag, RequestBody
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
    organizations: list[OrganizationRef] = Field(description="Who must act.")
    parties: list[OrganizationRef] = Field(description="The parties of the agreement.")


class RunIn(RequestBody):
    as_of: Day | None = Field(
        default=None,
        description="The day to run for; default today. Not in the future (422): a reminder is "
        "recorded once, so a run for a later day would use up that day's reminders now. Use "
        "dry_run to see what a later day would bring.",
    )
    dry_run: Flag = Field(
        default=False, description="Answer what the run would record and send; change nothing."
    )


class PlannedReminder(BaseModel):
    """A reminder a run would record (dry run)."""

    deadline_key: str
    point: str
    due_on: date
    title: str
    agreement_id: int
    organization_id: int
    organization_name: str
    channels: list[str] = Field(
        description="`webhook`, `email`; empty: no channel, it would be kept as undeliverable."
    )


class RunResult(BaseModel):
    """What one run did, or, with dry_run, would do."""

    as_of: date
    dry_run: bool = False
    created: int = Field(description="Reminders recorded by this run (each exactly once).")
    delivered: int
    failed: int = Field(description="Kept, with the error; retried on later runs with back-off.")
    undeliverable: int = Field(description="No channel: no webhook_url and no e-mail.")
    planned: list[PlannedReminder] | None = Field(
        default=None, description="With dry_run: the reminders it would record, in order."
    )
    retries_due: int | None = Field(
        default=None,
        description="With dry_run: reminders already recorded whose delivery it would try again.",
    )


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
