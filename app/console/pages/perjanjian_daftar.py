"""Register an NK or a PKS, and edit a draft's whole text until finalisasi: the parties chosen
by name (a type-ahead over /organisasi/cari, static/typeahead.js; the server resolves each name,
and asks to choose when several organizations bear it), their numbers and signatories, the ruang
lingkup items in the order given, validity. The services of POST /api/v1/agreements and PATCH
/api/v1/agreements/{id} (with the version read), with the same rights, through
app/console/forms.py. Rows are added with a submit that writes nothing ("Tambah …"), so the
form works without JavaScript.

/perjanjian/baru?jenis=nk, /perjanjian/baru?jenis=pks&induk={nk}; /perjanjian/{id}/ubah-draf.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.agreements import service as agreements
from app.agreements.errors import AgreementNotFound
from app.agreements.history import list_events
from app.agreements.models import AgreementKind, AgreementStatus
from app.agreements.queries import agreement_public
from app.agreements.schemas import AgreementCreate, AgreementPublic, AgreementUpdate
from app.console.forms import (
    KEY_FIELD,
    Done,
    Form,
    FormRefused,
    Sent,
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
from app.labels import label
from app.organizations import service as organizations
from app.organizations.schemas import OrganizationPublic
from app.users.access import require_agreement_editor, require_party_editor, require_writer
from app.users.auth import Caller

router = write_router()

MAX_ROWS = 60  # party rows and scope rows a form shows (the API takes more, in JSON)
NAME_MATCHES = 50


def named(session: Session, name: str) -> list[OrganizationPublic]:
    """The organizations bearing exactly this name (any case)."""
    wanted = name.strip().casefold()
    items, _ = organizations.list_organizations(
        session=session, q=name.strip(), limit=NAME_MATCHES, offset=0
    )
    return [o for o in items if o.name.casefold() == wanted]


@dataclass
class PartyRow:
    number: int
    choices: list[tuple[int, str]]  # when several organizations bear the name typed


def _count(form: Form, name: str, default: int) -> int:
    raw = form.value(name)
    return min(int(raw), MAX_ROWS) if raw.isdigit() and int(raw) > 0 else default


def _party_rows(session: Session, form: Form) -> list[PartyRow]:
    rows = []
    for number in range(1, _count(form, "jumlah_pihak", 2) + 1):
        typed = form.value(f"pihak_{number}")
        choices: list[tuple[int, str]] = []
        if typed.strip():
            found = named(session, typed)
            if len(found) > 1:
                parents = organizations.organizations_by_id(
                    session, [o.parent_id for o in found if o.parent_id]
                )
                choices = [
                    (
                        o.id,
                        f"{o.name} — {parents[o.parent_id].name}"
                        if o.parent_id in parents
                        else o.name,
                    )
                    for o in found
                ]
        rows.append(PartyRow(number, choices))
    return rows


def _read_parties(session: Session, sent: Sent) -> tuple[list[dict[str, Any]], list[int]]:
    """The parties as the API takes them, and the form row of each (for its errors)."""
    parties: list[dict[str, Any]] = []
    rows: list[int] = []
    refused: list[tuple[str, str, dict[str, Any]]] = []
    count = min(int(sent.text("jumlah_pihak") or 2), MAX_ROWS)
    for number in range(1, count + 1):
        typed = sent.text(f"pihak_{number}")
        if typed is None:
            continue
        found = named(session, typed)
        chosen = sent.id(f"pihak_{number}_pilihan")
        if len(found) > 1 and chosen in {o.id for o in found}:
            found = [o for o in found if o.id == chosen]
        if not found:
            refused.append((f"pihak_{number}", "unknown_name", {"name": typed.strip()}))
            continue
        if len(found) > 1:
            context = {"name": typed.strip(), "count": len(found)}
            refused.append((f"pihak_{number}", "ambiguous_name", context))
            continue
        party: dict[str, Any] = {"organization_id": found[0].id}
        for field, api in (
            (f"nomor_{number}", "document_number"),
            (f"penandatangan_{number}", "signatory_name"),
            (f"jabatan_{number}", "signatory_title"),
        ):
            if (value := sent.text(field)) is not None:
                party[api] = value
        parties.append(party)
        rows.append(number)
    if refused:
        raise FormRefused(entries=refused)
    return parties, rows


def _read_scope(sent: Sent) -> tuple[list[dict[str, Any]], list[int]]:
    """The ruang lingkup items in the order their `urutan` gives: an item given a place goes
    before one left where it was listed at that place, then as listed."""
    count = min(int(sent.text("jumlah_butir") or 3), MAX_ROWS)
    items: list[tuple[float, int, int, dict[str, Any]]] = []
    for number in range(1, count + 1):
        title = sent.text(f"butir_{number}")
        if title is None:
            continue
        order = (sent.text(f"urutan_{number}") or "").strip()
        given = order.replace(".", "", 1).isdigit()
        position = float(order) if given else float(number)
        items.append((position, 0 if given else 1, number, {"title": title}))
    items.sort(key=lambda item: item[:3])
    return [item[3] for item in items], [item[2] for item in items]


def _where(party_rows: list[int], scope_rows: list[int]) -> Any:
    fields = {
        "organization_id": "pihak",
        "document_number": "nomor",
        "signatory_name": "penandatangan",
        "signatory_title": "jabatan",
    }

    def where(loc: list[Any]) -> str | None:
        parts = [p for p in loc if p != "body"]
        if parts[:1] == ["parties"]:
            if len(parts) > 1 and isinstance(parts[1], int) and parts[1] < len(party_rows):
                field = fields.get(str(parts[2]) if len(parts) > 2 else "", "pihak")
                return f"{field}_{party_rows[parts[1]]}"
            return "pihak"
        if parts[:1] == ["scope_items"]:
            if len(parts) > 1 and isinstance(parts[1], int) and parts[1] < len(scope_rows):
                return f"butir_{scope_rows[parts[1]]}"
            return "butir"
        return ".".join(str(p) for p in parts) or None

    return where


def _page(
    request: Request,
    signed: SignedIn,
    session: Session,
    form: Form,
    *,
    action: str,
    kind: AgreementKind,
    parent: AgreementPublic | None,
    agreement: AgreementPublic | None = None,
) -> HTMLResponse:
    return render(
        request,
        "perjanjian_isian.html",
        signed=signed,
        nav="/perjanjian",
        form=form,
        action=action,
        kind=kind,
        parent=parent,
        agreement=agreement,
        party_rows=_party_rows(session, form),
        scope_count=_count(form, "jumlah_butir", 3),
        status_code=form.status,
    )


def _more_rows(sent: Sent) -> Form | None:
    """A "Tambah baris" submit: the form again with one more row, nothing written, same key."""
    step = sent.text("langkah")
    if step not in ("tambah_pihak", "tambah_butir"):
        return None
    form = Form("perjanjian", values=sent.values())
    form.key = sent.text(KEY_FIELD) or form.key
    counter = "jumlah_pihak" if step == "tambah_pihak" else "jumlah_butir"
    current = _count(form, counter, 2 if step == "tambah_pihak" else 3)
    form.values[counter] = [str(min(current + 1, MAX_ROWS))]
    return form


def _writer(session: Session, caller: Caller) -> None:
    if not allowed(lambda: require_writer(caller)):
        raise ConsoleRefused(403, "Anda tidak berwenang mendaftarkan perjanjian.")


def _parent(session: Session, raw: str | None, today: date) -> AgreementPublic | None:
    if not raw:
        return None
    found = _id(raw)
    try:
        if found is None:
            raise AgreementNotFound(0)
        parent = agreement_public(session=session, agreement_id=found, today=today)
    except AgreementNotFound:
        raise ConsoleRefused(404, UNKNOWN_AGREEMENT) from None
    if parent.kind != AgreementKind.nk:
        raise ConsoleRefused(404, "Induk PKS harus sebuah NK.")
    return parent


@router.get("/perjanjian/baru", response_class=HTMLResponse)
def new_agreement_page(
    request: Request, signed: ConsolePage, session: SessionDep, today: TodayDep
) -> HTMLResponse:
    _writer(session, signed.caller)
    parent = _parent(session, request.query_params.get("induk"), today)
    kind = AgreementKind.pks if parent is not None else AgreementKind.nk
    own = signed.caller.organization_id
    own_name = organizations.organizations_by_id(session, [own])[own].name if own else None
    form = Form.blank(
        "perjanjian",
        kind=kind.value,
        parent_id=parent.id if parent else None,
        pihak_1=own_name,
        drafted_on=today.isoformat(),
        jumlah_pihak=2,
        jumlah_butir=len(parent.scope_items) if parent and parent.scope_items else 3,
        **(
            {f"butir_{i}": item.title for i, item in enumerate(parent.scope_items, start=1)}
            if parent
            else {}
        ),
    )
    return _page(
        request, signed, session, form, action="/perjanjian/baru", kind=kind, parent=parent
    )


@router.post("/perjanjian/baru")
def new_agreement(
    request: Request, signed: ConsolePost, session: SessionDep, today: TodayDep, sent: SentForm
) -> Response:
    """POST /api/v1/agreements: a draft NK or PKS."""
    _writer(session, signed.caller)
    parent = _parent(session, sent.text("parent_id"), today)
    kind = AgreementKind.pks if parent is not None else AgreementKind.nk

    def again(form: Form) -> Response:
        return _page(
            request, signed, session, form, action="/perjanjian/baru", kind=kind, parent=parent
        )

    more = _more_rows(sent)
    if more is not None:
        return again(more)
    party_rows: list[int] = []
    scope_rows: list[int] = []

    def act() -> Done:
        parties, rows = _read_parties(session, sent)
        scope, order = _read_scope(sent)
        party_rows.extend(rows)
        scope_rows.extend(order)
        body = sent.body(
            AgreementCreate,
            kind=kind.value,
            title=sent.text("title"),
            description=sent.text("description"),
            parent_id=parent.id if parent else None,
            valid_from=sent.text("valid_from"),
            valid_until=sent.text("valid_until"),
            drafted_on=sent.text("drafted_on"),
            parties=parties,
            scope_items=scope,
        )
        require_party_editor(session, signed.caller, [p.organization_id for p in body.parties])
        agreement_id = agreements.create_agreement(session=session, agreement_in=body, today=today)
        return Done(
            f"/perjanjian/{agreement_id}",
            f"{label(kind)} “{body.title}” didaftarkan sebagai draf dengan "
            f"{len(body.parties)} pihak dan {len(body.scope_items)} butir ruang lingkup.",
        )

    return submit(
        request,
        signed,
        session,
        sent,
        "perjanjian",
        act,
        again=again,
        where=_where(party_rows, scope_rows),
    )


def parties_in(body: AgreementUpdate) -> list[Any]:
    return list(body.parties or [])


def _draft(session: Session, caller: Caller, raw: str, today: date) -> AgreementPublic:
    found = _id(raw)
    try:
        if found is None:
            raise AgreementNotFound(0)
        agreement = agreement_public(session=session, agreement_id=found, today=today)
    except AgreementNotFound:
        raise ConsoleRefused(404, UNKNOWN_AGREEMENT) from None
    if not allowed(lambda: require_agreement_editor(session, caller, agreement.id)):
        raise ConsoleRefused(403, "Anda tidak berwenang mengubah perjanjian ini.")
    return agreement


def _filled(agreement: AgreementPublic) -> Form:
    values: dict[str, Any] = {
        "version": agreement.version,
        "title": agreement.title,
        "description": agreement.description,
        "valid_from": agreement.valid_from,
        "valid_until": agreement.valid_until,
        "jumlah_pihak": max(len(agreement.parties), 2),
        "jumlah_butir": len(agreement.scope_items) + 1,  # one empty row to add an item
    }
    for i, party in enumerate(agreement.parties, start=1):
        values[f"pihak_{i}"] = party.organization_name
        values[f"pihak_{i}_pilihan"] = party.organization_id
        values[f"nomor_{i}"] = party.document_number
        values[f"penandatangan_{i}"] = party.signatory_name
        values[f"jabatan_{i}"] = party.signatory_title
    for i, item in enumerate(agreement.scope_items, start=1):
        values[f"butir_{i}"] = item.title
    return Form.blank("perjanjian", **values)


@router.get("/perjanjian/{agreement_id}/ubah-draf", response_class=HTMLResponse)
def edit_draft_page(
    request: Request, signed: ConsolePage, session: SessionDep, today: TodayDep, agreement_id: str
) -> HTMLResponse:
    agreement = _draft(session, signed.caller, agreement_id, today)
    parent = _parent(session, str(agreement.parent_id or ""), today)
    if agreement.status != AgreementStatus.draft:
        raise ConsoleRefused(
            409,
            "Hanya draf yang dapat diubah seluruhnya; buka kembali perjanjian ini dahulu "
            "(selama belum ada yang menandatangani).",
        )
    return _page(
        request,
        signed,
        session,
        _filled(agreement),
        action=f"/perjanjian/{agreement.id}/ubah-draf",
        kind=agreement.kind,
        parent=parent,
        agreement=agreement,
    )


@router.post("/perjanjian/{agreement_id}/ubah-draf")
def edit_draft(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
) -> Response:
    """PATCH /api/v1/agreements/{id}: the whole draft, with the version the form was read at
    (parties and ruang lingkup replace the lists)."""
    agreement = _draft(session, signed.caller, agreement_id, today)
    parent = _parent(session, str(agreement.parent_id or ""), today)
    action = f"/perjanjian/{agreement.id}/ubah-draf"

    def again(form: Form) -> Response:
        return _page(
            request,
            signed,
            session,
            form,
            action=action,
            kind=agreement.kind,
            parent=parent,
            agreement=agreement,
        )

    more = _more_rows(sent)
    if more is not None:
        return again(more)
    party_rows: list[int] = []
    scope_rows: list[int] = []

    def act() -> Done:
        parties, rows = _read_parties(session, sent)
        scope, order = _read_scope(sent)
        party_rows.extend(rows)
        scope_rows.extend(order)
        body = sent.body(
            AgreementUpdate,
            version=sent.id("version"),
            title=sent.text("title"),
            description=sent.text("description"),
            valid_from=sent.text("valid_from"),
            valid_until=sent.text("valid_until"),
            parties=parties,
            scope_items=scope,
        )
        require_party_editor(session, signed.caller, [p.organization_id for p in parties_in(body)])
        agreements.update_agreement(
            session=session, agreement_id=agreement.id, agreement_in=body, today=today
        )
        return Done(
            f"/perjanjian/{agreement.id}",
            f"Draf {label(agreement.kind)} “{body.title}” disimpan.",
        )

    def last_change() -> Any:
        events, _ = list_events(session=session, agreement_id=agreement.id, limit=1, offset=0)
        return events[0] if events else None

    return submit(
        request,
        signed,
        session,
        sent,
        "perjanjian",
        act,
        again=again,
        where=_where(party_rows, scope_rows),
        last_change=last_change,
    )
