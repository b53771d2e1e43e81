"""Every deadline in one list: obligation due dates, agreement expiries, NK pks_due_on dates,
planned signing days, yearly evaluations and the time limits of stages (which exist:
`deadline_query.deadline_rows`)."""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from app.agreements.models import (
    Agreement,
    AgreementEvent,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
)
from app.agreements.parties import party_ids_by_agreement
from app.agreements.status import (
    ENDED,
    IN_FORCE,
    effective_valid_until_expression,
    in_force_condition,
    status_expression,
)
from app.audit.models import AuditEvent
from app.core.config import Settings, settings
from app.core.db import among
from app.core.errors import RuleViolation, field_error
from app.core.responses import trusted
from app.evaluations.models import Evaluation
from app.labels import label
from app.organizations.models import Organization
from app.reminders.deadline_query import (
    TYPE_ORDER,
    DeadlineRow,
    deadline_rows,
    evaluation_due_on,
    evaluation_years,
    list_order,
    party_of,
    rows_of,
)
from app.reminders.models import DeadlineType
from app.reminders.schemas import (
    AgreementRef,
    DeadlineCounts,
    DeadlinePage,
    DeadlinePublic,
    OrganizationRef,
    WeekCount,
)
from app.stats.cache import TimedCache

MAX_WINDOW_DAYS = 3 * 366


@dataclass(frozen=True)
class Deadline:
    """A date by which something must happen, and who it concerns."""

    key: str
    type: DeadlineType
    due_on: date
    title: str
    agreement_id: int
    agreement_title: str
    agreement_kind: AgreementKind
    organization_ids: tuple[int, ...]
    obligation_id: int | None = None
    overdue: bool = False
    may_be_overdue: bool = field(default=False, compare=False)
    # The points before the day that remind of it, when not the settings' REMINDER_DAYS_BEFORE
    # (a stage's time limit warns warn_days_before days before).
    days_before: tuple[int, ...] | None = field(default=None, compare=False)


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> dict[date, str]:
    # Imported at the first use: the package's calendars are a good part of the application's
    # start (the server's, each command's), and many processes never ask for a holiday.
    import holidays

    calendar = holidays.country_holidays("ID", years=year, language="id")
    return dict(calendar.items())


def non_working_reason(day: date) -> str | None:
    """Why a day is not a working day in Indonesia (weekend or public holiday), if it is not."""
    holiday = _holidays_of(day.year).get(day)
    if holiday:
        return holiday
    if day.weekday() == 5:
        return "Sabtu (Saturday)"
    if day.weekday() == 6:
        return "Minggu (Sunday)"
    return None


def validity_deadlines(
    session: Session, *, start: date, end: date, today: date, organization_id: int | None = None
) -> list[Deadline]:
    """Expiries of agreements in force, and NK pks_due_on dates, within [start, end]."""
    valid_until = effective_valid_until_expression(Agreement)
    status = status_expression(Agreement, today)
    party_filter = party_of(organization_id)
    kinds = (AgreementKind.nk, AgreementKind.pks)
    expiring = session.execute(
        sa.select(
            col(Agreement.id), col(Agreement.title), col(Agreement.kind), valid_until, status
        ).where(
            col(Agreement.kind).in_(kinds), valid_until >= start, valid_until <= end, *party_filter
        )
    ).all()
    pks_due = session.execute(
        sa.select(
            col(Agreement.id),
            col(Agreement.title),
            col(Agreement.kind),
            col(Agreement.pks_due_on),
            status,
        ).where(
            col(Agreement.kind) == AgreementKind.nk,
            col(Agreement.pks_due_on) >= start,
            col(Agreement.pks_due_on) <= end,
            *party_filter,
        )
    ).all()
    live_expiring = [r for r in expiring if AgreementStatus(r[4]) in IN_FORCE]
    live_pks_due = [r for r in pks_due if AgreementStatus(r[4]) not in ENDED]
    parties = party_ids_by_agreement(session, [r[0] for r in live_expiring + live_pks_due])
    sources = [
        (
            live_expiring,
            DeadlineType.agreement_expiry,
            "expiry",
            "Masa berlaku {kind} berakhir: {title}",
        ),
        (
            live_pks_due,
            DeadlineType.pks_due,
            "pks_due",
            "Batas penandatanganan PKS turunan NK: {title}",
        ),
    ]
    deadlines = [
        Deadline(
            key=f"{prefix}:{agreement_id}:{day.isoformat()}",
            type=deadline_type,
            due_on=day,
            title=template.format(kind=label(AgreementKind(kind)), title=title),
            agreement_id=agreement_id,
            agreement_title=title,
            agreement_kind=AgreementKind(kind),
            organization_ids=parties.get(agreement_id, ()),
        )
        for rows, deadline_type, prefix, template in sources
        for agreement_id, title, kind, day, _ in rows
    ]
    return deadlines


