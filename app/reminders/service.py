"""The daily reminder run: record each reminder once, commit, then deliver through the outbox."""

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.agreements.models import Agreement
from app.core.config import Settings
from app.core.db import among
from app.core.errors import RuleViolation
from app.core.observability import DELIVERIES, REMINDER_RUNS, REMINDERS_RECORDED
from app.core.pagination import paginate
from app.core.types import utcnow
from app.organizations.models import Organization
from app.reminders import delivery as outbox
from app.reminders.deadlines import Deadline, collect_deadlines
from app.reminders.delivery import Delivery, Outgoing, deliver_all, digest_message
from app.reminders.models import Reminder, ReminderStatus
from app.reminders.points import reached_point
from app.reminders.schemas import PlannedReminder, ReminderPublic

CLAIM_LIMIT = 5000  # reminders delivered per round; a run takes rounds until none are left
BATCH = 1000


@dataclass
class RunResult:
    as_of: date
    created: int = 0
    delivered: int = 0
    failed: int = 0
    undeliverable: int = 0
    dry_run: bool = False
    would_create: int | None = None
    would_be_undeliverable: int | None = None
    would_retry: int | None = None
    planned: list[PlannedReminder] | None = None


def point_label(point: str) -> str:
    """A reminder point in Indonesian: '7 hari lagi', 'hari ini jatuh tempo', 'terlambat 7 hari'."""
    if point == "due":
        return "hari ini jatuh tempo"
    kind, _, days = point.partition("_")
    return f"{days} hari lagi" if kind == "before" else f"terlambat {days} hari"


def due_reminders(session: Session, *, as_of: date, settings: Settings) -> list[dict[str, Any]]:
    """One row per (deadline, reached point, organization concerned), sorted by that key."""
    horizon = as_of + timedelta(days=max(settings.REMINDER_DAYS_BEFORE, default=0))
    # Every open obligation and planned signing day up to the horizon (the passed ones too),
    # and the agreements' own deadlines from as_of on.
    deadlines: list[Deadline] = collect_deadlines(
        session, start=as_of, end=horizon, today=as_of, settings=settings
    )
    rows = []
    for deadline in deadlines:
        point = reached_point(
            deadline.due_on,
            as_of,
            days_before=settings.REMINDER_DAYS_BEFORE
            if deadline.days_before is None
            else list(deadline.days_before),
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
                    # 128 random bits, 32 hex digits (a third of uuid4().hex's CPU: thousands a run)
                    "idempotency_key": secrets.token_hex(16),
                }
            )
    # One order for every run, so concurrent runs take the unique-index locks in the same order
    # and cannot deadlock.
    rows.sort(key=lambda r: (r["deadline_key"], r["point"], r["organization_id"]))
    return rows


# The columns of a due reminder (`due_reminders`' keys) and their SQL types.
ROW_COLUMNS: dict[str, Any] = {
    "deadline_key": sa.String,
    "point": sa.String,
    "organization_id": sa.Integer,
    "deadline_type": sa.String,
    "due_on": sa.Date,
    "agreement_id": sa.Integer,
    "obligation_id": sa.Integer,
    "title": sa.String,
    "idempotency_key": sa.String,
}


