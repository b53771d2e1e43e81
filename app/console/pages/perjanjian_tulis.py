"""Writes on one agreement's page: change the draft, finalisasi, reopen, cancel (with a reason),
sign for one party. Each post is the API operation's service with its access rule
(POST /api/v1/agreements/{id}/finalize, /reopen, /cancel, /signatures; PATCH …/{id}), through
app/console/forms.py: one transaction, the form's Idempotency-Key, errors next to the fields,
303 to the agreement with a message of what was recorded."""

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.agreements import lifecycle
from app.agreements import service as agreements
from app.agreements.amendments import create_amendment
from app.agreements.errors import AgreementNotFound
from app.agreements.history import list_events
from app.agreements.models import AgreementKind, AgreementStatus
from app.agreements.queries import agreement_public
from app.agreements.schemas import (
    AgreementPublic,
    AgreementUpdate,
    AmendmentIn,
    CancelIn,
    FinalizeIn,
    SignatureIn,
    TerminateIn,
)
from app.console.forms import (
    KEY_FIELD,
    Done,
    Form,
    FormRefused,
    NotConfirmed,
    SentForm,
    submit,
    write_router,
)
from app.console.pages.agreement_actions import ADDED_ROWS
from app.console.pages.perjanjian import UNKNOWN_AGREEMENT, _id, show_agreement
from app.console.web import ConsolePost, ConsoleRefused
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.labels import day_text, label
from app.users.access import require_agreement_editor

router = write_router()


def _agreement_id(raw: str) -> int:
    found = _id(raw)
    if found is None:
        raise ConsoleRefused(404, UNKNOWN_AGREEMENT)
    return found


def named(agreement: AgreementPublic) -> str:
    """How a message names an agreement: PKS “Judul”."""
    return f"{label(agreement.kind)} “{agreement.title}”"


def _write(
    request: Request,
    signed: Any,
    session: Any,
    today: date,
    sent: Any,
    agreement_id: int,
    name: str,
    act: Callable[[], Done],
) -> Response:
    """A write on the agreement's page: refusals show the page again with this form."""

    def again(form: Form) -> Response:
        return show_agreement(
            request,
            signed,
            session,
            today,
            agreement_id,
            forms={name: form},
            status_code=form.status,
        )

    def last_change() -> Any:
        events, _ = list_events(session=session, agreement_id=agreement_id, limit=1, offset=0)
        return events[0] if events else None

    def guarded() -> Done:
        require_agreement_editor(session, signed.caller, agreement_id)  # as the API's routes
        return act()

    return submit(
        request, signed, session, sent, name, guarded, again=again, last_change=last_change
    )


@router.post("/perjanjian/{agreement_id}/ubah")
def change_draft(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
) -> Response:
    """PATCH /api/v1/agreements/{id} with the version the form was rendered with."""
    found = _agreement_id(agreement_id)

    def act() -> Done:
        body = sent.body(
            AgreementUpdate,
            version=sent.id("version"),
            title=sent.text("title"),
            description=sent.text("description"),
            valid_from=sent.text("valid_from"),
            valid_until=sent.text("valid_until"),
        )
        agreements.update_agreement(
            session=session, agreement_id=found, agreement_in=body, today=today
        )
        agreement = agreement_public(session=session, agreement_id=found, today=today)
        return Done(f"/perjanjian/{found}", f"Perubahan {named(agreement)} disimpan.")

    return _write(request, signed, session, today, sent, found, "ubah", act)


@router.post("/perjanjian/{agreement_id}/finalisasi")
def finalize(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
) -> Response:
    """POST /api/v1/agreements/{id}/finalize."""
    found = _agreement_id(agreement_id)

    def act() -> Done:
        body = sent.body(FinalizeIn, finalized_on=sent.text("finalized_on"))
        lifecycle.finalize_agreement(
            session=session, agreement_id=found, today=today, finalized_on=body.finalized_on
        )
        agreement = agreement_public(session=session, agreement_id=found, today=today)
        assert agreement.finalized_on is not None
        return Done(
            f"/perjanjian/{found}",
            f"{named(agreement)} difinalisasi pada {day_text(agreement.finalized_on)}; kini "
            "menunggu penandatanganan.",
        )

    return _write(request, signed, session, today, sent, found, "finalisasi", act)


