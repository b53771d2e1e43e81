"""HTTP routes: deadlines, the calendar feed, and the scheduler's reminder run."""

import secrets
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.core.db import SessionDep
from app.core.deps import NowDep, SettingsDep, TodayDep
from app.core.errors import RuleViolation, Unauthorized, responses
from app.core.responses import json_response
from app.core.schemas import (
    DEFAULT_LIMIT,
    MAX_ID,
    Day,
    LimitQuery,
    OffsetQuery,
    Page,
    QueryFlag,
)
from app.reminders.calendar import calendar_answer
from app.reminders.deadlines import deadline_page, deadline_window
from app.reminders.models import DeadlineType, ReminderStatus
from app.reminders.preview import preview_reminders
from app.reminders.schemas import (
    DeadlinePage,
    ReminderPreview,
    ReminderPublic,
    RunIn,
    RunResult,
)
from app.reminders.service import list_reminders, run_reminders
from app.users.auth import CallerDep

router = APIRouter(tags=["Deadlines and reminders"])
# The calendar feed: also with ?key=, for calendar programs that cannot send a header.
calendar_router = APIRouter(tags=["Deadlines and reminders"])
# The scheduler's own door: its token opens this and nothing else (no API key needed).
run_router = APIRouter(tags=["Deadlines and reminders"])


class SchedulerUnauthorized(Unauthorized):
    headers = {"WWW-Authenticate": "Bearer"}


bearer = HTTPBearer(auto_error=False, description="SCHEDULER_TOKEN")


def require_scheduler(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """The scheduler's token, compared in constant time; without it nothing runs."""
    expected = settings.SCHEDULER_TOKEN
    if not expected:
        raise SchedulerUnauthorized(
            "SCHEDULER_TOKEN is not configured on this server; the run is refused."
        )
    if credentials is None or not secrets.compare_digest(
        credentials.credentials.encode(), expected.encode()
    ):
        raise SchedulerUnauthorized(
            "Send the scheduler token as 'Authorization: Bearer <SCHEDULER_TOKEN>'."
        )


FromQuery = Annotated[Day | None, Query(alias="from", description="Default: today.")]
OrganizationQuery = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="Only deadlines that concern it.")
]


