"""Bodies of the draft routes: the template in force for each kind, and the final text."""

from datetime import datetime

from pydantic import BaseModel, Field

from app.agreements.models import AgreementKind


class DraftTemplatePublic(BaseModel):
    """The template that renders the drafts of one kind."""

    kind: AgreementKind
    uploaded: bool = Field(
        description="true: an admin's upload; false: the default template built in (Bahasa "
        "Indonesia: PERJANJIAN KERJA SAMA ANTARA … DAN … TENTANG …, a Pasal for the ruang "
        "lingkup)."
    )
    filename: str | None = Field(description="The uploaded file's name; null for the default.")
    sha256: str | None = Field(description="SHA-256 of the uploaded file; null for the default.")
    size_bytes: int | None
    uploaded_at: datetime | None


class FinalDraftPublic(BaseModel):
    """The final text (naskah final) as rendered at finalisasi draft."""

    agreement_id: int
    sha256: str = Field(
        description="SHA-256 of the DOCX as rendered at finalisasi; download it from "
        "final-draft.docx and compare (sha256sum) with the copy the parties signed."
    )
    size_bytes: int
    template_sha256: str | None = Field(
        description="SHA-256 of the uploaded template that rendered it; null: the default."
    )
    rendered_at: datetime
