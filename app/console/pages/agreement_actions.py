"""The writes an agreement's page offers: which ones the user may do now (the API's access rule,
require_agreement_editor, as AgreementRights reads it once for the page, and the agreement's
status), each as a blank form unless a refused
post brings it back as it was sent. The posts are in pages/perjanjian_tulis.py."""

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from app.agreements.lifecycle import live_children
from app.agreements.models import AgreementKind, AgreementStatus
from app.agreements.queries import agreement_public, superseded_by_id
from app.agreements.schemas import AgreementPublic
from app.agreements.status import is_live
from app.console.forms import Form, allowed
from app.users.access import AgreementRights, require_agreement_editor

S = AgreementStatus
# What each write needs of the status (the services refuse the rest; the page only hides it).
EDITABLE = (S.draft,)
FINALIZABLE = (S.draft,)
REOPENABLE = (S.awaiting_signatures,)
CANCELLABLE = (S.draft, S.awaiting_signatures)
SIGNABLE = (S.awaiting_signatures, S.partially_signed)
TERMINABLE = (S.partially_signed, S.signed, S.active)
AMENDABLE = (S.signed, S.active)
RENEWABLE = (S.signed, S.active, S.expired)  # renewal/service.py: in force, or expired
ADDED_ROWS = 3  # scope items an amendment form offers to add


def renewed_nk_of(
    session: Session, rights: AgreementRights, agreement: AgreementPublic, today: date
) -> AgreementPublic | None:
    """For a live PKS whose NK is renewed: the renewal, if the user may edit it (the API's rule
    of POST …/{nk_id}/relink), where the PKS may be moved."""
    if agreement.kind != AgreementKind.pks or agreement.parent_id is None:
        return None
    if not is_live(agreement.status) or not rights.writes:
        return None  # a viewer reads no NK for a control it would not get
    renewal = superseded_by_id(session, agreement.parent_id)
    if renewal is None:
        return None
    if not allowed(lambda: require_agreement_editor(session, rights.caller, renewal)):
        return None
    return agreement_public(session=session, agreement_id=renewal, today=today)


def agreement_actions(
    session: Session,
    rights: AgreementRights,
    agreement: AgreementPublic,
    today: date,
    forms: dict[str, Form] | None = None,
) -> dict[str, Any]:
    """The template's `may_edit`, `actions` (the names of the writes offered) and `forms`."""
    may_edit = rights.edits_agreement
    actions: list[str] = []
    if may_edit:
        status = agreement.status
        if status in EDITABLE:
            actions.append("ubah")
        if status in FINALIZABLE:
            actions.append("finalisasi")
        if status in SIGNABLE and any(not p.signed for p in agreement.parties):
            actions.append("tanda_tangan")
        if status in REOPENABLE:
            actions.append("buka")
        if status in CANCELLABLE:
            actions.append("batal")
        if status in TERMINABLE:
            actions.append("akhiri")
        if status in AMENDABLE and agreement.kind != AgreementKind.amendment:
            actions.append("adendum")
        if (
            status in RENEWABLE
            and agreement.kind != AgreementKind.amendment
            and agreement.superseded_by_id is None
        ):
            actions.append("perpanjang")
    if (
        agreement.kind == AgreementKind.nk
        and agreement.status != S.cancelled
        and rights.works_under_a_party
    ):
        # Deriving PKS and signing them at once: their pages check each row as the API does.
        actions.append("pks")
    successor = renewed_nk_of(session, rights, agreement, today)
    if successor is not None:
        actions.append("pindah")
    unsigned = [p for p in agreement.parties if not p.signed]
    blank = {
        "ubah": Form.blank(
            "ubah",
            version=agreement.version,
            title=agreement.title,
            description=agreement.description,
            valid_from=agreement.valid_from,
            valid_until=agreement.valid_until,
        ),
        "finalisasi": Form.blank("finalisasi", finalized_on=today.isoformat()),
        "tanda_tangan": Form.blank(
            "tanda_tangan",
            organization_id=unsigned[0].organization_id if len(unsigned) == 1 else None,
            signed_on=today.isoformat(),
        ),
        "buka": Form.blank("buka"),
        "batal": Form.blank("batal"),
        "akhiri": Form.blank("akhiri", terminated_on=today.isoformat()),
        "adendum": Form.blank("adendum", title=f"Adendum {agreement.title}"[:500]),
        "perpanjang": Form.blank(
            "perpanjang",
            title=agreement.title,
            valid_from=agreement.valid_until + timedelta(days=1) if agreement.valid_until else None,
        ),
        "pindah": Form.blank("pindah", nk=successor.title if successor else None),
        "daftar_publik": Form.blank(
            "daftar_publik", listed="1" if agreement.public_listing else None
        ),
    }
    live_pks = 0
    if "akhiri" in actions and agreement.kind == AgreementKind.nk:
        live_pks = len(live_children(session, agreement.id, today))
    return {
        "may_edit": may_edit,
        "actions": actions,
        "forms": {**blank, **(forms or {})},
        "live_pks": live_pks,
        "added_rows": ADDED_ROWS,
        "signer_options": [(p.organization_id, p.organization_name) for p in unsigned],
    }