def record_reminders(session: Session, rows: list[dict[str, Any]], now: datetime) -> int:
    """Insert the reminders not yet recorded; the unique constraint makes it exactly once.
    On PostgreSQL one statement whatever the number of rows: each column is one array
    parameter, unnested in the rows' order (so concurrent runs lock in the same order)."""
    if not rows:
        session.commit()
        return 0
    table: Any = sa.inspect(Reminder).local_table
    constant = {
        "status": sa.literal(ReminderStatus.pending.value),
        "attempts": sa.literal(0),
        "next_attempt_at": sa.literal(now, table.c.next_attempt_at.type),
        "created_at": sa.literal(now, table.c.created_at.type),
    }
    if session.get_bind().dialect.name == "postgresql":
        arrays = [
            sa.literal([r[name] for r in rows], postgresql.ARRAY(kind))
            for name, kind in ROW_COLUMNS.items()
        ]
        source = sa.func.unnest(*arrays).table_valued(*ROW_COLUMNS).render_derived()
        statement = (
            postgresql.insert(table)
            .from_select(
                [*ROW_COLUMNS, *constant],
                sa.select(*[source.c[name] for name in ROW_COLUMNS], *constant.values()),
            )
            .on_conflict_do_nothing(index_elements=["deadline_key", "point", "organization_id"])
            .returning(table.c.id)
        )
        created = len(session.connection().execute(statement).all())
        session.commit()
        return created
    # Elsewhere one cached statement; the driver sends the rows in batches ("insertmanyvalues"),
    # and RETURNING gives back only the rows that were new.
    many = (
        sqlite.insert(table)
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
        created += len(session.connection().execute(many, batch).all())
    session.commit()
    return created


def has_channel(settings: Settings) -> Any:
    """SQL: the organization has a channel now (the condition `channels_of` tests in Python)."""
    webhook = sa.and_(
        col(Organization.webhook_url).is_not(None), col(Organization.webhook_url) != ""
    )
    if not settings.SMTP_HOST:
        return webhook
    email = sa.and_(col(Organization.email).is_not(None), col(Organization.email) != "")
    return sa.or_(webhook, email)


def _claim(session: Session, now: datetime, lease: datetime, settings: Settings) -> list[Any]:
    """Take up to CLAIM_LIMIT reminders due for delivery that no other run holds, oldest first,
    until `lease` (REMINDER_CLAIM_SECONDS from now); committed before anything is sent, so a run
    that dies leaves them held until then, and the next run after it sends them again (with the
    same Idempotency-Key). An undeliverable reminder waits until its organization has a channel
    (a webhook, or an e-mail with SMTP configured): it is not taken again every run. Returns
    them as rows of the reminder table's columns, by id."""
    reachable = (
        sa.select(col(Organization.id))
        .where(col(Organization.id) == Reminder.organization_id, has_channel(settings))
        .exists()
    )
    waiting = (
        select(Reminder.id)
        .where(
            Reminder.status != ReminderStatus.delivered,
            sa.or_(col(Reminder.status) != ReminderStatus.undeliverable, reachable),
            col(Reminder.next_attempt_at) <= now,
            sa.or_(col(Reminder.claimed_until).is_(None), col(Reminder.claimed_until) < now),
        )
        .order_by(col(Reminder.id))
        .limit(CLAIM_LIMIT)
    )
    # The claimed rows come back from the UPDATE itself, as plain rows (no ORM objects: a
    # national run claims thousands), with the claim they now carry.
    table: Any = sa.inspect(Reminder).local_table
    claimed = session.execute(
        sa.update(table)
        .where(
            table.c.id.in_(waiting.scalar_subquery()),
            table.c.status != ReminderStatus.delivered,
            sa.or_(table.c.claimed_until.is_(None), table.c.claimed_until < now),
        )
        .values(claimed_until=lease)
        .returning(*table.c)
    ).all()
    session.commit()
    return sorted(claimed, key=lambda r: r.id)


def _payload(reminder: Any, organization: Any, agreement_title: str, as_of: date) -> dict[str, Any]:
    """The webhook's body for a reminder (a row of `_claim`) of an organization (id, name)."""
    return {
        "id": reminder.id,
        "idempotency_key": reminder.idempotency_key,
        "deadline_type": reminder.deadline_type.value,
        "deadline_key": reminder.deadline_key,
        "point": reminder.point,
        "point_label": point_label(reminder.point),
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


class Reachable(Protocol):
    """An organization as its channels need it (a model, or a row of those columns)."""

    @property
    def webhook_url(self) -> str | None: ...

    @property
    def email(self) -> str | None: ...


def channels_of(organization: Reachable, settings: Settings) -> list[str]:
    """The channels an organization is reached on now: `webhook`, `email` (with SMTP_HOST)."""
    return [
        name
        for name, present in (
            ("webhook", bool(organization.webhook_url)),
            ("email", bool(organization.email and settings.SMTP_HOST)),
        )
        if present
    ]


def _plan(
    session: Session, claimed: list[Any], as_of: date, settings: Settings
) -> dict[int, Delivery]:
    """What each organization's channels are to be given (the rows of `_claim`); read while the
    claim is held. The organizations and titles as plain rows of the columns needed."""
    organizations = {
        o.id: o
        for o in session.execute(
            sa.select(
                col(Organization.id),
                col(Organization.name),
                col(Organization.email),
                col(Organization.webhook_url),
            ).where(among(session, col(Organization.id), {r.organization_id for r in claimed}))
        )
    }
    titles = dict(
        session.exec(
            select(Agreement.id, Agreement.title).where(
                among(session, col(Agreement.id), {r.agreement_id for r in claimed})
            )
        ).all()
    )
    by_organization: dict[int, list[Any]] = defaultdict(list)
    for reminder in claimed:
        by_organization[reminder.organization_id].append(reminder)
    deliveries = {}
    for organization_id, reminders in by_organization.items():
        organization = organizations[organization_id]
        items = {
            r.id or 0: Outgoing(
                r.id or 0,
                r.idempotency_key,
                _payload(r, organization, titles.get(r.agreement_id, ""), as_of),
            )
            for r in reminders
        }
        channels = channels_of(organization, settings)
        pending_email = [r.id or 0 for r in reminders if r.email_delivered_at is None]
        deliveries[organization_id] = Delivery(
            channels=channels,
            webhook_url=organization.webhook_url if "webhook" in channels else None,
            webhook_items=[items[r.id or 0] for r in reminders if r.webhook_delivered_at is None],
            email=digest_message(
                settings,
                organization.email or "",
                organization.name,
                [items[i] for i in pending_email],
            )
            if "email" in channels and pending_email
            else None,
            email_ids=pending_email if "email" in channels else [],
        )
    return deliveries


def _outcome(
    rid: int, attempts: int, delivery: Delivery, now: datetime, settings: Settings
) -> dict[str, Any]:
    """The columns a reminder gets after its delivery (the claim released)."""
    values: dict[str, Any] = {"id": rid, "claimed_until": None}
    if rid in delivery.webhook_done:
        values["webhook_delivered_at"] = now
    if delivery.email_done and rid in delivery.email_ids:
        values["email_delivered_at"] = now
    if rid in delivery.not_sent and not delivery.errors.get(rid):
        return values  # left for the next round, as it was: no attempt was made
    if not delivery.channels:
        values.update(
            status=ReminderStatus.undeliverable,
            last_error="no channel: the organization has no webhook_url and no e-mail (or no "
            "SMTP_HOST is configured)",
            next_attempt_at=now + _backoff(settings, 1),
        )
    elif delivery.errors.get(rid):
        values.update(
            status=ReminderStatus.failed,
            attempts=attempts + 1,
            last_error="; ".join(delivery.errors[rid]),
            next_attempt_at=now + _backoff(settings, attempts + 1),
        )
    else:
        values.update(status=ReminderStatus.delivered, last_error=None)
    return values


# The SQL types of the columns an outcome writes (`_outcome`), as PostgreSQL arrays take them.
OUTCOME_TYPES: dict[str, Any] = {
    "id": sa.Integer(),
    "webhook_delivered_at": postgresql.TIMESTAMP(timezone=True),
    "email_delivered_at": postgresql.TIMESTAMP(timezone=True),
    "status": sa.String(),
    "attempts": sa.Integer(),
    "last_error": sa.Text(),
    "next_attempt_at": postgresql.TIMESTAMP(timezone=True),
}


def record_outcomes(session: Session, outcomes: list[dict[str, Any]], lease: datetime) -> None:
    """Write what came of a round's deliveries, and release its claim; committed. Only rows the
    round still holds are written: one whose claim ran out may be another run's by now.

    On PostgreSQL one UPDATE per kind of outcome (delivered, failed, ...: the columns it
    writes), each column one array parameter; elsewhere one UPDATE per row."""
    table: Any = sa.inspect(Reminder).local_table
    if session.get_bind().dialect.name == "postgresql":
        kinds: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for values in outcomes:
            kinds[tuple(sorted(values))].append(values)
        for names, rows in sorted(kinds.items()):
            written = [n for n in names if n != "claimed_until"]
            arrays = [
                sa.literal(
                    [getattr(r[n], "value", r[n]) for r in rows], postgresql.ARRAY(OUTCOME_TYPES[n])
                )
                for n in written
            ]
            given = sa.func.unnest(*arrays).table_valued(*written).render_derived()
            session.execute(
                sa.update(table)
                .where(table.c.id == given.c.id, table.c.claimed_until == lease)
                .values({**{n: given.c[n] for n in written if n != "id"}, "claimed_until": None})
            )
        session.commit()
        return
    session.execute(
        sa.update(Reminder).where(col(Reminder.claimed_until) == lease),
        outcomes,
        execution_options={"synchronize_session": None},  # the round's rows are let go after
    )
    session.commit()


def deliver(session: Session, *, as_of: date, now: datetime, settings: Settings) -> RunResult:
    """Deliver claimed reminders on every channel of their organization that has not taken them,
    in rounds of CLAIM_LIMIT until none is left, so newer reminders are never starved.

    Each claim is committed, then the network is used with no transaction open (a slow receiver
    must hold no lock that other requests wait for), then the outcomes are written at once.
    Delivery is at least once: a reminder is sent again only when its run did not record the
    outcome (it died, or lost the database) and its claim ran out; the same Idempotency-Key
    goes with it. While a run lives it never sends a reminder another run may hold: it begins
    no delivery that could outlast its claim (those go to its next round, claimed anew).
    """
    result = RunResult(as_of=as_of)
    claim = timedelta(seconds=settings.REMINDER_CLAIM_SECONDS)
    started = outbox.clock()
    while True:
        round_started = outbox.clock()
        round_now = now + timedelta(seconds=round_started - started)
        lease = round_now + claim
        claimed = _claim(session, round_now, lease, settings)
        if not claimed:
            return result
        deliveries = _plan(session, claimed, as_of, settings)
        taken = [(r.id or 0, r.attempts, r.organization_id) for r in claimed]
        session.commit()  # nothing is held while we wait on receivers
        deliver_all(list(deliveries.values()), settings, round_started + claim.total_seconds())
        outcomes = [
            _outcome(rid, attempts, deliveries[org_id], now, settings)
            for rid, attempts, org_id in taken
        ]
        record_outcomes(session, outcomes, lease)
        session.expunge_all()  # the rows are written; keep nothing for the next round
        for values in outcomes:
            status = values.get("status")
            result.delivered += status == ReminderStatus.delivered
            result.failed += status == ReminderStatus.failed
            result.undeliverable += status == ReminderStatus.undeliverable
        left = sum(len(d.not_sent) for d in deliveries.values())
        if left == len(taken):  # nothing could be sent within a claim: a later run will
            return result
        if len(claimed) < CLAIM_LIMIT and not left:
            return result


def check_run_day(as_of: date, today: date, *, dry_run: bool, loc: list[Any]) -> None:
    """A run records each reminder once, so it may not run ahead of today; a dry run may."""
    if as_of > today and not dry_run:
        raise RuleViolation(
            f"as_of {as_of} is after today ({today}). A reminder is recorded once: a run for a "
            "later day would use up that day's reminders now, and they would never be sent on "
            "the day. Send dry_run: true to see what that day would bring.",
            type_slug="reminder-run-in-future",
            errors=[{"loc": loc, "msg": "must not be after today unless dry_run"}],
        )


def run_reminders(
    *,
    session: Session,
    as_of: date,
    today: date,
    now: datetime,
    settings: Settings,
    dry_run: bool = False,
) -> RunResult:
    """The scheduler's daily run: record reminders once (committed first), then deliver them."""
    check_run_day(as_of, today, dry_run=dry_run, loc=["body", "as_of"])
    if dry_run:
        from app.reminders.preview import plan_run  # (it reads this module's rows)

        return plan_run(session, as_of=as_of, now=now, settings=settings)
    created = record_reminders(session, due_reminders(session, as_of=as_of, settings=settings), now)
    result = deliver(session, as_of=as_of, now=now, settings=settings)
    result.created = created
    REMINDER_RUNS.inc()
    REMINDERS_RECORDED.inc(created)
    for outcome in ("delivered", "failed", "undeliverable"):
        DELIVERIES.labels(outcome).inc(getattr(result, outcome))
    return result


def oldest_undelivered_age(engine: Engine) -> float:
    """Seconds since the oldest reminder still waiting for delivery was recorded (0 if none)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        oldest = connection.execute(
            sa.select(sa.func.min(col(Reminder.created_at))).where(
                col(Reminder.status) != ReminderStatus.delivered
            )
        ).scalar()
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return max(0.0, (utcnow() - oldest).total_seconds())


def list_reminders(
    *,
    session: Session,
    status: ReminderStatus | None,
    organization_id: int | None,
    agreement_id: int | None,
    limit: int,
    offset: int,
    reveal_errors: bool = True,
) -> tuple[list[ReminderPublic], int]:
    """Reminders, newest first."""
    conditions: list[Any] = []
    if status is not None:
        conditions.append(Reminder.status == status)
    if organization_id is not None:
        conditions.append(Reminder.organization_id == organization_id)
    if agreement_id is not None:
        conditions.append(Reminder.agreement_id == agreement_id)
    items, total = paginate(
        session,
        select(Reminder).where(*conditions).order_by(col(Reminder.id).desc()),
        limit=limit,
        offset=offset,
    )
    public = [ReminderPublic.model_validate(r) for r in items]
    if not reveal_errors:
        for reminder in public:
            reminder.last_error = None
    return public, total
