"""Electronic signatures on an agreement's page: the verdicts shown with each PDF (in
_tanda_tangan_elektronik.html), and two writes for its editors: confirm a party's signature
from a verified signature (konfirmasi dari tanda tangan elektronik, POST
/api/v1/agreements/{id}/documents/{doc}/signatures/{sig}/confirm) and verify a PDF again
(POST …/documents/{doc}/signatures/verify), through app/console/forms.py."""

from fastapi import Request
from fastapi.responses import Response

from app.console.forms import Done, SentForm, write_router
from app.console.pages.kegiatan_tulis import _write
from app.console.pages.perjanjian import _id
from app.console.pages.perjanjian_tulis import _agreement_id
from app.console.web import ConsolePost
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import NotFound
from app.documents.router import StoreDep
from app.documents.signatures import service
from app.documents.signatures.records import TrustRootsDep
from app.documents.signatures.schemas import ConfirmFromSignatureIn
from app.labels import label

router = write_router()


@router.post("/perjanjian/{agreement_id}/dokumen/{document_id}/ttd/{signature_id}/konfirmasi")
def confirm_from_signature(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
    document_id: str,
    signature_id: str,
) -> Response:
    """POST …/documents/{doc}/signatures/{sig}/confirm: the party signed, from the signature."""
    found = _agreement_id(agreement_id)
    document, signature = _id(document_id), _id(signature_id)

    def act() -> Done:
        if document is None or signature is None:
            raise NotFound("No such electronic signature.", type_slug="esign-signature-not-found")
        body = sent.body(ConfirmFromSignatureIn, organization_id=sent.id("organization_id"))
        service.confirm_party(
            session=session,
            agreement_id=found,
            document_id=document,
            signature_id=signature,
            organization_id=body.organization_id,
            today=today,
        )
        return Done(
            f"/perjanjian/{found}#pihak",
            "Tanda tangan pihak dicatat dari tanda tangan elektronik yang utuh dan tepercaya.",
        )

    name = f"konfirmasi_{signature}"
    return _write(request, signed, session, today, sent, found, name, act)


@router.post("/perjanjian/{agreement_id}/dokumen/{document_id}/periksa-ulang")
def verify_again(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    store: StoreDep,
    trust_roots: TrustRootsDep,
    sent: SentForm,
    agreement_id: str,
    document_id: str,
) -> Response:
    """POST …/documents/{doc}/signatures/verify: after the trust roots changed."""
    found = _agreement_id(agreement_id)
    document = _id(document_id)

    def act() -> Done:
        if document is None:
            raise NotFound("No such document.", type_slug="document-not-found")
        result = service.verify_again(
            session=session,
            store=store,
            agreement_id=found,
            document_id=document,
            trust_roots=trust_roots,
        )
        outcome = label(result.signature_check.outcome) if result.signature_check else ""
        return Done(f"/perjanjian/{found}#dokumen-{document}", f"Diperiksa ulang: {outcome}.")

    return _write(request, signed, session, today, sent, found, f"periksa_{document}", act)
