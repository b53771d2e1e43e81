"""Recording compliance results, and the outcomes view: results beside agreements in force."""

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.activities.models import Activity, Verification
from app.activities.service import COUNTED
from app.agreements.models import Agreement, AgreementKind, AgreementParty
from app.agreements.status import effective_valid_until_expression
from app.audit.service import record_audit
from app.compliance.models import ComplianceAssessment, Zone
from app.compliance.schemas import (
    AgreementAwaitingOthers,
    AgreementInForce,
    ComplianceAssessmentCreate,
    ComplianceAssessmentPublic,
    EvaluationBrief,
    OutcomeAgreementState,
    OutcomeEntry,
    OutcomesPublic,
    OutcomeYear,
    ZoneCounts,
)
from app.core.errors import Conflict, NotFound, RuleViolation, field_error
from app.core.pagination import paginate
from app.evaluations.models import Evaluation
from app.organizations.models import Organization
from app.organizations.service import get_organization, organizations_in_view

MAX_YEARS = 30


def _public(assessment: ComplianceAssessment, name: str) -> ComplianceAssessmentPublic:
    return ComplianceAssessmentPublic.model_validate(
        {**assessment.model_dump(), "organization_name": name}
    )


def create_assessment(
    *, session: Session, assessment_in: ComplianceAssessmentCreate
) -> ComplianceAssessmentPublic:
    """Record a result; one per organization and year (409 naming the one recorded)."""
    organization = session.get(Organization, assessment_in.organization_id)
    if organization is None:
        raise RuleViolation(
            f"organization_id {assessment_in.organization_id} names no organization.",
            type_slug="unknown-organization",
            errors=[field_error("organization_id", msg="no organization with this id")],
        )
    existing = session.exec(
        select(ComplianceAssessment).where(
            ComplianceAssessment.organization_id == assessment_in.organization_id,
            ComplianceAssessment.year == assessment_in.year,
        )
    ).first()
    if existing is not None:
        raise Conflict(
            f"'{organization.name}' already has a result for {assessment_in.year} "
            f"(assessment {existing.id}: {existing.zone.value}).",
            type_slug="duplicate-assessment",
            existing_id=existing.id,
        )
    assessment = ComplianceAssessment.model_validate(assessment_in.model_dump())
    session.add(assessment)
    session.flush()
    assert assessment.id is not None
    record_audit(
        session,
        "assessment",
        assessment.id,
        "created",
        **assessment_in.model_dump(mode="json"),
    )
    session.commit()
    session.refresh(assessment)
    return _public(assessment, organization.name)


def get_assessment(*, session: Session, assessment_id: int) -> ComplianceAssessmentPublic:
    found = session.exec(
        select(ComplianceAssessment, Organization.name)
        .join(Organization, col(Organization.id) == ComplianceAssessment.organization_id)
        .where(ComplianceAssessment.id == assessment_id)
    ).first()
    if found is None:
        raise NotFound(
            f"No compliance assessment with id {assessment_id}.",
            type_slug="assessment-not-found",
        )
    return _public(*found)


def list_assessments(
    *,
    session: Session,
    organization_id: int | None,
    within: bool,
    year: int | None,
    zone: Zone | None,
    limit: int,
    offset: int,
) -> tuple[list[ComplianceAssessmentPublic], int]:
    """Results by year (newest first), then organization name."""
    conditions: list[Any] = []
    if organization_id is not None:
        ids = organizations_in_view(session, organization_id) if within else [organization_id]
        conditions.append(col(ComplianceAssessment.organization_id).in_(ids))
    if year is not None:
        conditions.append(ComplianceAssessment.year == year)
    if zone is not None:
        conditions.append(ComplianceAssessment.zone == zone)
    statement = (
        select(ComplianceAssessment, Organization.name)
        .join(Organization, col(Organization.id) == ComplianceAssessment.organization_id)
        .where(*conditions)
        .order_by(
            col(ComplianceAssessment.year).desc(), Organization.name, col(ComplianceAssessment.id)
        )
    )
    rows, total = paginate(session, statement, limit=limit, offset=offset)
    return [_public(a, name) for a, name in rows], total


def _agreements_in_force(
    session: Session, organization_ids: list[int], first: int, last: int
) -> list[tuple[int, int, AgreementKind, str, int]]:
    """(year, id, kind, title, party) of the agreements in force in each year with one of the
    organizations as a party: fully signed by the year's end, started by then (valid_from, else
    the last signature), and not ended before the year began (effective validity, termination);
    cancelled agreements never count. Amendments are not agreements of their own here."""
    valid_until = effective_valid_until_expression(Agreement)
    rows = session.execute(
        sa.select(
            col(Agreement.id),
            col(Agreement.kind),
            col(Agreement.title),
            col(AgreementParty.organization_id),
            sa.func.coalesce(Agreement.valid_from, Agreement.last_signed_on),
            valid_until,
            col(Agreement.terminated_on),
        )
        .join(AgreementParty, col(AgreementParty.agreement_id) == Agreement.id)
        .where(
            col(AgreementParty.organization_id).in_(organization_ids),
            col(Agreement.kind).in_((AgreementKind.nk, AgreementKind.pks)),
            col(Agreement.cancelled_at).is_(None),
            col(Agreement.parties_unsigned) == 0,
            col(Agreement.parties_signed) > 0,
        )
    ).all()
    found = []
    for agreement_id, kind, title, party, start, until, terminated in rows:
        for year in range(first, last + 1):
            begins, ends = date(year, 1, 1), date(year, 12, 31)
            if start is not None and start > ends:
                continue
            if until is not None and until < begins:
                continue
            if terminated is not None and terminated < begins:
                continue
            found.append((year, agreement_id, AgreementKind(kind), title, party))
    return found


