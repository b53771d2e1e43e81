"""HTTP routes after signing: amendments, renewal, re-linking, termination, and history."""

from typing import Annotated

from fastapi import APIRouter, Body, status

from app.agreements.dependencies import AgreementIdPath, ValidAgreement
from app.agreements.history import list_events
from app.agreements.queries import get_agreement_view, to_public
from app.agreements.schemas import (
    AgreementPublic,
    AmendmentIn,
    EventPublic,
    RelinkIn,
    RelinkResult,
    RenewIn,
    TerminateIn,
    TerminateResult,
)
from app.agreements.succession import (
    create_amendment,
    relink_pks,
    renew_agreement,
    terminate_agreement,
)
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import responses
from app.core.schemas import DEFAULT_LIMIT, LimitQuery, OffsetQuery, Page

router = APIRouter(prefix="/api/v1/agreements", tags=["Amendments, renewal and termination"])
history_router = APIRouter(prefix="/api/v1/agreements", tags=["History"])


@router.post(
    "/{agreement_id}/amendments",
    response_model=AgreementPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Draft an amendment (adendum) of a signed NK or PKS",
    responses=responses(404, 409, 422),
)
def amend(
    session: SessionDep,
    today: TodayDep,
    agreement_id: AgreementIdPath,
    amendment_in: Annotated[
        AmendmentIn,
        Body(
            openapi_examples={
                "extend": {
                    "summary": "Extend a Kalsel PKS and add an item to its ruang lingkup",
                    "value": {
                        "title": "Adendum PKS Ombudsman RI Perwakilan Kalsel – Diskominfo",
                        "valid_until": "2026-07-03",
                        "scope_items_added": [
                            {"title": "Integrasi pengaduan LAPOR Paman dengan Ombudsman"}
                        ],
                    },
                }
            }
        ),
    ],
) -> AgreementPublic:
    """Create an adendum in draft, signed by the same parties with their own numbers.

    It goes through the same lifecycle (finalize, signatures). Once fully signed its changes take
    effect on the agreement: a new `valid_until`, scope items added or withdrawn; the agreement
    then shows the values in effect and lists its amendments. An amendment cannot extend a PKS
    past its NK (422).
    """
    amendment_id = create_amendment(
        session=session, agreement_id=agreement_id, amendment_in=amendment_in, today=today
    )
    return to_public(get_agreement_view(session=session, agreement_id=amendment_id, today=today))


@router.post(
    "/{agreement_id}/renew",
    response_model=AgreementPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Renew an NK or PKS (successor draft)",
    responses=responses(404, 409, 422),
)
def renew(
    session: SessionDep,
    today: TodayDep,
    agreement_id: AgreementIdPath,
    renew_in: Annotated[
        RenewIn,
        Body(
            openapi_examples={
                "kalsel_2026": {
                    "summary": "The Ombudsman–Kalsel NK renewed in January 2026",
                    "value": {"valid_from": "2026-01-28", "valid_until": "2031-01-27"},
                }
            }
        ),
    ],
) -> AgreementPublic:
    """Create the successor of a signed NK or PKS as a draft: same kind, parties and ruang
    lingkup, new validity, linked both ways (`supersedes_id` / `superseded_by_id`).

    Agreements are renewed in cycles (the Ombudsman–Kalsel MoU of 2017, the NK of 2021, a new NK
    in 2026). When the successor is in force, the old one's status becomes `superseded`.
    """
    successor_id = renew_agreement(
        session=session, agreement_id=agreement_id, renew_in=renew_in, today=today
    )
    return to_public(get_agreement_view(session=session, agreement_id=successor_id, today=today))


@router.post(
    "/{agreement_id}/relink",
    response_model=RelinkResult,
    summary="Move the PKS of a renewed NK under its successor",
    responses=responses(404, 409, 422),
)
def relink(
    session: SessionDep,
    today: TodayDep,
    agreement_id: AgreementIdPath,
    relink_in: Annotated[
        RelinkIn, Body(openapi_examples={"all": {"summary": "Every live PKS", "value": {}}})
    ],
) -> RelinkResult:
    """On the successor NK: re-link the PKS of the NK it renews (default: every live one), all
    or nothing; each PKS must fit the new NK's parties and validity (422 names each offender)."""
    ids = relink_pks(session=session, nk_id=agreement_id, relink_in=relink_in, today=today)
    return RelinkResult(nk_id=agreement_id, relinked=ids)


@router.post(
    "/{agreement_id}/terminate",
    response_model=TerminateResult,
    summary="Terminate an agreement (pengakhiran)",
    responses=responses(404, 409, 422),
)
def terminate(
    session: SessionDep,
    today: TodayDep,
    agreement_id: AgreementIdPath,
    terminate_in: Annotated[
        TerminateIn,
        Body(
            openapi_examples={
                "nk": {
                    "summary": "End an NK and its PKS",
                    "value": {
                        "terminated_on": "2026-01-27",
                        "reason": "Digantikan oleh Nota Kesepahaman baru Januari 2026",
                        "cascade": True,
                    },
                }
            }
        ),
    ],
) -> TerminateResult:
    """End an NK or PKS from `terminated_on` (status `terminated`).

    Terminating an NK does not silently end its PKS: the answer lists them and each shows the
    warning `parent_inactive`; with `cascade: true` they are terminated too, in the same
    transaction.
    """
    affected, cascaded = terminate_agreement(
        session=session, agreement_id=agreement_id, terminate_in=terminate_in, today=today
    )
    view = get_agreement_view(session=session, agreement_id=agreement_id, today=today)
    return TerminateResult(agreement=to_public(view), affected_pks=affected, cascaded=cascaded)


@history_router.get(
    "/{agreement_id}/history",
    response_model=Page[EventPublic],
    summary="What changed, and when",
    responses=responses(404, 422),
)
def history(
    session: SessionDep,
    agreement: ValidAgreement,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[EventPublic]:
    """Every change to an NK or PKS, newest first: created, fields changed (old and new
    values), finalized, reopened, signed by whom, amended, renewed, terminated, document
    attached. Written with each change in its transaction; it cannot be edited."""
    assert agreement.agreement.id is not None
    events, total = list_events(
        session=session, agreement_id=agreement.agreement.id, limit=limit, offset=offset
    )
    return Page[EventPublic](
        items=[EventPublic.model_validate(e, from_attributes=True) for e in events],
        total=total,
        limit=limit,
        offset=offset,
    )
