"""Signed documents attached to agreements; the bytes live outside the database."""

from datetime import datetime
from enum import StrEnum
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, enum_column_type, utcnow

Keeper = TypeVar("Keeper", bound=type[SQLModel])

# Every table whose rows keep a file of the store by its `sha256`: this module's own, and those
# of the domains that link their records to documents (activity evidence). They register
# themselves here; documents imports none of them.
FILE_KEEPERS: list[type[SQLModel]] = []


def keeps_stored_files(model: Keeper) -> Keeper:
    """Register a table (with a `sha256` column) whose rows refer to files of the store, so a
    file is not removed while one of its rows refers to it."""
    FILE_KEEPERS.append(model)
    return model


class DocumentType(StrEnum):
    """What a document of an agreement is; the stages before the draft ask for some of them."""

    signed = "signed"  # naskah yang ditandatangani (the signed NK or PKS)
    application_letter = "application_letter"  # surat permohonan kerja sama
    draft = "draft"  # rancangan naskah (draft MoU / PKS)
    terms_of_reference = "terms_of_reference"  # KAK (kerangka acuan kerja) atau studi kelayakan
    profile = "profile"  # profil calon mitra
    legal_standing = "legal_standing"  # dasar hukum / legal standing calon mitra
    power_of_attorney = "power_of_attorney"  # surat kuasa (a Kepala Dinas signs for the Gubernur)
    other = "other"  # dokumen lain


@keeps_stored_files
class AgreementDocument(SQLModel, table=True):
    """A signed document (scan, PDF or image) kept outside the database, by its SHA-256."""

    __tablename__ = "agreement_document"
    # The same file is attached to an agreement once, whoever uploads it at the same moment.
    __table_args__ = (sa.UniqueConstraint("agreement_id", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="RESTRICT")
    filename: str = Field(max_length=300)
    content_type: str = Field(max_length=100)
    size_bytes: int = Field(sa_type=sa.BigInteger)
    sha256: str = Field(max_length=64, index=True)
    # What the document is; every document kept before this existed is the signed text.
    document_type: DocumentType = Field(
        default=DocumentType.signed,
        sa_type=enum_column_type(DocumentType, 30),
        sa_column_kwargs={"server_default": DocumentType.signed.value},
    )
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
