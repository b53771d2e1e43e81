"""HTTP routes of compliance results and of the outcomes view."""

from typing import Annotated

from fastapi import APIRouter, Body, Query, status

from app.compliance import service
from app.compliance.models import Zone
from app.compliance.report import AgreementReport
from app.compliance.report import agreement_report as agreement_report_of
from app.compliance.schemas import (
    COMPLIANCE_EXAMPLES,
    ComplianceAssessmentCreate,
    ComplianceAssessmentPublic,
    OutcomesPublic,
)
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import responses
from app.core.schemas import (
    DEFAULT_LIMIT,
    MAX_ID,
    LimitQuery,
    OffsetQuery,
    Page,
    QueryFlag,
    path_id,
)
from app.idempotency.route import IdempotentRoute
from app.users.access import require_assessment_recorder
from app.users.auth import CallerDep

router = APIRouter(tags=["Outcomes"], route_class=IdempotentRoute)
PREFIX = "/api/v1/compliance-assessments"
YearQuery = Annotated[int | None, Query(ge=2000, le=2100)]


@router.post(
    PREFIX,
    response_model=ComplianceAssessmentPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Record a compliance result (penilaian kepatuhan) of an organization",
    responses=responses(401, 403, 409, 422, 429),
)
def create_assessment(
    session: SessionDep,
    caller: CallerDep,
    assessment_in: Annotated[
        ComplianceAssessmentCreate, Body(openapi_examples=COMPLIANCE_EXAMPLES)
    ],
) -> ComplianceAssessmentPublic:
    """Record an organization's result in one year's compliance assessment of public service
    (Penilaian Kepatuhan Penyelenggaraan Pelayanan Publik by Ombudsman RI): the zone (`green`
    zona hijau, `yellow` zona kuning, `red` zona merah), the score 0-100 where one is published
    (Pemprov Kalteng 2023: 86.6), the category in the result's words and where it was
    published. It is what the NK and PKS are meant to improve: the 21 Kalsel SKPD signed their
    PKS "untuk mencapai predikat Zona Hijau".

    One result per organization and year (409 naming the one recorded). Recorded by an admin,
    an editor of Ombudsman RI or a Perwakilan (the assessor), or an editor of the organization
    or of one above it (a Biro Kerja Sama for its SKPD).
    """
    require_assessment_recorder(session, caller, assessment_in.organization_id)
    return service.create_assessment(session=session, assessment_in=assessment_in)


@router.get(
    PREFIX,
    response_model=Page[ComplianceAssessmentPublic],
    summary="List compliance results",
    responses=responses(401, 422, 429),
)
def list_assessments(
    session: SessionDep,
    organization_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Of this organization (e.g. 4, Pemprov Kalsel)."),
    ] = None,
    within: Annotated[
        QueryFlag,
        Query(
            description="With organization_id: also those under it and, for a provincial "
            "government, the regencies and cities of its region (`?organization_id=4&within=true`: "
            "Kalsel's 14 governments)."
        ),
    ] = False,
    year: YearQuery = None,
    zone: Annotated[Zone | None, Query(description="`green`, `yellow` or `red`.")] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[ComplianceAssessmentPublic]:
    """Compliance results, newest year first, then by organization name: `?year=2023&zone=yellow`
    answers who was still in the yellow zone in 2023 (Kabupaten Kotabaru, in Kalsel)."""
    items, total = service.list_assessments(
        session=session,
        organization_id=organization_id,
        within=within,
        year=year,
        zone=zone,
        limit=limit,
        offset=offset,
    )
    return Page[ComplianceAssessmentPublic](items=items, total=total, limit=limit, offset=offset)


@router.get(
    PREFIX + "/{assessment_id}",
    response_model=ComplianceAssessmentPublic,
    summary="Show one compliance result",
    responses=responses(401, 404, 422, 429),
)
def read_assessment(
    session: SessionDep,
    assessment_id: Annotated[int, path_id("Id of the compliance assessment.", 1)],
) -> ComplianceAssessmentPublic:
    """One recorded compliance result with its source."""
    return service.get_assessment(session=session, assessment_id=assessment_id)


@router.get(
    "/api/v1/outcomes",
    response_model=OutcomesPublic,
    summary="What the agreements achieved: compliance results beside agreements in force",
    responses=responses(401, 404, 422, 429),
)
def outcomes(
    session: SessionDep,
    today: TodayDep,
    organization_id: Annotated[
        int,
        Query(
            ge=1,
            le=MAX_ID,
            description="A provincial government (its SKPD and the regencies and cities of its "
            "region are included), or any organization and those under it.",
            examples=[4],
        ),
    ],
    from_year: YearQuery = None,
    to_year: YearQuery = None,
) -> OutcomesPublic:
    """Year by year, for an organization and those in its view, each one's compliance result
    (zone, score) beside the NK and PKS it held in force that year; a government's entry counts
    the PKS of its SKPD too. And a summary per year: how many were green, yellow and red among
    those with and without an agreement in force.

    `?organization_id=4` (Pemprov Kalsel, seeded): 2021 yellow with the NK of October 2021; 2023
    green beside the NK and the 21 SKPD PKS, with every Kalsel regency and city green but
    Kabupaten Kotabaru, yellow. Years default to the span of the recorded results (at most 30).

    An organization without an agreement in force that has signed one still awaiting other
    parties is not counted without an agreement: `?organization_id=40&from_year=2023` (Pemprov
    Kalteng) shows its entry's `agreement_state` `signed_awaiting_others` with the joint NK
    (`signed_by_this_organization`, `awaiting_signatures_of`: 1, Kotawaringin Barat), counted
    in the year's `signed_awaiting_others`.
    """
    return service.outcomes(
        session=session,
        organization_id=organization_id,
        from_year=from_year,
        to_year=to_year,
        today=today,
    )


@router.get(
    "/api/v1/agreements/{agreement_id}/report",
    response_model=AgreementReport,
    summary="What one NK or PKS achieved: ruang lingkup, activities, obligations, monev, zones",
    responses=responses(401, 404, 422, 429),
)
def agreement_report(
    session: SessionDep,
    today: TodayDep,
    agreement_id: Annotated[int, path_id("Id of the NK or PKS.", 4)],
) -> AgreementReport:
    """One agreement's implementation at a glance: each ruang lingkup item in effect with the
    activities reported for it (realisasi kegiatan; implemented when at least one is reported
    and not rejected), the activities by verification state, the obligations kept (on time or
    late), missed (overdue today), upcoming and waived, its evaluations (monev), and each
    party's compliance results before and after signing (for an SKPD without results of its
    own, those of its government).

    `agreement_id=4` (the seeded PKS of the Kalsel Inspektorat, signed 4 July 2022): its
    government, Pemprov Kalsel, was yellow in 2021 before it and green in 2023 after it.
    """
    return agreement_report_of(session=session, agreement_id=agreement_id, today=today)
