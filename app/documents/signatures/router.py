"""HTTP routes of the electronic signatures embedded in an agreement's signed PDFs."""

from typing import Annotated

from fastapi import APIRouter, Body

from app.agreements.dependencies import AgreementIdPath, ExistingAgreementId
from app.agreements.queries import agreement_public
from app.agreements.schemas import AgreementPublic
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import responses
from app.core.schemas import path_id
from app.documents.router import DocumentIdPath, StoreDep
from app.documents.signatures import service
from app.documents.signatures.records import TrustRootsDep
from app.documents.signatures.schemas import (
    CONFIRM_EXAMPLES,
    ConfirmFromSignatureIn,
    DocumentSignaturesPublic,
)
from app.idempotency.route import IdempotentRoute
from app.users.access import AgreementEditor

router = APIRouter(
    prefix="/api/v1/agreements", tags=["Signed documents"], route_class=IdempotentRoute
)

SignatureIdPath = Annotated[int, path_id("Id of the electronic signature (its verdict).")]


@router.get(
    "/{agreement_id}/electronic-signatures",
    response_model=list[DocumentSignaturesPublic],
    summary="Electronic signatures of an agreement's PDFs (tanda tangan elektronik)",
    responses=responses(401, 404, 422, 429),
)
def agreement_signatures(
    session: SessionDep, agreement_id: ExistingAgreementId
) -> list[DocumentSignaturesPublic]:
    """The stored verdicts on the electronic signatures of every PDF of an NK or PKS.

    Per signature: the signer's name, organisation and certificate serial, when it was signed
    and whether a timestamp vouches for it, integrity (utuh / diubah), trust (tepercaya / tidak
    tepercaya) against the configured roots, and what it covers. Revocation is checked only
    against what the PDF embeds (no network). Read from the record: nothing is validated again.
    """
    return service.agreement_signatures(session=session, agreement_id=agreement_id)


@router.get(
    "/{agreement_id}/documents/{document_id}/signatures",
    response_model=DocumentSignaturesPublic,
    summary="Electronic signatures of one signed document",
    responses=responses(401, 404, 422, 429),
)
def document_signatures(
    session: SessionDep, agreement_id: AgreementIdPath, document_id: DocumentIdPath
) -> DocumentSignaturesPublic:
    """The stored verdicts on one document's electronic signatures (see the agreement's list)."""
    return service.document_signatures(
        session=session, agreement_id=agreement_id, document_id=document_id
    )


@router.post(
    "/{agreement_id}/documents/{document_id}/signatures/verify",
    response_model=DocumentSignaturesPublic,
    summary="Verify a PDF's electronic signatures again",
    responses=responses(401, 403, 404, 422, 429),
)
def verify_again(
    session: SessionDep,
    _editor: AgreementEditor,
    store: StoreDep,
    trust_roots: TrustRootsDep,
    agreement_id: AgreementIdPath,
    document_id: DocumentIdPath,
) -> DocumentSignaturesPublic:
    """Verify again against the trust roots configured now (e.g. after Root CA Indonesia and
    the BSrE chain were added to ESIGN_TRUST_ROOTS_DIR). Confirmations already made stay; an
    image is refused (422); the new verdicts are recorded in the history."""
    return service.verify_again(
        session=session,
        store=store,
        agreement_id=agreement_id,
        document_id=document_id,
        trust_roots=trust_roots,
    )


@router.post(
    "/{agreement_id}/documents/{document_id}/signatures/{signature_id}/confirm",
    response_model=AgreementPublic,
    summary="Confirm a party's signature from an electronic signature",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def confirm_from_signature(
    session: SessionDep,
    _editor: AgreementEditor,
    today: TodayDep,
    agreement_id: AgreementIdPath,
    document_id: DocumentIdPath,
    signature_id: SignatureIdPath,
    body: Annotated[ConfirmFromSignatureIn, Body(openapi_examples=CONFIRM_EXAMPLES)],
) -> AgreementPublic:
    """Konfirmasi dari tanda tangan elektronik: record the party's signature (penandatanganan)
    with the signing day and the signer's name from a verified signature of the document.

    Refused with 422: a signature modified after signing (`esign-modified-after-signing`: a
    modified document is never accepted as signed), one not trusted (`esign-signature-untrusted`),
    a signer other than the party's recorded signatory (`esign-signer-mismatch`); 409: a
    signature that already confirmed a party. Otherwise every rule of recording a signature
    applies (open for signature, a party, once, not in the future).
    """
    service.confirm_party(
        session=session,
        agreement_id=agreement_id,
        document_id=document_id,
        signature_id=signature_id,
        organization_id=body.organization_id,
        today=today,
    )
    return agreement_public(session=session, agreement_id=agreement_id, today=today)
