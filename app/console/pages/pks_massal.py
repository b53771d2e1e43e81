"""An NK's PKS many at once: derive PKS for the SKPD that hold none (POST
/api/v1/agreements/{id}/derive), and record a morning's signatures of its PKS (POST
/api/v1/agreements/{id}/pks-signatures). Both all or nothing, as the API; every refusal is
shown against its row. Through app/console/forms.py (one transaction, the form's
Idempotency-Key, 303 with a message of what was recorded).

/perjanjian/{nk}/susun-pks: the government parties' SKPD as a checklist (those holding a live
PKS under the NK shown, not selectable), the counterpart, the title with {organization}, the
titles previewed (a "Pratinjau" submit that writes nothing), one confirmation.
/perjanjian/{nk}/tanda-tangan-pks: every party yet to sign a PKS of the NK that awaits
signatures, as a checklist (ticked), one date, each row's number, one confirmation.
"""

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.agreements.derivation.schemas import DeriveIn
from app.agreements.derivation.service import coverage_of, derive_pks, title_for
from app.agreements.errors import AgreementNotFound
from app.agreements.lifecycle import sign_many
from app.agreements.models import AgreementKind
from app.agreements.queries import (
    AgreementFilters,
    AgreementSort,
    agreement_public,
    list_agreements_public,
)
from app.agreements.schemas import AgreementPublic, BulkSignatureIn
from app.agreements.status import OPEN_FOR_SIGNATURE, is_live
from app.console.forms import (
    Done,
    Form,
    FormRefused,
    SentForm,
    allowed,
    submit,
    write_router,
)
from app.console.pages.perjanjian import UNKNOWN_AGREEMENT, _id
from app.console.session import SignedIn
from app.console.web import ConsolePage, ConsolePost, ConsoleRefused, render
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.schemas import MAX_LIMIT
from app.labels import day_text
from app.organizations import service as organizations
from app.organizations.models import GOVERNMENT_KINDS, OrganizationKind
from app.users.access import require_agreement_editor, require_derive_editor
from app.users.auth import Caller

router = write_router()

ORGANIZATION_PLACEHOLDER = "{organization}"
SHOWN_TITLES = 3  # titles a message after deriving names (the rest are counted)


def _nk(session: Session, raw: str, today: date) -> AgreementPublic:
    found = _id(raw)
    try:
        if found is None:
            raise AgreementNotFound(0)
        nk = agreement_public(session=session, agreement_id=found, today=today)
    except AgreementNotFound:
        raise ConsoleRefused(404, UNKNOWN_AGREEMENT) from None
    if nk.kind != AgreementKind.nk:
        raise ConsoleRefused(404, "Halaman ini hanya untuk NK; perjanjian ini bukan NK.")
    return nk


def _children(session: Session, nk_id: int, today: date) -> list[AgreementPublic]:
    """Every PKS of the NK, by title (the API's list, page by page)."""
    found: list[AgreementPublic] = []
    while True:
        page, _ = list_agreements_public(
            session=session,
            filters=AgreementFilters(parent_id=nk_id),
            today=today,
            limit=MAX_LIMIT,
            offset=len(found),
            sort=AgreementSort.alphabetical,
        )
        found.extend(page)
        if len(page) < MAX_LIMIT:
            return found


# ---------------------------------------------------------------- a morning's signatures


@dataclass
class SignRow:
    """One party yet to sign one PKS: a line of the checklist."""

    key: str  # "<pks id>-<organization id>", the checkbox's value
    pks: AgreementPublic
    organization_id: int
    organization_name: str
    document_number: str | None
    signatory_name: str | None


def _sign_rows(
    session: Session, caller: Caller, nk_id: int, today: date
) -> tuple[list[SignRow], int]:
    """The rows the user may sign for, and how many PKS await signatures in all."""
    rows: list[SignRow] = []
    waiting = 0
    for pks in _children(session, nk_id, today):
        if pks.status not in OPEN_FOR_SIGNATURE:
            continue
        waiting += 1
        if not allowed(partial(require_agreement_editor, session, caller, pks.id)):
            continue
        for party in pks.parties:
            if not party.signed:
                rows.append(
                    SignRow(
                        f"{pks.id}-{party.organization_id}",
                        pks,
                        party.organization_id,
                        party.organization_name,
                        party.document_number,
                        party.signatory_name,
                    )
                )
    return rows, waiting