def _signed_awaiting_others(
    session: Session, organization_ids: list[int], first: int, last: int
) -> list[tuple[int, AgreementAwaitingOthers]]:
    """(year, agreement) for each agreement that one of the organizations signed while other
    parties have still to sign: from the year of its signature (an undated one: every year),
    while the agreement has not ended (effective validity, termination); cancelled ones never
    count. `signed_by_this_organization` is filled in per entry by the caller."""
    signer = aliased(AgreementParty)
    rows = session.execute(
        sa.select(
            col(Agreement.id),
            col(Agreement.kind),
            col(Agreement.title),
            col(signer.organization_id),
            col(signer.signed_on),
            col(Agreement.parties_unsigned),
            effective_valid_until_expression(Agreement),
            col(Agreement.terminated_on),
        )
        .join(signer, col(signer.agreement_id) == Agreement.id)
        .where(
            col(signer.organization_id).in_(organization_ids),
            col(signer.signature_recorded_at).is_not(None),
            col(Agreement.kind).in_((AgreementKind.nk, AgreementKind.pks)),
            col(Agreement.cancelled_at).is_(None),
            col(Agreement.parties_unsigned) > 0,
        )
    ).all()
    if not rows:
        return []
    awaiting: dict[int, list[str]] = {}
    for agreement_id, name in session.execute(
        sa.select(col(AgreementParty.agreement_id), col(Organization.name))
        .join(Organization, col(Organization.id) == AgreementParty.organization_id)
        .where(
            col(AgreementParty.agreement_id).in_({row[0] for row in rows}),
            col(AgreementParty.signature_recorded_at).is_(None),
        )
        .order_by(col(AgreementParty.agreement_id), col(AgreementParty.position))
    ):
        awaiting.setdefault(agreement_id, []).append(name)
    found = []
    for agreement_id, kind, title, party, signed_on, unsigned, until, terminated in rows:
        for year in range(first, last + 1):
            begins, ends = date(year, 1, 1), date(year, 12, 31)
            if signed_on is not None and signed_on > ends:
                continue
            if until is not None and until < begins:
                continue
            if terminated is not None and terminated < begins:
                continue
            found.append(
                (
                    year,
                    AgreementAwaitingOthers(
                        id=agreement_id,
                        kind=AgreementKind(kind),
                        title=title,
                        signed_by=party,
                        signed_by_this_organization=False,
                        signed_on=signed_on,
                        awaiting_signatures_of=unsigned,
                        awaiting=awaiting.get(agreement_id, []),
                    ),
                )
            )
    return found


def _evaluations_of(
    session: Session, agreement_ids: set[int], first: int, last: int
) -> dict[tuple[int, int], EvaluationBrief]:
    """Each agreement's evaluation of each year: the whole year's, else the later half's."""
    if not agreement_ids:
        return {}
    found = session.exec(
        select(Evaluation).where(
            col(Evaluation.agreement_id).in_(agreement_ids),
            col(Evaluation.year) >= first,
            col(Evaluation.year) <= last,
        )
    ).all()

    def rank(evaluation: Evaluation) -> int:
        return {"": 2, "-H2": 1, "-H1": 0}[evaluation.period[4:]]

    best: dict[tuple[int, int], Evaluation] = {}
    for evaluation in found:
        key = (evaluation.agreement_id, evaluation.year)
        if key not in best or rank(evaluation) > rank(best[key]):
            best[key] = evaluation
    return {
        key: EvaluationBrief(period=e.period, score=e.score, recommendation=e.recommendation)
        for key, e in best.items()
    }


def _activities_of(
    session: Session, agreement_ids: set[int], first: int, last: int
) -> dict[tuple[int, int], tuple[int, int]]:
    """(reported and not rejected, verified) activities of each agreement begun in each year."""
    if not agreement_ids:
        return {}
    year = sa.extract("year", col(Activity.held_from))
    found: dict[tuple[int, int], tuple[int, int]] = {}
    for agreement_id, held_in, state, count in session.execute(
        sa.select(col(Activity.agreement_id), year, col(Activity.verification), sa.func.count())
        .where(
            col(Activity.agreement_id).in_(agreement_ids),
            col(Activity.verification).in_(COUNTED),
            col(Activity.held_from) >= date(first, 1, 1),
            col(Activity.held_from) <= date(last, 12, 31),
        )
        .group_by(col(Activity.agreement_id), year, col(Activity.verification))
    ):
        key = (agreement_id, int(held_in))
        reported, verified = found.get(key, (0, 0))
        found[key] = (
            reported + count,
            verified + (count if state == Verification.verified else 0),
        )
    return found