@router.post("/perjanjian/{agreement_id}/buka")
def reopen(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
) -> Response:
    """POST /api/v1/agreements/{id}/reopen."""
    found = _agreement_id(agreement_id)

    def act() -> Done:
        lifecycle.reopen_agreement(session=session, agreement_id=found, today=today)
        agreement = agreement_public(session=session, agreement_id=found, today=today)
        return Done(f"/perjanjian/{found}", f"{named(agreement)} dibuka kembali sebagai draf.")

    return _write(request, signed, session, today, sent, found, "buka", act)


@router.post("/perjanjian/{agreement_id}/batal")
def cancel(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
) -> Response:
    """POST /api/v1/agreements/{id}/cancel, with the reason."""
    found = _agreement_id(agreement_id)

    def act() -> Done:
        body = sent.body(CancelIn, reason=sent.text("reason"))
        lifecycle.cancel_agreement(session=session, agreement_id=found, cancel_in=body, today=today)
        agreement = agreement_public(session=session, agreement_id=found, today=today)
        return Done(f"/perjanjian/{found}", f"{named(agreement)} dibatalkan. Alasan: {body.reason}")

    return _write(request, signed, session, today, sent, found, "batal", act)


@router.post("/perjanjian/{agreement_id}/tanda-tangan")
def sign(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
) -> Response:
    """POST /api/v1/agreements/{id}/signatures: one party, its date, signatory and number."""
    found = _agreement_id(agreement_id)

    def act() -> Done:
        body = sent.body(
            SignatureIn,
            organization_id=sent.id("organization_id"),
            signed_on=sent.required("signed_on"),
            signatory_name=sent.text("signatory_name"),
            signatory_title=sent.text("signatory_title"),
            document_number=sent.text("document_number"),
        )
        lifecycle.sign_agreement(session=session, agreement_id=found, signature=body, today=today)
        agreement = agreement_public(session=session, agreement_id=found, today=today)
        party = next(p for p in agreement.parties if p.organization_id == body.organization_id)
        when = f" pada {day_text(body.signed_on)}" if body.signed_on else ""
        message = f"Tanda tangan {party.organization_name}{when} pada {named(agreement)} dicatat."
        if agreement.signed_on is not None:
            message += " Semua pihak kini sudah menandatangani."
        return Done(f"/perjanjian/{found}", message)

    return _write(request, signed, session, today, sent, found, "tanda_tangan", act)


@router.post("/perjanjian/{agreement_id}/akhiri")
def terminate(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
) -> Response:
    """POST /api/v1/agreements/{id}/terminate. Two steps: the form first comes back saying what
    will happen (for an NK: its live PKS ended too, or left with a warning, as chosen
    explicitly), and only its confirmation writes."""
    found = _agreement_id(agreement_id)
    try:
        agreement = agreement_public(session=session, agreement_id=found, today=today)
    except AgreementNotFound:
        raise ConsoleRefused(404, UNKNOWN_AGREEMENT) from None
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

    def again(form: Form) -> Response:
        return show_agreement(
            request, signed, session, today, found, forms={"akhiri": form}, status_code=form.status
        )

    try:
        return _write(request, signed, session, today, sent, found, "akhiri", act)
    except NotConfirmed:
        # Valid and not yet confirmed: the same form (same key), now saying what will happen.
        form = Form("akhiri", values=sent.values())
        form.key = sent.text(KEY_FIELD) or form.key
        form.values["konfirmasi"] = ["1"]
        return again(form)


@router.post("/perjanjian/{agreement_id}/adendum")
def amend(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
) -> Response:
    """POST /api/v1/agreements/{id}/amendments: an adendum in draft, in two steps like
    terminate (the confirmation says what changes once it is signed)."""
    found = _agreement_id(agreement_id)
    try:
        agreement = agreement_public(session=session, agreement_id=found, today=today)
    except AgreementNotFound:
        raise ConsoleRefused(404, UNKNOWN_AGREEMENT) from None
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
            raise NotConfirmed()
        amendment_id = create_amendment(
            session=session, agreement_id=found, amendment_in=body, today=today
        )
        return Done(
            f"/perjanjian/{amendment_id}",
            f"Adendum “{body.title}” didaftarkan sebagai draf untuk {named(agreement)}; "
            "perubahannya berlaku setelah ditandatangani semua pihak.",
        )

    def again(form: Form) -> Response:
        return show_agreement(
            request, signed, session, today, found, forms={"adendum": form}, status_code=form.status
        )

    try:
        return _write(request, signed, session, today, sent, found, "adendum", act)
    except NotConfirmed:
        form = Form("adendum", values=sent.values())
        form.key = sent.text(KEY_FIELD) or form.key
        form.values["konfirmasi"] = ["1"]
        return again(form)
