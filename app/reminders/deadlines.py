"""Every deadline in one list: obligation due dates, agreement expiries, NK pks_due_on dates."""

import calendar
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import holidays
import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.agreements.models import Agreement, AgreementKind, AgreementParty, AgreementStatus
from app.agreements.parties import party_ids_by_agreement
from app.agreements.status import (
    ENDED,
    IN_FORCE,
    NOT_FULLY_SIGNED,
    effective_valid_until_expression,
    status_condition,
    status_expression,
)
from app.core.config import Settings, settings
from app.core.db import among
from app.core.errors import RuleViolation, field_error
from app.evaluations.models import Evaluation
from app.labels import label
from app.obligations.models import Obligation
from app.organizations.models import Organization
from app.reminders.models import DeadlineType
from app.reminders.schemas import (
    AgreementRef,
    DeadlineCounts,
    DeadlinePage,
    DeadlinePublic,
    OrganizationRef,
    WeekCount,
)
from app.stages.service import stage_dues

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


def _statuses(session: Session, agreement_ids: set[int], today: date) -> dict[int, AgreementStatus]:
    if not agreement_ids:
        return {}
    rows = session.exec(
        select(Agreement.id, status_expression(Agreement, today)).where(
            among(session, col(Agreement.id), agreement_ids)
        )
    )
    return {i: AgreementStatus(s) for i, s in rows if i is not None}


def obligation_deadlines(
    session: Session,
    *,
    due_until: date,
    due_from: date | None,
    today: date,
    organization_id: int | None = None,
) -> list[Deadline]:
    """Open obligations due in [due_from, due_until] (all overdue ones when due_from is None),
    of agreements that have not ended. Reads the partial index of open obligations."""
    conditions: list[Any] = [
        col(Obligation.completed_on).is_(None),
        col(Obligation.waived_at).is_(None),
        col(Obligation.due_on) <= due_until,
    ]
    if due_from is not None:
        conditions.append(
            sa.or_(col(Obligation.due_on) >= due_from, col(Obligation.due_on) < today)
        )
    if organization_id is not None:
        conditions.append(Obligation.responsible_organization_id == organization_id)
    rows = session.execute(
        sa.select(
            col(Obligation.id),
            col(Obligation.title),
            col(Obligation.due_on),
            col(Obligation.responsible_organization_id),
            col(Agreement.id),
            col(Agreement.title),
            col(Agreement.kind),
        )
        .join(Agreement, col(Agreement.id) == Obligation.agreement_id)
        .where(*conditions)
    ).all()
    statuses = _statuses(session, {row[4] for row in rows}, today)
    return [
        Deadline(
            key=f"obligation:{obligation_id}:{due_on.isoformat()}",
            type=DeadlineType.obligation_due,
            due_on=due_on,
            title=title,
            agreement_id=agreement_id,
            agreement_title=agreement_title,
            agreement_kind=AgreementKind(kind),
            organization_ids=(responsible,),
            obligation_id=obligation_id,
            overdue=due_on < today,
            may_be_overdue=True,
        )
        for obligation_id, title, due_on, responsible, agreement_id, agreement_title, kind in rows
        if statuses.get(agreement_id) not in ENDED
    ]


def _with_party(organization_id: int | None) -> list[Any]:
    """The condition (none, or one) that the organization is a party of the agreement."""
    if organization_id is None:
        return []
    return [
        select(AgreementParty.id)
        .where(
            AgreementParty.agreement_id == Agreement.id,
            AgreementParty.organization_id == organization_id,
        )
        .correlate(Agreement)
        .exists()
    ]


def agreement_deadlines(
    session: Session,
    *,
    start: date,
    end: date,
    today: date,
    organization_id: int | None = None,
    settings: Settings = settings,
) -> list[Deadline]:
    """The deadlines of the agreements themselves within [start, end]: expiries, NK pks_due_on
    dates, planned signing days, yearly evaluations and the time limits of stages."""
    return (
        validity_deadlines(
            session, start=start, end=end, today=today, organization_id=organization_id
        )
        + planned_signing_deadlines(
            session, start=start, end=end, today=today, organization_id=organization_id
        )
        + evaluation_deadlines(
            session,
            start=start,
            end=end,
            today=today,
            organization_id=organization_id,
            month=settings.EVALUATION_DUE_MONTH,
            from_year=settings.EVALUATIONS_FROM_YEAR,
        )
        + stage_deadlines(
            session, start=start, end=end, today=today, organization_id=organization_id
        )
    )