def owed_evaluations(
    years: Iterable[int], *, today: date, month: int, organization_id: int | None = None
) -> Any:
    """SQL: (agreement_id, year) of each yearly evaluation owed and not recorded: every NK and
    PKS in force owes one per year, unless it started after that year's due day."""
    in_force = sa.and_(
        col(Agreement.kind).in_((AgreementKind.nk, AgreementKind.pks)),
        in_force_condition(Agreement, today),
        *party_of(organization_id),
    )
    started = sa.func.coalesce(Agreement.valid_from, Agreement.last_signed_on)
    return sa.union_all(
        *[
            sa.select(
                col(Agreement.id).label("agreement_id"), sa.literal(year).label("year")
            ).where(
                in_force,
                sa.or_(started.is_(None), started <= evaluation_due_on(year, month)),
                ~sa.select(col(Evaluation.id))
                .where(col(Evaluation.agreement_id) == Agreement.id, col(Evaluation.year) == year)
                .exists(),
            )
            for year in sorted(years)
        ]
    )


def evaluation_due_counts(
    session: Session,
    *,
    start: date,
    end: date,
    today: date,
    month: int = settings.EVALUATION_DUE_MONTH,
    from_year: int = settings.EVALUATIONS_FROM_YEAR,
) -> tuple[int, int]:
    """How many of evaluation_deadlines' evaluations are (due, overdue), counted in SQL."""
    years = evaluation_years(start, end, today, month, from_year)
    if not years:
        return 0, 0
    owed = owed_evaluations(years, today=today, month=month).subquery()
    due = overdue = 0
    for year, count in session.execute(
        sa.select(owed.c.year, sa.func.count()).group_by(owed.c.year)
    ):
        if evaluation_due_on(year, month) < today:
            overdue += count
        else:
            due += count
    return due, overdue


@dataclass(frozen=True)
class Party:
    """A party of an agreement, as the deadlines need it."""

    organization_id: int
    name: str
    unsigned: bool


def _parties(
    session: Session, agreement_ids: Iterable[int], *, names: bool
) -> dict[int, list[Party]]:
    """The parties of each agreement in party order (with their names if asked): one statement."""
    wanted = set(agreement_ids)
    if not wanted:
        return {}
    found: dict[int, list[Party]] = {}
    columns: list[Any] = [
        col(AgreementParty.agreement_id),
        col(AgreementParty.organization_id),
        col(AgreementParty.signature_recorded_at).is_(None),
    ]
    query = sa.select(*columns, col(Organization.name) if names else sa.literal(""))
    if names:
        query = query.join(Organization, col(Organization.id) == AgreementParty.organization_id)
    query = query.where(among(session, col(AgreementParty.agreement_id), wanted)).order_by(
        col(AgreementParty.agreement_id), col(AgreementParty.position)
    )
    for agreement_id, organization_id, unsigned, name in session.execute(query):
        found.setdefault(agreement_id, []).append(Party(organization_id, name, bool(unsigned)))
    return found


def _key(row: DeadlineRow) -> str:
    day = row.due_on.isoformat()
    match row.type:
        case DeadlineType.obligation_due:
            return f"obligation:{row.obligation_id}:{day}"
        case DeadlineType.agreement_expiry:
            return f"expiry:{row.agreement_id}:{day}"
        case DeadlineType.evaluation_due:
            return f"evaluation:{row.agreement_id}:{row.due_on.year}"
        case DeadlineType.stage_due:
            return f"stage:{row.agreement_id}:{row.stage_code}:{day}"
        case _:
            return f"{row.type.value}:{row.agreement_id}:{day}"


