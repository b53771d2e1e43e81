"""Perjanjian: the agreement list (search, filters, sort, pages, export of that same list) and
one agreement's page. The same services as GET /api/v1/agreements, /export.{format},
/{id}, /{id}/history, /{id}/documents, /{id}/activities, /{id}/evaluations and
/api/v1/obligations?agreement_id= (agreements are readable by every signed-in user, as in the
API). Filters come from a plain GET form, so they work with JavaScript off; a value the API would
refuse is left out and named in a notice instead of failing the page.
"""

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlmodel import Session

from app.activities import service as activities
from app.agreements.errors import AgreementNotFound
from app.agreements.exports import AGREEMENT_COLUMNS
from app.agreements.history import list_events
from app.agreements.models import AgreementKind, AgreementStatus
from app.agreements.queries import (
    AgreementFilters,
    AgreementSort,
    agreement_lines,
    agreement_public,
    iter_agreements_public,
    list_agreement_lines,
)
from app.console.forms import Form, allowed
from app.console.pages.agreement_actions import agreement_actions
from app.console.pages.esign_actions import esign_actions
from app.console.pages.organisasi import NamedOrganization, organization_from_text
from app.console.pages.outcome_actions import outcome_actions
from app.console.pages.stage_actions import stage_actions
from app.console.session import SignedIn
from app.console.web import ConsolePage, render
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import AppError
from app.core.schemas import DEFAULT_LIMIT, MAX_ID, MAX_LIMIT, MAX_OFFSET
from app.core.sheets import ExportFormat, export_response
from app.documents import service as documents
from app.documents.router import StoreDep
from app.evaluations import service as evaluations
from app.labels import labels_of
from app.obligations import service as obligations
from app.organizations import service as organizations
from app.users.access import agreement_rights, require_writer

router = APIRouter()

PAGE_SIZE = DEFAULT_LIMIT
FILTER_NAMES = (
    "q",
    "kind",
    "status",
    "organization_id",
    "parent_id",
    "unsigned_by",
    "expiring_before",
    "sort",
)


@dataclass
class ListQuery:
    """The list's query as the form sent it: the filters the API takes, what was left out."""

    filters: AgreementFilters
    sort: AgreementSort
    offset: int
    limit: int
    values: dict[str, str]  # what the form shows again (only the accepted values)
    notices: list[str] = field(default_factory=list)

    def link(self, **change: Any) -> str:
        """This list's query with some values changed (None removes one)."""
        params = {**self.values, **{k: str(v) for k, v in change.items() if v is not None}}
        for key, value in change.items():
            if value is None:
                params.pop(key, None)
        return urlencode({k: v for k, v in params.items() if v != ""})


def _id(text: str) -> int | None:
    return int(text) if text.isdigit() and 1 <= int(text) <= MAX_ID else None


def read_query(request: Request) -> ListQuery:
    """The list's filters from the address bar, each checked as the API checks it."""
    raw = {name: request.query_params.get(name, "").strip() for name in FILTER_NAMES}
    values: dict[str, str] = {}
    notices: list[str] = []
    kind = status = None
    sort = AgreementSort.newest
    organization_id = parent_id = unsigned_by = None
    expiring_before = None
    if raw["kind"]:
        if raw["kind"] in AgreementKind.__members__:
            kind = AgreementKind(raw["kind"])
            values["kind"] = raw["kind"]
        else:
            notices.append("Jenis perjanjian tidak dikenal; saringan jenis diabaikan.")
    if raw["status"]:
        if raw["status"] in AgreementStatus.__members__:
            status = AgreementStatus(raw["status"])
            values["status"] = raw["status"]
        else:
            notices.append("Status tidak dikenal; saringan status diabaikan.")
    if raw["sort"]:
        if raw["sort"] in {s.value for s in AgreementSort}:
            sort = AgreementSort(raw["sort"])
            values["sort"] = raw["sort"]
        else:
            notices.append("Urutan tidak dikenal; diurutkan dari yang terbaru didaftarkan.")
    for name in ("organization_id", "parent_id", "unsigned_by"):
        if raw[name]:
            found = _id(raw[name])
            if found is None:
                notices.append("Organisasi atau NK yang dipilih tidak dikenal; diabaikan.")
                continue
            values[name] = raw[name]
            if name == "organization_id":
                organization_id = found
            elif name == "parent_id":
                parent_id = found
            else:
                unsigned_by = found
    if raw["expiring_before"]:
        try:
            expiring_before = date.fromisoformat(raw["expiring_before"])
            values["expiring_before"] = raw["expiring_before"]
        except ValueError:
            notices.append("Tanggal 'berakhir sebelum' tidak sah (TTTT-BB-HH); diabaikan.")
    q = raw["q"][:200] or None
    if q:
        values["q"] = q
    offset_text = request.query_params.get("offset", "0")
    offset = int(offset_text) if offset_text.isdigit() else 0
    offset = min(offset, MAX_OFFSET)
    limit_text = request.query_params.get("limit", "")
    limit = PAGE_SIZE
    if limit_text.isdigit() and 1 <= int(limit_text) <= MAX_LIMIT:
        limit = int(limit_text)
        values["limit"] = limit_text  # kept by the page links, as the API's `limit`
    filters = AgreementFilters(
        kind=kind,
        status=status,
        parent_id=parent_id,
        organization_id=organization_id,
        q=q,
        expiring_before=expiring_before,
        unsigned_by=unsigned_by,
    )
    return ListQuery(filters, sort, offset, limit, values, notices)


