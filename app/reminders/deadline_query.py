"""Which deadlines exist, as one SQL selection: the one home of every deadline source's rule.

Each source (open obligations, expiries, NK pks_due_on dates, planned signing days, yearly
evaluations, the time limits of stages) is one SELECT of the same columns; `deadline_rows` is
their UNION ALL. The list (`GET /api/v1/deadlines`, Tenggat), the calendar feed and the
reminder run read it: the list counts and pages it in the database (a Perwakilan has thousands
nationwide), the others take every row.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from app.agreements.models import Agreement, AgreementKind, AgreementParty
from app.agreements.status import (
    NOT_FULLY_SIGNED,
    effective_valid_until_expression,
    in_force_condition,
    live_condition,
    status_expression,
)
from app.core.config import Settings, settings
from app.core.db import records
from app.evaluations.models import Evaluation
from app.obligations.models import Obligation
from app.reminders.models import DeadlineType
from app.stages.models import StageDefinition
from app.stages.service import stage_due_sql

# The list's order among deadlines of one day: by type (its value's alphabetical order).
TYPE_ORDER = {t: n for n, t in enumerate(sorted(DeadlineType, key=lambda t: t.value))}
KINDS = (AgreementKind.nk, AgreementKind.pks)


def evaluation_due_on(year: int, month: int) -> date:
    """The last day of the month in which the evaluation of a year is due."""
    return date(year, month, calendar.monthrange(year, month)[1])


def evaluation_years(start: date, end: date, today: date, month: int, from_year: int) -> set[int]:
    """The years whose evaluation is asked for: those due within [start, end], and the latest
    one whose due day has passed (older years are not chased), from from_year on."""
    passed = [y for y in range(from_year, today.year + 1) if evaluation_due_on(y, month) < today]
    years = {max(passed)} if passed else set()
    return years | {
        y
        for y in range(max(from_year, start.year), end.year + 1)
        if start <= evaluation_due_on(y, month) <= end
    }


def party_of(organization_id: int | None, *where: Any) -> list[Any]:
    """The condition (none, or one) that the organization is a party of the agreement (and its
    party row meets `where`)."""
    if organization_id is None:
        return []
    mine = [AgreementParty.organization_id == organization_id, *where]
    return [col(Agreement.id).in_(select(AgreementParty.agreement_id).where(*mine))]


def _columns(
    deadline_type: DeadlineType,
    due_on: Any,
    overdue: Any,
    *,
    obligation: bool = False,
    stage: Any = None,
) -> list[Any]:
    """The columns every source gives, in the same order and with the same names."""
    # (No CAST: SQLite's CAST AS DATE makes a number. The first source, obligations, gives
    # every column its type; PostgreSQL resolves the others' NULLs against it.)
    null = sa.null()
    return [
        sa.literal(TYPE_ORDER[deadline_type]).label("type_rank"),
        sa.literal(deadline_type.value).label("type"),
        sa.type_coerce(due_on, sa.Date).label("due_on"),
        sa.type_coerce(overdue, sa.Boolean).label("overdue"),
        col(Agreement.id).label("agreement_id"),
        (col(Obligation.id) if obligation else null).label("obligation_id"),
        (col(Obligation.responsible_organization_id) if obligation else null).label(
            "responsible_id"
        ),
        (col(Obligation.title) if obligation else null).label("obligation_title"),
        col(Agreement.title).label("agreement_title"),
        col(Agreement.kind).label("kind"),
        (null if stage is None else col(StageDefinition.code)).label("stage_code"),
        (null if stage is None else col(StageDefinition.name)).label("stage_name"),
        # The days before the day that warn of it, when not the settings' REMINDER_DAYS_BEFORE.
        # (Cast: PostgreSQL resolves a chain of UNIONs pair by pair, and two NULLs make text.)
        (
            sa.cast(null, sa.Integer) if stage is None else col(StageDefinition.warn_days_before)
        ).label("days_before"),
    ]


def deadline_rows(
    *,
    start: date,
    end: date,
    today: date,
    organization_id: int | None = None,
    settings: Settings = settings,
) -> Any:
    """SQL: the deadlines (see `_deadline_rows`); built once per window, day, organization and
    monev settings, as building it costs more than the database takes to run it."""
    return _deadline_rows(
        start,
        end,
        today,
        organization_id,
        settings.EVALUATION_DUE_MONTH,
        settings.EVALUATIONS_FROM_YEAR,
    )


@lru_cache(maxsize=512)
def _deadline_rows(
    start: date,
    end: date,
    today: date,
    organization_id: int | None,
    month: int,
    from_year: int,
) -> Any:
    """SQL: every deadline in [start, end], every open obligation, planned signing day and
    stage time limit that has passed, and the latest passed yearly evaluation not recorded; with
    an organization, only those that concern it (its obligations; agreements it is a party of;
    signing days it has still to sign by). Columns: type_rank (of the type, for the order),
    type, due_on, overdue, agreement_id, obligation_id, responsible_id, obligation_title,
    agreement_title, kind, stage_code, stage_name, days_before (of a stage's time limit, which
    concerns every party)."""
    status = status_expression(Agreement, today)
    valid_until = effective_valid_until_expression(Agreement)
    parties = party_of(organization_id)
    obligations = (
        sa.select(
            *_columns(
                DeadlineType.obligation_due,
                Obligation.due_on,
                col(Obligation.due_on) < today,
                obligation=True,
            )
        )
        .select_from(Obligation)
        .join(Agreement, col(Agreement.id) == Obligation.agreement_id)
        .where(
            col(Obligation.completed_on).is_(None),
            col(Obligation.waived_at).is_(None),
            col(Obligation.due_on) <= end,
            sa.or_(col(Obligation.due_on) >= start, col(Obligation.due_on) < today),
            live_condition(Agreement, today),
            *(
                []
                if organization_id is None
                else [col(Obligation.responsible_organization_id) == organization_id]
            ),
        )
    )
    expiries = sa.select(*_columns(DeadlineType.agreement_expiry, valid_until, sa.false())).where(
        col(Agreement.kind).in_(KINDS),
        valid_until >= start,
        valid_until <= end,
        in_force_condition(Agreement, today),
        *parties,
    )
    pks_due = sa.select(*_columns(DeadlineType.pks_due, Agreement.pks_due_on, sa.false())).where(
        col(Agreement.kind) == AgreementKind.nk,
        col(Agreement.pks_due_on) >= start,
        col(Agreement.pks_due_on) <= end,
        live_condition(Agreement, today),
        *parties,
    )
    unsigned_by = party_of(organization_id, col(AgreementParty.signature_recorded_at).is_(None))
    planned = sa.select(
        *_columns(
            DeadlineType.planned_signing,
            Agreement.planned_signing_on,
            col(Agreement.planned_signing_on) < today,
        )
    ).where(
        col(Agreement.kind).in_(KINDS),
        col(Agreement.planned_signing_on) <= end,
        sa.or_(
            col(Agreement.planned_signing_on) >= start, col(Agreement.planned_signing_on) < today
        ),
        col(Agreement.parties_unsigned) > 0,
        status.in_([s.value for s in NOT_FULLY_SIGNED]),
        *unsigned_by,
    )
    evaluations = _evaluation_sources(
        start=start,
        end=end,
        today=today,
        parties=parties,
        month=month,
        from_year=from_year,
    )
    rule = stage_due_sql(today)
    stages = (
        sa.select(*_columns(DeadlineType.stage_due, rule.due_on, rule.due_on < today, stage=rule))
        .select_from(rule.joined)
        .where(
            *rule.where,
            rule.due_on <= end,
            sa.or_(rule.due_on >= start, rule.due_on < today),
            *parties,
        )
    )
    # (Immutable: shared between requests and threads, as status_expression's are.)
    return sa.union_all(obligations, expiries, pks_due, planned, *evaluations, stages)


def _evaluation_sources(
    *, start: date, end: date, today: date, parties: list[Any], month: int, from_year: int
) -> list[Any]:
    """One SELECT per year asked for (`evaluation_years`): every NK and PKS in force owes one,
    unless it started after that year's due day or its evaluation is recorded."""
    in_force = in_force_condition(Agreement, today)
    started = sa.func.coalesce(Agreement.valid_from, Agreement.last_signed_on)
    sources = []
    for year in sorted(evaluation_years(start, end, today, month, from_year)):
        day = evaluation_due_on(year, month)
        sources.append(
            sa.select(
                *_columns(
                    DeadlineType.evaluation_due, sa.literal(day, sa.Date), sa.literal(day < today)
                )
            ).where(
                col(Agreement.kind).in_(KINDS),
                in_force,
                sa.or_(started.is_(None), started <= day),
                ~sa.select(col(Evaluation.id))
                .where(col(Evaluation.agreement_id) == Agreement.id, col(Evaluation.year) == year)
                .exists(),
                *parties,
            )
        )
    return sources


