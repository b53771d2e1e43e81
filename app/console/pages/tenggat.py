"""Tenggat: what is due (the service of GET /api/v1/deadlines), the counts first, then a page of
deadlines grouped by week, overdue first; filters by type and organization; the calendar feed."""

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.console.pages.organisasi import organization_from_text
from app.console.web import ConsolePage, render
from app.core.db import SessionDep
from app.core.deps import SettingsDep, TodayDep
from app.core.errors import NotFound
from app.core.schemas import MAX_ID, MAX_LIMIT, MAX_OFFSET
from app.labels import labels_of
from app.organizations.schemas import OrganizationPublic
from app.organizations.service import get_organization
from app.reminders.deadlines import deadline_page, deadline_window, week_of
from app.reminders.models import DeadlineType
from app.reminders.schemas import DeadlinePublic

router = APIRouter()

PAGE_SIZE = 50
WINDOW_DAYS = 90  # as GET /api/v1/deadlines by default


@dataclass
class Group:
    """The deadlines of one page under one heading: the overdue ones, or one week's."""

    week_start: date | None  # None: overdue
    count: int  # over every page
    items: list[DeadlinePublic] = field(default_factory=list)


def groups_of(items: list[DeadlinePublic], by_week: dict[date, int], overdue: int) -> list[Group]:
    """A page's deadlines (overdue first, then by date) under their headings."""
    groups: list[Group] = []
    for item in items:
        week = None if item.overdue else week_of(item.due_on)
        if not groups or groups[-1].week_start != week:
            groups.append(Group(week, overdue if week is None else by_week.get(week, 0)))
        groups[-1].items.append(item)
    return groups


@router.get("/tenggat", response_class=HTMLResponse)
def deadlines_page(
    request: Request,
    signed: ConsolePage,
    session: SessionDep,
    today: TodayDep,
    settings: SettingsDep,
    deadline_type: Annotated[DeadlineType | None, Query(alias="type")] = None,
    organization_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    organisasi: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> HTMLResponse:
    """The next 90 days' deadlines (and every overdue one), by week, with their counts."""
    text = (organisasi or "").strip()
    chosen: str | None = None  # the organization's name
    choices: list[OrganizationPublic] = []
    message = None
    if text and organization_id is None:
        named = organization_from_text(session, text)
        choices, message = named.choices, named.message
        if named.organization is not None:
            organization_id = named.organization.id
    if organization_id is not None:
        try:
            chosen = get_organization(session=session, organization_id=organization_id).name
        except NotFound:
            message = "Organisasi itu tidak ditemukan; semua tenggat ditampilkan."
            organization_id = None
    start, end = deadline_window(today, None, None, WINDOW_DAYS)
    page = deadline_page(
        session,
        start=start,
        end=end,
        today=today,
        limit=limit,
        offset=offset,
        organization_id=organization_id,
        deadline_type=deadline_type,
        settings=settings,
    )
    by_week = {w.week_start: w.count for w in page.counts.by_week}

    def href(**changes: object) -> str:
        query = {
            "type": deadline_type.value if deadline_type else None,
            "organization_id": organization_id,
            "limit": limit if limit != PAGE_SIZE else None,
        } | changes
        kept = {k: v for k, v in query.items() if v not in (None, "", 0)}
        return "/tenggat" + (f"?{urlencode(kept)}" if kept else "")

    feed = str(request.base_url).rstrip("/") + "/api/v1/calendar.ics"
    feed_query = {"organization_id": organization_id} if organization_id else {}
    return render(
        request,
        "tenggat.html",
        signed=signed,
        nav="/tenggat",
        page=page,
        groups=groups_of(page.items, by_week, page.counts.overdue),
        types=labels_of(DeadlineType),
        deadline_type=deadline_type,
        chosen=chosen,
        choices=choices,
        organisasi=text if chosen is None else "",
        message=message,
        start=start,
        end=end,
        href=href,
        href_offset=lambda offset: href(offset=offset),
        feed_url=feed + "?" + urlencode({**feed_query, "key": "KUNCI_API_ANDA"}),
        own_organization=signed.caller.organization_id,
    )
