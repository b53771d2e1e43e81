"""HTTP routes of implementation reports (realisasi kegiatan)."""

from typing import Annotated

from fastapi import APIRouter, Body, File, Query, Response, UploadFile, status
from fastapi.responses import FileResponse

from app.activities import service
from app.activities.models import Verification
from app.activities.schemas import (
    ACTIVITY_EXAMPLES,
    VERDICT_EXAMPLES,
    ActivityCreate,
    ActivityPublic,
    VerdictIn,
)
from app.activities.service import ActivityFilters
from app.agreements.dependencies import ExistingAgreementId
from app.audit.schemas import AuditEventPublic
from app.audit.service import list_audit
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import responses
from app.core.schemas import (
    DEFAULT_LIMIT,
    MAX_ID,
    Day,
    LimitQuery,
    OffsetQuery,
    Page,
    QueryFlag,
    path_id,
)
from app.documents.router import StoreDep
from app.documents.service import file_of
from app.idempotency.route import IdempotentRoute
from app.organizations.service import organizations_in_view
from app.users.access import AgreementEditor
from app.users.auth import CallerDep

router = APIRouter(tags=["Outcomes"], route_class=IdempotentRoute)
ONE = "/api/v1/agreements/{agreement_id}/activities/{activity_id}"

# Agreement 10: the seeded PKS of Diskominfo Kalsel (organization 12) with the Perwakilan.
ReportedAgreementPath = Annotated[int, path_id("Id of the NK or PKS.", example=10)]
ActivityIdPath = Annotated[int, path_id("Id of the activity.")]
DocumentIdPath = Annotated[int, path_id("Id of the evidence document.")]
VerificationQuery = Annotated[
    Verification | None,
    Query(description="`pending`, `verified` or `rejected`."),
]
ScopeItemQuery = Annotated[
    int | None,
    Query(ge=1, le=MAX_ID, description="Implementing this ruang lingkup item."),
]
FromQuery = Annotated[
    Day | None, Query(alias="from", description="Held on or after this day (YYYY-MM-DD).")
]
ToQuery = Annotated[
    Day | None, Query(alias="to", description="Held on or before this day (YYYY-MM-DD).")
]


@router.post(
    "/api/v1/agreements/{agreement_id}/activities",
    response_model=ActivityPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Report an activity carried out under an NK or PKS (realisasi kegiatan)",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def create_activity(
    session: SessionDep,
    caller: AgreementEditor,
    today: TodayDep,
    agreement_id: ReportedAgreementPath,
    activity_in: Annotated[ActivityCreate, Body(openapi_examples=ACTIVITY_EXAMPLES)],
) -> ActivityPublic:
    """Report what a party carried out under a signed NK or PKS (realisasi kegiatan): a
    socialisation, a training, an exchange of complaint data. Name the ruang lingkup items it
    implements (`scope_item_ids`), the reporting party (`organization_id`, which you edit for;
    an SKPD for its PKS) and the day (`held_on`) or the period (`held_from`, `held_to`): not in
    the future, not before signing, not after the agreement ended.

    With `obligation_id` the report fulfils that open obligation occurrence of the reporting
    party: it is completed on the last day held, and a recurring series opens its next
    occurrence, in the same transaction. One occurrence is fulfilled once: a second report of
    it, even at the same moment, is refused (409) and writes nothing.

    The report starts `pending`; another party verifies or rejects it
    (`POST .../activities/{id}/verify`), and evidence is attached with
    `POST .../activities/{id}/documents`.
    """
    return service.create_activity(
        session=session,
        caller=caller,
        agreement_id=agreement_id,
        activity_in=activity_in,
        today=today,
    )


@router.get(
    "/api/v1/agreements/{agreement_id}/activities",
    response_model=Page[ActivityPublic],
    summary="The activities reported under an NK or PKS",
    responses=responses(401, 404, 422, 429),
)
def list_agreement_activities(
    session: SessionDep,
    agreement_id: ExistingAgreementId,
    scope_item_id: ScopeItemQuery = None,
    held_from: FromQuery = None,
    held_to: ToQuery = None,
    verification: VerificationQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[ActivityPublic]:
    """The realisasi kegiatan of one agreement, the latest held first; filter by ruang
    lingkup item, period (`from`, `to`: held at some time within it) and verification."""
    filters = ActivityFilters(
        agreement_id=agreement_id,
        scope_item_id=scope_item_id,
        held_from=held_from,
        held_to=held_to,
        verification=verification,
    )
    items, total = service.list_activities(
        session=session, filters=filters, limit=limit, offset=offset
    )
    return Page[ActivityPublic](items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/api/v1/activities",
    response_model=Page[ActivityPublic],
    summary="Activities reported under any agreement (realisasi kegiatan)",
    responses=responses(401, 422, 429),
)
def list_activities(
    session: SessionDep,
    agreement_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Under this NK or PKS.")
    ] = None,
    organization_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Reported by this organization (e.g. 12, Diskominfo)."),
    ] = None,
    within: Annotated[
        QueryFlag,
        Query(
            description="With organization_id: also by those under it and, for a provincial "
            "government, by the regencies and cities of its region (`?organization_id=4&"
            "within=true`: every SKPD of Pemprov Kalsel)."
        ),
    ] = False,
    scope_item_id: ScopeItemQuery = None,
    held_from: FromQuery = None,
    held_to: ToQuery = None,
    verification: VerificationQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[ActivityPublic]:
    """Every matching report, the latest held first: by agreement, by reporting organization
    (and those under it), by ruang lingkup item, by period and by verification state
    (`?verification=pending`: what still waits for the other party)."""
    organizations = None
    if organization_id is not None:
        organizations = (
            organizations_in_view(session, organization_id) if within else [organization_id]
        )
    filters = ActivityFilters(
        agreement_id=agreement_id,
        organization_ids=organizations,
        scope_item_id=scope_item_id,
        held_from=held_from,
        held_to=held_to,
        verification=verification,
    )
    items, total = service.list_activities(
        session=session, filters=filters, limit=limit, offset=offset
    )
    return Page[ActivityPublic](items=items, total=total, limit=limit, offset=offset)


