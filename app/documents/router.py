"""HTTP routes for the signed documents of an agreement."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict

from app.agreements.dependencies import AgreementIdPath, ValidAgreement
from app.core.config import settings
from app.core.db import SessionDep
from app.core.errors import NotFound, responses
from app.core.schemas import path_id
from app.documents import service
from app.documents.storage import DocumentStore

router = APIRouter(prefix="/api/v1/agreements", tags=["Signed documents"])


def get_document_store() -> DocumentStore:
    """The configured store; tests override it."""
    return DocumentStore(root=settings.DOCUMENTS_DIR, max_bytes=settings.MAX_UPLOAD_BYTES)


StoreDep = Annotated[DocumentStore, Depends(get_document_store)]
DocumentIdPath = Annotated[int, path_id("Id of the document.")]


class DocumentPublic(BaseModel):
    """A document attached to an agreement."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    agreement_id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: datetime


@router.post(
    "/{agreement_id}/documents",
    response_model=DocumentPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Attach the signed document (scan or PDF)",
    responses={
        **responses(404, 422),
        413: {"description": "Larger than MAX_UPLOAD_BYTES"},
        415: {"description": "Not a PDF or image, judged from the bytes"},
    },
)
def upload_document(
    session: SessionDep,
    store: StoreDep,
    agreement_id: AgreementIdPath,
    file: Annotated[UploadFile, File(description="The signed NK or PKS: PDF or image.")],
) -> DocumentPublic:
    """Upload the signed scan of an NK, PKS or adendum (PDF, PNG, JPEG, TIFF or WebP).

    The type is judged from the file's bytes, not only its header; the size limit comes from
    the settings (20 MB by default). The file is kept outside the database under its SHA-256;
    a refused or failed upload leaves no file and no record behind.
    """
    document = service.attach_document(
        session=session,
        store=store,
        agreement_id=agreement_id,
        source=file.file,
        filename=file.filename,
        declared_type=file.content_type,
    )
    return DocumentPublic.model_validate(document)


@router.get(
    "/{agreement_id}/documents",
    response_model=list[DocumentPublic],
    summary="List the signed documents of an agreement",
    responses=responses(404, 422),
)
def list_documents(session: SessionDep, agreement: ValidAgreement) -> list[DocumentPublic]:
    """The documents attached to an NK or PKS, oldest first, each with its SHA-256."""
    assert agreement.agreement.id is not None
    documents = service.list_documents(session=session, agreement_id=agreement.agreement.id)
    return [DocumentPublic.model_validate(d) for d in documents]


@router.get(
    "/{agreement_id}/documents/{document_id}",
    response_class=FileResponse,
    summary="Download a signed document",
    responses={**responses(404, 422), 200: {"content": {"application/pdf": {}, "image/*": {}}}},
)
def download_document(
    session: SessionDep,
    store: StoreDep,
    agreement_id: AgreementIdPath,
    document_id: DocumentIdPath,
) -> FileResponse:
    """Download the document byte for byte, with its original file name."""
    document = service.get_document(
        session=session, agreement_id=agreement_id, document_id=document_id
    )
    path = store.path_of(document.sha256)
    if not path.is_file():
        raise NotFound(
            f"The file of document {document_id} is missing from the document store.",
            type_slug="document-file-missing",
        )
    return FileResponse(path, media_type=document.content_type, filename=document.filename)
