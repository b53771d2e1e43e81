"""Stored verdicts on the electronic signatures of a document, so reads never re-validate."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, enum_column_type, utcnow
from app.documents.signatures.verify import (
    CheckOutcome,
    Coverage,
    Integrity,
    LaterChanges,
    SignatureVerdict,
    Trust,
)


class DocumentSignatureCheck(SQLModel, table=True):
    """The last verification of one document's signatures: when, against how many roots, and
    its outcome (with the reason when it could not be verified)."""

    __tablename__ = "document_signature_check"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="agreement_document.id", unique=True, ondelete="CASCADE")
    outcome: CheckOutcome = Field(sa_type=enum_column_type(CheckOutcome, 20))
    reason: str | None = Field(default=None, max_length=500)
    # How many trust roots were configured when it was checked (0: every signature untrusted).
    trust_roots: int = 0
    checked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DocumentSignature(SQLModel, table=True):
    """The verdict on one signature embedded in a document (see verify.SignatureVerdict)."""

    __tablename__ = "document_signature"
    __table_args__ = (sa.UniqueConstraint("document_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="agreement_document.id", index=True, ondelete="CASCADE")
    position: int
    field_name: str = Field(max_length=200)
    signer_name: str | None = Field(default=None, max_length=300)
    signer_organization: str | None = Field(default=None, max_length=300)
    certificate_serial: str | None = Field(default=None, max_length=100)
    issuer_name: str | None = Field(default=None, max_length=300)
    signed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    timestamped: bool = False
    integrity: Integrity = Field(sa_type=enum_column_type(Integrity, 20))
    trust: Trust = Field(sa_type=enum_column_type(Trust, 20))
    trust_problem: str | None = Field(default=None, max_length=100)
    coverage: Coverage = Field(sa_type=enum_column_type(Coverage, 20))
    later_changes: LaterChanges = Field(sa_type=enum_column_type(LaterChanges, 20))
    # The party whose signature was recorded from this one (konfirmasi dari tanda tangan
    # elektronik); a signature confirms one party at most.
    confirmed_organization_id: int | None = Field(
        default=None, foreign_key="organization.id", ondelete="SET NULL"
    )
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    def verdict(self) -> SignatureVerdict:
        """The stored facts as the verifier's verdict (its derived flags come from there)."""
        return SignatureVerdict(
            position=self.position,
            field_name=self.field_name,
            signer_name=self.signer_name,
            signer_organization=self.signer_organization,
            certificate_serial=self.certificate_serial,
            issuer_name=self.issuer_name,
            signed_at=self.signed_at,
            timestamped=self.timestamped,
            integrity=self.integrity,
            trust=self.trust,
            trust_problem=self.trust_problem,
            coverage=self.coverage,
            later_changes=self.later_changes,
        )
