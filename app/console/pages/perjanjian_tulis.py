"""Writes on one agreement's page: change the draft, finalisasi, reopen, cancel (with a reason),
sign for one party; terminate, amend, renew, move a PKS to its NK's renewal (in two steps).
Each post is the API operation's service with its access rule (POST
/api/v1/agreements/{id}/finalize, /reopen, /cancel, /signatures, /terminate, /amendments,
/renew, /{nk_id}/relink; PATCH …/{id}), through
app/console/forms.py: one transaction, the form's Idempotency-Key, errors next to the fields,
303 to the agreement with a message of what was recorded."""

from datetime import date
from typing import Any

from fastapi.responses import Response

from app.agreements import lifecycle
from app.agreements import service as agreements
from app.agreements.amendments import check_amendment, create_amendment
from app.agreements.models import AgreementKind, AgreementStatus
from app.agreements.queries import AgreementFilters, agreement_public, list_agreements_public
from app.agreements.renewal.schemas import RelinkIn, RenewIn
from app.agreements.renewal.service import check_renewal, relink_pks, renew_agreement
from app.agreements.schemas import (
    AgreementUpdate,
    AmendmentIn,
    CancelIn,
    FinalizeIn,
    SignatureIn,
    TerminateIn,
)
from app.console.forms import Done, FormRefused, NotConfirmed, submit, write_route, write_router
from app.console.pages.agreement_actions import ADDED_ROWS
from app.console.pages.agreement_write import AgreementWrite, named
from app.core.errors import RuleViolation, field_error
from app.core.schemas import MAX_LIMIT
from app.labels import day_text
from app.users.access import require_agreement_editor

router = write_router()


@write_route(router, "/perjanjian/{agreement_id}/ubah", "ubah")
def change_draft(w: AgreementWrite) -> Done:
    """PATCH /api/v1/agreements/{id} with the version the form was rendered with."""
    sent = w.sent
    body = sent.body(
        AgreementUpdate,
        version=sent.id("version"),
        title=sent.text("title"),
        description=sent.text("description"),
        valid_from=sent.text("valid_from"),
        valid_until=sent.text("valid_until"),
    )
    agreements.update_agreement(
        session=w.session, agreement_id=w.id, agreement_in=body, today=w.today
    )
    agreement = agreement_public(session=w.session, agreement_id=w.id, today=w.today)
    return Done(f"/perjanjian/{w.id}", f"Perubahan {named(agreement)} disimpan.")


@write_route(router, "/perjanjian/{agreement_id}/finalisasi", "finalisasi")
def finalize(w: AgreementWrite) -> Done:
    """POST /api/v1/agreements/{id}/finalize."""
    body = w.sent.body(FinalizeIn, finalized_on=w.sent.text("finalized_on"))
    lifecycle.finalize_agreement(
        session=w.session, agreement_id=w.id, today=w.today, finalized_on=body.finalized_on
    )
    agreement = agreement_public(session=w.session, agreement_id=w.id, today=w.today)
    assert agreement.finalized_on is not None
    return Done(
        f"/perjanjian/{w.id}",
        f"{named(agreement)} difinalisasi pada {day_text(agreement.finalized_on)}; kini "
        "menunggu penandatanganan.",
    )


@write_route(router, "/perjanjian/{agreement_id}/buka", "buka")
def reopen(w: AgreementWrite) -> Done:
    """POST /api/v1/agreements/{id}/reopen."""
    lifecycle.reopen_agreement(session=w.session, agreement_id=w.id, today=w.today)
    agreement = agreement_public(session=w.session, agreement_id=w.id, today=w.today)
    return Done(f"/perjanjian/{w.id}", f"{named(agreement)} dibuka kembali sebagai draf.")


@write_route(router, "/perjanjian/{agreement_id}/batal", "batal")
def cancel(w: AgreementWrite) -> Done:
    """POST /api/v1/agreements/{id}/cancel, with the reason."""
    body = w.sent.body(CancelIn, reason=w.sent.text("reason"))
    lifecycle.cancel_agreement(session=w.session, agreement_id=w.id, cancel_in=body, today=w.today)
    agreement = agreement_public(session=w.session, agreement_id=w.id, today=w.today)
    return Done(f"/perjanjian/{w.id}", f"{named(agreement)} dibatalkan. Alasan: {body.reason}")


