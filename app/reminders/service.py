"""The daily reminder run: record each reminder once, commit, then deliver through the outbox."""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, func, select

from app.agreements.models import Agreement
from app.core.config import Settings
from app.organizations.models import Organization
from app.reminders.deadlines import Deadline, agreement_deadlines, obligation_deadlines
from app.reminders.delivery import Outgoing, digest_message, post_webhook, send_digest
from app.reminders.models import Reminder, ReminderStatus
from app.reminders.points import reached_point

CLAIM_SECONDS = 600
BATCH = 1000


@dataclass
class RunResult:
    as_of: date
    created: int = 0
    delivered: int = 0
    failed: int = 0
    undeliverable: int = 0


def _point_label(point: str) -> str:
    if point == "due":
        return "hari ini jatuh tempo"
    kind, _, days = point.partition("_")
    return f"{days} hari lagi" if kind == "before" else f"terlambat {days} hari"


def due_reminders(session: Session, *, as_of: date, settings: Settings) -> list[dict[str, Any]]:
    """One row per (deadline, reached point, organization concerned), sorted by that key."""
    horizon = as_of + timedelta(days=max(settings.REMINDER_DAYS_BEFORE, default=0))
    deadlines: list[Deadline] = obligation_deadlines(
        session, due_until=horizon, due_from=None, today=as_of
    ) + agreement_deadlines(session, start=as_of, end=horizon, today=as_of)
    rows = []
    for deadline in deadlines:
        point = reached_point(
            deadline.due_on,
            as_of,
            days_before=settings.REMINDER_DAYS_BEFORE,
            overdue_every=settings.REMINDER_OVERDUE_EVERY_DAYS,
            may_be_overdue=deadline.may_be_overdue,
        )
        if point is None:
            continue
        for organization_id in deadline.organization_ids:
            rows.append(
                {
                    "deadline_key": deadline.key,
                    "point": point,
                    "organization_id": organization_id,
                    "deadline_type": deadline.type,
                    "due_on": deadline.due_on,
                    "agreement_id": deadline.agreement_id,
                    "obligation_id": deadline.obligation_id,
                    "title": deadline.title[:500],
                    "idempotency_key": uuid.uuid4().hex,
                }
            )
    # One order for every run, so concurrent runs take the unique-index locks in the same order
    # and cannot deadlock.
    rows.sort(key=lambda r: (r["deadline_key"], r["point"], r["organization_id"]))
    return rows


def record_reminders(session: Session, rows: list[dict[str, Any]], now: datetime) -> int:
    """Insert the reminders not yet recorded; the unique constraint makes it exactly once."""
    dialect = session.get_bind().dialect.name
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table: Any = sa.inspect(Reminder).local_table
    # One cached statement; the driver sends the rows in batches ("insertmanyvalues"), and
    # RETURNING gives back only the rows that were new.
    statement = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["deadline_key", "point", "organization_id"])
        .returning(table.c.id)
    )
    created = 0
    for start in range(0, len(rows), BATCH):
        batch = [
            {
                **row,
                "status": ReminderStatus.pending.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for row in rows[start : start + BATCH]
        ]
        created += len(session.connection().execute(statement, batch).all())
    session.commit()
    return created


def _claim(session: Session, now: datetime) -> list[Reminder]:
    """Take the reminders due for delivery that no other run holds; committed at once."""
    waiting = (
        select(Reminder.id)
        .where(
            Reminder.status != ReminderStatus.delivered,
            col(Reminder.next_attempt_at) <= now,
            sa.or_(col(Reminder.claimed_until).is_(None), col(Reminder.claimed_until) < now),
        )
        .order_by(col(Reminder.id))
        .limit(5000)
    )
    ids = list(
        session.scalars(
            sa.update(Reminder)
            .where(
                col(Reminder.id).in_(waiting.scalar_subquery()),
                col(Reminder.status) != ReminderStatus.delivered,
                sa.or_(col(Reminder.claimed_until).is_(None), col(Reminder.claimed_until) < now),
            )
            .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
            .returning(col(Reminder.id))
        )
    )
    session.commit()
    if not ids:
        return []
    return list(
        session.exec(select(Reminder).where(col(Reminder.id).in_(ids)).order_by(col(Reminder.id)))
    )


def _payload(
    reminder: Reminder, organization: Organization, agreement_title: str, as_of: date
) -> dict[str, Any]:
    return {
        "id": reminder.id,
        "idempotency_key": reminder.idempotency_key,
        "deadline_type": reminder.deadline_type.value,
        "deadline_key": reminder.deadline_key,
        "point": reminder.point,
        "point_label": _point_label(reminder.point),
        "due_on": reminder.due_on.isoformat(),
        "days_left": (reminder.due_on - as_of).days,
        "title": reminder.title,
        "agreement": {"id": reminder.agreement_id, "title": agreement_title},
        "obligation_id": reminder.obligation_id,
        "organization": {"id": organization.id, "name": organization.name},
    }


def _backoff(settings: Settings, attempts: int) -> timedelta:
    seconds = settings.REMINDER_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.REMINDER_RETRY_MAX_SECONDS))


