"""HTTP routes of renewal (perpanjangan): the successor draft, and re-linking the PKS."""

from typing import Annotated

from fastapi import APIRouter, Body, status

from app.agreements.dependencies import AgreementIdPath, SignedIdPath
from app.agreements.queries import agreement_public
from app.agreements.renewal.schemas import RelinkIn, RelinkResult, RenewIn
from app.agreements.renewal.service import relink_pks, renew_agreement
from app.agreements.schemas import AgreementPublic
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import responses
from app.idempotency.route import IdempotentRoute
from app.users.access import AgreementEditor

router = APIRouter(
    prefix="/api/v1/agreements",
    tags=["Amendments, renewal and termination"],
    route_class=IdempotentRoute,
)


@router.post(
    "/{agreement_id}/renew",
    response_model=AgreementPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Renew an NK or PKS (successor draft)",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def renew(
    session: SessionDep,
    _editor: AgreementEditor,
    today: TodayDep,
    agreement_id: SignedIdPath,
    renew_in: Annotated[
        RenewIn,
        Body(
            openapi_examples={
                "pks_renewal": {
                    "summary": "Renew a Kalsel PKS for the next cycle",
                    "value": {"valid_from": "2026-07-04", "valid_until": "2031-07-03"},
                }
            }
        ),
    ],
) -> AgreementPublic:
    """Create the successor of a signed NK or PKS as a draft: same kind, parties and ruang
    lingkup, new validity, linked both ways (`supersedes_id` / `superseded_by_id`).

    Agreements are renewed in cycles (the Ombudsman–Kalsel MoU of 2017, the NK of 2021, a new NK
    in 2026). When the successor is in force, the old one's status becomes `superseded`, and its
    expiry no longer appears among deadlines or reminders.
    """
    successor_id = renew_agreement(
        session=session, agreement_id=agreement_id, renew_in=renew_in, today=today
    )
    return agreement_public(session=session, agreement_id=successor_id, today=today)


@router.post(
    "/{agreement_id}/relink",
    response_model=RelinkResult,
    summary="Move the PKS of a renewed NK under its successor",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def relink(
    session: SessionDep,
    _editor: AgreementEditor,
    today: TodayDep,
    agreement_id: AgreementIdPath,
    relink_in: Annotated[
        RelinkIn,
        Body(
            openapi_examples={
                "all": {
                    "summary": "Every live PKS (agreement 1 renews no NK: 422; use the successor)",
                    "x-expected-status": 422,
                    "value": {},
                }
            }
        ),
    ],
) -> RelinkResult:
    """On the successor NK: re-link the PKS of the NK it renews (default: every live one), all
    or nothing; each PKS must fit the new NK's parties and validity, and an SKPD holds at most
    one live PKS under it (422 names each offender)."""
    ids = relink_pks(session=session, nk_id=agreement_id, relink_in=relink_in, today=today)
    return RelinkResult(nk_id=agreement_id, relinked=ids)