def _title(row: DeadlineRow) -> str:
    kind = label(row.kind)
    match row.type:
        case DeadlineType.obligation_due:
            return row.obligation_title or ""
        case DeadlineType.agreement_expiry:
            return f"Masa berlaku {kind} berakhir: {row.agreement_title}"
        case DeadlineType.pks_due:
            return f"Batas penandatanganan PKS turunan NK: {row.agreement_title}"
        case DeadlineType.planned_signing:
            return f"Rencana penandatanganan {kind}: {row.agreement_title}"
        case DeadlineType.stage_due:
            return f"Batas waktu tahap {row.stage_name} {kind}: {row.agreement_title}"
        case _:
            return f"Evaluasi tahunan (monev) {row.due_on.year} {kind}: {row.agreement_title}"


def _concerned(row: DeadlineRow, parties: Sequence[Party]) -> tuple[int, ...]:
    """Who must act: the obligation's responsible organization; the parties that have not
    signed, for a planned signing day; every party otherwise."""
    if row.type == DeadlineType.obligation_due:
        return (row.responsible_id,) if row.responsible_id is not None else ()
    if row.type == DeadlineType.planned_signing:
        return tuple(p.organization_id for p in parties if p.unsigned)
    return tuple(p.organization_id for p in parties)


MAY_BE_OVERDUE = {
    DeadlineType.obligation_due,
    DeadlineType.planned_signing,
    DeadlineType.evaluation_due,
    DeadlineType.stage_due,
}


def days_before_of(row: DeadlineRow) -> tuple[int, ...] | None:
    """The row's own reminder points before its day (a stage's warn_days_before; 0: none), or
    None for the settings' REMINDER_DAYS_BEFORE."""
    if row.days_before is None:
        return None
    return (row.days_before,) if row.days_before > 0 else ()


def _deadline(row: DeadlineRow, parties: Sequence[Party]) -> Deadline:
    return Deadline(
        key=_key(row),
        type=row.type,
        due_on=row.due_on,
        title=_title(row),
        agreement_id=row.agreement_id,
        agreement_title=row.agreement_title,
        agreement_kind=row.kind,
        organization_ids=_concerned(row, parties),
        obligation_id=row.obligation_id,
        overdue=row.overdue,
        may_be_overdue=row.type in MAY_BE_OVERDUE,
        days_before=days_before_of(row),
    )


def _sort_key(row: DeadlineRow) -> tuple[Any, ...]:
    """`list_order` in Python."""
    return (
        not row.overdue,
        row.due_on,
        TYPE_ORDER[row.type],
        row.agreement_id,
        row.obligation_id or 0,
    )


def collect_deadlines(
    session: Session,
    *,
    start: date,
    end: date,
    today: date,
    organization_id: int | None = None,
    settings: Settings = settings,
) -> list[Deadline]:
    """Deadlines in [start, end] plus every passed one still open (overdue first, then by
    date), each with the organizations it concerns: two statements."""
    found = deadline_rows(
        start=start,
        end=end,
        today=today,
        organization_id=organization_id,
        settings=settings,
    ).subquery()
    rows = rows_of(session.execute(sa.select(found).order_by(*list_order(found))))
    parties = _parties(session, {r.agreement_id for r in rows}, names=False)
    return [_deadline(r, parties.get(r.agreement_id, ())) for r in rows]