def deliver(
    session: Session, *, as_of: date, now: datetime, settings: Settings, client: httpx.Client
) -> RunResult:
    """Deliver claimed reminders on every channel of their organization that has not taken them."""
    result = RunResult(as_of=as_of)
    claimed = _claim(session, now)
    if not claimed:
        return result
    organizations = {
        o.id: o
        for o in session.exec(
            select(Organization).where(
                col(Organization.id).in_({r.organization_id for r in claimed})
            )
        )
    }
    titles = dict(
        session.exec(
            select(Agreement.id, Agreement.title).where(
                col(Agreement.id).in_({r.agreement_id for r in claimed})
            )
        ).all()
    )
    errors: dict[int, list[str]] = defaultdict(list)
    by_organization: dict[int, list[Reminder]] = defaultdict(list)
    for reminder in claimed:
        by_organization[reminder.organization_id].append(reminder)
    for organization_id, reminders in by_organization.items():
        organization = organizations[organization_id]
        items = {
            r.id: Outgoing(
                r.id or 0,
                r.idempotency_key,
                _payload(r, organization, titles.get(r.agreement_id, ""), as_of),
            )
            for r in reminders
        }
        if organization.webhook_url:
            for reminder in reminders:
                if reminder.webhook_delivered_at is None:
                    error = post_webhook(client, organization.webhook_url, items[reminder.id])
                    if error:
                        errors[reminder.id or 0].append(error)
                    else:
                        reminder.webhook_delivered_at = now
        if organization.email and settings.SMTP_HOST:
            pending = [r for r in reminders if r.email_delivered_at is None]
            if pending:
                message = digest_message(
                    settings, organization.email, organization.name, [items[r.id] for r in pending]
                )
                error = send_digest(settings, message)
                for reminder in pending:
                    if error:
                        errors[reminder.id or 0].append(error)
                    else:
                        reminder.email_delivered_at = now
        for reminder in reminders:
            channels = bool(organization.webhook_url) + bool(
                organization.email and settings.SMTP_HOST
            )
            if channels == 0:
                reminder.status = ReminderStatus.undeliverable
                reminder.last_error = (
                    "no channel: the organization has no webhook_url and no "
                    "e-mail (or no SMTP_HOST is configured)"
                )
                reminder.next_attempt_at = now + _backoff(settings, 1)
                result.undeliverable += 1
            elif errors.get(reminder.id or 0):
                reminder.status = ReminderStatus.failed
                reminder.attempts += 1
                reminder.last_error = "; ".join(errors[reminder.id or 0])
                reminder.next_attempt_at = now + _backoff(settings, reminder.attempts)
                result.failed += 1
            else:
                reminder.status = ReminderStatus.delivered
                reminder.last_error = None
                result.delivered += 1
            reminder.claimed_until = None
            session.add(reminder)
        session.commit()
    return result


def run_reminders(
    *,
    session: Session,
    as_of: date,
    now: datetime,
    settings: Settings,
    client: httpx.Client | None = None,
) -> RunResult:
    """The scheduler's daily run: record reminders once (committed first), then deliver them."""
    created = record_reminders(session, due_reminders(session, as_of=as_of, settings=settings), now)
    own_client = client is None
    http = client or httpx.Client(timeout=settings.WEBHOOK_TIMEOUT_SECONDS, follow_redirects=False)
    try:
        result = deliver(session, as_of=as_of, now=now, settings=settings, client=http)
    finally:
        if own_client:
            http.close()
    result.created = created
    return result


def list_reminders(
    *,
    session: Session,
    status: ReminderStatus | None,
    organization_id: int | None,
    agreement_id: int | None,
    limit: int,
    offset: int,
) -> tuple[list[Reminder], int]:
    """Reminders, newest first."""
    conditions: list[Any] = []
    if status is not None:
        conditions.append(Reminder.status == status)
    if organization_id is not None:
        conditions.append(Reminder.organization_id == organization_id)
    if agreement_id is not None:
        conditions.append(Reminder.agreement_id == agreement_id)
    total = session.exec(select(func.count()).select_from(Reminder).where(*conditions)).one()
    items = session.exec(
        select(Reminder)
        .where(*conditions)
        .order_by(col(Reminder.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(items), total
