"""The stages (tahapan) panel of an agreement's page: where it stands (GET
/api/v1/agreements/{id}/stage) and the moves the user may make now (the API's access rule,
require_agreement_editor). The posts are in pages/tahapan_tulis.py."""

from datetime import date
from typing import Any

from sqlmodel import Session

from app.agreements.models import AgreementStatus
from app.agreements.schemas import AgreementPublic
from app.console.forms import Form
from app.documents.models import DocumentType
from app.labels import labels_of
from app.stages import service as stages
from app.stages.models import LIFECYCLE_STAGES
from app.users.access import AgreementRights


def stage_actions(
    session: Session,
    rights: AgreementRights,
    agreement: AgreementPublic,
    today: date,
    forms: dict[str, Form] | None = None,
) -> dict[str, Any]:
    """The template's `stage` (the agreement's place), `stage_moves` (the moves offered:
    "tahap_mulai", "tahap_lanjut", "tahap_kembali") and `stage_forms`."""
    state = stages.stage_state(
        session=session, agreement_id=agreement.id, today=today, known=agreement
    )
    moves: list[str] = []
    if agreement.status == AgreementStatus.draft and rights.edits_agreement:
        if not state.tracked:
            moves.append("tahap_mulai")
        elif state.stage is not None:
            if state.stage.code not in LIFECYCLE_STAGES:
                moves.append("tahap_lanjut")
            first = next((s for s in state.steps if s.code not in LIFECYCLE_STAGES), None)
            if first is not None and first.state == "done":
                moves.append("tahap_kembali")
    blank = {
        "tahap_mulai": Form.blank("tahap_mulai", started_on=today.isoformat()),
        "tahap_lanjut": Form.blank("tahap_lanjut"),
        "tahap_kembali": Form.blank("tahap_kembali"),
    }
    return {
        "stage": state,
        "stage_moves": moves,
        "stage_forms": {**blank, **(forms or {})},
        "document_types": [(t.value, text) for t, text in labels_of(DocumentType).items()],
    }
