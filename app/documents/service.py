"""Attaching signed documents to agreements, and finding them again."""

import logging
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Any, BinaryIO, Protocol, TypeVar

import sqlalchemy as sa
from asn1crypto import x509
from sqlmodel import Session, col, select

from app.agreements.errors import AgreementNotFound
from app.agreements.history import record
from app.agreements.models import Agreement
from app.core.db import read_param
from app.core.errors import NotFound
from app.documents.models import FILE_KEEPERS, AgreementDocument, DocumentType
from app.documents.schemas import DocumentPublic
from app.documents.signatures.records import (
    PDF,
    configured_trust_roots,
    record_check,
    with_signatures,
)
from app.documents.storage import DocumentStore, StoredFile

logger = logging.getLogger("app.documents")


class StoredRow(Protocol):
    """A row that keeps a file of the store (a signed document, an activity's evidence)."""

    id: int | None
    sha256: str


Stored = TypeVar("Stored", bound=StoredRow)


def clean_filename(name: str | None) -> str:
    """The last path part, printable, at most 300 characters."""
    base = PurePath((name or "").replace("\\", "/")).name
    printable = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return printable[:300] or "document"


def store_once(
    *,
    session: Session,
    store: DocumentStore,
    model: type[Stored],
    owner: dict[str, int],
    source: BinaryIO,
    filename: str | None,
    declared_type: str | None,
    recorded: Callable[[Stored], None],
    fields: dict[str, Any] | None = None,
) -> tuple[Stored, bool]:
    """The one way a file is kept: its bytes checked and stored, then its row (of `model`, under
    `owner`) and the history `recorded` writes, in one transaction; a failure leaves neither.

    The same bytes under the same owner again give the existing row (and False). A file that a
    failed upload wrote is removed only if no row refers to it and no other upload of the same
    bytes has come to share it meanwhile: see storage.
    """
    stored: StoredFile | None = None
    try:
        stored = store.put(source, declared_type)
        return _kept_row(session, stored, model, owner, filename, recorded, fields or {})
    except BaseException:
        if stored is not None and stored.created:
            remove_unless_kept(session=session, store=store, sha256=stored.sha256, mark=stored.mark)
        raise


def _kept_row(
    session: Session,
    stored: StoredFile,
    model: type[Stored],
    owner: dict[str, int],
    filename: str | None,
    recorded: Callable[[Stored], None],
    fields: dict[str, Any],
) -> tuple[Stored, bool]:
    try:
        existing = session.exec(
            select(model).filter_by(**owner).where(col(model.sha256) == stored.sha256)
        ).first()
        if existing is not None:
            return existing, False
        row = model.model_validate(  # type: ignore[attr-defined]
            {
                **owner,
                "filename": clean_filename(filename),
                "content_type": stored.content_type,
                "size_bytes": stored.size_bytes,
                "sha256": stored.sha256,
                **fields,
            }
        )
        session.add(row)
        session.flush()
        recorded(row)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    session.refresh(row)
    return row, True


def is_kept(session: Session, sha256: str) -> bool:
    """Whether any row (of any table that keeps stored files) refers to these bytes."""
    return any(
        session.execute(
            sa.select(sa.literal(1)).where(model.__table__.c.sha256 == sha256).limit(1)  # type: ignore[attr-defined]
        ).first()
        is not None
        for model in FILE_KEEPERS
    )


def remove_unless_kept(
    *, session: Session, store: DocumentStore, sha256: str, mark: int | None = None
) -> bool:
    """Remove a stored file unless a committed row refers to it or (with `mark`, the mark of
    the failed upload that stored it) another upload has marked it since; True if removed. A
    database that cannot answer keeps the file (an orphan is harmless; a row without its file
    is not)."""

    def kept() -> bool:
        answer = is_kept(session, sha256)
        session.rollback()
        return answer

    try:
        return store.remove_unkept(sha256, mark=mark, kept=kept)
    except Exception:  # noqa: BLE001  (the upload's own error is the one to report)
        logger.warning("file %s kept: whether a row refers to it is unknown", sha256)
        return False


@dataclass(frozen=True)
class Sweep:
    """What a sweep of the document store found (and removed, unless a dry run)."""

    kept: int
    orphans: int
    removed: int
    leftovers: int


