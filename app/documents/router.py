"""HTTP routes for the signed documents of an agreement."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile, status
from fastapi.responses import FileResponse

from app.agreements.dependencies import AgreementIdPath, ExistingAgreementId
from app.core.config import settings
from app.core.db import SessionDep
from app.core.errors import responses
from app.core.schemas import path_id
from app.documents import service
from app.documents.models import DocumentType
from app.documents.schemas import DocumentPublic
from app.documents.signatures.records import TrustRootsDep
from app.documents.storage import DocumentStore
from app.idempotency.route import IdempotentRoute
from app.users.access import AgreementEditor

router = APIRouter(
    prefix="/api/v1/agreements", tags=["Signed documents"], route_class=IdempotentRoute
)


def get_document_store() -> DocumentStore:
    """The configured store; tests override it."""
    return DocumentStore(root=settings.DOCUMENTS_DIR, max_bytes=settings.MAX_UPLOAD_BYTES)


StoreDep = Annotated[DocumentStore, Depends(get_document_store)]
DocumentIdPath = Annotated[int, path_id("Id of the document.")]


@router.post(
    "/{agreement_id}/documents",
    response_model=DocumentPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Attach the signed document (scan or PDF)",
    responses={
        **responses(401, 403, 404, 422, 429),
        200: {
            "description": "The same file is already attached to this agreement: that record",
            "model": DocumentPublic,
        },
        413: {"description": "Larger than MAX_UPLOAD_BYTES"},
        415: {"description": "Not a PDF or image, judged from the bytes"},
    },
)
def upload_document(
    response: Response,
    session: SessionDep,
    _editor: AgreementEditor,
    store: StoreDep,
    trust_roots: TrustRootsDep,
    agreement_id: AgreementIdPath,
    file: Annotated[UploadFile, File(description="The signed NK or PKS: PDF or image.")],
    document_type: Annotated[
        DocumentType,
        Form(
            description="What the file is (default `signed`, the signed text); the stages "
            "before the draft ask for `application_letter` (surat permohonan), `draft` "
            "(rancangan naskah), `terms_of_reference` (KAK atau studi kelayakan), `profile` "
            "(profil), `legal_standing` and `power_of_attorney` (surat kuasa)."
        ),
    ] = DocumentType.signed,
) -> DocumentPublic:
    """Upload the signed scan of an NK, PKS or adendum (PDF, PNG, JPEG, TIFF or WebP).

    The type is judged from the file's bytes, not only its header; the size limit comes from
    the settings (20 MB by default). The file is kept outside the database under its SHA-256;
    a refused or failed upload leaves no file and no record behind. The same file uploaded again
    to the same agreement is not kept twice: the answer is 200 with the record already there.

    A PDF's electronic signatures (tanda tangan elektronik, PAdES) are verified on upload with
    pyHanko against the trust roots of ESIGN_TRUST_ROOTS_DIR (none configured: every signature
    untrusted) and the verdicts kept: `signature_check` and `signatures`. A PDF that cannot be
    read, is encrypted or carries too many signatures is kept with the outcome
    `cannot_verify` and its reason. Revocation only from what the PDF embeds (no network).
    """
    document, created = service.attach_document(
        session=session,
        store=store,
        agreement_id=agreement_id,
        source=file.file,
        filename=file.filename,
        declared_type=file.content_type,
        document_type=document_type,
        trust_roots=trust_roots,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return document


@router.get(
    "/{agreement_id}/documents",
    response_model=list[DocumentPublic],
    summary="List the signed documents of an agreement",
    responses=responses(401, 404, 422, 429),
)
def list_documents(session: SessionDep, agreement_id: ExistingAgreementId) -> list[DocumentPublic]:
    """The documents attached to an NK or PKS, oldest first, each with its SHA-256."""
    return service.list_documents(session=session, agreement_id=agreement_id)


@router.get(
    "/{agreement_id}/documents/{document_id}",
    response_class=FileResponse,
    summary="Download a signed document",
    responses={
        **responses(401, 403, 404, 422, 429),
        200: {"content": {"application/pdf": {}, "image/*": {}}},
    },
)
def download_document(
    session: SessionDep,
    store: StoreDep,
    agreement_id: AgreementIdPath,
    document_id: DocumentIdPath,
) -> FileResponse:
    """Download the document byte for byte, with its original file name."""
    document, path = service.document_file(
        session=session, store=store, agreement_id=agreement_id, document_id=document_id
    )
    return FileResponse(path, media_type=document.content_type, filename=document.filename)