def outcomes(
    *,
    session: Session,
    organization_id: int,
    from_year: int | None,
    to_year: int | None,
    today: date,
) -> OutcomesPublic:
    """For an organization and those in its view (see organizations_in_view), year by year:
    each one's compliance result beside the agreements it (or an organization under it) held in
    force; and how many were green, yellow and red with and without an agreement in force."""
    root = get_organization(session=session, organization_id=organization_id)
    ids = organizations_in_view(session, organization_id)
    assessments = session.exec(
        select(ComplianceAssessment).where(col(ComplianceAssessment.organization_id).in_(ids))
    ).all()
    years = [a.year for a in assessments]
    first = from_year or (min(years) if years else today.year)
    last = to_year or (max(years) if years else first)
    if last < first or last - first >= MAX_YEARS:
        raise RuleViolation(
            f"from_year {first} to to_year {last}: give a span of 1 to {MAX_YEARS} years, "
            "from the earlier to the later.",
            type_slug="bad-year-span",
            errors=[
                field_error(
                    "to_year", msg=f"from_year..to_year, at most {MAX_YEARS} years", where="query"
                )
            ],
        )
    organizations = {
        o.id: o
        for o in session.exec(select(Organization).where(col(Organization.id).in_(ids)))
        if o.id is not None
    }
    # Which organization of the view each one counts for: itself, if it is assessed or holds
    # agreements; an SKPD's agreements also count for the government above it.
    parents = {oid: o.parent_id for oid, o in organizations.items()}

    def line_of(oid: int) -> list[int]:
        chain: list[int] = []
        current: int | None = oid
        while current is not None and current in organizations and len(chain) < 50:
            chain.append(current)
            current = parents.get(current)
        return chain

    by_key = {(a.organization_id, a.year): a for a in assessments}
    in_force = _agreements_in_force(session, ids, first, last)
    evaluations = _evaluations_of(session, {row[1] for row in in_force}, first, last)
    activities = _activities_of(session, {row[1] for row in in_force}, first, last)
    held: dict[tuple[int, int], dict[int, AgreementInForce]] = {}
    for year, agreement_id, kind, title, party in in_force:
        for holder in line_of(party):
            held.setdefault((holder, year), {})[agreement_id] = AgreementInForce(
                id=agreement_id,
                kind=kind,
                title=title,
                held_by=party,
                evaluation=evaluations.get((agreement_id, year)),
                activities_reported=activities.get((agreement_id, year), (0, 0))[0],
                activities_verified=activities.get((agreement_id, year), (0, 0))[1],
            )
    signed: dict[tuple[int, int], dict[int, AgreementAwaitingOthers]] = {}
    for year, one in _signed_awaiting_others(session, ids, first, last):
        for holder in line_of(one.signed_by):
            mine = signed.setdefault((holder, year), {})
            # Signed by the holder itself wins over the same agreement signed by one under it.
            if one.id not in mine or one.signed_by == holder:
                mine[one.id] = one.model_copy(
                    update={"signed_by_this_organization": one.signed_by == holder}
                )
    shown = {oid for oid, _ in by_key} | {
        oid
        for oid, _ in (*held, *signed)
        if organizations[oid].parent_id is None or oid == organization_id
    }
    result = []
    for year in range(first, last + 1):
        entries = []
        with_agreement, without_agreement = ZoneCounts(), ZoneCounts()
        awaiting_others = ZoneCounts()
        for oid in sorted(shown, key=lambda i: (i != organization_id, organizations[i].name)):
            assessment = by_key.get((oid, year))
            agreements = sorted(held.get((oid, year), {}).values(), key=lambda a: a.id)
            pending = sorted(signed.get((oid, year), {}).values(), key=lambda a: a.id)
            if assessment is None and not agreements and not pending:
                continue
            state = (
                OutcomeAgreementState.in_force
                if agreements
                else OutcomeAgreementState.signed_awaiting_others
                if pending
                else OutcomeAgreementState.none
            )
            counts = {
                OutcomeAgreementState.in_force: with_agreement,
                OutcomeAgreementState.signed_awaiting_others: awaiting_others,
                OutcomeAgreementState.none: without_agreement,
            }[state]
            zone_key = assessment.zone.value if assessment else "unknown"
            setattr(counts, zone_key, getattr(counts, zone_key) + 1)
            entries.append(
                OutcomeEntry(
                    organization_id=oid,
                    organization_name=organizations[oid].name,
                    zone=assessment.zone if assessment else None,
                    score=assessment.score if assessment else None,
                    category=assessment.category if assessment else None,
                    agreements_in_force=agreements,
                    signed_awaiting_others=pending,
                    agreement_state=state,
                )
            )
        result.append(
            OutcomeYear(
                year=year,
                entries=entries,
                with_agreement=with_agreement,
                signed_awaiting_others=awaiting_others,
                without_agreement=without_agreement,
            )
        )
    return OutcomesPublic(
        organization_id=organization_id,
        organization_name=root.name,
        from_year=first,
        to_year=last,
        years=result,
    )
