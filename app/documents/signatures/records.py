"""Writing a document's verdicts and reading them back (two statements for any set of
documents); the documents service calls these, so nothing here imports it."""

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

from asn1crypto import x509
from fastapi import Depends
from sqlmodel import Session, col, select

from app.core.config import settings
from app.core.types import utcnow
from app.documents.schemas import DocumentPublic
from app.documents.signatures.models import DocumentSignature, DocumentSignatureCheck
from app.documents.signatures.schemas import SignatureCheckPublic, SignatureVerdictPublic
from app.documents.signatures.verify import DocumentCheck, check_pdf_bounded, load_trust_roots

PDF = "application/pdf"


def configured_trust_roots() -> list[x509.Certificate]:
    """The operator's trust roots (ESIGN_TRUST_ROOTS_DIR); none when unset. The routes' dependency
    (tests override it)."""
    return load_trust_roots(settings.ESIGN_TRUST_ROOTS_DIR)


TrustRootsDep = Annotated[list[x509.Certificate], Depends(configured_trust_roots)]


def record_check(
    session: Session,
    *,
    document_id: int,
    path: Path,
    trust_roots: Sequence[x509.Certificate],
) -> DocumentCheck:
    """Verify the PDF at `path` and store its check and verdicts (no commit). A signature
    already stored at the same position keeps its row, and so its confirmation."""
    check = check_pdf_bounded(
        path.read_bytes(),
        trust_roots=list(trust_roots),
        max_signatures=settings.ESIGN_MAX_SIGNATURES,
        seconds=settings.ESIGN_VERIFY_SECONDS,
        memory_mb=settings.ESIGN_VERIFY_MEMORY_MB,
    )
    stored = session.exec(
        select(DocumentSignatureCheck).where(DocumentSignatureCheck.document_id == document_id)
    ).first() or DocumentSignatureCheck(document_id=document_id, outcome=check.outcome)
    stored.outcome = check.outcome
    stored.reason = check.reason[:500] if check.reason else None
    stored.trust_roots = len(trust_roots)
    stored.checked_at = utcnow()
    session.add(stored)
    rows = {
        row.position: row
        for row in session.exec(
            select(DocumentSignature).where(DocumentSignature.document_id == document_id)
        )
    }
    for verdict in check.signatures:
        row = rows.pop(verdict.position, None) or DocumentSignature(
            document_id=document_id,
            position=verdict.position,
            field_name=verdict.field_name,
            integrity=verdict.integrity,
            trust=verdict.trust,
            coverage=verdict.coverage,
            later_changes=verdict.later_changes,
        )
        row.sqlmodel_update(vars(verdict))
        session.add(row)
    for gone in rows.values():  # the same bytes give the same signatures; kept for safety
        session.delete(gone)
    session.flush()
    return check


def verdict_public(row: DocumentSignature) -> SignatureVerdictPublic:
    verdict = row.verdict()
    assert row.id is not None
    return SignatureVerdictPublic(
        id=row.id,
        **vars(verdict),
        modified_after_signing=verdict.modified_after_signing,
        accepted=verdict.accepted,
        confirmed_organization_id=row.confirmed_organization_id,
        confirmed_at=row.confirmed_at,
    )


def check_public(check: DocumentSignatureCheck) -> SignatureCheckPublic:
    return SignatureCheckPublic(
        outcome=check.outcome,
        reason=check.reason,
        trust_roots=check.trust_roots,
        checked_at=check.checked_at,
    )


def with_signatures(session: Session, documents: list[DocumentPublic]) -> list[DocumentPublic]:
    """The documents with their stored checks and verdicts (two statements in all)."""
    ids = [d.id for d in documents]
    if not ids:
        return documents
    checks = {
        c.document_id: c
        for c in session.exec(
            select(DocumentSignatureCheck).where(col(DocumentSignatureCheck.document_id).in_(ids))
        )
    }
    verdicts: dict[int, list[SignatureVerdictPublic]] = {}
    for row in session.exec(
        select(DocumentSignature)
        .where(col(DocumentSignature.document_id).in_(ids))
        .order_by(col(DocumentSignature.document_id), col(DocumentSignature.position))
    ):
        verdicts.setdefault(row.document_id, []).append(verdict_public(row))
    return [
        d.model_copy(
            update={
                "signature_check": check_public(checks[d.id]) if d.id in checks else None,
                "signatures": verdicts.get(d.id, []),
            }
        )
        for d in documents
    ]
