"""Kewajiban: the obligations of every NK and PKS, the same service as GET /api/v1/obligations,
filtered by status (today), responsible organization and due date, a page at a time."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.console.query import Filters
from app.console.web import ConsolePage, render
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.obligations import service
from app.obligations.models import ObligationStatus
from app.organizations.service import list_organizations

router = APIRouter()

PAGE_SIZE = 50


@router.get("/kewajiban", response_class=HTMLResponse)
def kewajiban(
    request: Request, signed: ConsolePage, session: SessionDep, today: TodayDep
) -> HTMLResponse:
    """Obligations by due date; `?status=overdue` is what is late today."""
    given = Filters(request.query_params)
    filters = service.ObligationFilters(
        status=given.choice("status", ObligationStatus, "status"),
        organization_id=given.id("organization_id", "organisasi"),
        due_before=given.day("due_before", "jatuh tempo"),
    )
    offset = given.offset()
    items, total = service.list_obligations(
        session=session, today=today, filters=filters, limit=PAGE_SIZE, offset=offset
    )
    organizations, _ = list_organizations(
        session=session, limit=200, offset=0, reveal_secrets=signed.caller.is_admin
    )
    query = {
        "status": filters.status or "",
        "organization_id": filters.organization_id or "",
        "due_before": filters.due_before.isoformat() if filters.due_before else "",
    }
    return render(
        request,
        "kewajiban.html",
        signed=signed,
        nav="/kewajiban",
        today=today,
        items=items,
        total=total,
        offset=offset,
        page_size=PAGE_SIZE,
        filters=filters,
        query={k: v for k, v in query.items() if v},
        statuses=list(ObligationStatus),
        organizations=organizations,
        problems=given.problems,
    )
