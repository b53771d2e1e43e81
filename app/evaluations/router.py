"""HTTP routes of evaluations (monev)."""

from typing import Annotated

from fastapi import APIRouter, Body, status

from app.agreements.dependencies import AgreementIdPath, ExistingAgreementId
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import responses
from app.evaluations import service
from app.evaluations.schemas import EVALUATION_EXAMPLES, EvaluationCreate, EvaluationPublic
from app.idempotency.route import IdempotentRoute
from app.users.access import AgreementEditor

router = APIRouter(prefix="/api/v1/agreements", tags=["Outcomes"], route_class=IdempotentRoute)


@router.post(
    "/{agreement_id}/evaluations",
    response_model=EvaluationPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Record the evaluation (monev) of an NK or PKS for a year or half-year",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def create_evaluation(
    session: SessionDep,
    _editor: AgreementEditor,
    today: TodayDep,
    agreement_id: AgreementIdPath,
    evaluation_in: Annotated[EvaluationCreate, Body(openapi_examples=EVALUATION_EXAMPLES)],
) -> EvaluationPublic:
    """Monitoring and evaluation (monev) of a signed NK or PKS for one period: a score from 1 to
    4 (1 tidak berjalan, 2 kurang, 3 baik, 4 sangat baik), the findings on the ruang lingkup,
    the obstacles (kendala), the follow-up (tindak lanjut) and a recommendation (`continue`,
    `extend`, `revise`, `stop`). One evaluation per agreement and period (409 naming the one
    recorded). The yearly evaluation of every agreement in force is due by the end of
    EVALUATION_DUE_MONTH (December) and shows in the deadlines and reminders of its parties
    until recorded (from EVALUATIONS_FROM_YEAR on). Recorded by the editors of its parties.
    """
    return service.create_evaluation(
        session=session, agreement_id=agreement_id, evaluation_in=evaluation_in, today=today
    )


@router.get(
    "/{agreement_id}/evaluations",
    response_model=list[EvaluationPublic],
    summary="The evaluations (monev) of an NK or PKS",
    responses=responses(401, 404, 422, 429),
)
def list_evaluations(
    session: SessionDep, agreement_id: ExistingAgreementId
) -> list[EvaluationPublic]:
    """Every evaluation of the agreement, newest period first, each score with its meaning."""
    return service.list_evaluations(session=session, agreement_id=agreement_id)
