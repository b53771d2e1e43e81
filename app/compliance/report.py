"""One agreement's implementation at a glance: its ruang lingkup items with the activities
reported for them, the obligations kept and missed, its evaluations, and its parties' compliance
results before and after signing."""

from datetime import date

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.activities.models import Activity, ActivityScopeItem, Verification
from app.activities.service import COUNTED
from app.agreements.amendments import scope_in_effect_rows
from app.agreements.models import AgreementKind, AgreementParty, AgreementStatus
from app.agreements.status import facts_of
from app.compliance.models import ComplianceAssessment, Zone
from app.evaluations.schemas import EvaluationPublic
from app.evaluations.service import list_evaluations
from app.obligations.models import Obligation, ObligationStatus
from app.obligations.service import status_expression_of
from app.organizations.service import ancestry, organizations_by_id

ACTIVITIES_SHOWN = 20


class ActivityBrief(BaseModel):
    id: int
    title: str
    held_from: date
    held_to: date
    organization_id: int
    verification: Verification


class ScopeItemReport(BaseModel):
    """A ruang lingkup item in effect and what was reported for it."""

    id: int
    position: int
    title: str
    implemented: bool = Field(description="At least one activity reported and not rejected.")
    activities_reported: int = Field(description="Reported and not rejected.")
    activities_verified: int
    activities: list[ActivityBrief] = Field(
        description=f"The latest {ACTIVITIES_SHOWN} activities held for it, rejected included "
        "(all of them at GET /api/v1/agreements/{id}/activities?scope_item_id=)."
    )


class ActivityCounts(BaseModel):
    reported: int = Field(description="Not rejected: pending and verified.")
    verified: int
    pending: int
    rejected: int


class ObligationBrief(BaseModel):
    id: int
    title: str
    due_on: date
    responsible_organization_id: int


class ObligationCounts(BaseModel):
    kept: int = Field(description="Done on or before the day due.")
    kept_late: int = Field(description="Done after the day due.")
    missed: int = Field(description="Open past the day due (overdue) today.")
    upcoming: int = Field(description="Open, not yet due.")
    waived: int
    overdue: list[ObligationBrief] = Field(description="The missed ones, the oldest first.")


class ZoneResult(BaseModel):
    year: int
    zone: Zone
    score: float | None
    category: str | None


class PartyOutcome(BaseModel):
    """A party's compliance results around the signing."""

    organization_id: int
    organization_name: str
    assessed_organization_id: int | None = Field(
        description="Whose results these are: the party's own, else those of the nearest "
        "organization above it with results (an SKPD: its government); null if none has any."
    )
    assessed_organization_name: str | None
    before: ZoneResult | None = Field(description="The latest result of a year before signing.")
    after: ZoneResult | None = Field(description="The latest result of a year after signing.")
    results: list[ZoneResult] = Field(description="Every result recorded, oldest first.")


class AgreementReport(BaseModel):
    """What an NK or PKS achieved."""

    agreement_id: int
    kind: AgreementKind
    title: str
    status: AgreementStatus
    signed_on: date | None
    valid_until: date | None
    scope_items: list[ScopeItemReport]
    activities: ActivityCounts
    obligations: ObligationCounts
    evaluations: list[EvaluationPublic]
    parties: list[PartyOutcome]


def _activities(session: Session, agreement_id: int) -> dict[int, list[Activity]]:
    by_item: dict[int, list[Activity]] = {}
    for activity, item_id in session.execute(
        sa.select(Activity, col(ActivityScopeItem.scope_item_id))
        .join(ActivityScopeItem, col(ActivityScopeItem.activity_id) == Activity.id)
        .where(col(Activity.agreement_id) == agreement_id)
        .order_by(col(Activity.held_from).desc(), col(Activity.id).desc())
    ):
        by_item.setdefault(item_id, []).append(activity)
    return by_item


def _activity_counts(session: Session, agreement_id: int) -> ActivityCounts:
    counts = dict.fromkeys(Verification, 0)
    for state, n in session.execute(
        sa.select(col(Activity.verification), sa.func.count())
        .where(col(Activity.agreement_id) == agreement_id)
        .group_by(col(Activity.verification))
    ):
        counts[Verification(state)] = n
    return ActivityCounts(
        reported=sum(counts[s] for s in COUNTED),
        verified=counts[Verification.verified],
        pending=counts[Verification.pending],
        rejected=counts[Verification.rejected],
    )


