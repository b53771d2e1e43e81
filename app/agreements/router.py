"""HTTP routes for agreements: NK and PKS, their lifecycle and signatures."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, status
from fastapi.responses import Response, StreamingResponse

from app.agreements import service
from app.agreements.dependencies import AgreementIdPath, ExistingAgreementId, ValidAgreement
from app.agreements.exports import AGREEMENT_COLUMNS
from app.agreements.history import list_events
from app.agreements.models import AgreementKind, AgreementStatus
from app.agreements.queries import (
    AgreementFilters,
    AgreementSort,
    ListCursor,
    agreement_public,
    iter_agreements_public,
    list_agreements_page,
)
from app.agreements.schemas import (
    AGREEMENT_CREATE_EXAMPLES,
    AGREEMENT_UPDATE_EXAMPLES,
    AgreementCreate,
    AgreementPublic,
    AgreementUpdate,
    EventPublic,
)
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
    SearchText,
    ShortText,
)
from app.core.sheets import ExportFormat, export_response, export_responses
from app.idempotency.route import IdempotentRoute
from app.users.access import AgreementEditor, require_party_editor
from app.users.auth import CallerDep

router = APIRouter(
    prefix="/api/v1/agreements", tags=["Agreements (NK / PKS)"], route_class=IdempotentRoute
)
# Made once: pydantic keeps a parametrized generic only while it is referenced, and making it
# again costs more than the rest of a page.
AgreementPage = CountedPage[AgreementPublic]
history_router = APIRouter(
    prefix="/api/v1/agreements", tags=["History"], route_class=IdempotentRoute
)


@router.post(
    "",
    response_model=AgreementPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Register an NK or a PKS (as a draft)",
    responses=responses(401, 403, 409, 422, 429),
)
def create_agreement(
    session: SessionDep,
    caller: CallerDep,
    today: TodayDep,
    agreement_in: Annotated[AgreementCreate, Body(openapi_examples=AGREEMENT_CREATE_EXAMPLES)],
) -> AgreementPublic:
    """Register a Nota Kesepahaman (NK, `kind: nk`) or a Perjanjian Kerja Sama (PKS, `kind: pks`).

    The agreement starts as a **draft**. Give at least two parties (para pihak), each once, with
    the number each gave the document in its own letter book where known (e.g. NK
    `30/ORI-MoU/X/2021` = `053/NK-PEMOTDA/2021`), and the ruang lingkup (scope) in order.

    Rules: a PKS names its NK in `parent_id`, and every party of a PKS is a party of that NK or an
    organization under one (an SKPD under its provincial government, the Perwakilan under Ombudsman
    RI); an NK has no parent; `valid_from` ≤ `valid_until`, and a PKS lies within its NK's
    validity (422). A number already used by the same issuing organization is refused (409).
    """
    require_party_editor(session, caller, [p.organization_id for p in agreement_in.parties])
    agreement_id = service.create_agreement(session=session, agreement_in=agreement_in, today=today)
    return agreement_public(session=session, agreement_id=agreement_id, today=today)


async def agreement_filters(
    kind: Annotated[AgreementKind | None, Query(description="`nk` or `pks`.")] = None,
    status_: Annotated[
        AgreementStatus | None, Query(alias="status", description="Status today.")
    ] = None,
    parent_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="The PKS of this NK, e.g. the 21 SKPD PKS of Kalsel."),
    ] = None,
    organization_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Agreements where this organization is a party."),
    ] = None,
    number: Annotated[
        ShortText | None,
        Query(
            description="Any party's document number, exact (case-insensitive), e.g. "
            "`053/NK-PEMOTDA/2021` or `30/ORI-MoU/X/2021`."
        ),
    ] = None,
    q: Annotated[
        SearchText | None,
        Query(
            description="Any part of the title, of any party's number (`053/NK-PEMOTDA`), of a "
            "party's name or short name (`kominfo`), or of a ruang lingkup item; case and "
            "accents ignored."
        ),
    ] = None,
    expiring_before: Annotated[
        Day | None, Query(description="valid_until on or before this date.")
    ] = None,
    unsigned_by: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_ID,
            description="Agreements where this organization is a party and has not signed yet, "
            "e.g. 48 (Kotawaringin Barat) finds the Kalteng joint NK.",
        ),
    ] = None,
    signed_by: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Agreements this organization has signed."),
    ] = None,
) -> AgreementFilters:
    """The filters of the agreement list, shared by its exports (`async`: it does not wait, and
    a plain function would cost a hop to the thread pool and back)."""
    return AgreementFilters(
        kind=kind,
        status=status_,
        parent_id=parent_id,
        organization_id=organization_id,
        number=number,
        q=q,
        expiring_before=expiring_before,
        unsigned_by=unsigned_by,
        signed_by=signed_by,
    )


AgreementFiltersDep = Annotated[AgreementFilters, Depends(agreement_filters)]
SortQuery = Annotated[
    AgreementSort,
    Query(
        description="`newest` (registered last, first), `valid_until` (lapsing first, "
        "open-ended last), `signed_on` (signed last, first; unsigned last), `title` (A–Z)."
    ),
]


@router.get(
    "",
    response_model=AgreementPage,
    summary="Find agreements",
    responses=responses(401, 422, 429),
)
def list_agreements(
    session: SessionDep,
    today: TodayDep,
    filters: AgreementFiltersDep,
    sort: SortQuery = AgreementSort.newest,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
    count: CountQuery = False,
    cursor: CursorQuery = None,
) -> Response:
    """Find NK and PKS, newest first, each with its parties, ruang lingkup and status today.

    Staff search by any party's number (`?number=053/NK-PEMOTDA/2021` finds the Kalsel NK), list
    the PKS of one NK (`?parent_id=`), an SKPD's agreements (`?organization_id=`), or what lapses
    soon (`?status=active&expiring_before=&sort=valid_until`), or whose signature is missing
    (`?unsigned_by=`). `q` finds any part of a title, a number, a party's name or short name, or
    a ruang lingkup item: `?q=053/NK-PEMOTDA`, `?q=kominfo`, `?q=LAPOR Paman`.

    `total` (how many match over all pages) comes only with `count=true`: counting passes over
    every match, which a national list should not pay for on each page.

    Paging (halaman): send each answer's `next_cursor` back as `cursor` (with the same filters
    and `sort`) for the next page, until `next_cursor` is null. A cursor continues after the
    last agreement of the previous page in a total order (ties broken by id, newest first), so
    each page costs the same however deep, and agreements registered meanwhile neither repeat
    one nor hide one. `offset` still works (it counts the rows it skips: slow deep into a
    national list); it cannot be combined with `cursor`. A cursor that was changed, cut short,
    or made for another `sort` is refused (422 `invalid-cursor`, naming `cursor`).
    """
    if cursor is not None and offset:
        raise invalid_cursor("it cannot be combined with offset; page on with cursor alone")
    items, total, following = list_agreements_page(
        session=session,
        filters=filters,
        today=today,
        limit=limit,
        offset=offset,
        sort=sort,
        count=count,
        after=ListCursor.parse(cursor, sort) if cursor is not None else None,
    )
    return json_response(
        AgreementPage.model_construct(
            items=items,
            total=total,
            limit=limit,
            offset=offset,
            next_cursor=following.token() if following is not None else None,
        )
    )


@router.get(
    "/export.{export_format}",
    response_class=StreamingResponse,
    summary="Export agreements to Excel (.xlsx) or CSV",
    responses={**export_responses("The agreements, one row each."), **responses(401, 422, 429)},
)
def export_agreements(
    session: SessionDep,
    today: TodayDep,
    export_format: Annotated[
        ExportFormat,
        Path(description="`xlsx` (Excel) or `csv` (UTF-8 with a BOM).", examples=["xlsx"]),
    ],
    filters: AgreementFiltersDep,
    sort: SortQuery = AgreementSort.newest,
) -> StreamingResponse:
    """Every NK and PKS matching the same filters as the list (no paging), one row each, with
    Indonesian headers: number of each party, parties, status, signing date, who has not signed,
    validity, the NK above a PKS, and the ruang lingkup. For the reports to the Sekda and the
    Governor: `export.xlsx?parent_id=1` is the 21 Kalsel PKS; `?status=active&sort=valid_until`
    what lapses first.

    Excel: dates are real dates, the header is frozen and filterable. CSV: UTF-8 with a byte-order
    mark (Excel opens it right), dates as YYYY-MM-DD. Rows are read in chunks and written to a
    temporary file, so a national export does not fill the server's memory.
    """
    rows = iter_agreements_public(session=session, filters=filters, today=today, sort=sort)
    return export_response(
        export_format,
        filename=f"perjanjian-{today.isoformat()}",
        sheet_title="Perjanjian",
        columns=AGREEMENT_COLUMNS,
        rows=rows,
    )


@router.get(
    "/{agreement_id}",
    response_model=AgreementPublic,
    summary="Show one NK or PKS",
    responses=responses(401, 404, 422, 429),
)
async def read_agreement(agreement: ValidAgreement) -> Response:
    """One agreement with its parties (numbers, signatories, signatures), ruang lingkup, status.

    For a PKS, `parent` shows its NK; for an NK, `children_count` says how many PKS it has.
    """
    # (async: it only writes the answer; the thread pool is for what waits on the database.)
    return json_response(agreement)


@router.patch(
    "/{agreement_id}",
    response_model=AgreementPublic,
    summary="Change an agreement (with the version you read)",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def update_agreement(
    session: SessionDep,
    _editor: AgreementEditor,
    today: TodayDep,
    agreement_id: AgreementIdPath,
    agreement_in: Annotated[
        AgreementUpdate,
        Body(openapi_examples=AGREEMENT_UPDATE_EXAMPLES),
    ],
) -> AgreementPublic:
    """Change an agreement. Send the `version` you read: if someone saved in between, 409.

    In **draft** everything can change (`parties` and `scope_items` replace the whole list).
    After finalisasi the title, parent, parties, ruang lingkup and validity are frozen (409);
    each party's number and signatory may still be filled in until that party signs.
    """
    service.update_agreement(
        session=session, agreement_id=agreement_id, agreement_in=agreement_in, today=today
    )
    return agreement_public(session=session, agreement_id=agreement_id, today=today)


@history_router.get(
    "/{agreement_id}/history",
    response_model=Page[EventPublic],
    summary="What changed, and when",
    responses=responses(401, 404, 422, 429),
)
def history(
    session: SessionDep,
    agreement_id: ExistingAgreementId,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[EventPublic]:
    """Every change to an NK or PKS, newest first: created, fields changed (old and new
    values), finalized, reopened, signed by whom, amended, renewed, terminated, document
    attached. Written with each change in its transaction; it cannot be edited."""
    events, total = list_events(
        session=session, agreement_id=agreement_id, limit=limit, offset=offset
    )
    return Page[EventPublic](items=events, total=total, limit=limit, offset=offset)
