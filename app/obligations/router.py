"""HTTP routes for obligations (kewajiban, tindak lanjut)."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, status
from fastapi.responses import Response, StreamingResponse

from app.audit.schemas import AuditEventPublic
from app.audit.service import list_audit
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import responses
from app.core.pagination import invalid_cursor
from app.core.responses import json_response
from app.core.schemas import (
    DEFAULT_LIMIT,
    MAX_ID,
    CountedPage,
    CountQuery,
    CursorQuery,
    Day,
    LimitQuery,
    OffsetQuery,
    Page,
)
from app.core.sheets import ExportFormat, export_response, export_responses
from app.idempotency.route import IdempotentRoute
from app.obligations import service
from app.obligations.dependencies import ObligationIdPath, PksIdPath
from app.obligations.exports import OBLIGATION_COLUMNS
from app.obligations.models import ObligationStatus
from app.obligations.schemas import (
    OBLIGATION_EXAMPLES,
    CompleteIn,
    ObligationCreate,
    ObligationPublic,
    ObligationUpdate,
    WaiveIn,
)
from app.users.access import AgreementEditor, ObligationEditor

router = APIRouter(tags=["Obligations"], route_class=IdempotentRoute)


@router.post(
    "/api/v1/agreements/{agreement_id}/obligations",
    response_model=ObligationPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Record what a party owes under an NK or PKS",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def create_obligation(
    session: SessionDep,
    _editor: AgreementEditor,
    today: TodayDep,
    agreement_id: PksIdPath,
    obligation_in: Annotated[ObligationCreate, Body(openapi_examples=OBLIGATION_EXAMPLES)],
) -> ObligationPublic:
    """Record an obligation (kewajiban / tindak lanjut) of one party, due on a date.

    The responsible organization is a party of the agreement or under one (an SKPD of the
    province); the due date lies within the agreement's validity; a recurring duty (e.g. the
    Kalsel PKS's "pendampingan secara berkala") opens its next occurrence when completed.
    """
    obligation_id = service.create_obligation(
        session=session, agreement_id=agreement_id, obligation_in=obligation_in, today=today
    )
    return service.get_obligation(session=session, obligation_id=obligation_id, today=today)


def obligation_filters(
    agreement_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    organization_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="The responsible organization.")
    ] = None,
    status_: Annotated[
        ObligationStatus | None,
        Query(alias="status", description="open, overdue, done or waived (today)."),
    ] = None,
    due_before: Annotated[Day | None, Query(description="Due on or before.")] = None,
    due_after: Annotated[Day | None, Query(description="Due on or after.")] = None,
) -> service.ObligationFilters:
    """The filters of the obligation list, shared by its exports."""
    return service.ObligationFilters(
        agreement_id=agreement_id,
        organization_id=organization_id,
        status=status_,
        due_before=due_before,
        due_after=due_after,
    )


ObligationFiltersDep = Annotated[service.ObligationFilters, Depends(obligation_filters)]


ObligationPage = CountedPage[ObligationPublic]


@router.get(
    "/api/v1/obligations",
    response_model=ObligationPage,
    summary="Find obligations",
    responses=responses(401, 422, 429),
)
def list_obligations(
    session: SessionDep,
    today: TodayDep,
    filters: ObligationFiltersDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
    count: CountQuery = False,
    cursor: CursorQuery = None,
) -> Response:
    """Obligations (kewajiban) by due date, ties by id: e.g. everything overdue
    (`?status=overdue`), or what one SKPD owes under the PKS it signed (`?organization_id=`).

    `total` (how many match over all pages) comes only with `count=true`: counting passes over
    every match, which the national list of what is overdue should not pay for on each page.

    Paging (halaman): send each answer's `next_cursor` back as `cursor` (with the same filters)
    for the next page, until `next_cursor` is null; each page costs the same however deep.
    `offset` still works; it cannot be combined with `cursor`. A cursor that was changed, cut
    short, or made for another list is refused (422 `invalid-cursor`, naming `cursor`).
    """
    if cursor is not None and offset:
        raise invalid_cursor("it cannot be combined with offset; page on with cursor alone")
    items, total, following = service.list_obligations_page(
        session=session,
        today=today,
        filters=filters,
        limit=limit,
        offset=offset,
        count=count,
        after=service.ObligationCursor.parse(cursor) if cursor is not None else None,
    )
    return json_response(
        ObligationPage.model_construct(
            items=items,
            total=total,
            limit=limit,
            offset=offset,
            next_cursor=following.token() if following is not None else None,
        )
    )


@router.get(
    "/api/v1/obligations/export.{export_format}",
    response_class=StreamingResponse,
    summary="Export obligations to Excel (.xlsx) or CSV",
    responses={**export_responses("The obligations, one row each."), **responses(401, 422, 429)},
)
def export_obligations(
    session: SessionDep,
    today: TodayDep,
    export_format: Annotated[
        ExportFormat,
        Path(description="`xlsx` (Excel) or `csv` (UTF-8 with a BOM).", examples=["xlsx"]),
    ],
    filters: ObligationFiltersDep,
) -> StreamingResponse:
    """Every obligation matching the same filters as the list (no paging), by due date, with
    Indonesian headers: what is owed, by whom (the SKPD or the Perwakilan), when, its status
    today, and under which NK or PKS. `export.xlsx?status=overdue` is the list of what is late.
    Read in batches and written to a temporary file: the server's memory does not grow with it.
    """
    return export_response(
        export_format,
        filename=f"kewajiban-{today.isoformat()}",
        sheet_title="Kewajiban",
        columns=OBLIGATION_COLUMNS,
        rows=service.iter_obligations(session=session, today=today, filters=filters),
    )


@router.get(
    "/api/v1/obligations/{obligation_id}",
    response_model=ObligationPublic,
    summary="Show one obligation",
    responses=responses(401, 404, 422, 429),
)
def read_obligation(
    session: SessionDep, today: TodayDep, obligation_id: ObligationIdPath
) -> ObligationPublic:
    """One obligation of an NK or PKS, with its status today."""
    return service.get_obligation(session=session, obligation_id=obligation_id, today=today)


@router.patch(
    "/api/v1/obligations/{obligation_id}",
    response_model=ObligationPublic,
    summary="Change an open obligation",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def update_obligation(
    session: SessionDep,
    _editor: ObligationEditor,
    today: TodayDep,
    obligation_id: ObligationIdPath,
    obligation_in: Annotated[
        ObligationUpdate,
        Body(
            openapi_examples={
                "move": {
                    "summary": "Move the due date (send the version you read)",
                    "value": {"version": 1, "due_on": "2027-01-08"},
                }
            }
        ),
    ],
) -> ObligationPublic:
    """Change an open obligation (e.g. move a due date off a public holiday); a done or waived
    one is closed (409)."""
    service.update_obligation(
        session=session, obligation_id=obligation_id, obligation_in=obligation_in, today=today
    )
    return service.get_obligation(session=session, obligation_id=obligation_id, today=today)


@router.post(
    "/api/v1/obligations/{obligation_id}/complete",
    response_model=ObligationPublic,
    summary="Mark an obligation done",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def complete_obligation(
    session: SessionDep,
    _editor: ObligationEditor,
    today: TodayDep,
    obligation_id: ObligationIdPath,
    complete_in: Annotated[
        CompleteIn,
        Body(
            openapi_examples={
                "done": {
                    "summary": "Pendampingan held",
                    "value": {
                        "completed_on": "2026-11-20",
                        "note": "Pendampingan di Diskominfo Kalsel",
                    },
                }
            }
        ),
    ],
) -> ObligationPublic:
    """Mark it done. A recurring obligation opens its next occurrence (`next_id`), unless that
    would fall after `repeat_until` or after the agreement's validity."""
    service.complete_obligation(
        session=session, obligation_id=obligation_id, complete_in=complete_in, today=today
    )
    return service.get_obligation(session=session, obligation_id=obligation_id, today=today)