def stage_deadlines(
    session: Session, *, start: date, end: date, today: date, organization_id: int | None = None
) -> list[Deadline]:
    """The time limit (batas waktu) of the stage each tracked agreement is in (app/stages), due
    within [start, end] or passed; it concerns every party, and warns warn_days_before days
    before."""
    dues = stage_dues(session, start=start, end=end, today=today)
    parties = party_ids_by_agreement(session, [d.agreement_id for d in dues])
    return [
        Deadline(
            key=f"stage:{d.agreement_id}:{d.stage_code}:{d.due_on.isoformat()}",
            type=DeadlineType.stage_due,
            due_on=d.due_on,
            title=f"Batas waktu tahap {d.stage_name} {label(d.kind)}: {d.title}",
            agreement_id=d.agreement_id,
            agreement_title=d.title,
            agreement_kind=d.kind,
            organization_ids=parties.get(d.agreement_id, ()),
            overdue=d.due_on < today,
            may_be_overdue=True,
            days_before=(d.warn_days_before,) if d.warn_days_before > 0 else (),
        )
        for d in dues
        if organization_id is None or organization_id in parties.get(d.agreement_id, ())
    ]


def validity_deadlines(
    session: Session, *, start: date, end: date, today: date, organization_id: int | None = None
) -> list[Deadline]:
    """Expiries of agreements in force, and NK pks_due_on dates, within [start, end]."""
    valid_until = effective_valid_until_expression(Agreement)
    status = status_expression(Agreement, today)
    party_filter = _with_party(organization_id)
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