def _public(session: Session, rows: list[DeadlineRow]) -> list[DeadlinePublic]:
    """Deadlines as clients see them, with the names of the organizations concerned and of the
    agreement's parties: one statement (two when an obligation's responsible organization is
    not a party of its agreement)."""
    parties = _parties(session, {r.agreement_id for r in rows}, names=True)
    names = {p.organization_id: p.name for found in parties.values() for p in found}
    missing = {r.responsible_id for r in rows if r.responsible_id is not None} - set(names)
    if missing:
        names.update(
            (i, name)
            for i, name in session.execute(
                sa.select(col(Organization.id), col(Organization.name)).where(
                    among(session, col(Organization.id), missing)
                )
            )
        )
    # Each agreement's parties once, however many of its deadlines the page holds. Built
    # without validation (trusted: every value is typed by the database or the rules above; a
    # wrong one is refused when written, json_body): a Perwakilan's ~2,000 deadlines were
    # 10,000 validations, two thirds of finding its calendar anew.
    party_refs = {
        agreement_id: [trusted(OrganizationRef, id=p.organization_id, name=p.name) for p in found]
        for agreement_id, found in parties.items()
    }
    public = []
    for row in rows:
        of_agreement = parties.get(row.agreement_id, [])
        d = _deadline(row, of_agreement)
        public.append(
            trusted(
                DeadlinePublic,
                key=d.key,
                type=d.type,
                due_on=d.due_on,
                title=d.title,
                overdue=d.overdue,
                non_working_day=non_working_reason(d.due_on),
                agreement=trusted(
                    AgreementRef, id=d.agreement_id, title=d.agreement_title, kind=d.agreement_kind
                ),
                obligation_id=d.obligation_id,
                days_before=None if d.days_before is None else list(d.days_before),
                organizations=[
                    trusted(OrganizationRef, id=i, name=names.get(i, ""))
                    for i in d.organization_ids
                ],
                parties=party_refs.get(row.agreement_id, []),
            )
        )
    return public


def public_deadlines(
    session: Session,
    *,
    start: date,
    end: date,
    today: date,
    organization_id: int | None = None,
    settings: Settings = settings,
) -> list[DeadlinePublic]:
    """Every deadline of collect_deadlines as clients see them (the calendar feed's)."""
    found = deadline_rows(
        start=start,
        end=end,
        today=today,
        organization_id=organization_id,
        settings=settings,
    ).subquery()
    rows = rows_of(session.execute(sa.select(found).order_by(*list_order(found))))
    return _public(session, rows)


def week_of(day: date) -> date:
    """The Monday of a day's week: deadlines are counted, and shown, by week."""
    return day - timedelta(days=day.weekday())


def deadline_counts(
    groups: Iterable[tuple[DeadlineType, date, bool, int]],
    deadline_type: DeadlineType | None = None,
) -> DeadlineCounts:
    """The counts of deadlines grouped by (type, due date, overdue): by type (every type), and,
    of the type asked if one is, overdue and the others by week (Monday)."""
    by_type = dict.fromkeys(DeadlineType, 0)
    weeks: Counter[date] = Counter()
    overdue = 0
    for kind, due_on, late, n in groups:
        by_type[kind] += n
        if deadline_type is not None and kind != deadline_type:
            continue
        if late:
            overdue += n
        else:
            weeks[week_of(due_on)] += n
    return DeadlineCounts(
        by_type=by_type,
        overdue=overdue,
        by_week=[WeekCount(week_start=week, count=n) for week, n in sorted(weeks.items())],
    )


def change_marks(session: Session) -> tuple[int, int]:
    """The newest agreement history event and audit event (two primary-key look-ups, one
    statement): every write through the services (agreements, signatures, stages, evaluations,
    obligations, organizations, stage definitions) adds one, so a view of the deadlines kept
    under a key holding them is never served after such a write."""
    row = session.execute(
        sa.select(
            sa.select(sa.func.max(AgreementEvent.id)).scalar_subquery(),
            sa.select(sa.func.max(AuditEvent.id)).scalar_subquery(),
        )
    ).one()
    return (row[0] or 0, row[1] or 0)


# Pages of deadlines kept per process (CALENDAR_CACHE_SECONDS, the deadline views' time) under a
# key holding `change_marks`: Tenggat and the list are opened all day, and a Perwakilan's
# deadlines run to thousands nationwide. At most this many pages are kept.
KEPT_PAGES = 256
pages: TimedCache[DeadlinePage] = TimedCache(maxsize=KEPT_PAGES)