@write_route(router, "/perjanjian/{agreement_id}/tanda-tangan", "tanda_tangan")
def sign(w: AgreementWrite) -> Done:
    """POST /api/v1/agreements/{id}/signatures: one party, its date, signatory and number."""
    sent = w.sent
    body = sent.body(
        SignatureIn,
        organization_id=sent.id("organization_id"),
        signed_on=sent.required("signed_on"),
        signatory_name=sent.text("signatory_name"),
        signatory_title=sent.text("signatory_title"),
        document_number=sent.text("document_number"),
    )
    lifecycle.sign_agreement(session=w.session, agreement_id=w.id, signature=body, today=w.today)
    agreement = agreement_public(session=w.session, agreement_id=w.id, today=w.today)
    party = next(p for p in agreement.parties if p.organization_id == body.organization_id)
    when = f" pada {day_text(body.signed_on)}" if body.signed_on else ""
    message = f"Tanda tangan {party.organization_name}{when} pada {named(agreement)} dicatat."
    if agreement.signed_on is not None:
        message += " Semua pihak kini sudah menandatangani."
    return Done(f"/perjanjian/{w.id}", message)


@router.post("/perjanjian/{agreement_id}/akhiri")
def terminate(w: AgreementWrite) -> Response:
    """POST /api/v1/agreements/{id}/terminate. Two steps: the form first comes back saying what
    will happen (for an NK: its live PKS ended too, or left with a warning, as chosen
    explicitly), and only its confirmation writes."""
    sent, session, found, today = w.sent, w.session, w.id, w.today
    agreement = w.agreement()
    is_nk = agreement.kind == AgreementKind.nk
    choice = sent.text("cascade")

    def act() -> Done:
        if is_nk and choice not in ("ya", "tidak"):
            raise FormRefused("cascade", "missing")
        body = sent.body(
            TerminateIn,
            terminated_on=sent.required("terminated_on"),
            reason=sent.text("reason"),
            cascade=choice == "ya",
        )
        if not sent.flag("konfirmasi"):
            # The service's rules before saying what will happen (a date before the signing).
            lifecycle.check_termination(
                session=session, agreement_id=found, terminate_in=body, today=today
            )
            raise NotConfirmed()
        affected, cascaded = lifecycle.terminate_agreement(
            session=session, agreement_id=found, terminate_in=body, today=today
        )
        message = f"{named(agreement)} diakhiri sejak {day_text(body.terminated_on)}."
        live = [a for a in affected if a.status == AgreementStatus.terminated]
        if is_nk and cascaded:
            message += f" {len(live)} PKS di bawahnya ikut diakhiri."
        elif is_nk and affected:
            message += " PKS di bawahnya tidak diubah dan kini diberi peringatan."
        return Done(f"/perjanjian/{found}", message)

    return w.submit("akhiri", act)


@router.post("/perjanjian/{agreement_id}/adendum")
def amend(w: AgreementWrite) -> Response:
    """POST /api/v1/agreements/{id}/amendments: an adendum in draft, in two steps like
    terminate (the confirmation says what changes once it is signed)."""
    sent, session, found, today = w.sent, w.session, w.id, w.today
    agreement = w.agreement()
    current = {item.id for item in agreement.scope_items}

    def act() -> Done:
        withdrawn = sent.ids("withdrawn")
        if any(i not in current for i in withdrawn):
            raise FormRefused("withdrawn")
        added = [{"title": t} for n in range(1, ADDED_ROWS + 1) if (t := sent.text(f"added_{n}"))]
        parties = [
            {"organization_id": p.organization_id, "document_number": number}
            for p in agreement.parties
            if (number := sent.text(f"nomor_{p.organization_id}"))
        ]
        body = sent.body(
            AmendmentIn,
            title=sent.text("title"),
            valid_until=sent.text("valid_until"),
            scope_items_added=added,
            scope_item_ids_withdrawn=withdrawn,
            parties=parties,
        )
        if not sent.flag("konfirmasi"):
            # The service's rules before saying what will happen (a validity outside the NK's).
            check_amendment(session=session, agreement_id=found, amendment_in=body, today=today)
            raise NotConfirmed()
        amendment_id = create_amendment(
            session=session, agreement_id=found, amendment_in=body, today=today
        )
        return Done(
            f"/perjanjian/{amendment_id}",
            f"Adendum “{body.title}” didaftarkan sebagai draf untuk {named(agreement)}; "
            "perubahannya berlaku setelah ditandatangani semua pihak.",
        )

    return w.submit("adendum", act)


def _period(valid_from: date | None, valid_until: date | None) -> str:
    """sejak 4 Juli 2026 sampai 3 Juli 2031 (what is given of it)."""
    words = f" sejak {day_text(valid_from)}" if valid_from else ""
    return words + (f" sampai {day_text(valid_until)}" if valid_until else "")


