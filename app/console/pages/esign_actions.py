"""The electronic-signature writes an agreement's page offers its editors (the posts are in
pages/tanda_tangan.py): confirm a party from an accepted signature while the agreement awaits
signatures, and verify a PDF again."""

from collections.abc import Sequence
from typing import Any

from app.agreements.schemas import AgreementPublic
from app.agreements.status import OPEN_FOR_SIGNATURE
from app.console.forms import Form
from app.documents.schemas import DocumentPublic
from app.documents.signatures.records import PDF
from app.documents.signatures.service import names_match
from app.users.access import AgreementRights


def esign_actions(
    rights: AgreementRights,
    agreement: AgreementPublic,
    documents: Sequence[DocumentPublic],
    forms: dict[str, Form] | None,
) -> dict[str, Any]:
    """The template's `esign` (the signatures that may confirm a party now, the PDFs that may
    be verified again) and `esign_forms`, and the parties still to sign."""
    may_edit = rights.edits_agreement
    unsigned = [(p.organization_id, p.organization_name) for p in agreement.parties if not p.signed]
    confirmable: set[int] = set()
    again: set[int] = set()
    blank: dict[str, Form] = {}
    if may_edit:
        for d in documents:
            if d.content_type == PDF:
                again.add(d.id)
                blank[f"periksa_{d.id}"] = Form.blank(f"periksa_{d.id}")
            if agreement.status not in OPEN_FOR_SIGNATURE or not unsigned:
                continue
            for s in d.signatures:
                if s.accepted and s.confirmed_organization_id is None:
                    confirmable.add(s.id)
                    blank[f"konfirmasi_{s.id}"] = Form.blank(
                        f"konfirmasi_{s.id}",
                        organization_id=str(_suggested(s.signer_name, agreement)),
                    )
    return {
        "esign": {"konfirmasi": confirmable, "periksa": again},
        "esign_forms": {**blank, **(forms or {})},
        "unsigned_party_options": unsigned,
    }


def _suggested(signer: str | None, agreement: AgreementPublic) -> int | str:
    """The unsigned party whose recorded signatory is this signer, if exactly one."""
    found = [
        p.organization_id
        for p in agreement.parties
        if not p.signed and signer and p.signatory_name and names_match(signer, p.signatory_name)
    ]
    return found[0] if len(found) == 1 else ""