def deadline_page(
    session: Session,
    *,
    start: date,
    end: date,
    today: date,
    limit: int,
    offset: int,
    organization_id: int | None = None,
    deadline_type: DeadlineType | None = None,
    settings: Settings = settings,
) -> DeadlinePage:
    """One page of collect_deadlines (overdue first, then by date), after the counts over every
    page (see `_deadline_page`). A page is kept per process for CALENDAR_CACHE_SECONDS under a key
    of everything it depends on besides the data (the window, the day, the organization, the
    type, the page, the monev settings) and of the newest history and audit events
    (`change_marks`, one statement): a write through the services is seen at once, a new day
    too; only a change made around the services (in the database directly, or two writes
    committing out of the order of their events) waits for that time. The page is shared by
    every caller with the same key: nobody changes it."""
    key = (
        organization_id,
        start,
        end,
        today,
        deadline_type,
        limit,
        offset,
        settings.EVALUATION_DUE_MONTH,
        settings.EVALUATIONS_FROM_YEAR,
        change_marks(session),
    )
    return pages.get(
        key,
        now=datetime.now(UTC),
        max_age=timedelta(seconds=settings.CALENDAR_CACHE_SECONDS),
        compute=lambda: _deadline_page(
            session,
            start=start,
            end=end,
            today=today,
            limit=limit,
            offset=offset,
            organization_id=organization_id,
            deadline_type=deadline_type,
            settings=settings,
        ),
    )


def _deadline_page(
    session: Session,
    *,
    start: date,
    end: date,
    today: date,
    limit: int,
    offset: int,
    organization_id: int | None,
    deadline_type: DeadlineType | None,
    settings: Settings,
) -> DeadlinePage:
    """One page of collect_deadlines, after the counts over every page. The database counts (by
    type, day and overdue) and pages in one statement; only the page's deadlines are dressed
    with their organizations' names (one more). With a type, only deadlines of that type are
    listed and counted, except `by_type`, which counts every type (what the other filters would
    show)."""
    every = deadline_rows(
        start=start,
        end=end,
        today=today,
        organization_id=organization_id,
        settings=settings,
    ).cte("deadline")
    chosen = [] if deadline_type is None else [every.c.type == deadline_type.value]
    page = (
        sa.select(every).where(*chosen).order_by(*list_order(every)).limit(limit).offset(offset)
    ).subquery()
    counted = sa.select(
        sa.literal(True).label("counted"),
        every.c.type_rank,
        every.c.type,
        every.c.due_on,
        every.c.overdue,
        sa.type_coerce(sa.func.count(), sa.Integer).label("agreement_id"),
        *[sa.null().label(f"empty_{n}") for n in range(8)],
    ).group_by(every.c.type_rank, every.c.type, every.c.due_on, every.c.overdue)
    listed = sa.select(
        sa.literal(False),
        page.c.type_rank,
        page.c.type,
        page.c.due_on,
        page.c.overdue,
        page.c.agreement_id,
        page.c.obligation_id,
        page.c.responsible_id,
        page.c.obligation_title,
        page.c.agreement_title,
        page.c.kind,
        page.c.stage_code,
        page.c.stage_name,
        page.c.days_before,
    )
    groups: list[tuple[DeadlineType, date, bool, int]] = []
    rows: list[DeadlineRow] = []
    for found in session.execute(sa.union_all(counted, listed).subquery().select()):
        if found[0]:
            groups.append((DeadlineType(found.type), found.due_on, bool(found.overdue), found[5]))
        else:
            rows.append(
                DeadlineRow(
                    type=DeadlineType(found.type),
                    due_on=found.due_on,
                    overdue=bool(found.overdue),
                    agreement_id=found[5],
                    obligation_id=found[6],
                    responsible_id=found[7],
                    obligation_title=found[8],
                    agreement_title=found[9],
                    kind=AgreementKind(found[10]),
                    stage_code=found[11],
                    stage_name=found[12],
                    days_before=found[13],
                )
            )
    total = sum(n for kind, _, _, n in groups if deadline_type in (None, kind))
    return DeadlinePage(
        total=total,
        counts=deadline_counts(groups, deadline_type),
        limit=limit,
        offset=offset,
        items=_public(session, sorted(rows, key=_sort_key)),
    )


def deadline_window(
    today: date, start: date | None, end: date | None, default_days: int
) -> tuple[date, date]:
    """[from, to] of a deadline query: from defaults to today, to to from + default_days."""
    start = start or today
    end = end or start + timedelta(days=default_days)
    if end < start:
        raise RuleViolation(
            "`to` is before `from`.",
            type_slug="window-order",
            errors=[field_error("to", msg="before from", where="query")],
        )
    if (end - start).days > MAX_WINDOW_DAYS:
        raise RuleViolation(
            f"The window may span at most {MAX_WINDOW_DAYS} days.",
            type_slug="window-too-long",
            errors=[field_error("to", msg="window too long", where="query")],
        )
    return start, end