@router.post("/perjanjian/{agreement_id}/perpanjang")
def renew(w: AgreementWrite) -> Response:
    """POST /api/v1/agreements/{id}/renew: the successor (perpanjangan) as a draft with the
    same parties and ruang lingkup, in two steps like terminate (the confirmation names the
    agreement created and its validity)."""
    sent, session, found, today = w.sent, w.session, w.id, w.today
    agreement = w.agreement()

    def act() -> Done:
        body = sent.body(
            RenewIn,
            title=sent.text("title"),
            valid_from=sent.text("valid_from"),
            valid_until=sent.text("valid_until"),
        )
        if not sent.flag("konfirmasi"):
            # The service's rules before saying what will happen (a validity outside the NK's).
            check_renewal(session=session, agreement_id=found, renew_in=body, today=today)
            raise NotConfirmed()
        successor_id = renew_agreement(
            session=session, agreement_id=found, renew_in=body, today=today
        )
        successor = agreement_public(session=session, agreement_id=successor_id, today=today)
        return Done(
            f"/perjanjian/{successor_id}",
            f"Perpanjangan {named(agreement)} didaftarkan sebagai draf: {named(successor)}"
            f"{_period(successor.valid_from, successor.valid_until)}. Finalisasi lalu "
            "tandatangani untuk memberlakukannya.",
        )

    return w.submit("perpanjang", act)


def _nk_named(session: Any, text: str, today: date) -> int:
    """The NK a form names by a party's number (053/NK-PEMOTDA/2021) or its exact title (text
    with a control character names none: PostgreSQL cannot even compare a NUL)."""
    if not text.isprintable():
        raise FormRefused(entries=[("nk", "unknown_nk", {"name": text})])
    for filters in (
        AgreementFilters(kind=AgreementKind.nk, number=text),
        AgreementFilters(kind=AgreementKind.nk, q=text),
    ):
        found, _ = list_agreements_public(
            session=session, filters=filters, today=today, limit=MAX_LIMIT, offset=0
        )
        if filters.q is not None:
            found = [a for a in found if a.title.strip().lower() == text.strip().lower()]
        found = [a for a in found if a.status != AgreementStatus.cancelled]
        if len(found) == 1:
            return found[0].id
        if len(found) > 1:
            raise FormRefused(entries=[("nk", "ambiguous_nk", {"count": len(found), "name": text})])
    raise FormRefused(entries=[("nk", "unknown_nk", {"name": text})])


@router.post("/perjanjian/{agreement_id}/pindah")
def relink(w: AgreementWrite) -> Response:
    """POST /api/v1/agreements/{nk_id}/relink with this PKS only: move it under the NK named
    (by number or title; the service accepts only the renewal of its NK), with the API's rule
    (an editor of that NK), in two steps."""
    sent, session, found, today = w.sent, w.session, w.id, w.today
    pks = w.agreement()

    def act() -> Done:
        text = sent.text("nk")
        if text is None:
            raise FormRefused("nk", "missing")
        nk_id = _nk_named(session, text, today)
        require_agreement_editor(session, w.signed.caller, nk_id)  # as POST …/{nk_id}/relink
        if not sent.flag("konfirmasi"):
            raise NotConfirmed()
        try:
            relink_pks(
                session=session, nk_id=nk_id, relink_in=RelinkIn(pks_ids=[found]), today=today
            )
        except RuleViolation as refusal:
            # The NK named is no renewal: a refusal of the NK chosen, shown at its field.
            refusal.errors = refusal.errors or [field_error("nk", msg=refusal.detail)]
            raise
        nk = agreement_public(session=session, agreement_id=nk_id, today=today)
        return Done(f"/perjanjian/{found}", f"{named(pks)} dipindahkan ke {named(nk)}.")

    def confirming() -> Response:
        form = w.confirming("pindah")
        nk_id = _nk_named(session, sent.text("nk") or "", today)
        target = agreement_public(session=session, agreement_id=nk_id, today=today)
        # What the confirmation names (shown, never sent back).
        form.values["nk_judul"] = [target.title]
        form.values["nk_masa"] = [_period(target.valid_from, target.valid_until)]
        return w.page({"pindah": form}, 200)

    # Not behind the page's guard (the rule is the NK's, in `act`); the PKS's refusals
    # (pks_ids.0) belong to the NK chosen.
    try:
        return submit(
            w.request,
            w.signed,
            session,
            sent,
            "pindah",
            act,
            again=w.again("pindah"),
            where=lambda loc: "nk",
        )
    except NotConfirmed:
        return confirming()
