"""Recording evaluations (monev): one per agreement and period, once the agreement is signed."""

from datetime import date
from functools import lru_cache
from typing import Any

from sqlmodel import Session, col, select

from app.agreements.history import record
from app.agreements.validity import signed_facts
from app.core.db import read_param
from app.core.errors import Conflict, RuleViolation, field_error
from app.evaluations.models import Evaluation
from app.evaluations.schemas import SCORE_MEANINGS, EvaluationCreate, EvaluationPublic


def evaluation_public(evaluation: Evaluation) -> EvaluationPublic:
    return EvaluationPublic.model_validate(
        {**evaluation.model_dump(), "score_meaning": SCORE_MEANINGS[evaluation.score]}
    )


def create_evaluation(
    *, session: Session, agreement_id: int, evaluation_in: EvaluationCreate, today: date
) -> EvaluationPublic:
    """Record an agreement's evaluation for a period (409 if that period has one)."""
    facts = signed_facts(session, agreement_id, today, "evaluated")
    year = int(evaluation_in.period[:4])
    if year > today.year:
        raise RuleViolation(
            f"period {evaluation_in.period} is in the future (this is {today.year}).",
            type_slug="evaluation-period-in-future",
            errors=[field_error("period", msg="not after this year")],
        )
    if facts.signed_on is not None and year < facts.signed_on.year:
        raise RuleViolation(
            f"period {evaluation_in.period} is before the agreement was signed "
            f"({facts.signed_on}).",
            type_slug="evaluation-before-signing",
            errors=[field_error("period", msg=f"not before {facts.signed_on.year}")],
        )
    existing = session.exec(
        select(Evaluation).where(
            Evaluation.agreement_id == agreement_id, Evaluation.period == evaluation_in.period
        )
    ).first()
    if existing is not None:
        raise Conflict(
            f"Agreement {agreement_id} has an evaluation for {evaluation_in.period} already "
            f"(evaluation {existing.id}).",
            type_slug="duplicate-evaluation",
            existing_id=existing.id,
        )
    evaluation = Evaluation(agreement_id=agreement_id, year=year, **evaluation_in.model_dump())
    session.add(evaluation)
    session.flush()
    record(
        session,
        agreement_id,
        "evaluated",
        evaluation_id=evaluation.id,
        period=evaluation.period,
        score=evaluation.score,
        recommendation=evaluation.recommendation.value,
    )
    session.commit()
    session.refresh(evaluation)
    return evaluation_public(evaluation)


def list_evaluations(*, session: Session, agreement_id: int) -> list[EvaluationPublic]:
    """An agreement's evaluations, newest period first."""
    found = session.scalars(_evaluations_statement(), {"read_agreement_id": agreement_id})
    return [evaluation_public(e) for e in found]


@lru_cache(maxsize=1)
def _evaluations_statement() -> Any:
    """list_evaluations' statement, built once (the agreement: `read_agreement_id`)."""
    return (
        select(Evaluation)
        .where(Evaluation.agreement_id == read_param("agreement_id"))
        .order_by(col(Evaluation.period).desc())
    )
