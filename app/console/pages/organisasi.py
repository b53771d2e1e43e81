"""Organisasi: the tree of organizations (the same service as GET /api/v1/organizations), by
name, searchable (`?q=`), a branch at a time (`?parent_id=`), each with a link to its agreements;
`GET /organisasi/cari?q=`, a type-ahead fragment of organization names for other pages' forms;
and `organization_from_text`, how those forms' organization fields are read without JavaScript.
"""

from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.console.query import Filters
from app.console.web import ConsolePage, ConsoleRefused, render
from app.core.db import SessionDep
from app.core.errors import NotFound
from app.organizations import service
from app.organizations.models import Organization
from app.organizations.schemas import OrganizationPublic

router = APIRouter()

PAGE_SIZE = 50
SUGGESTIONS = 10
CHOICES_SHOWN = 20


@dataclass
class NamedOrganization:
    """What an organization field of a form names: one organization, or the candidates to pick
    from (with their parents, to tell apart SKPD of the same name), or a message when none."""

    text: str
    organization: OrganizationPublic | None = None
    choices: list[OrganizationPublic] = field(default_factory=list)
    parents: dict[int, Organization] = field(default_factory=dict)
    message: str | None = None


def organization_from_text(
    session: SessionDep, text: str, *, reveal_secrets: bool = False
) -> NamedOrganization:
    """The organization whose name or short name contains `text` when only one does, or whose
    name or short name is `text` (any case) when only one is; else up to CHOICES_SHOWN to pick
    from. Text with a control character names none (PostgreSQL cannot even compare a NUL)."""
    items: list[OrganizationPublic] = []
    found = 0
    if text.isprintable():
        items, found = service.list_organizations(
            session=session, q=text, limit=CHOICES_SHOWN, offset=0, reveal_secrets=reveal_secrets
        )
    if found == 0:
        return NamedOrganization(
            text, message=f"Tidak ada organisasi yang namanya memuat “{text}”."
        )
    wanted = text.casefold()
    exact = [o for o in items if wanted in (o.name.casefold(), (o.short_name or "").casefold())]
    if found == 1 or len(exact) == 1:
        return NamedOrganization(text, organization=items[0] if found == 1 else exact[0])
    choices = exact or items
    parents = service.organizations_by_id(
        session, {o.parent_id for o in choices if o.parent_id is not None}
    )
    return NamedOrganization(text, choices=choices, parents=parents)


def _parent_or_refuse(session: SessionDep, parent_id: int) -> Organization:
    try:
        return service.get_organization(session=session, organization_id=parent_id)
    except NotFound:
        raise ConsoleRefused(404, "Organisasi itu tidak ada di registri.") from None


@router.get("/organisasi", response_class=HTMLResponse)
def organisasi(request: Request, signed: ConsolePage, session: SessionDep) -> HTMLResponse:
    """The top of the tree; `?parent_id=` one branch; `?q=` a search by name or short name."""
    given = Filters(request.query_params)
    q = given.text("q")
    parent_id = None if q else given.id("parent_id", "organisasi")
    offset = given.offset()
    parent = _parent_or_refuse(session, parent_id) if parent_id else None
    items, total = service.list_organizations(
        session=session,
        q=q,
        parent_id=parent_id,
        top_level=not q and parent_id is None,
        limit=PAGE_SIZE,
        offset=offset,
        reveal_secrets=signed.caller.is_admin,
    )
    parents = service.organizations_by_id(
        session, {o.parent_id for o in items if o.parent_id is not None}
    )
    query = {"q": q} if q else {"parent_id": parent_id} if parent_id else {}
    return render(
        request,
        "organisasi.html",
        signed=signed,
        nav="/organisasi",
        q=q or "",
        parent=parent,
        lineage=service.lineage(session, parent) if parent else [],
        items=items,
        total=total,
        offset=offset,
        page_size=PAGE_SIZE,
        query=query,
        parents=parents,
        children=service.child_counts(session, [o.id for o in items]),
        problems=given.problems,
    )


@router.get("/organisasi/cari", response_class=HTMLResponse)
def cari(request: Request, signed: ConsolePage, session: SessionDep) -> HTMLResponse:
    """A type-ahead fragment: the first organizations whose name or short name contains `q` (or
    `organisasi`, the name of a form's organization field), as `<li>` links to their agreements,
    as `<option value="id">` with `?as=option`, or as `<option value="name">` for a `<datalist>`
    with `?as=nama` (the form's text then names the organization: `organization_from_text`)."""
    given = Filters(request.query_params)
    q = given.text("q") or given.text("organisasi")
    items: list[OrganizationPublic] = []
    if q:
        items, _ = service.list_organizations(
            session=session,
            q=q,
            limit=SUGGESTIONS,
            offset=0,
            reveal_secrets=signed.caller.is_admin,
        )
    return render(
        request,
        "organisasi_cari.html",
        signed=signed,
        items=items,
        q=q or "",
        options=request.query_params.get("as") == "option",
        names=request.query_params.get("as") == "nama",
    )
