"""HTTP routes: deadlines, the calendar feed, and the scheduler's reminder run."""

import secrets
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from icalendar import Calendar, Event
from sqlmodel import Session, col, select

from app.core.db import SessionDep
from app.core.deps import NowDep, SettingsDep, TodayDep
from app.core.errors import RuleViolation, Unauthorized, responses
from app.core.schemas import (
    DEFAULT_LIMIT,
    MAX_ID,
    Day,
    LimitQuery,
    OffsetQuery,
    Page,
)
from app.organizations.models import Organization
from app.reminders.deadlines import Deadline, collect_deadlines, non_working_reason
from app.reminders.models import ReminderStatus
from app.reminders.schemas import (
    AgreementRef,
    DeadlinePublic,
    OrganizationRef,
    ReminderPublic,
    RunIn,
    RunResult,
)
from app.reminders.service import list_reminders, run_reminders

router = APIRouter(tags=["Deadlines and reminders"])
bearer = HTTPBearer(auto_error=False, description="SCHEDULER_TOKEN")
MAX_WINDOW_DAYS = 3 * 366


def require_scheduler(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """The scheduler's token, compared in constant time; without it nothing runs."""
    expected = settings.SCHEDULER_TOKEN
    if not expected:
        raise Unauthorized("SCHEDULER_TOKEN is not configured on this server; the run is refused.")
    if credentials is None or not secrets.compare_digest(
        credentials.credentials.encode(), expected.encode()
    ):
        raise Unauthorized("Send the scheduler token as 'Authorization: Bearer <SCHEDULER_TOKEN>'.")


def _window(
    today: date, start: date | None, end: date | None, default_days: int
) -> tuple[date, date]:
    start = start or today
    end = end or start + timedelta(days=default_days)
    if end < start:
        raise RuleViolation(
            "`to` is before `from`.",
            type_slug="window-order",
            errors=[{"loc": ["query", "to"], "msg": "before from"}],
        )
    if (end - start).days > MAX_WINDOW_DAYS:
        raise RuleViolation(
            f"The window may span at most {MAX_WINDOW_DAYS} days.",
            type_slug="window-too-long",
            errors=[{"loc": ["query", "to"], "msg": "window too long"}],
        )
    return start, end


def _public(session: Session, deadlines: list[Deadline]) -> list[DeadlinePublic]:
    ids = {i for d in deadlines for i in d.organization_ids}
    names = (
        dict(
            session.exec(
                select(Organization.id, Organization.name).where(col(Organization.id).in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    return [
        DeadlinePublic(
            key=d.key,
            type=d.type,
            due_on=d.due_on,
            title=d.title,
            overdue=d.overdue,
            non_working_day=non_working_reason(d.due_on),
            agreement=AgreementRef(
                id=d.agreement_id, title=d.agreement_title, kind=d.agreement_kind
            ),
            obligation_id=d.obligation_id,
            organizations=[
                OrganizationRef(id=i, name=names.get(i, "")) for i in d.organization_ids
            ],
        )
        for d in deadlines
    ]


FromQuery = Annotated[Day | None, Query(alias="from", description="Default: today.")]
OrganizationQuery = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="Only deadlines that concern it.")
]


@router.get(
    "/api/v1/deadlines",
    response_model=list[DeadlinePublic],
    summary="What is due: obligations, expiries, PKS signing dates",
    responses=responses(422),
)
def deadlines(
    session: SessionDep,
    today: TodayDep,
    start: FromQuery = None,
    end: Annotated[Day | None, Query(alias="to", description="Default: from + 90 days.")] = None,
    organization_id: OrganizationQuery = None,
) -> list[DeadlinePublic]:
    """One list by date of obligation due dates (kewajiban), expiries of NK and PKS in force
    (`valid_until`), and NK `pks_due_on` dates, each with its agreement and the organizations
    concerned. Overdue open obligations come first. A date on a weekend or an Indonesian public
    holiday is flagged (`non_working_day`) so staff can move it before it bites."""
    start, end = _window(today, start, end, 90)
    found = collect_deadlines(
        session, start=start, end=end, today=today, organization_id=organization_id
    )
    return _public(session, found)


@router.get(
    "/api/v1/calendar.ics",
    summary="The deadlines as a calendar feed (subscribe in Outlook / Google Calendar)",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, **responses(422)},
)
def calendar(
    session: SessionDep,
    today: TodayDep,
    now: NowDep,
    start: FromQuery = None,
    end: Annotated[Day | None, Query(alias="to", description="Default: from + 365 days.")] = None,
    organization_id: OrganizationQuery = None,
) -> Response:
    """The same deadlines as `GET /api/v1/deadlines`, as an RFC 5545 calendar with stable UIDs,
    so staff subscribe once; by default a year ahead (and every overdue obligation)."""
    start, end = _window(today, start, end, 365)
    found = _public(
        session,
        collect_deadlines(
            session, start=start, end=end, today=today, organization_id=organization_id
        ),
    )
    feed = Calendar()
    feed.add("prodid", "-//Registry of cooperation agreements//NK PKS//ID")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", "Tenggat kerja sama (NK/PKS)")
    for deadline in found:
        event = Event()
        event.add("uid", f"{deadline.key}@kerja-sama-registry")
        event.add("dtstamp", now)
        event.add("dtstart", deadline.due_on)
        event.add("dtend", deadline.due_on + timedelta(days=1))
        event.add("summary", ("[TERLAMBAT] " if deadline.overdue else "") + deadline.title)
        parties = ", ".join(o.name for o in deadline.organizations)
        note = (
            f"\nHari libur/akhir pekan: {deadline.non_working_day}"
            if deadline.non_working_day
            else ""
        )
        event.add("description", f"{deadline.agreement.title}\nPihak: {parties}{note}")
        event.add("categories", [deadline.type.value])
        feed.add_component(event)
    return Response(content=feed.to_ical(), media_type="text/calendar; charset=utf-8")


@router.post(
    "/api/v1/reminders/run",
    response_model=RunResult,
    summary="Run the reminders (the scheduler calls this daily)",
    dependencies=[Depends(require_scheduler)],
    responses=responses(401, 422),
)
def run(
    session: SessionDep,
    today: TodayDep,
    now: NowDep,
    settings: SettingsDep,
    run_in: Annotated[
        RunIn | None,
        Body(
            openapi_examples={
                "today": {"summary": "Today", "value": {}},
                "catch_up": {"summary": "A given day", "value": {"as_of": "2026-11-23"}},
            }
        ),
    ] = None,
) -> RunResult:
    """Record one reminder per deadline, reminder point and organization concerned (by default
    30, 7 and 1 days before, on the day, and every 7 days while an obligation is overdue), then
    deliver them: a JSON POST per reminder to the organization's `webhook_url` (with an
    `Idempotency-Key` header), one e-mail digest per organization. Calling it twice, or from two
    hosts at once, records each reminder once; a failed delivery is retried on later runs.
    Needs `Authorization: Bearer <SCHEDULER_TOKEN>`."""
    as_of = run_in.as_of if run_in and run_in.as_of else today
    result = run_reminders(session=session, as_of=as_of, now=now, settings=settings)
    return RunResult(
        as_of=result.as_of,
        created=result.created,
        delivered=result.delivered,
        failed=result.failed,
        undeliverable=result.undeliverable,
    )


@router.get(
    "/api/v1/reminders",
    response_model=Page[ReminderPublic],
    summary="List reminders and their delivery",
    responses=responses(422),
)
def reminders(
    session: SessionDep,
    status_: Annotated[ReminderStatus | None, Query(alias="status")] = None,
    organization_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    agreement_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[ReminderPublic]:
    """Reminders newest first, with their delivery: `failed` ones keep their attempts and last
    error, `undeliverable` ones name the missing channel. Filter by status, organization or
    agreement (NK / PKS)."""
    items, total = list_reminders(
        session=session,
        status=status_,
        organization_id=organization_id,
        agreement_id=agreement_id,
        limit=limit,
        offset=offset,
    )
    return Page[ReminderPublic](
        items=[ReminderPublic.model_validate(r) for r in items],
        total=total,
        limit=limit,
        offset=offset,
    )