def list_order(rows: Any) -> list[Any]:
    """The list's order: overdue first, then by date, type, agreement and obligation."""
    return [
        sa.desc(rows.c.overdue),
        rows.c.due_on,
        rows.c.type_rank,
        rows.c.agreement_id,
        rows.c.obligation_id,
    ]


@dataclass(frozen=True)
class DeadlineRow:
    """One row of `deadline_rows`."""

    type: DeadlineType
    due_on: date
    overdue: bool
    agreement_id: int
    obligation_id: int | None
    responsible_id: int | None
    obligation_title: str | None
    agreement_title: str
    kind: AgreementKind
    stage_code: str | None = None
    stage_name: str | None = None
    days_before: int | None = None

    @classmethod
    def of(cls, row: Any) -> "DeadlineRow":
        return cls(
            type=DeadlineType(row.type),
            due_on=row.due_on,
            overdue=bool(row.overdue),
            agreement_id=row.agreement_id,
            obligation_id=row.obligation_id,
            responsible_id=row.responsible_id,
            obligation_title=row.obligation_title,
            agreement_title=row.agreement_title,
            kind=AgreementKind(row.kind),
            stage_code=row.stage_code,
            stage_name=row.stage_name,
            days_before=row.days_before,
        )


def rows_of(result: sa.Result[Any]) -> list[DeadlineRow]:
    return [DeadlineRow.of(r) for r in records(result)]
