"""Bodies of the electronic signatures of a document (tanda tangan elektronik)."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.core.schemas import Id, RequestBody
from app.documents.signatures.verify import (
    REVOCATION_LIMIT,
    CheckOutcome,
    Coverage,
    Integrity,
    LaterChanges,
    Trust,
)


class SignatureCheckPublic(BaseModel):
    """The last verification of a PDF's electronic signatures."""

    outcome: CheckOutcome = Field(
        description="verified: its signatures were judged, each below; no_signatures: a PDF "
        "without electronic signatures (a scan of a wet signature); cannot_verify: unreadable, "
        "encrypted or too many signatures (see reason)."
    )
    reason: str | None = Field(description="Why it could not be verified; null otherwise.")
    trust_roots: int = Field(
        description="How many trust roots (ESIGN_TRUST_ROOTS_DIR) were configured when it was "
        "checked; 0 means none, and every signature is then untrusted."
    )
    checked_at: datetime
    revocation: str = Field(
        default=REVOCATION_LIMIT, description="The limit of the revocation check, stated."
    )


class SignatureVerdictPublic(BaseModel):
    """The verdict on one signature a PDF embeds (PAdES), as pyHanko judged it."""

    id: int
    position: int = Field(description="1 for the first signature of the file, in file order.")
    field_name: str = Field(description="The PDF's signature field.")
    signer_name: str | None = Field(description="The certificate's common name (CN).")
    signer_organization: str | None = Field(description="The certificate's organisation (O).")
    certificate_serial: str | None = Field(description="The certificate's serial, hexadecimal.")
    issuer_name: str | None = Field(description="Who issued the certificate (e.g. BSrE).")
    signed_at: datetime | None = Field(
        description="When it was signed: the timestamp token's time when one vouches for it "
        "(timestamped), else the time the signer's software reported."
    )
    timestamped: bool = Field(
        description="A trusted, intact timestamp token vouches for signed_at."
    )
    integrity: Integrity = Field(
        description="intact (utuh): the signed bytes are those signed; modified (diubah): not."
    )
    trust: Trust = Field(
        description="trusted (tepercaya): the certificate chains to a configured trust root; "
        "untrusted: it does not, or no root is configured; revoked: by data the PDF embeds."
    )
    trust_problem: str | None = Field(
        description="pyHanko's AdES sub-indication when not trusted, e.g. "
        "NO_CERTIFICATE_CHAIN_FOUND."
    )
    coverage: Coverage = Field(
        description="entire_file; entire_revision (revisions were added after it: another "
        "signature, or changes, see later_changes); partial (not a sound signature)."
    )
    later_changes: LaterChanges = Field(
        description="What the revisions added after this signature change."
    )
    modified_after_signing: bool = Field(
        description="Modified after signing (diubah setelah ditandatangani): not intact, partial "
        "coverage, or annotations or content changed after it. Never accepted as signed."
    )
    accepted: bool = Field(
        description="Intact, trusted and not modified after signing: it may confirm a party's "
        "signature."
    )
    confirmed_organization_id: int | None = Field(
        description="The party whose signature was recorded from this one, if any."
    )
    confirmed_at: datetime | None


class DocumentSignaturesPublic(BaseModel):
    """One document's check and its signatures' verdicts."""

    document_id: int
    filename: str
    signature_check: SignatureCheckPublic | None = Field(
        description="Null for an image (only PDFs carry electronic signatures)."
    )
    signatures: list[SignatureVerdictPublic]


class ConfirmFromSignatureIn(RequestBody):
    """Which party the electronic signature is confirmed for."""

    organization_id: Id = Field(description="The party that signed with this signature.")


CONFIRM_EXAMPLES: dict[str, dict[str, Any]] = {
    "perwakilan": {
        "summary": "The Perwakilan Kalsel's head signed the PKS electronically (no document is "
        "seeded: 404 on a fresh database)",
        "value": {"organization_id": 2},
    }
}