def evaluation_due_on(year: int, month: int) -> date:
    """The last day of the month in which the evaluation of a year is due."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _evaluation_years(start: date, end: date, today: date, month: int, from_year: int) -> set[int]:
    """The years whose evaluation is asked for: those due within [start, end], and the latest
    one whose due day has passed (older years are not chased), from from_year on."""
    passed = [y for y in range(from_year, today.year + 1) if evaluation_due_on(y, month) < today]
    years = {max(passed)} if passed else set()
    return years | {
        y
        for y in range(max(from_year, start.year), end.year + 1)
        if start <= evaluation_due_on(y, month) <= end
    }


def owed_evaluations(
    years: Iterable[int], *, today: date, month: int, organization_id: int | None = None
) -> Any:
    """SQL: (agreement_id, year) of each yearly evaluation owed and not recorded: every NK and
    PKS in force owes one per year, unless it started after that year's due day."""
    in_force = sa.and_(
        col(Agreement.kind).in_((AgreementKind.nk, AgreementKind.pks)),
        sa.or_(*[status_condition(Agreement, s, today) for s in IN_FORCE]),
        *_with_party(organization_id),
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


def evaluation_deadlines(
    session: Session,
    *,
    start: date,
    end: date,
    today: date,
    organization_id: int | None = None,
    month: int = settings.EVALUATION_DUE_MONTH,
    from_year: int = settings.EVALUATIONS_FROM_YEAR,
) -> list[Deadline]:
    """The yearly evaluation (monev) of each NK and PKS in force: due by the end of
    EVALUATION_DUE_MONTH, for the years whose due day lies in [start, end], and for the latest
    year whose due day has passed (overdue until recorded; older years are not chased), from
    EVALUATIONS_FROM_YEAR on. An agreement that started after a year's due day owes none for it.
    It concerns every party."""
    years = _evaluation_years(start, end, today, month, from_year)
    if not years:
        return []
    owed = owed_evaluations(
        years, today=today, month=month, organization_id=organization_id
    ).subquery()
    rows = session.execute(
        sa.select(owed.c.agreement_id, owed.c.year, col(Agreement.title), col(Agreement.kind))
        .join(Agreement, col(Agreement.id) == owed.c.agreement_id)
        .order_by(owed.c.year, owed.c.agreement_id)
    ).all()
    if not rows:
        return []
    # Nationwide these are tens of thousands: the database joins on the same selection rather
    # than taking their ids back as a list.
    parties = party_ids_by_agreement(session, sa.select(owed.c.agreement_id))
    deadlines = []
    for agreement_id, year, title, kind in rows:
        day = evaluation_due_on(year, month)
        deadlines.append(
            Deadline(
                key=f"evaluation:{agreement_id}:{year}",
                type=DeadlineType.evaluation_due,
                due_on=day,
                title=f"Evaluasi tahunan (monev) {year} {label(AgreementKind(kind))}: {title}",
                agreement_id=agreement_id,
                agreement_title=title,
                agreement_kind=AgreementKind(kind),
                organization_ids=parties.get(agreement_id, ()),
                overdue=day < today,
                may_be_overdue=True,
            )
        )
    return deadlines


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
    years = _evaluation_years(start, end, today, month, from_year)
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


def planned_signing_deadlines(
    session: Session, *, start: date, end: date, today: date, organization_id: int | None = None
) -> list[Deadline]:
    """Planned signing days within [start, end], and every one passed, of agreements some party
    has still to sign; they concern the parties that have not signed."""
    status = status_expression(Agreement, today)
    rows = session.execute(
        sa.select(
            col(Agreement.id),
            col(Agreement.title),
            col(Agreement.kind),
            col(Agreement.planned_signing_on),
            status,
        ).where(
            col(Agreement.kind).in_((AgreementKind.nk, AgreementKind.pks)),
            col(Agreement.planned_signing_on) <= end,
            sa.or_(
                col(Agreement.planned_signing_on) >= start,
                col(Agreement.planned_signing_on) < today,
            ),
            col(Agreement.parties_unsigned) > 0,
        )
    ).all()
    pending = [r for r in rows if AgreementStatus(r[4]) in NOT_FULLY_SIGNED]
    unsigned: dict[int, list[int]] = {}
    if pending:
        for agreement_id, party in session.execute(
            sa.select(col(AgreementParty.agreement_id), col(AgreementParty.organization_id))
            .where(
                col(AgreementParty.agreement_id).in_([r[0] for r in pending]),
                col(AgreementParty.signature_recorded_at).is_(None),
            )
            .order_by(col(AgreementParty.agreement_id), col(AgreementParty.position))
        ):
            unsigned.setdefault(agreement_id, []).append(party)
    return [
        Deadline(
            key=f"planned_signing:{agreement_id}:{day.isoformat()}",
            type=DeadlineType.planned_signing,
            due_on=day,
            title=f"Rencana penandatanganan {label(AgreementKind(kind))}: {title}",
            agreement_id=agreement_id,
            agreement_title=title,
            agreement_kind=AgreementKind(kind),
            organization_ids=tuple(unsigned.get(agreement_id, ())),
            overdue=day < today,
            may_be_overdue=True,
        )
        for agreement_id, title, kind, day, _ in pending
        if organization_id is None or organization_id in unsigned.get(agreement_id, ())
    ]


def collect_deadlines(
    session: Session,
    *,
    start: date,
    end: date,
    today: date,
    organization_id: int | None = None,
    settings: Settings = settings,
) -> list[Deadline]:
    """Deadlines in [start, end] plus every overdue open obligation: overdue first, then by date."""
    deadlines = obligation_deadlines(
        session, due_until=end, due_from=start, today=today, organization_id=organization_id
    ) + agreement_deadlines(
        session,
        start=start,
        end=end,
        today=today,
        organization_id=organization_id,
        settings=settings,
    )
    return sorted(deadlines, key=lambda d: (not d.overdue, d.due_on, d.type.value, d.key))


def deadlines_public(session: Session, deadlines: list[Deadline]) -> list[DeadlinePublic]:
    """Deadlines as clients see them, with the names of the organizations concerned and of the
    agreement's parties."""
    parties = party_ids_by_agreement(session, {d.agreement_id for d in deadlines})
    ids = {i for d in deadlines for i in d.organization_ids} | {
        i for found in parties.values() for i in found
    }
    names = (
        dict(
            session.exec(
                select(Organization.id, Organization.name).where(
                    among(session, col(Organization.id), ids)
                )
            ).all()
        )
        if ids
        else {}
    )
    return [
        DeadlinePublic(
            key=d.key,
            type=d.type,
            due_on=d.due_on,
            title=d.title,
            overdue=d.overdue,
            non_working_day=non_working_reason(d.due_on),
            agreement=AgreementRef(
                id=d.agreement_id, title=d.agreement_title, kind=d.agreement_kind
            ),
            obligation_id=d.obligation_id,
            organizations=[
                OrganizationRef(id=i, name=names.get(i, "")) for i in d.organization_ids
            ],
            parties=[
                OrganizationRef(id=i, name=names.get(i, ""))
                for i in parties.get(d.agreement_id, ())
            ],
        )
        for d in deadlines
    ]


def week_of(day: date) -> date:
    """The Monday of a day's week: deadlines are counted, and shown, by week."""
    return day - timedelta(days=day.weekday())


def deadline_counts(
    deadlines: Iterable[Deadline], deadline_type: DeadlineType | None = None
) -> DeadlineCounts:
    """The counts of a list of deadlines: by type (every type), and, of the type asked if one
    is, overdue and the others by week (Monday)."""
    by_type = dict.fromkeys(DeadlineType, 0)
    weeks: Counter[date] = Counter()
    overdue = 0
    for deadline in deadlines:
        by_type[deadline.type] += 1
        if deadline_type is not None and deadline.type != deadline_type:
            continue
        if deadline.overdue:
            overdue += 1
        else:
            weeks[week_of(deadline.due_on)] += 1
    return DeadlineCounts(
        by_type=by_type,
        overdue=overdue,
        by_week=[WeekCount(week_start=week, count=n) for week, n in sorted(weeks.items())],
    )


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
    page; only the page's deadlines are dressed with their organizations' names. With a type,
    only deadlines of that type are listed and counted, except `by_type`, which counts every
    type (what the other filters would show)."""
    every = collect_deadlines(
        session,
        start=start,
        end=end,
        today=today,
        organization_id=organization_id,
        settings=settings,
    )
    found = every if deadline_type is None else [d for d in every if d.type == deadline_type]
    return DeadlinePage(
        total=len(found),
        counts=deadline_counts(every, deadline_type),
        limit=limit,
        offset=offset,
        items=deadlines_public(session, found[offset : offset + limit]),
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
