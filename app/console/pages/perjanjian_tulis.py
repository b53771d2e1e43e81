"""Writes on one agreement's page: change the draft, finalisasi, reopen, cancel (with a reason),
sign for one party; terminate, amend, renew, move a PKS to its NK's renewal (in two steps).
Each post is the API operation's service with its access rule (POST
/api/v1/agreements/{id}/finalize, /reopen, /cancel, /signatures, /terminate, /amendments,
/renew, /{nk_id}/relink; PATCH …/{id}), through
app/console/forms.py: one transaction, the form's Idempotency-Key, errors next to the fields,
303 to the agreement with a message of what was recorded."""

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.agreements import lifecycle
from app.agreements import service as agreements
from app.agreements.amendments import check_amendment, create_amendment
from app.agreements.errors import AgreementNotFound
from app.agreements.history import list_events
from app.agreements.models import AgreementKind, AgreementStatus
from app.agreements.queries import AgreementFilters, agreement_public, list_agreements_public
from app.agreements.renewal.schemas import RelinkIn, RenewIn
from app.agreements.renewal.service import check_renewal, relink_pks, renew_agreement
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
from app.core.errors import RuleViolation, field_error
from app.core.schemas import MAX_LIMIT
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


def _two_steps(
    request: Request,
    signed: Any,
    session: Any,
    today: date,
    sent: Any,
    agreement_id: int,
    name: str,
    act: Callable[[], Done],
) -> Response:
    """A write confirmed in two steps: `act` raises NotConfirmed once the form is valid and
    not yet confirmed; the page then comes back saying what will happen, with `konfirmasi` set
    and the same key, and only the confirmation writes."""
    try:
        return _write(request, signed, session, today, sent, agreement_id, name, act)
    except NotConfirmed:
        form = Form(name, values=sent.values())
        form.key = sent.text(KEY_FIELD) or form.key
        form.values["konfirmasi"] = ["1"]
        return show_agreement(request, signed, session, today, agreement_id, forms={name: form})


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

    return _two_steps(request, signed, session, today, sent, found, "akhiri", act)


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

    return _two_steps(request, signed, session, today, sent, found, "adendum", act)


def _loaded(session: Any, found: int, today: date) -> AgreementPublic:
    try:
        return agreement_public(session=session, agreement_id=found, today=today)
    except AgreementNotFound:
        raise ConsoleRefused(404, UNKNOWN_AGREEMENT) from None


def _period(valid_from: date | None, valid_until: date | None) -> str:
    """sejak 4 Juli 2026 sampai 3 Juli 2031 (what is given of it)."""
    words = f" sejak {day_text(valid_from)}" if valid_from else ""
    return words + (f" sampai {day_text(valid_until)}" if valid_until else "")


@router.post("/perjanjian/{agreement_id}/perpanjang")
def renew(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
) -> Response:
    """POST /api/v1/agreements/{id}/renew: the successor (perpanjangan) as a draft with the
    same parties and ruang lingkup, in two steps like terminate (the confirmation names the
    agreement created and its validity)."""
    found = _agreement_id(agreement_id)
    agreement = _loaded(session, found, today)

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

    return _two_steps(request, signed, session, today, sent, found, "perpanjang", act)


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
def relink(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
) -> Response:
    """POST /api/v1/agreements/{nk_id}/relink with this PKS only: move it under the NK named
    (by number or title; the service accepts only the renewal of its NK), with the API's rule
    (an editor of that NK), in two steps."""
    found = _agreement_id(agreement_id)
    pks = _loaded(session, found, today)

    def act() -> Done:
        text = sent.text("nk")
        if text is None:
            raise FormRefused("nk", "missing")
        nk_id = _nk_named(session, text, today)
        require_agreement_editor(session, signed.caller, nk_id)  # as POST …/{nk_id}/relink
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

    def again(form: Form) -> Response:
        return show_agreement(
            request, signed, session, today, found, forms={"pindah": form}, status_code=form.status
        )

    def confirming() -> Response:
        form = Form("pindah", values=sent.values())
        form.key = sent.text(KEY_FIELD) or form.key
        form.values["konfirmasi"] = ["1"]
        nk_id = _nk_named(session, sent.text("nk") or "", today)
        target = agreement_public(session=session, agreement_id=nk_id, today=today)
        # What the confirmation names (shown, never sent back).
        form.values["nk_judul"] = [target.title]
        form.values["nk_masa"] = [_period(target.valid_from, target.valid_until)]
        return show_agreement(request, signed, session, today, found, forms={"pindah": form})

    # The PKS's refusals (pks_ids.0) belong to the NK chosen.
    try:
        return submit(
            request, signed, session, sent, "pindah", act, again=again, where=lambda loc: "nk"
        )
    except NotConfirmed:
        return confirming()