def _obligations(session: Session, agreement_id: int, today: date) -> ObligationCounts:
    status = status_expression_of(today)
    counts = ObligationCounts(kept=0, kept_late=0, missed=0, upcoming=0, waived=0, overdue=[])
    for obligation, state in session.execute(
        sa.select(Obligation, status)
        .where(col(Obligation.agreement_id) == agreement_id)
        .order_by(col(Obligation.due_on), col(Obligation.id))
    ):
        state = ObligationStatus(state)
        if state == ObligationStatus.done:
            assert obligation.completed_on is not None
            if obligation.completed_on <= obligation.due_on:
                counts.kept += 1
            else:
                counts.kept_late += 1
        elif state == ObligationStatus.overdue:
            counts.missed += 1
            counts.overdue.append(ObligationBrief.model_validate(obligation.model_dump()))
        elif state == ObligationStatus.open:
            counts.upcoming += 1
        else:
            counts.waived += 1
    return counts


def _parties(session: Session, agreement_id: int, signed_on: date | None) -> list[PartyOutcome]:
    parties = list(
        session.execute(
            sa.select(col(AgreementParty.organization_id), col(AgreementParty.signed_on))
            .where(col(AgreementParty.agreement_id) == agreement_id)
            .order_by(col(AgreementParty.position))
        )
    )
    lineage = ancestry(session, [p for p, _ in parties])
    organizations = organizations_by_id(session, set().union(*lineage.values()))
    results: dict[int, list[ZoneResult]] = {}
    for a in session.exec(
        select(ComplianceAssessment)
        .where(col(ComplianceAssessment.organization_id).in_(organizations))
        .order_by(col(ComplianceAssessment.year))
    ):
        results.setdefault(a.organization_id, []).append(
            ZoneResult(year=a.year, zone=a.zone, score=a.score, category=a.category)
        )
    found = []
    for organization_id, party_signed_on in parties:
        assessed: int | None = organization_id
        while assessed is not None and assessed not in results:
            parent = organizations.get(assessed)
            assessed = parent.parent_id if parent is not None else None
        own = results.get(assessed, []) if assessed is not None else []
        signed = party_signed_on or signed_on
        before = [r for r in own if signed is not None and r.year < signed.year]
        after = [r for r in own if signed is not None and r.year > signed.year]
        found.append(
            PartyOutcome(
                organization_id=organization_id,
                organization_name=organizations[organization_id].name,
                assessed_organization_id=assessed,
                assessed_organization_name=organizations[assessed].name if assessed else None,
                before=before[-1] if before else None,
                after=after[-1] if after else None,
                results=own,
            )
        )
    return found


def agreement_report(*, session: Session, agreement_id: int, today: date) -> AgreementReport:
    """The report of one agreement (AgreementNotFound if there is none)."""
    facts = facts_of(session, agreement_id, today)
    by_item = _activities(session, agreement_id)
    items = []
    for position, item in enumerate(scope_in_effect_rows(session, agreement_id, today), 1):
        activities = by_item.get(item.id or 0, [])
        counted = [a for a in activities if a.verification in COUNTED]
        items.append(
            ScopeItemReport(
                id=item.id or 0,
                position=position,
                title=item.title,
                implemented=bool(counted),
                activities_reported=len(counted),
                activities_verified=sum(a.verification == Verification.verified for a in counted),
                activities=[
                    ActivityBrief.model_validate(a.model_dump())
                    for a in activities[:ACTIVITIES_SHOWN]
                ],
            )
        )
    return AgreementReport(
        agreement_id=agreement_id,
        kind=facts.agreement.kind,
        title=facts.agreement.title,
        status=facts.status,
        signed_on=facts.signed_on,
        valid_until=facts.valid_until,
        scope_items=items,
        activities=_activity_counts(session, agreement_id),
        obligations=_obligations(session, agreement_id, today),
        evaluations=list_evaluations(session=session, agreement_id=agreement_id),
        parties=_parties(session, agreement_id, facts.signed_on),
    )