def _sign_page(
    request: Request,
    signed: SignedIn,
    session: Session,
    today: date,
    nk: AgreementPublic,
    form: Form | None = None,
) -> HTMLResponse:
    rows, waiting = _sign_rows(session, signed.caller, nk.id, today)
    if form is None:
        form = Form.blank(
            "tanda_tangan_pks", signed_on=today.isoformat(), baris=[r.key for r in rows]
        )
    return render(
        request,
        "pks_tanda_tangan.html",
        signed=signed,
        nav="/perjanjian",
        nk=nk,
        rows=rows,
        waiting=waiting,
        form=form,
        status_code=form.status,
    )


@router.get("/perjanjian/{agreement_id}/tanda-tangan-pks", response_class=HTMLResponse)
def sign_pks_page(
    request: Request, signed: ConsolePage, session: SessionDep, today: TodayDep, agreement_id: str
) -> HTMLResponse:
    return _sign_page(request, signed, session, today, _nk(session, agreement_id, today))


@router.post("/perjanjian/{agreement_id}/tanda-tangan-pks")
def sign_pks(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
) -> Response:
    nk = _nk(session, agreement_id, today)
    ticked = sent.texts("baris")
    chosen: list[tuple[int, int]] = []
    for key in ticked:
        pks_id, _, org_id = key.partition("-")
        if not (pks_id.isdigit() and org_id.isdigit()):
            chosen = []
            break
        chosen.append((int(pks_id), int(org_id)))

    def act() -> Done:
        if len(chosen) != len(ticked):
            raise FormRefused("baris")
        body = sent.body(
            BulkSignatureIn,
            signed_on=sent.required("signed_on"),
            signatures=[
                {
                    "agreement_id": pks_id,
                    "organization_id": org_id,
                    **(
                        {"document_number": number}
                        if (number := sent.text(f"nomor-{pks_id}-{org_id}"))
                        else {}
                    ),
                }
                for pks_id, org_id in chosen
            ],
        )
        done = sign_many(
            session=session,
            nk_id=nk.id,
            signatures=body,
            today=today,
            may_change=lambda pks_id: require_agreement_editor(session, signed.caller, pks_id),
        )
        when = f" pada {day_text(body.signed_on)}" if body.signed_on else ""
        return Done(
            f"/cakupan/{nk.id}",
            f"{len(body.signatures)} tanda tangan{when} dicatat untuk {len(set(done))} PKS "
            f"di bawah NK “{nk.title}”.",
        )

    def where(loc: list[Any]) -> str | None:
        parts = [p for p in loc if p != "body"]
        if parts[:1] == ["signatures"]:
            if len(parts) > 1 and isinstance(parts[1], int) and parts[1] < len(chosen):
                pks_id, org_id = chosen[parts[1]]
                return f"baris.{pks_id}-{org_id}"
            return "baris"
        return ".".join(str(p) for p in parts) or None

    return submit(
        request,
        signed,
        session,
        sent,
        "tanda_tangan_pks",
        act,
        again=lambda form: _sign_page(request, signed, session, today, nk, form),
        where=where,
    )


# ---------------------------------------------------------------- deriving PKS for SKPD


@dataclass
class AgencyRow:
    """One SKPD of a government party of the NK: a line of the checklist."""

    organization_id: int
    name: str
    government: str
    held: Any  # the PKS that counts (CoveredPks) or None
    selectable: bool
    may: bool


def _counterparts(session: Session, nk: AgreementPublic) -> list[tuple[int, str]]:
    """Who may be the other party of every PKS: a non-government party of the NK, or a
    Perwakilan under one (acting in the government's province)."""
    parties = organizations.organizations_by_id(session, [p.organization_id for p in nk.parties])
    governments = {i for i, o in parties.items() if o.kind in GOVERNMENT_KINDS}
    options: list[tuple[int, str]] = []
    for org_id, org in parties.items():
        if org_id in governments:
            continue
        offices, _ = organizations.list_organizations(
            session=session,
            parent_id=org_id,
            kind=OrganizationKind.regional_office,
            limit=MAX_LIMIT,
            offset=0,
        )
        options.extend((o.id, o.name) for o in offices if o.region_id in governments)
        options.append((org_id, org.name))
    return options


