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
    days_before: list[int] | None = Field(
        default=None,
        description="The days before due_on that remind of it (and the calendar's alarms), when "
        "not the service's usual REMINDER_DAYS_BEFORE: a stage's time limit (batas waktu tahap) "
        "warns its stage's warn_days_before days before. Null: the usual ones.",
    )
    organizations: list[OrganizationRef] = Field(description="Who must act.")
    parties: list[OrganizationRef] = Field(description="The parties of the agreement.")


class WeekCount(BaseModel):
    week_start: date = Field(description="The Monday of the week.")
    count: int


class DeadlineCounts(BaseModel):
    """How the deadlines of every page divide: by type, overdue, and by week."""

    by_type: dict[DeadlineType, int] = Field(
        description="Every deadline type with how many there are (0 included)."
    )
    overdue: int = Field(description="Passed and not done (they come first in the list).")
    by_week: list[WeekCount] = Field(
        description="The deadlines that are not overdue, by the week (Monday) of their due "
        "date, earliest first; weeks without any are left out."
    )


class DeadlinePage(BaseModel):
    """One page of the deadlines, after the counts over all of them."""

    total: int = Field(description="How many deadlines match, over all pages.")
    counts: DeadlineCounts
    limit: int
    offset: int
    items: list[DeadlinePublic]


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
    """A reminder a run would record (a preview, or a dry run): what, for whom, on which channel."""

    deadline_key: str
    deadline_type: DeadlineType
    point: str = Field(description="`before_30`, `before_7`, `before_1`, `due`, `overdue_7`, …")
    point_label: str = Field(description="The point in Indonesian, e.g. '7 hari lagi'.")
    due_on: date
    title: str = Field(description="The deadline: the obligation (kewajiban) or the expiry.")
    agreement_id: int
    agreement_kind: AgreementKind
    agreement_title: str
    agreement_numbers: list[str] = Field(
        description="The agreement's numbers, one per party that gave one (nomor)."
    )
    obligation_id: int | None
    organization_id: int
    organization_name: str = Field(description="The organization reminded.")
    channels: list[str] = Field(
        description="`webhook`, `email`; empty: no channel, it would be kept as undeliverable."
    )


class RunResult(BaseModel):
    """What one run did, or, with dry_run, would do (the `would_*` counts; a dry run creates,
    delivers and fails nothing, so its `created`, `delivered`, `failed` and `undeliverable`
    are 0)."""

    as_of: date
    dry_run: bool = False
    created: int = Field(description="Reminders recorded by this run (each exactly once).")
    delivered: int
    failed: int = Field(description="Kept, with the error; retried on later runs with back-off.")
    undeliverable: int = Field(description="No channel: no webhook_url and no e-mail.")
    would_create: int | None = Field(
        default=None, description="With dry_run: the reminders the run would record."
    )
    would_be_undeliverable: int | None = Field(
        default=None, description="With dry_run: of those, the ones with no channel."
    )
    would_retry: int | None = Field(
        default=None,
        description="With dry_run: reminders already recorded whose delivery it would try again "
        "(formerly `retries_due`).",
    )
    planned: list[PlannedReminder] | None = Field(
        default=None, description="With dry_run: the reminders it would record, in order."
    )


class ReminderPreview(BaseModel):
    """What the reminder run of a day would record, for the organizations the caller may see."""

    day: date
    would_create: int = Field(description="Reminders the run of that day would record.")
    would_be_undeliverable: int = Field(
        description="Of those, the ones whose organization has no channel."
    )
    would_retry: int = Field(
        description="Reminders already recorded and waiting for delivery now, which the run "
        "would try again."
    )
    items: list[PlannedReminder] = Field(description="This page of them, by due date.")
    total: int
    limit: int
    offset: int


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