def read_organization_field(
    request: Request, session: SessionDep, query: ListQuery
) -> NamedOrganization | None:
    """The party filter as the form's text field `organisasi` names it (the type-ahead fills in
    a name; without JavaScript the text is read as typed): the organization it names goes into
    `query`; the text when it names none or several (to show the choices). The form also sends
    the organization chosen before (`organization_id`): kept while the field still shows its
    name, dropped when the field is emptied."""
    if "organisasi" not in request.query_params:
        return None  # a link (?organization_id=) from another page
    text = " ".join(request.query_params["organisasi"].split())[:200]
    chosen = query.filters.organization_id
    if chosen is not None:
        known = organizations.organizations_by_id(session, [chosen]).get(chosen)
        if text and known is not None and text.casefold() == known.name.casefold():
            return None
        query.filters = replace(query.filters, organization_id=None)
        query.values.pop("organization_id", None)
    if not text:
        return None
    named = organization_from_text(session, text)
    if named.organization is None:
        return named
    query.filters = replace(query.filters, organization_id=named.organization.id)
    query.values["organization_id"] = str(named.organization.id)
    return None


@router.get("/perjanjian", response_class=HTMLResponse)
def agreement_list(
    request: Request, signed: ConsolePage, session: SessionDep, today: TodayDep
) -> HTMLResponse:
    """The agreements, PAGE_SIZE at a time, as GET /api/v1/agreements finds them."""
    query = read_query(request)
    named = read_organization_field(request, session, query)
    # The rows as GET /api/v1/agreements finds them, as lines (the table shows no scope), and
    # how many were found (the page says it, and pages by it).
    items, total = list_agreement_lines(
        session=session,
        filters=query.filters,
        today=today,
        limit=query.limit,
        offset=query.offset,
        sort=query.sort,
    )
    parent = None
    if query.filters.parent_id is not None:
        try:
            parent = agreement_public(
                session=session, agreement_id=query.filters.parent_id, today=today
            )
        except AgreementNotFound:
            parent = None
    chosen, unsigned = query.filters.organization_id, query.filters.unsigned_by
    names = organizations.organizations_by_id(session, [i for i in (chosen, unsigned) if i])
    export_query = query.link(offset=None, limit=None)
    return render(
        request,
        "perjanjian.html",
        signed=signed,
        nav="/perjanjian",
        query=query,
        items=items,
        total=total,
        page_size=query.limit,
        organization_name=names[chosen].name if chosen in names else None,
        named=named,
        parent=parent,
        unsigned_name=names[unsigned].name if unsigned in names else None,
        kinds=labels_of(AgreementKind),
        statuses=labels_of(AgreementStatus),
        sorts=labels_of(AgreementSort),
        export_query=export_query,
        formats=labels_of(ExportFormat),
        may_import=allowed(lambda: require_writer(signed.caller)),
    )


@router.get("/perjanjian/ekspor.{export_format}")
def agreement_export(
    request: Request,
    signed: ConsolePage,
    session: SessionDep,
    today: TodayDep,
    export_format: str,
) -> Response:
    """The list as filtered, every row (no paging), as GET /api/v1/agreements/export.{format}
    gives it: the API route wants an API key; the console's staff have a session."""
    if export_format not in {f.value for f in ExportFormat}:
        return not_found(request, signed, "Format ekspor tidak dikenal.")
    query = read_query(request)
    rows = iter_agreements_public(
        session=session, filters=query.filters, today=today, sort=query.sort
    )
    return export_response(
        ExportFormat(export_format),
        filename=f"perjanjian-{today.isoformat()}",
        sheet_title="Perjanjian",
        columns=AGREEMENT_COLUMNS,
        rows=rows,
    )