@router.get(
    "/api/v1/deadlines",
    response_model=DeadlinePage,
    summary="What is due: obligations, expiries, PKS signing dates, plans, evaluations",
    responses=responses(422),
)
def deadlines(
    session: SessionDep,
    today: TodayDep,
    settings: SettingsDep,
    start: FromQuery = None,
    end: Annotated[Day | None, Query(alias="to", description="Default: from + 90 days.")] = None,
    organization_id: OrganizationQuery = None,
    deadline_type: Annotated[
        DeadlineType | None,
        Query(
            alias="type",
            description="Only this type (e.g. `evaluation_due`); `counts.by_type` still counts "
            "every type.",
        ),
    ] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Response:
    """One list by date of obligation due dates (kewajiban), expiries of NK and PKS in force
    (`valid_until`), NK `pks_due_on` dates, and planned signing days (`planned_signing_on`) of
    agreements a party has still to sign (concerning the parties that have not signed; kept while
    passed, like an overdue obligation), and the yearly evaluation (monev) of each NK and PKS in
    force not yet recorded (due by the end of EVALUATION_DUE_MONTH), each with its agreement and
    the organizations concerned.
    Overdue ones come first. A date on a weekend or an Indonesian public
    holiday is flagged (`non_working_day`) so staff can move it before it bites.

    Paged (`limit`, `offset`, as every list); before the page, `total` and `counts` over every
    page: by type, overdue, and the others by week (Monday) of their due date. `type` keeps one
    type (jenis tenggat): the list, `total`, `overdue` and `by_week` are of that type, while
    `by_type` still counts every type of the window.

    A page is kept per server process for CALENDAR_CACHE_SECONDS (60 by default): a write through
    the API or the console is seen at once (the key holds the newest history and audit event),
    and so is a new day; only a change made in the database directly waits for that time."""
    start, end = deadline_window(today, start, end, 90)
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
    return json_response(page)  # built once: not validated and dumped twice more


@calendar_router.get(
    "/api/v1/calendar.ics",
    summary="The deadlines as a calendar feed (subscribe in Outlook / Google Calendar)",
    response_class=Response,
    responses={
        200: {
            "content": {"text/calendar": {}},
            "headers": {"ETag": {"description": "The feed's validator, for If-None-Match."}},
        },
        304: {"description": "Not modified: the feed of the ETag sent in If-None-Match."},
        **responses(422),
    },
)
def calendar(
    request: Request,
    session: SessionDep,
    today: TodayDep,
    now: NowDep,
    settings: SettingsDep,
    start: FromQuery = None,
    end: Annotated[Day | None, Query(alias="to", description="Default: from + 365 days.")] = None,
    organization_id: OrganizationQuery = None,
) -> Response:
    """The same deadlines as `GET /api/v1/deadlines`, as an RFC 5545 calendar with stable UIDs,
    so staff subscribe once; by default a year ahead (and every overdue obligation). Each event's
    title names the deadline, the organization concerned (the SKPD or the Perwakilan) and the NK
    or PKS; each upcoming one carries alarms (VALARM) at the reminder points (by default 30, 7
    and 1 days before, at 08:00) and on the day. A recurring obligation (pendampingan secara
    berkala: quarterly, …) is a recurring event (RRULE) up to its last occurrence in the window,
    its `repeat_until` or its agreement's `valid_until`. Calendar programs that cannot send the
    X-API-Key header may put a viewer's key in `?key=`. The answer carries an ETag: a program
    that sends it back in If-None-Match gets 304 (no body) while nothing changed: a write through
    the API or the console changes the ETag at once, and so does a new day; each process keeps a
    feed's ETag CALENDAR_CACHE_SECONDS (60 by default) otherwise."""
    start, end = deadline_window(today, start, end, 365)
    answer = calendar_answer(
        session,
        start=start,
        end=end,
        today=today,
        now=now,
        organization_id=organization_id,
        settings=settings,
        if_none_match=[t.strip() for t in request.headers.get("if-none-match", "").split(",")],
    )
    # Subscribed calendars poll: they are told to ask again each time, and told "not modified"
    # (no body) while nothing changed.
    headers = {"ETag": answer.etag, "Cache-Control": "private, no-cache"}
    if answer.body is None:
        return Response(status_code=304, headers=headers)
    feed = answer.body
    return Response(content=feed, media_type="text/calendar; charset=utf-8", headers=headers)


RUN_QUERY = {"as_of", "dry_run"}


def refuse_unknown_query(request: Request) -> None:
    """A typo in a query parameter must not be silently ignored by the run."""
    unknown = sorted(set(request.query_params) - RUN_QUERY)
    if unknown:
        raise RuleViolation(
            f"Unknown query parameter(s): {', '.join(unknown)}. The run takes as_of and dry_run, "
            "in the query or in the body.",
            type_slug="unknown-query-parameter",
            errors=[{"loc": ["query", name], "msg": "unknown parameter"} for name in unknown],
        )


@run_router.post(
    "/api/v1/reminders/run",
    response_model=RunResult,
    summary="Run the reminders (the scheduler calls this daily)",
    dependencies=[Depends(require_scheduler), Depends(refuse_unknown_query)],
    responses=responses(401, 422),
)
def run(
    session: SessionDep,
    today: TodayDep,
    now: NowDep,
    settings: SettingsDep,
    as_of: Annotated[
        Day | None, Query(description="The day to run for, as in the body; not both.")
    ] = None,
    dry_run: Annotated[QueryFlag | None, Query(description="As in the body.")] = None,
    run_in: Annotated[
        RunIn | None,
        Body(
            openapi_examples={
                "today": {"summary": "Today", "value": {}},
                "preview": {
                    "summary": "What the run on 1 January 2027 would send (changes nothing)",
                    "value": {"as_of": "2027-01-01", "dry_run": True},
                },
            }
        ),
    ] = None,
) -> RunResult:
    """Record one reminder per deadline, reminder point and organization concerned (by default
    30, 7 and 1 days before, on the day, and every 7 days while an obligation is overdue), then
    deliver them: a JSON POST per reminder to the organization's `webhook_url` (with an
    `Idempotency-Key` header), one e-mail digest per organization. Calling it twice, or from two
    hosts at once, records each reminder once and sends it once; a failed delivery is retried on
    later runs. Delivery is at least once: a run that dies between sending and recording leaves
    its reminders to be sent again after REMINDER_CLAIM_SECONDS, with the same `Idempotency-Key`.

    `as_of` may not be after today (422): each reminder is recorded once, so running ahead would
    use up that day's reminders. `dry_run: true` answers what a run on any day would record and
    send (`would_create`, `would_be_undeliverable`, `would_retry` and the `planned` reminders;
    `created` and the other counts are 0, as nothing is done; `would_retry` was `retries_due`),
    and changes nothing. Needs `Authorization: Bearer <SCHEDULER_TOKEN>`; staff use
    `GET /api/v1/reminders/preview` instead."""
    body = run_in or RunIn()
    if as_of is not None and body.as_of is not None and as_of != body.as_of:
        raise RuleViolation(
            "as_of is given twice, in the query and in the body, with different days.",
            type_slug="as-of-twice",
            errors=[{"loc": ["query", "as_of"], "msg": "differs from body.as_of"}],
        )
    day = as_of or body.as_of or today
    result = run_reminders(
        session=session,
        as_of=day,
        today=today,
        now=now,
        settings=settings,
        dry_run=bool(dry_run) or body.dry_run,
    )
    return RunResult.model_validate(result, from_attributes=True)


@router.get(
    "/api/v1/reminders/preview",
    response_model=ReminderPreview,
    summary="Preview the reminders a day's run would send (pratinjau pengingat)",
    responses=responses(401, 403, 404, 422),
)
def preview(
    session: SessionDep,
    caller: CallerDep,
    today: TodayDep,
    now: NowDep,
    settings: SettingsDep,
    day: Annotated[
        Day | None, Query(description="The day of the run, past or future. Default: today.")
    ] = None,
    organization_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Only the reminders of this organization."),
    ] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> ReminderPreview:
    """What the daily reminder run of `day` would record and send, and changes nothing: each
    reminder with its deadline (kewajiban, masa berlaku, …), point (e.g. 7 hari lagi), the NK
    or PKS (title and numbers), the organization reminded, by name, and its channels (`webhook`,
    `email`; none: it would be kept undeliverable); by due date, a page at a time. Reminders
    already recorded are not listed again; `would_retry` counts those waiting for another
    delivery attempt. Admins see every organization; others their own organization and those
    under it (403 for another's `organization_id`, or for a caller with no organization)."""
    return preview_reminders(
        session=session,
        caller=caller,
        day=day or today,
        now=now,
        settings=settings,
        organization_id=organization_id,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/api/v1/reminders",
    response_model=Page[ReminderPublic],
    summary="List reminders and their delivery",
    responses=responses(422),
)
def reminders(
    session: SessionDep,
    caller: CallerDep,
    status_: Annotated[ReminderStatus | None, Query(alias="status")] = None,
    organization_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    agreement_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[ReminderPublic]:
    """Reminders newest first, with their delivery: `failed` ones keep their attempts and last
    error, `undeliverable` ones name the missing channel. Filter by status, organization or
    agreement (NK / PKS). Delivery errors can name internal hosts: admins see them, others see
    `last_error: null`."""
    items, total = list_reminders(
        session=session,
        status=status_,
        organization_id=organization_id,
        agreement_id=agreement_id,
        limit=limit,
        offset=offset,
        reveal_errors=caller.is_admin,
    )
    return Page[ReminderPublic](items=items, total=total, limit=limit, offset=offset)