@router.post(
    "/api/v1/obligations/{obligation_id}/waive",
    response_model=ObligationPublic,
    summary="Waive an obligation",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def waive_obligation(
    session: SessionDep,
    _editor: ObligationEditor,
    today: TodayDep,
    obligation_id: ObligationIdPath,
    waive_in: Annotated[
        WaiveIn,
        Body(
            openapi_examples={
                "waive": {
                    "summary": "Not owed this time",
                    "value": {"reason": "Digabung dengan kegiatan monev triwulan berikutnya"},
                }
            }
        ),
    ],
) -> ObligationPublic:
    """Waive this occurrence: it is no longer owed and gets no reminders. A recurring series
    goes on with its next occurrence."""
    service.waive_obligation(
        session=session, obligation_id=obligation_id, waive_in=waive_in, today=today
    )
    return service.get_obligation(session=session, obligation_id=obligation_id, today=today)


@router.get(
    "/api/v1/obligations/{obligation_id}/history",
    response_model=Page[AuditEventPublic],
    summary="What changed on an obligation, and who changed it",
    responses=responses(401, 404, 422, 429),
)
def obligation_history(
    session: SessionDep,
    today: TodayDep,
    obligation_id: ObligationIdPath,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[AuditEventPublic]:
    """Recorded, moved, completed or waived: each change with the user who made it, newest
    first."""
    service.get_obligation(session=session, obligation_id=obligation_id, today=today)
    items, total = list_audit(
        session=session,
        subject_type="obligation",
        subject_id=obligation_id,
        limit=limit,
        offset=offset,
    )
    return Page[AuditEventPublic](items=items, total=total, limit=limit, offset=offset)