def sweep_store(
    *, session: Session, store: DocumentStore, older_than: timedelta, dry_run: bool
) -> Sweep:
    """Remove files no row refers to and no upload marked for `older_than` (what a crash
    between writing a file and saving its row leaves), and the temporary files of uploads that
    never finished; each removal checked again as a failed upload's is (remove_unless_kept)."""
    cutoff = time.time_ns() - int(older_than.total_seconds() * 1e9)
    referred: set[str] = set()
    for model in FILE_KEEPERS:
        column = model.__table__.c.sha256  # type: ignore[attr-defined]
        referred.update(session.execute(sa.select(column).distinct()).scalars())
    session.rollback()
    files = list(store.kept_files())
    orphans = [(sha, mark) for sha, mark in files if sha not in referred and mark < cutoff]
    leftovers = store.leftovers(cutoff)
    removed = 0
    if not dry_run:
        for sha, mark in orphans:
            removed += remove_unless_kept(session=session, store=store, sha256=sha, mark=mark)
        for path in leftovers:
            path.unlink(missing_ok=True)
    return Sweep(len(files) - len(orphans), len(orphans), removed, len(leftovers))


def attach_document(
    *,
    session: Session,
    store: DocumentStore,
    agreement_id: int,
    source: BinaryIO,
    filename: str | None,
    declared_type: str | None,
    document_type: DocumentType = DocumentType.signed,
    trust_roots: Sequence[x509.Certificate] | None = None,
) -> tuple[DocumentPublic, bool]:
    """Keep a document of an agreement (see store_once): the signed text, or one the stages
    before the draft ask for (surat permohonan, KAK, …); a PDF's electronic signatures are
    verified against `trust_roots` (default: the configured ones) and their verdicts kept in
    the same transaction."""
    if session.get(Agreement, agreement_id) is None:
        raise AgreementNotFound(agreement_id)

    def recorded(document: AgreementDocument) -> None:
        assert document.id is not None
        if document.content_type == PDF:
            record_check(
                session,
                document_id=document.id,
                path=store.path_of(document.sha256),
                trust_roots=configured_trust_roots() if trust_roots is None else trust_roots,
            )
        record(
            session,
            agreement_id,
            "document_attached",
            document_id=document.id,
            filename=document.filename,
            sha256=document.sha256,
            size_bytes=document.size_bytes,
            document_type=document.document_type,
        )

    document, created = store_once(
        session=session,
        store=store,
        model=AgreementDocument,
        owner={"agreement_id": agreement_id},
        source=source,
        filename=filename,
        declared_type=declared_type,
        recorded=recorded,
        fields={"document_type": document_type},
    )
    return with_signatures(session, [DocumentPublic.model_validate(document)])[0], created


def list_documents(*, session: Session, agreement_id: int) -> list[DocumentPublic]:
    """The documents of an agreement, oldest first, with their signatures' verdicts."""
    documents = [
        DocumentPublic.model_validate(d)
        for d in session.scalars(_documents_statement(), {"read_agreement_id": agreement_id})
    ]
    return with_signatures(session, documents)


@lru_cache(maxsize=1)
def _documents_statement() -> Any:
    """list_documents' statement, built once (the agreement: `read_agreement_id`)."""
    return (
        select(AgreementDocument)
        .where(AgreementDocument.agreement_id == read_param("agreement_id"))
        .order_by(col(AgreementDocument.id))
    )


def get_document(*, session: Session, agreement_id: int, document_id: int) -> AgreementDocument:
    """One document of an agreement, or NotFound."""
    document = session.get(AgreementDocument, document_id)
    if document is None or document.agreement_id != agreement_id:
        raise NotFound(
            f"Agreement {agreement_id} has no document {document_id}.",
            type_slug="document-not-found",
        )
    return document


def file_of(store: DocumentStore, document: StoredRow) -> Path:
    """Where a kept file's bytes are, or NotFound if the store lost them."""
    path = store.path_of(document.sha256)
    if not path.is_file():
        raise NotFound(
            f"The file of document {document.id} is missing from the document store.",
            type_slug="document-file-missing",
        )
    return path


def document_file(
    *, session: Session, store: DocumentStore, agreement_id: int, document_id: int
) -> tuple[AgreementDocument, Path]:
    """A document of an agreement and the path of its bytes, or NotFound."""
    document = get_document(session=session, agreement_id=agreement_id, document_id=document_id)
    return document, file_of(store, document)
