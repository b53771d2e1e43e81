"""HTTP routes of an agreement's life: finalisasi, signatures, cancel, terminate, adendum."""

from typing import Annotated

from fastapi import APIRouter, Body, status

from app.agreements import lifecycle
from app.agreements.amendments import create_amendment
from app.agreements.dependencies import (
    AgreementIdPath,
    NkIdPath,
    SignedIdPath,
    UnsignedIdPath,
)
from app.agreements.queries import agreement_public, agreement_summaries
from app.agreements.schemas import (
    AMENDMENT_EXAMPLES,
    BULK_SIGNATURE_EXAMPLES,
    CANCEL_EXAMPLES,
    SIGNATURE_EXAMPLES,
    TERMINATE_EXAMPLES,
    AgreementPublic,
    AmendmentIn,
    BulkSignatureIn,
    BulkSignatureResult,
    CancelIn,
    FinalizeIn,
    SignatureIn,
    TerminateIn,
    TerminateResult,
)
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import responses
from app.idempotency.route import IdempotentRoute
from app.users.access import AgreementEditor, require_agreement_editor
from app.users.auth import CallerDep

router = APIRouter(
    prefix="/api/v1/agreements", tags=["Lifecycle and signatures"], route_class=IdempotentRoute
)
after_signing_router = APIRouter(
    prefix="/api/v1/agreements",
    tags=["Amendments, renewal and termination"],
    route_class=IdempotentRoute,
)


