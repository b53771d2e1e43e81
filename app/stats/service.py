"""The front page's figures, each from the rule that owns it (status, deadlines, coverage)."""

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlmodel import Session, col

from app.activities.models import Activity, Verification
from app.activities.service import COUNTED
from app.agreements.derivation.service import coverage_totals, coverages_of
from app.agreements.models import Agreement, AgreementKind, AgreementStatus
from app.agreements.status import IN_FORCE, SIGNED_ONCE, status_expression
from app.compliance.models import ComplianceAssessment
from app.core.config import Settings
from app.reminders.deadlines import evaluation_due_counts, validity_deadlines
from app.reminders.models import DeadlineType
from app.stats.cache import TimedCache, stats_key

COVERAGE_SHOWN = 20
QUARTERS = 8
KINDS = (AgreementKind.nk, AgreementKind.pks)


class SignedInYear(BaseModel):
    year: int
    nk: int = 0
    pks: int = 0


class NkCoverage(BaseModel):
    nk_id: int
    title: str
    agencies: int = Field(description="SKPD of its government parties.")
    with_signed_pks: int = Field(description="Of them, those holding a signed PKS under it.")
    overdue: int = Field(description="Past the NK's pks_due_on without a signed PKS.")


class DueCounts(BaseModel):
    due: int = Field(description="Due within the window, not yet passed.")
    overdue: int


class ZoneYear(BaseModel):
    year: int
    green: int = 0
    yellow: int = 0
    red: int = 0


class QuarterActivities(BaseModel):
    quarter: str = Field(description="E.g. 2026-Q4.")
    reported: int = Field(description="Activities begun in it, reported and not rejected.")
    verified: int = Field(description="Of them, verified by another party.")


class StatsPublic(BaseModel):
    """The registry at a glance, today."""

    as_of: date
    computed_at: datetime = Field(
        description="The moment these figures were computed: each process keeps them for "
        "STATS_CACHE_SECONDS (60 by default), so a change shows within that time."
    )
    agreements: dict[str, dict[str, int]] = Field(
        description="How many NK and PKS are in each status, e.g. agreements.pks.active."
    )
    signed_per_year: list[SignedInYear] = Field(
        description="Agreements fully signed each year (the day the last party signed)."
    )
    expiring_next_90_days: dict[str, int] = Field(
        description="NK and PKS in force whose validity ends within 90 days."
    )
    nk_in_force: int
    coverage: list[NkCoverage] = Field(
        description=f"The SKPD coverage of the {COVERAGE_SHOWN} NK in force signed last (each in "
        "full at GET /api/v1/agreements/{id}/coverage)."
    )
    activities_per_quarter: list[QuarterActivities] = Field(
        description=f"Realisasi kegiatan of the last {QUARTERS} quarters, this one last."
    )
    evaluations: DueCounts = Field(
        description="Yearly evaluations (monev) of agreements in force not yet recorded."
    )
    compliance_latest: ZoneYear | None = Field(
        description="The zones of the latest year with compliance results recorded."
    )


