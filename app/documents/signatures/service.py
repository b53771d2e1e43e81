"""Electronic signatures of an agreement's documents: read, verified again, and a party's
signature confirmed from one (konfirmasi dari tanda tangan elektronik)."""

import re
import unicodedata
from collections.abc import Sequence
from datetime import date

from asn1crypto import x509
from sqlmodel import Session

from app.agreements import lifecycle
from app.agreements.history import record
from app.agreements.parties import parties_of
from app.agreements.schemas import SignatureIn
from app.core.config import settings
from app.core.errors import Conflict, NotFound, RuleViolation, field_error
from app.core.types import utcnow
from app.documents.schemas import DocumentPublic
from app.documents.service import file_of, get_document, list_documents
from app.documents.signatures.models import DocumentSignature
from app.documents.signatures.records import PDF, record_check, with_signatures
from app.documents.signatures.schemas import DocumentSignaturesPublic
from app.documents.storage import DocumentStore


def _signatures(document: DocumentPublic) -> DocumentSignaturesPublic:
    return DocumentSignaturesPublic(
        document_id=document.id,
        filename=document.filename,
        signature_check=document.signature_check,
        signatures=document.signatures,
    )


def document_signatures(
    *, session: Session, agreement_id: int, document_id: int
) -> DocumentSignaturesPublic:
    """The stored verdicts on one document's signatures (nothing validated again)."""
    document = get_document(session=session, agreement_id=agreement_id, document_id=document_id)
    return _signatures(with_signatures(session, [DocumentPublic.model_validate(document)])[0])


def agreement_signatures(*, session: Session, agreement_id: int) -> list[DocumentSignaturesPublic]:
    """The verdicts on every PDF of an agreement, oldest document first."""
    return [
        _signatures(d)
        for d in list_documents(session=session, agreement_id=agreement_id)
        if d.content_type == PDF
    ]


def verify_again(
    *,
    session: Session,
    store: DocumentStore,
    agreement_id: int,
    document_id: int,
    trust_roots: Sequence[x509.Certificate],
) -> DocumentSignaturesPublic:
    """Verify a PDF's signatures again (after the trust roots changed); confirmations stay."""
    document = get_document(session=session, agreement_id=agreement_id, document_id=document_id)
    if document.content_type != PDF:
        raise RuleViolation(
            f"Document {document_id} is an image; only a PDF carries electronic signatures.",
            type_slug="esign-not-a-pdf",
        )
    assert document.id is not None
    check = record_check(
        session, document_id=document.id, path=file_of(store, document), trust_roots=trust_roots
    )
    record(
        session,
        agreement_id,
        "signatures_verified",
        document_id=document.id,
        outcome=check.outcome.value,
        signatures=len(check.signatures),
        trust_roots=len(trust_roots),
    )
    session.commit()
    return document_signatures(session=session, agreement_id=agreement_id, document_id=document_id)


def _words(name: str) -> set[str]:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return set(re.findall(r"[a-z0-9]+", folded))


def names_match(certificate_name: str, signatory_name: str) -> bool:
    """Every word of the certificate's name is in the recorded signatory's name (accents,
    case, punctuation and academic titles of the record ignored): "HADI RAHMAN" matches
    "Hadi Rahman, S.H., M.H."."""
    words = _words(certificate_name)
    return bool(words) and words <= _words(signatory_name)


def confirm_party(
    *,
    session: Session,
    agreement_id: int,
    document_id: int,
    signature_id: int,
    organization_id: int,
    today: date,
) -> None:
    """Record a party's signature from a verified electronic signature of the document: its
    signing day (in the registry's time zone) and signer's name; refused unless the signature
    is intact, trusted, not modified after signing and its signer matches the party's."""
    get_document(session=session, agreement_id=agreement_id, document_id=document_id)
    row = session.get(DocumentSignature, signature_id)
    if row is None or row.document_id != document_id:
        raise NotFound(
            f"Document {document_id} has no electronic signature {signature_id}.",
            type_slug="esign-signature-not-found",
        )
    verdict = row.verdict()
    if verdict.modified_after_signing:
        raise RuleViolation(
            f"Signature {signature_id} of document {document_id} was modified after signing "
            f"(integrity {verdict.integrity.value}, coverage {verdict.coverage.value}, later "
            f"changes {verdict.later_changes.value}): a modified document is never accepted as "
            "signed.",
            type_slug="esign-modified-after-signing",
        )
    if not verdict.accepted:
        raise RuleViolation(
            f"Signature {signature_id} of document {document_id} is {verdict.trust.value}: its "
            "certificate does not chain to a configured trust root (ESIGN_TRUST_ROOTS_DIR).",
            type_slug="esign-signature-untrusted",
        )
    if row.confirmed_organization_id is not None:
        raise Conflict(
            f"Signature {signature_id} already confirmed the signature of organization "
            f"{row.confirmed_organization_id}; one signature confirms one party.",
            type_slug="esign-signature-used",
        )
    party = next(
        (p for p in parties_of(session, agreement_id) if p.organization_id == organization_id),
        None,
    )
    signer = verdict.signer_name or ""
    if party is not None and party.signatory_name and not names_match(signer, party.signatory_name):
        raise RuleViolation(
            f"The signature is by '{signer}', but the party's signatory is recorded as "
            f"'{party.signatory_name}'.",
            type_slug="esign-signer-mismatch",
            errors=[field_error("organization_id", msg="its signatory is not this signer")],
        )
    signed_on = verdict.signed_at.astimezone(settings.zone).date() if verdict.signed_at else None
    row.confirmed_organization_id = organization_id
    row.confirmed_at = utcnow()
    session.add(row)
    record(
        session,
        agreement_id,
        "signature_confirmed_electronically",
        document_id=document_id,
        signature_id=signature_id,
        organization_id=organization_id,
        signer_name=signer,
        certificate_serial=verdict.certificate_serial,
        signed_at=verdict.signed_at.isoformat() if verdict.signed_at else None,
        timestamped=verdict.timestamped,
    )
    # The one home of signing rules (open for signature, a party, once, not in the future, the
    # NK signed first); it commits this row and history with the signature, or nothing.
    try:
        lifecycle.sign_agreement(
            session=session,
            agreement_id=agreement_id,
            signature=SignatureIn(
                organization_id=organization_id,
                signed_on=signed_on,
                signatory_name=(
                    party.signatory_name if party and party.signatory_name else signer[:200]
                )
                or None,
            ),
            today=today,
        )
    except BaseException:
        session.rollback()
        raise
