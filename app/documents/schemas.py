"""Bodies for the signed documents of an agreement."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.documents.models import DocumentType
from app.documents.signatures.schemas import SignatureCheckPublic, SignatureVerdictPublic


class DocumentFields(BaseModel):
    """What is shown of any kept file."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: datetime


class DocumentPublic(DocumentFields):
    """A document attached to an agreement."""

    agreement_id: int
    document_type: DocumentType = Field(
        description="What it is: the signed text, or a document a stage asks for (surat "
        "permohonan, rancangan naskah, KAK atau studi kelayakan, profil, legal standing, surat "
        "kuasa)."
    )
    signature_check: SignatureCheckPublic | None = Field(
        default=None,
        description="The verification of the electronic signatures a PDF embeds (tanda tangan "
        "elektronik); null for an image.",
    )
    signatures: list[SignatureVerdictPublic] = Field(
        default_factory=list,
        description="The verdict on each electronic signature, in file order: signer, signing "
        "time, integrity (utuh / diubah), trust (tepercaya / tidak tepercaya), coverage.",
    )
