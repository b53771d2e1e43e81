"""HTTP routes from one NK to many PKS: derive them, and see coverage of the SKPD."""

from typing import Annotated

from fastapi import APIRouter, Body, Query, status

from app.agreements.dependencies import AgreementIdPath
from app.agreements.derivation import coverage_of, derive_pks
from app.agreements.lifecycle import ENDED
from app.agreements.models import AgreementStatus
from app.agreements.schemas import (
    DERIVE_EXAMPLES,
    AgencyCoveragePublic,
    CoveragePublic,
    CoveredPks,
    DerivedPks,
    DeriveIn,
    DeriveResult,
    GovernmentCoveragePublic,
)
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import responses
from app.core.schemas import Day

router = APIRouter(prefix="/api/v1/agreements", tags=["From NK to PKS"])


@router.post(
    "/{agreement_id}/derive",
    response_model=DeriveResult,
    status_code=status.HTTP_201_CREATED,
    summary="Derive one draft PKS per SKPD from an NK",
    responses=responses(404, 409, 422),
)
def derive(
    session: SessionDep,
    today: TodayDep,
    agreement_id: AgreementIdPath,
    derive_in: Annotated[DeriveIn, Body(openapi_examples=DERIVE_EXAMPLES)],
) -> DeriveResult:
    """Create, in one call, a draft PKS between the counterpart and each SKPD, under this NK.

    What the Kalsel staff did 21 times by hand in June 2022. Each PKS copies the chosen items of
    the NK's ruang lingkup (default all), each item keeping a reference to the NK item it came
    from. **All or nothing**: if any organization is unknown, is not under a party of the NK, or
    already holds a live PKS under it, nothing is created and the 422 names every offender.
    """
    pks = derive_pks(session=session, nk_id=agreement_id, derive_in=derive_in, today=today)
    created = [
        # Freshly derived PKS are drafts by definition (not finalized).
        DerivedPks(id=pks_id, organization_id=org, title=title, status=AgreementStatus.draft)
        for pks_id, org, title in pks
    ]
    return DeriveResult(nk_id=agreement_id, count=len(created), created=created)


@router.get(
    "/{agreement_id}/coverage",
    response_model=CoveragePublic,
    summary="Which SKPD hold a PKS under this NK",
    responses=responses(404, 422),
)
def coverage(
    session: SessionDep,
    today: TodayDep,
    agreement_id: AgreementIdPath,
    as_of: Annotated[Day | None, Query(description="Status on this day; default today.")] = None,
) -> CoveragePublic:
    """For each government party of the NK (province, regency, city), each of its SKPD with the
    PKS it holds under this NK and that PKS's status, or none.

    The page the Biro Kerja Sama checks every week: counts per status (`active`,
    `awaiting_signatures`, `draft`, …, `none`), and, once the NK's `pks_due_on` has passed, the
    SKPD still without a signed PKS are marked `overdue`.
    """
    day = as_of or today
    nk, nk_status, governments = coverage_of(session=session, nk_id=agreement_id, as_of=day)
    nk_ended = nk_status in ENDED
    counts: dict[str, int] = {}
    public = []
    for government in governments:
        agencies = []
        for a in government.agencies:
            key = a.status.value if a.status else "none"
            counts[key] = counts.get(key, 0) + 1
            counts["overdue"] = counts.get("overdue", 0) + int(a.overdue)
            agencies.append(
                AgencyCoveragePublic(
                    organization_id=a.organization.id or 0,
                    organization_name=a.organization.name,
                    pks=CoveredPks(
                        id=a.pks_id,
                        status=a.status,
                        signed_on=a.signed_on,
                        warnings=["parent_inactive"] if nk_ended and a.status not in ENDED else [],
                    )
                    if a.pks_id is not None and a.status is not None
                    else None,
                    overdue=a.overdue,
                )
            )
        public.append(
            GovernmentCoveragePublic(
                organization_id=government.organization.id or 0,
                organization_name=government.organization.name,
                agencies=agencies,
            )
        )
    return CoveragePublic(
        nk_id=agreement_id,
        nk_status=nk_status,
        as_of=day,
        pks_due_on=nk.pks_due_on,
        counts=counts,
        governments=public,
    )