@router.post(
    "/{agreement_id}/finalize",
    response_model=AgreementPublic,
    summary="Finalize the draft (finalisasi draft)",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def finalize_agreement(
    session: SessionDep,
    _editor: AgreementEditor,
    today: TodayDep,
    agreement_id: AgreementIdPath,
    body: Annotated[
        FinalizeIn | None,
        Body(
            openapi_examples={
                "after_the_fact": {
                    "summary": "Entered after the fact: finalised on 27 June 2022 (the seeded "
                    "agreements are signed already: 409 here)",
                    "x-expected-status": 409,
                    "value": {"finalized_on": "2022-06-27"},
                },
            }
        ),
    ] = None,
) -> AgreementPublic:
    """Finalisasi draft: the parties agreed the text; the NK or PKS now awaits signatures.

    Like the 21 Kalsel PKS finalised between 15 and 27 June 2022: give that day as
    `finalized_on` (tanggal finalisasi; default today) when the record is entered after the
    fact. Only a draft (409); the day not in the future nor before `drafted_on` (422).
    """
    lifecycle.finalize_agreement(
        session=session,
        agreement_id=agreement_id,
        today=today,
        finalized_on=body.finalized_on if body else None,
    )
    return agreement_public(session=session, agreement_id=agreement_id, today=today)


@router.post(
    "/{agreement_id}/reopen",
    response_model=AgreementPublic,
    summary="Reopen for drafting (nobody has signed yet)",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def reopen_agreement(
    session: SessionDep, _editor: AgreementEditor, today: TodayDep, agreement_id: AgreementIdPath
) -> AgreementPublic:
    """Take a finalized NK or PKS back to draft, while no party has signed it (409 otherwise)."""
    lifecycle.reopen_agreement(session=session, agreement_id=agreement_id, today=today)
    return agreement_public(session=session, agreement_id=agreement_id, today=today)


@router.post(
    "/{agreement_id}/signatures",
    response_model=AgreementPublic,
    summary="Record one party's signature (penandatanganan)",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def sign_agreement(
    session: SessionDep,
    _editor: AgreementEditor,
    today: TodayDep,
    agreement_id: UnsignedIdPath,
    signature: Annotated[SignatureIn, Body(openapi_examples=SIGNATURE_EXAMPLES)],
) -> AgreementPublic:
    """Record that one party signed, on its own date (parties often sign on different days).

    `signed_on` may be null when the source says a party signed but not when (the Kalteng joint
    NK). The agreement's `signed_on` is the day the last party signed. Refused: an agreement not
    awaiting signatures (409), an organization that is not a party (422), a second signature by
    the same party (409), a date in the future (422), a PKS whose NK is not fully signed (409).
    """
    lifecycle.sign_agreement(
        session=session, agreement_id=agreement_id, signature=signature, today=today
    )
    return agreement_public(session=session, agreement_id=agreement_id, today=today)


@router.post(
    "/{agreement_id}/pks-signatures",
    response_model=BulkSignatureResult,
    summary="Record many PKS signatures of one morning at once (bulk penandatanganan)",
    responses=responses(401, 403, 404, 422, 429),
)
def sign_pks_in_bulk(
    session: SessionDep,
    caller: CallerDep,
    today: TodayDep,
    agreement_id: NkIdPath,
    signatures: Annotated[BulkSignatureIn, Body(openapi_examples=BULK_SIGNATURE_EXAMPLES)],
) -> BulkSignatureResult:
    """Record, in one call, the signatures of many PKS under this NK made on one day: the 21
    Kalsel SKPD and the Perwakilan signed their PKS on the morning of 4 July 2022, which is one
    call here instead of 42.

    Each signature follows the rules of recording one signature (`POST
    /api/v1/agreements/{id}/signatures`): the PKS awaits signatures, the organization is one of
    its parties and has not signed yet, the NK is fully signed and not after `signed_on`, the
    day is not in the future, a number is not used twice by its issuer. The caller must be
    allowed to change every PKS listed. **All or nothing**: if any entry is refused, nothing is
    recorded and the answer names every offender by its index in `signatures` (403 if any PKS
    may not be changed by the caller, 422 otherwise, each entry with its own problem `type`).
    """
    signed = lifecycle.sign_many(
        session=session,
        nk_id=agreement_id,
        signatures=signatures,
        today=today,
        may_change=lambda pks_id: require_agreement_editor(session, caller, pks_id),
    )
    return BulkSignatureResult(
        signed_on=signatures.signed_on,
        recorded=len(signatures.signatures),
        agreements=agreement_summaries(session=session, agreement_ids=signed, today=today),
    )


@router.post(
    "/{agreement_id}/cancel",
    response_model=AgreementPublic,
    summary="Withdraw an agreement nobody has signed (cancel a stray draft)",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def cancel_agreement(
    session: SessionDep,
    _editor: AgreementEditor,
    today: TodayDep,
    agreement_id: UnsignedIdPath,
    cancel_in: Annotated[CancelIn, Body(openapi_examples=CANCEL_EXAMPLES)],
) -> AgreementPublic:
    """Withdraw a draft or an NK / PKS awaiting its first signature, e.g. a PKS drafted for the
    wrong SKPD. It becomes `cancelled` and stays in the registry with its history; it no longer
    counts as the SKPD's PKS, so a new one can be drafted. Once a party has signed, 409: a signed
    agreement is ended with terminate.
    """
    lifecycle.cancel_agreement(
        session=session, agreement_id=agreement_id, cancel_in=cancel_in, today=today
    )
    return agreement_public(session=session, agreement_id=agreement_id, today=today)


@after_signing_router.post(
    "/{agreement_id}/amendments",
    response_model=AgreementPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Draft an amendment (adendum) of a signed NK or PKS",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def amend(
    session: SessionDep,
    _editor: AgreementEditor,
    today: TodayDep,
    agreement_id: SignedIdPath,
    amendment_in: Annotated[AmendmentIn, Body(openapi_examples=AMENDMENT_EXAMPLES)],
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
    return agreement_public(session=session, agreement_id=amendment_id, today=today)


@after_signing_router.post(
    "/{agreement_id}/terminate",
    response_model=TerminateResult,
    summary="Terminate an agreement (pengakhiran)",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def terminate(
    session: SessionDep,
    _editor: AgreementEditor,
    today: TodayDep,
    agreement_id: SignedIdPath,
    terminate_in: Annotated[TerminateIn, Body(openapi_examples=TERMINATE_EXAMPLES)],
) -> TerminateResult:
    """End an NK or PKS from `terminated_on` (status `terminated`).

    Terminating an NK does not silently end its PKS: the answer lists them and each shows the
    warning `parent_inactive`; with `cascade: true` they are terminated too, in the same
    transaction.
    """
    affected, cascaded = lifecycle.terminate_agreement(
        session=session, agreement_id=agreement_id, terminate_in=terminate_in, today=today
    )
    agreement = agreement_public(session=session, agreement_id=agreement_id, today=today)
    return TerminateResult(agreement=agreement, affected_pks=affected, cascaded=cascaded)
