"""Attaching signed documents to agreements, and finding them again."""

import unicodedata
from pathlib import Path, PurePath
from typing import BinaryIO

from sqlmodel import Session, col, select

from app.agreements.errors import AgreementNotFound
from app.agreements.history import record
from app.agreements.models import Agreement
from app.core.errors import NotFound
from app.documents.models import AgreementDocument
from app.documents.schemas import DocumentPublic
from app.documents.storage import DocumentStore


def clean_filename(name: str | None) -> str:
    """The last path part, printable, at most 300 characters."""
    base = PurePath((name or "").replace("\\", "/")).name
    printable = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return printable[:300] or "document"


def attach_document(
    *,
    session: Session,
    store: DocumentStore,
    agreement_id: int,
    source: BinaryIO,
    filename: str | None,
    declared_type: str | None,
) -> tuple[DocumentPublic, bool]:
    """Store the file, then its row and history in one transaction; a failure leaves neither.

    The same bytes attached to the same agreement again give the existing record (and False).
    """
    if session.get(Agreement, agreement_id) is None:
        raise AgreementNotFound(agreement_id)
    stored = store.put(source, declared_type)
    existing = session.exec(
        select(AgreementDocument).where(
            AgreementDocument.agreement_id == agreement_id,
            AgreementDocument.sha256 == stored.sha256,
        )
    ).first()
    if existing is not None:
        return DocumentPublic.model_validate(existing), False
    try:
        document = AgreementDocument(
            agreement_id=agreement_id,
            filename=clean_filename(filename),
            content_type=stored.content_type,
            size_bytes=stored.size_bytes,
            sha256=stored.sha256,
        )
        session.add(document)
        session.flush()
        record(
            session,
            agreement_id,
            "document_attached",
            document_id=document.id,
            filename=document.filename,
            sha256=document.sha256,
            size_bytes=document.size_bytes,
        )
        session.commit()
    except BaseException:
        session.rollback()
        store.discard(stored)
        raise
    session.refresh(document)
    return DocumentPublic.model_validate(document), True


def list_documents(*, session: Session, agreement_id: int) -> list[DocumentPublic]:
    """The documents of an agreement, oldest first."""
    return [
        DocumentPublic.model_validate(d)
        for d in session.exec(
            select(AgreementDocument)
            .where(AgreementDocument.agreement_id == agreement_id)
            .order_by(col(AgreementDocument.id))
        )
    ]


def get_document(*, session: Session, agreement_id: int, document_id: int) -> AgreementDocument:
    """One document of an agreement, or NotFound."""
    document = session.get(AgreementDocument, document_id)
    if document is None or document.agreement_id != agreement_id:
        raise NotFound(
            f"Agreement {agreement_id} has no document {document_id}.",
            type_slug="document-not-found",
        )
    return document


def document_file(
    *, session: Session, store: DocumentStore, agreement_id: int, document_id: int
) -> tuple[AgreementDocument, Path]:
    """A document of an agreement and the path of its bytes, or NotFound."""
    document = get_document(session=session, agreement_id=agreement_id, document_id=document_id)
    path = store.path_of(document.sha256)
    if not path.is_file():
        raise NotFound(
            f"The file of document {document_id} is missing from the document store.",
            type_slug="document-file-missing",
        )
    return document, path