UNKNOWN_AGREEMENT = (
    "Perjanjian ini tidak ada di registri, atau Anda tidak berhak melihatnya. "
    "Cari lewat daftar Perjanjian."
)


def not_found(request: Request, signed: Any, message: str) -> HTMLResponse:
    return render(
        request,
        "error.html",
        signed=signed,
        status_code=404,
        title="Tidak ditemukan",
        message=message,
    )


@router.get("/perjanjian/{agreement_id}", response_class=HTMLResponse)
def agreement_page(
    request: Request,
    signed: ConsolePage,
    session: SessionDep,
    today: TodayDep,
    agreement_id: str,
) -> HTMLResponse:
    """One NK or PKS: parties, ruang lingkup, validity, status and its history, documents,
    obligations, activities, evaluations, amendments, renewal, parent and PKS; the writes the
    user may do on it (pages/agreement_actions.py)."""
    found = _id(agreement_id)
    if found is None:
        raise AgreementNotFound(0)  # answered by the console's error page (web.error_page)
    return show_agreement(request, signed, session, today, found)


def show_agreement(
    request: Request,
    signed: SignedIn,
    session: Session,
    today: date,
    found: int,
    *,
    forms: dict[str, Form] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The agreement's page; after a refused write, with that form as it was sent (`forms`)
    and the refusal's status."""
    agreement = agreement_public(session=session, agreement_id=found, today=today)
    events, events_total = list_events(session=session, agreement_id=found, limit=200, offset=0)
    docs = documents.list_documents(session=session, agreement_id=found)
    owed, owed_total = obligations.list_obligations(
        session=session,
        today=today,
        filters=obligations.ObligationFilters(agreement_id=found),
        limit=200,
        offset=0,
    )
    done, done_total = activities.list_activities(
        session=session, filters=activities.ActivityFilters(agreement_id=found), limit=200, offset=0
    )
    monev = evaluations.list_evaluations(session=session, agreement_id=found)
    # What the user may do on it and on its rows: the API's access rules, read once for the page.
    rights = agreement_rights(
        session,
        signed.caller,
        [p.organization_id for p in agreement.parties],
        others=[a.organization_id for a in done],
    )
    children: list[Any] = []
    if agreement.kind == AgreementKind.nk:
        # Its PKS by title, as lines: the page shows each one's title and status only.
        children = agreement_lines(
            session=session,
            filters=AgreementFilters(parent_id=found),
            today=today,
            limit=200,
            sort=AgreementSort.alphabetical,
        )
    return render(
        request,
        "perjanjian_satu.html",
        signed=signed,
        nav="/perjanjian",
        agreement=agreement,
        events=events,
        events_total=events_total,
        documents=docs,
        obligations=owed,
        obligations_total=owed_total,
        activities=done,
        activities_total=done_total,
        evaluations=monev,
        children=children,
        scope_titles={item.id: item.title for item in agreement.scope_items},
        status_code=status_code,
        **agreement_actions(session, rights, agreement, today, forms),
        **outcome_actions(
            session, rights, agreement, today, forms, obligations=owed, activities=done
        ),
        **stage_actions(session, rights, agreement, today, forms),
        **esign_actions(rights, agreement, docs, forms),
    )


@router.get("/perjanjian/{agreement_id}/dokumen/{document_id}")
def agreement_document(
    request: Request,
    signed: ConsolePage,
    session: SessionDep,
    store: StoreDep,
    agreement_id: str,
    document_id: str,
) -> Response:
    """A signed document byte for byte, as GET /api/v1/agreements/{id}/documents/{doc} gives it
    (the API route wants an API key; staff have a session)."""
    agreement, document_ = _id(agreement_id), _id(document_id)
    if agreement is None or document_ is None:
        return not_found(request, signed, "Dokumen ini tidak ada.")
    try:
        document, path = documents.document_file(
            session=session, store=store, agreement_id=agreement, document_id=document_
        )
    except AppError:
        return not_found(request, signed, "Dokumen ini tidak ada atau tidak dapat dibaca.")
    return FileResponse(path, media_type=document.content_type, filename=document.filename)