def _derive_page(
    request: Request,
    signed: SignedIn,
    session: Session,
    today: date,
    nk: AgreementPublic,
    form: Form | None = None,
) -> HTMLResponse:
    caller = signed.caller
    counterparts = _counterparts(session, nk)
    own = [c for c in counterparts if c[0] == caller.organization_id]
    default = (own or counterparts or [(0, "")])[0]
    if form is None:
        form = Form.blank(
            "susun_pks",
            counterpart_organization_id=default[0] or None,
            title=f"Perjanjian Kerja Sama {default[1]} dengan {ORGANIZATION_PLACEHOLDER}",
            drafted_on=today.isoformat(),
        )
    counterpart_id = int(form.value("counterpart_organization_id") or 0)
    coverage = coverage_of(session=session, nk_id=nk.id, as_of=today, today=today)
    rows: list[AgencyRow] = []
    for government in coverage.governments:
        for agency in government.agencies:
            holds = agency.pks is not None and is_live(agency.pks.status)
            may = allowed(
                partial(
                    require_derive_editor,
                    session,
                    caller,
                    counterpart_id=counterpart_id,
                    organization_ids=[agency.organization_id],
                )
            )
            rows.append(
                AgencyRow(
                    agency.organization_id,
                    agency.organization_name,
                    government.organization_name,
                    agency.pks,
                    selectable=not holds and may,
                    may=may,
                )
            )
    template = form.value("title")
    return render(
        request,
        "pks_susun.html",
        signed=signed,
        nav="/perjanjian",
        nk=nk,
        rows=rows,
        counterparts=counterparts,
        may_derive=any(r.may for r in rows),
        previews={
            r.organization_id: title_for(template, r.name)
            for r in rows
            if form.checked("organization_ids", r.organization_id)
        },
        form=form,
        status_code=form.status,
    )


@router.get("/perjanjian/{agreement_id}/susun-pks", response_class=HTMLResponse)
def derive_page(
    request: Request, signed: ConsolePage, session: SessionDep, today: TodayDep, agreement_id: str
) -> HTMLResponse:
    return _derive_page(request, signed, session, today, _nk(session, agreement_id, today))


@router.post("/perjanjian/{agreement_id}/susun-pks")
def derive(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
) -> Response:
    nk = _nk(session, agreement_id, today)

    def again(form: Form) -> Response:
        return _derive_page(request, signed, session, today, nk, form)

    if sent.text("langkah") == "pratinjau":
        # The titles previewed: nothing is written; the form comes back as sent, same key.
        preview = Form("susun_pks", values=sent.values())
        key = sent.text("idempotency_key")
        if key:
            preview.key = key
        return again(preview)
    order: list[int] = []

    def act() -> Done:
        order.extend(sent.ids("organization_ids"))
        body = sent.body(
            DeriveIn,
            counterpart_organization_id=sent.id("counterpart_organization_id"),
            organization_ids=order,
            title=sent.text("title"),
            valid_from=sent.text("valid_from"),
            valid_until=sent.text("valid_until"),
            drafted_on=sent.text("drafted_on"),
        )
        require_derive_editor(
            session,
            signed.caller,
            counterpart_id=body.counterpart_organization_id,
            organization_ids=body.organization_ids,
        )
        result = derive_pks(session=session, nk_id=nk.id, derive_in=body, today=today)
        titles = [p.title for p in result.created]
        listed = "; ".join(titles[:SHOWN_TITLES]) + (
            f"; dan {len(titles) - SHOWN_TITLES} lainnya" if len(titles) > SHOWN_TITLES else ""
        )
        return Done(
            f"/perjanjian/{nk.id}",
            f"{result.count} PKS disusun sebagai draf di bawah NK “{nk.title}”: {listed}. "
            "Lengkapi lalu finalisasi masing-masing.",
        )

    def where(loc: list[Any]) -> str | None:
        parts = [p for p in loc if p != "body"]
        if parts[:1] == ["organization_ids"]:
            if len(parts) > 1 and isinstance(parts[1], int) and parts[1] < len(order):
                return f"skpd.{order[parts[1]]}"
            return "organization_ids"
        return ".".join(str(p) for p in parts) or None

    return submit(request, signed, session, sent, "susun_pks", act, again=again, where=where)
