"""Electronic signatures on an agreement's page: the verdicts shown with each PDF (in
_tanda_tangan_elektronik.html), and two writes for its editors: confirm a party's signature
from a verified signature (konfirmasi dari tanda tangan elektronik, POST
/api/v1/agreements/{id}/documents/{doc}/signatures/{sig}/confirm) and verify a PDF again
(POST …/documents/{doc}/signatures/verify), through app/console/forms.py."""

from app.console.forms import Done, write_route, write_router
from app.console.pages.agreement_write import AgreementWrite, DocumentId, SignatureId
from app.core.errors import NotFound
from app.documents.router import StoreDep
from app.documents.signatures import service
from app.documents.signatures.records import TrustRootsDep
from app.documents.signatures.schemas import ConfirmFromSignatureIn
from app.labels import label

router = write_router()


@write_route(
    router,
    "/perjanjian/{agreement_id}/dokumen/{document_id}/ttd/{signature_id}/konfirmasi",
    "konfirmasi_{signature}",
)
def confirm_from_signature(w: AgreementWrite, document: DocumentId, signature: SignatureId) -> Done:
    """POST …/documents/{doc}/signatures/{sig}/confirm: the party signed, from the signature."""
    if document is None or signature is None:
        raise NotFound("No such electronic signature.", type_slug="esign-signature-not-found")
    body = w.sent.body(ConfirmFromSignatureIn, organization_id=w.sent.id("organization_id"))
    service.confirm_party(
        session=w.session,
        agreement_id=w.id,
        document_id=document,
        signature_id=signature,
        organization_id=body.organization_id,
        today=w.today,
    )
    return Done(
        f"/perjanjian/{w.id}#pihak",
        "Tanda tangan pihak dicatat dari tanda tangan elektronik yang utuh dan tepercaya.",
    )


@write_route(
    router, "/perjanjian/{agreement_id}/dokumen/{document_id}/periksa-ulang", "periksa_{document}"
)
def verify_again(
    w: AgreementWrite, store: StoreDep, trust_roots: TrustRootsDep, document: DocumentId
) -> Done:
    """POST …/documents/{doc}/signatures/verify: after the trust roots changed."""
    if document is None:
        raise NotFound("No such document.", type_slug="document-not-found")
    result = service.verify_again(
        session=w.session,
        store=store,
        agreement_id=w.id,
        document_id=document,
        trust_roots=trust_roots,
    )
    outcome = label(result.signature_check.outcome) if result.signature_check else ""
    return Done(f"/perjanjian/{w.id}#dokumen-{document}", f"Diperiksa ulang: {outcome}.")
