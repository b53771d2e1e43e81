"""What a reminder run would record, without recording it: the scheduler's dry run, and the
preview any signed-in caller reads for the organizations it may see."""

from collections import defaultdict
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.agreements.models import Agreement, AgreementParty
from app.core.config import Settings
from app.core.errors import Forbidden
from app.organizations.models import Organization
from app.organizations.service import get_organization
from app.reminders.models import Reminder, ReminderStatus
from app.reminders.schemas import PlannedReminder, ReminderPreview
from app.reminders.service import (
    BATCH,
    RunResult,
    channels_of,
    due_reminders,
    has_channel,
    point_label,
)
from app.users.access import within
from app.users.auth import Caller


def _not_recorded(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows whose reminder is not recorded yet."""
    keys = sorted({r["deadline_key"] for r in rows})
    recorded: set[tuple[str, str, int]] = set()
    for start in range(0, len(keys), BATCH):
        recorded.update(
            session.exec(
                select(Reminder.deadline_key, Reminder.point, Reminder.organization_id).where(
                    col(Reminder.deadline_key).in_(keys[start : start + BATCH])
                )
            ).all()
        )
    return [
        r for r in rows if (r["deadline_key"], r["point"], r["organization_id"]) not in recorded
    ]


def planned_reminders(
    session: Session,
    rows: list[dict[str, Any]],
    *,
    settings: Settings,
    organization_ids: set[int] | None,
) -> list[PlannedReminder]:
    """Of the reminders due (`due_reminders`), those a run would record (of these organizations;
    None: all), each naming its agreement (title, numbers) and organization, in the run's order."""
    if organization_ids is not None:
        rows = [r for r in rows if r["organization_id"] in organization_ids]
    new = _not_recorded(session, rows)
    organizations = {
        o.id: o
        for o in session.exec(
            select(Organization).where(
                col(Organization.id).in_({r["organization_id"] for r in new})
            )
        )
    }
    agreement_ids = {r["agreement_id"] for r in new}
    agreements = {
        a.id: a for a in session.exec(select(Agreement).where(col(Agreement.id).in_(agreement_ids)))
    }
    numbers: dict[int, list[str]] = defaultdict(list)
    for agreement_id, number in session.exec(
        select(AgreementParty.agreement_id, AgreementParty.document_number)
        .where(
            col(AgreementParty.agreement_id).in_(agreement_ids),
            col(AgreementParty.document_number).is_not(None),
        )
        .order_by(col(AgreementParty.id))
    ):
        numbers[agreement_id].append(number or "")
    return [
        PlannedReminder(
            deadline_key=r["deadline_key"],
            deadline_type=r["deadline_type"],
            point=r["point"],
            point_label=point_label(r["point"]),
            due_on=r["due_on"],
            title=r["title"],
            agreement_id=r["agreement_id"],
            agreement_kind=agreements[r["agreement_id"]].kind,
            agreement_title=agreements[r["agreement_id"]].title,
            agreement_numbers=numbers[r["agreement_id"]],
            obligation_id=r["obligation_id"],
            organization_id=r["organization_id"],
            organization_name=organizations[r["organization_id"]].name,
            channels=channels_of(organizations[r["organization_id"]], settings),
        )
        for r in new
    ]


def waiting_for_delivery(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    caller: Caller | None,
    organization_id: int | None,
) -> int:
    """Reminders recorded whose delivery a run would try again now (those it would claim), of
    the organizations the caller may see (no caller: all)."""
    reachable = (
        sa.select(col(Organization.id))
        .where(col(Organization.id) == Reminder.organization_id, has_channel(settings))
        .exists()
    )
    query = (
        select(Reminder.organization_id, sa.func.count())
        .where(
            Reminder.status != ReminderStatus.delivered,
            sa.or_(col(Reminder.status) != ReminderStatus.undeliverable, reachable),
            col(Reminder.next_attempt_at) <= now,
        )
        .group_by(col(Reminder.organization_id))
    )
    if organization_id is not None:
        query = query.where(Reminder.organization_id == organization_id)
    counts = dict(session.exec(query).all())
    if caller is not None and not caller.is_admin:
        seen = within(session, counts, caller)
        counts = {k: v for k, v in counts.items() if k in seen}
    return sum(counts.values())


def plan_run(session: Session, *, as_of: date, now: datetime, settings: Settings) -> RunResult:
    """What a run on `as_of` would record and send; records and sends nothing."""
    rows = due_reminders(session, as_of=as_of, settings=settings)
    planned = planned_reminders(session, rows, settings=settings, organization_ids=None)
    retries = waiting_for_delivery(
        session, now=now, settings=settings, caller=None, organization_id=None
    )
    session.rollback()
    return RunResult(
        as_of=as_of,
        dry_run=True,
        planned=planned,
        would_create=len(planned),
        would_retry=retries,
        would_be_undeliverable=sum(1 for p in planned if not p.channels),
    )


def _visible(
    session: Session, caller: Caller, organization_id: int | None, candidates: set[int]
) -> set[int]:
    """Of the candidates, the organizations whose reminders the caller may preview: all for an
    admin; else its own organization and those under it (app.users.access.within)."""
    if organization_id is not None:
        organization = get_organization(session=session, organization_id=organization_id)
        if not caller.is_admin and not within(session, [organization_id], caller):
            raise Forbidden(
                f"{caller.name} may preview the reminders of its own organization and those "
                f"under it, not those of {organization.name}.",
                type_slug="reminder-preview-not-allowed",
            )
        return {organization_id}
    if caller.is_admin:
        return candidates
    if caller.organization_id is None:
        raise Forbidden(
            f"{caller.name} belongs to no organization, so has no reminders to preview; an admin "
            "may set one (admins preview every organization).",
            type_slug="reminder-preview-not-allowed",
        )
    return within(session, candidates, caller)


def preview_reminders(
    *,
    session: Session,
    caller: Caller,
    day: date,
    now: datetime,
    settings: Settings,
    organization_id: int | None,
    limit: int,
    offset: int,
) -> ReminderPreview:
    """The reminders the run of `day` would record for the organizations the caller may see,
    by due date, a page at a time; records and sends nothing."""
    rows = due_reminders(session, as_of=day, settings=settings)
    visible = _visible(session, caller, organization_id, {r["organization_id"] for r in rows})
    planned = planned_reminders(session, rows, settings=settings, organization_ids=visible)
    planned.sort(key=lambda p: (p.due_on, p.organization_name, p.title, p.point))
    retries = waiting_for_delivery(
        session, now=now, settings=settings, caller=caller, organization_id=organization_id
    )
    return ReminderPreview(
        day=day,
        would_create=len(planned),
        would_be_undeliverable=sum(1 for p in planned if not p.channels),
        would_retry=retries,
        items=planned[offset : offset + limit],
        total=len(planned),
        limit=limit,
        offset=offset,
    )
