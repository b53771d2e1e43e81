"""The writes on what an agreement brings about, as its page offers them: obligations (add one,
mark one done), activities (report one, attach its evidence, the other party's verdict). Each
is shown only where the API's access rule lets the user act (app/users/access.py, read once for
the page as AgreementRights: the activities' reporters among the organizations asked about) and the
agreement's status allows it; the posts are pages/kewajiban_tulis.py and kegiatan_tulis.py."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session

from app.activities.models import Verification
from app.activities.schemas import ActivityPublic
from app.agreements.schemas import AgreementPublic
from app.agreements.status import ENDED, SIGNED_ONCE
from app.console.forms import Form
from app.evaluations.models import Recommendation
from app.labels import MONEV_SCORES, day_text, labels_of
from app.obligations.models import ObligationStatus, Recurrence
from app.obligations.schemas import ObligationPublic
from app.organizations.service import children_by_parent
from app.users.access import AgreementRights

OPEN = (ObligationStatus.open, ObligationStatus.overdue)
# How many organizations under one party the "penanggung jawab" choice lists.
UNDER_A_PARTY = 200


def responsible_options(session: Session, agreement: AgreementPublic) -> list[tuple[int, str]]:
    """Who may owe an obligation, as the form offers it: each party, then the organizations
    right under it (an SKPD of the province); the service checks deeper ones too."""
    parties = [(p.organization_id, p.organization_name) for p in agreement.parties]
    under = children_by_parent(session, [org_id for org_id, _ in parties], limit_each=UNDER_A_PARTY)
    options: list[tuple[int, str]] = []
    seen: set[int] = set()
    for party_id, party_name in parties:
        if party_id not in seen:
            seen.add(party_id)
            options.append((party_id, party_name))
        for org_id, name in under[party_id]:
            if org_id not in seen:
                seen.add(org_id)
                options.append((org_id, f"{name} — di bawah {party_name}"))
    return options


def outcome_actions(
    session: Session,
    rights: AgreementRights,
    agreement: AgreementPublic,
    today: date,
    forms: dict[str, Form] | None,
    *,
    obligations: Sequence[ObligationPublic],
    activities: Sequence[ActivityPublic],
) -> dict[str, Any]:
    """The template's `outcome` (what may be done: "kewajiban", "kegiatan", and the ids of the
    rows each row form is for) and `outcome_forms`."""
    may_edit = rights.edits_agreement
    signed_once = agreement.status in SIGNED_ONCE
    reporters = [
        (p.organization_id, p.organization_name)
        for p in agreement.parties
        if rights.edits_for([p.organization_id])
    ]
    blank: dict[str, Form] = {}
    outcome: dict[str, Any] = {
        "kewajiban": may_edit and agreement.status not in ENDED,
        "kegiatan": signed_once and bool(reporters),
        "dokumen": may_edit,
        "monev": may_edit and signed_once,
        "selesai": set(),
        "bukti": set(),
        "verifikasi": set(),
    }
    if may_edit:
        blank["dokumen"] = Form.blank("dokumen", document_type="signed")
    if outcome["monev"]:
        blank["monev"] = Form.blank("monev", period=str(today.year - 1), score="3")
    if outcome["kewajiban"]:
        blank["kewajiban_baru"] = Form.blank("kewajiban_baru", recurrence=Recurrence.none.value)
    if may_edit:
        for o in obligations:
            if o.status in OPEN:
                outcome["selesai"].add(o.id)
                blank[f"selesai_{o.id}"] = Form.blank(
                    f"selesai_{o.id}", completed_on=min(today, o.due_on).isoformat()
                )
    if outcome["kegiatan"]:
        blank["kegiatan_baru"] = Form.blank(
            "kegiatan_baru",
            organization_id=reporters[0][0] if len(reporters) == 1 else None,
            held_on=today.isoformat(),
        )
    for act in activities:
        if rights.edits_for([act.organization_id]):
            outcome["bukti"].add(act.id)
            blank[f"bukti_{act.id}"] = Form.blank(f"bukti_{act.id}")
        if rights.verifies(act.organization_id):
            outcome["verifikasi"].add(act.id)
            other = (
                Verification.verified
                if act.verification != Verification.verified
                else Verification.rejected
            )
            blank[f"verifikasi_{act.id}"] = Form.blank(f"verifikasi_{act.id}", verdict=other.value)
    open_obligations = [
        (o.id, f"{o.title} — {o.responsible_organization_name}, jatuh tempo {day_text(o.due_on)}")
        for o in obligations
        if o.status in OPEN
    ]
    return {
        "outcome": outcome,
        "outcome_forms": {**blank, **(forms or {})},
        "responsible_options": responsible_options(session, agreement)
        if outcome["kewajiban"]
        else [],
        "recurrence_options": [(r.value, text) for r, text in labels_of(Recurrence).items()],
        "reporter_options": reporters,
        "scope_options": [(item.id, item.title) for item in agreement.scope_items],
        "open_obligation_options": open_obligations,
        "score_options": list(MONEV_SCORES.items()),
        "recommendation_options": [
            (r.value, text) for r, text in labels_of(Recommendation).items()
        ],
        "verdict_options": [
            (v.value, text)
            for v, text in labels_of(Verification).items()
            if v != Verification.pending
        ],
    }
