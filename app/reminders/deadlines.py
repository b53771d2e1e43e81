"""Every deadline in one list: obligation due dates, agreement expiries, NK pks_due_on dates."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import holidays
import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.agreements.lifecycle import ENDED, effective_valid_until_expression, status_expression
from app.agreements.models import Agreement, AgreementKind, AgreementParty, AgreementStatus
from app.obligations.models import Obligation
from app.reminders.models import DeadlineType

IN_FORCE = (AgreementStatus.signed, AgreementStatus.active)


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
            col(Agreement.id).in_(agreement_ids)
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


def _parties_of(session: Session, agreement_ids: list[int]) -> dict[int, tuple[int, ...]]:
    result: dict[int, list[int]] = {}
    for agreement_id, organization_id in session.exec(
        select(AgreementParty.agreement_id, AgreementParty.organization_id)
        .where(col(AgreementParty.agreement_id).in_(agreement_ids))
        .order_by(col(AgreementParty.position))
    ):
        result.setdefault(agreement_id, []).append(organization_id)
    return {k: tuple(v) for k, v in result.items()}


def agreement_deadlines(
    session: Session, *, start: date, end: date, today: date, organization_id: int | None = None
) -> list[Deadline]:
    """Expiries of agreements in force, and NK pks_due_on dates, within [start, end]."""
    valid_until = effective_valid_until_expression(Agreement)
    status = status_expression(Agreement, today)
    party_filter: list[Any] = []
    if organization_id is not None:
        party_filter.append(
            select(AgreementParty.id)
            .where(
                AgreementParty.agreement_id == Agreement.id,
                AgreementParty.organization_id == organization_id,
            )
            .correlate(Agreement)
            .exists()
        )
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
    parties = _parties_of(session, [r[0] for r in live_expiring + live_pks_due])
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
            title=template.format(kind=AgreementKind(kind).value.upper(), title=title),
            agreement_id=agreement_id,
            agreement_title=title,
            agreement_kind=AgreementKind(kind),
            organization_ids=parties.get(agreement_id, ()),
        )
        for rows, deadline_type, prefix, template in sources
        for agreement_id, title, kind, day, _ in rows
    ]
    return deadlines


def collect_deadlines(
    session: Session, *, start: date, end: date, today: date, organization_id: int | None = None
) -> list[Deadline]:
    """Deadlines in [start, end] plus every overdue open obligation: overdue first, then by date."""
    deadlines = obligation_deadlines(
        session, due_until=end, due_from=start, today=today, organization_id=organization_id
    ) + agreement_deadlines(
        session, start=start, end=end, today=today, organization_id=organization_id
    )
    return sorted(deadlines, key=lambda d: (not d.overdue, d.due_on, d.type.value, d.key))


def default_window(
    today: date, start: date | None, end: date | None, days: int
) -> tuple[date, date]:
    """[start, end], defaulting to today and today + days."""
    start = start or today
    return start, end or start + timedelta(days=days)