@router.get(
    ONE,
    response_model=ActivityPublic,
    summary="One reported activity",
    responses=responses(401, 404, 422, 429),
)
def get_activity(
    session: SessionDep, agreement_id: ReportedAgreementPath, activity_id: ActivityIdPath
) -> ActivityPublic:
    """The report with its ruang lingkup items, its evidence and where its verification
    stands."""
    return service.get_activity(session=session, agreement_id=agreement_id, activity_id=activity_id)


@router.post(
    f"{ONE}/verify",
    response_model=ActivityPublic,
    summary="Verify or reject a reported activity (by the other party)",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def verify_activity(
    session: SessionDep,
    caller: CallerDep,
    agreement_id: ReportedAgreementPath,
    activity_id: ActivityIdPath,
    verdict_in: Annotated[VerdictIn, Body(openapi_examples=VERDICT_EXAMPLES)],
) -> ActivityPublic:
    """The counterpart's verdict on a report: an editor of another party of the agreement
    (for an SKPD's PKS, the Perwakilan; never the reporter's own editors) answers `verified` or
    `rejected` with a note (required for a rejection: what is missing).

    A rejected report does not count as implemented; if it fulfilled an obligation, it lets
    go of it and the occurrence is open (or overdue) again. A rejected report may be verified
    later, once evidence is added; a verified one may be rejected as a correction. Every
    verdict stays in the activity's history; two verdicts given at once: the second is 409.
    """
    return service.verify_activity(
        session=session,
        caller=caller,
        agreement_id=agreement_id,
        activity_id=activity_id,
        verdict_in=verdict_in,
    )


@router.post(
    f"{ONE}/documents",
    response_model=ActivityPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Attach evidence to a reported activity (minutes, attendance list, photos)",
    responses={
        **responses(401, 403, 404, 422, 429),
        200: {"description": "The same file is attached already: the activity as it is"},
        413: {"description": "Larger than MAX_UPLOAD_BYTES"},
        415: {"description": "Not a PDF or image, judged from the bytes"},
    },
)
def attach_evidence(
    response: Response,
    session: SessionDep,
    caller: CallerDep,
    store: StoreDep,
    agreement_id: ReportedAgreementPath,
    activity_id: ActivityIdPath,
    file: Annotated[
        UploadFile, File(description="Notulen, daftar hadir or a photo: PDF or image.")
    ],
) -> ActivityPublic:
    """Evidence of a realisasi kegiatan, attached by the reporting party's editors under the
    rules of signed documents: PDF, PNG, JPEG, TIFF or WebP judged from the bytes, at most
    MAX_UPLOAD_BYTES, kept once per activity (the same file again: 200)."""
    activity, created = service.attach_evidence(
        session=session,
        caller=caller,
        store=store,
        agreement_id=agreement_id,
        activity_id=activity_id,
        source=file.file,
        filename=file.filename,
        declared_type=file.content_type,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return activity


@router.get(
    f"{ONE}/documents/{{document_id}}",
    response_class=FileResponse,
    summary="Download an evidence document of an activity",
    responses={
        **responses(401, 404, 422, 429),
        200: {"content": {"application/pdf": {}, "image/*": {}}},
    },
)
def download_evidence(
    session: SessionDep,
    store: StoreDep,
    agreement_id: ReportedAgreementPath,
    activity_id: ActivityIdPath,
    document_id: DocumentIdPath,
) -> FileResponse:
    """The evidence byte for byte, with its original file name."""
    document = service.evidence_of(
        session=session, agreement_id=agreement_id, activity_id=activity_id, document_id=document_id
    )
    return FileResponse(
        file_of(store, document), media_type=document.content_type, filename=document.filename
    )


@router.get(
    f"{ONE}/history",
    response_model=Page[AuditEventPublic],
    summary="What happened to a reported activity, and who did it",
    responses=responses(401, 404, 422, 429),
)
def activity_history(
    session: SessionDep,
    agreement_id: ReportedAgreementPath,
    activity_id: ActivityIdPath,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[AuditEventPublic]:
    """Reported, evidence attached, verified, rejected: each with the user, newest first."""
    service.get_activity(session=session, agreement_id=agreement_id, activity_id=activity_id)
    items, total = list_audit(
        session=session, subject_type="activity", subject_id=activity_id, limit=limit, offset=offset
    )
    return Page[AuditEventPublic](items=items, total=total, limit=limit, offset=offset)