def activities_per_quarter(session: Session, today: date) -> list[QuarterActivities]:
    """Activities begun in each of the last QUARTERS quarters (this one last)."""
    quarters = []
    year, quarter = today.year, (today.month - 1) // 3
    for _ in range(QUARTERS):
        quarters.append((year, quarter))
        year, quarter = (year, quarter - 1) if quarter else (year - 1, 3)
    quarters.reverse()
    counts = {
        key: QuarterActivities(quarter=f"{key[0]}-Q{key[1] + 1}", reported=0, verified=0)
        for key in quarters
    }
    first_year, first_quarter = quarters[0]
    held_year = sa.extract("year", col(Activity.held_from))
    held_month = sa.extract("month", col(Activity.held_from))
    for found_year, month, state, count in session.execute(
        sa.select(held_year, held_month, col(Activity.verification), sa.func.count())
        .where(
            col(Activity.verification).in_(COUNTED),
            col(Activity.held_from) >= date(first_year, first_quarter * 3 + 1, 1),
            col(Activity.held_from) <= today,
        )
        .group_by(held_year, held_month, col(Activity.verification))
    ):
        entry = counts[(int(found_year), (int(month) - 1) // 3)]
        entry.reported += count
        if state == Verification.verified:
            entry.verified += count
    return list(counts.values())


figures_cache: TimedCache[StatsPublic] = TimedCache()


def cached_stats(
    *, session: Session, today: date, settings: Settings, now: datetime
) -> StatsPublic:
    """The front page's figures as of today, computed at most STATS_CACHE_SECONDS before `now`
    (app/stats/cache.py says what they are kept by)."""
    return figures_cache.get(
        stats_key(today, settings),
        now=now,
        max_age=timedelta(seconds=settings.STATS_CACHE_SECONDS),
        compute=lambda: stats(session=session, today=today, settings=settings, now=now),
    )


def stats(*, session: Session, today: date, settings: Settings, now: datetime) -> StatsPublic:
    """The front page's figures as of today, computed now."""
    status = status_expression(Agreement, today)
    # One scan for both: the agreements per kind and status, and, of those signed by every party
    # (the year the last one signed), per year. The same expression objects in SELECT and GROUP
    # BY (PostgreSQL matches them with their parameters).
    fully_signed_year = sa.case(
        (
            sa.and_(
                col(Agreement.parties_unsigned) == 0,
                col(Agreement.parties_signed) > 0,
                col(Agreement.last_signed_on).is_not(None),
            ),
            sa.extract("year", col(Agreement.last_signed_on)),
        ),
        else_=None,
    )
    by_kind: dict[str, dict[str, int]] = {kind.value: {} for kind in KINDS}
    signed: dict[int, SignedInYear] = {}
    for kind, state, found_year, count in session.execute(
        sa.select(col(Agreement.kind), status, fully_signed_year, sa.func.count())
        .where(col(Agreement.kind).in_(KINDS))
        .group_by(col(Agreement.kind), status, fully_signed_year)
    ):
        kind_name, state = AgreementKind(kind).value, AgreementStatus(state)
        by_kind[kind_name][state.value] = by_kind[kind_name].get(state.value, 0) + count
        if found_year is not None and state in SIGNED_ONCE:
            entry = signed.setdefault(int(found_year), SignedInYear(year=int(found_year)))
            setattr(entry, kind_name, getattr(entry, kind_name) + count)

    window_end = today + timedelta(days=90)
    expiring = {kind.value: 0 for kind in KINDS}
    for deadline in validity_deadlines(session, start=today, end=window_end, today=today):
        if deadline.type == DeadlineType.agreement_expiry:
            expiring[deadline.agreement_kind.value] += 1
    evaluations_due, evaluations_overdue = evaluation_due_counts(
        session,
        start=today,
        end=window_end,
        today=today,
        month=settings.EVALUATION_DUE_MONTH,
        from_year=settings.EVALUATIONS_FROM_YEAR,
    )

    in_force: list[Any] = list(
        session.execute(
            sa.select(col(Agreement.id), col(Agreement.title))
            .where(col(Agreement.kind) == AgreementKind.nk, status.in_([s.value for s in IN_FORCE]))
            .order_by(col(Agreement.last_signed_on).desc(), col(Agreement.id).desc())
        )
    )
    shown = in_force[:COVERAGE_SHOWN]
    coverages = coverages_of(
        session=session, nk_ids=[nk_id for nk_id, _ in shown], as_of=today, today=today
    )
    coverage = []
    for nk_id, title in shown:
        totals = coverage_totals(coverages[nk_id].counts)
        coverage.append(
            NkCoverage(
                nk_id=nk_id,
                title=title,
                agencies=totals.agencies,
                with_signed_pks=totals.signed,
                overdue=totals.overdue,
            )
        )

    latest = sa.select(sa.func.max(ComplianceAssessment.year)).scalar_subquery()
    zones = None
    for found_year, zone, count in session.execute(
        sa.select(col(ComplianceAssessment.year), col(ComplianceAssessment.zone), sa.func.count())
        .where(col(ComplianceAssessment.year) == latest)
        .group_by(col(ComplianceAssessment.year), col(ComplianceAssessment.zone))
    ):
        if zones is None:
            zones = ZoneYear(year=found_year)
        setattr(zones, zone.value if hasattr(zone, "value") else str(zone), count)

    return StatsPublic(
        as_of=today,
        computed_at=now,
        agreements=by_kind,
        signed_per_year=[signed[y] for y in sorted(signed)],
        expiring_next_90_days=expiring,
        nk_in_force=len(in_force),
        coverage=coverage,
        activities_per_quarter=activities_per_quarter(session, today),
        evaluations=DueCounts(due=evaluations_due, overdue=evaluations_overdue),
        compliance_latest=zones,
    )
