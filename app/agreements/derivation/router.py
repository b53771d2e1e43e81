"""HTTP routes from one NK to many PKS: derive them, and see coverage of the SKPD."""

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, status
from fastapi.responses import Response, StreamingResponse

from app.agreements.dependencies import NkIdPath
from app.agreements.derivation.exports import coverage_sheet as coverage_sheet_download
from app.agreements.derivation.schemas import (
    DERIVE_EXAMPLES,
    CoveragePublic,
    DeriveIn,
    DeriveResult,
)
from app.agreements.derivation.service import coverage_of, derive_pks
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import responses
from app.core.responses import json_response
from app.core.schemas import Day
from app.core.sheets import ExportFormat, export_responses
from app.idempotency.route import IdempotentRoute
from app.users.access import require_derive_editor
from app.users.auth import CallerDep

router = APIRouter(
    prefix="/api/v1/agreements", tags=["From NK to PKS"], route_class=IdempotentRoute
)


@router.post(
    "/{agreement_id}/derive",
    response_model=DeriveResult,
    status_code=status.HTTP_201_CREATED,
    summary="Derive one draft PKS per SKPD from an NK",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def derive(
    session: SessionDep,
    caller: CallerDep,
    today: TodayDep,
    agreement_id: NkIdPath,
    derive_in: Annotated[DeriveIn, Body(openapi_examples=DERIVE_EXAMPLES)],
) -> DeriveResult:
    """Create, in one call, a draft PKS between the counterpart and each SKPD, under this NK.

    What the Kalsel staff did 21 times by hand in June 2022. Each PKS copies the chosen items of
    the NK's ruang lingkup (default all), each item keeping a reference to the NK item it came
    from. **All or nothing**: if any organization is unknown, is not under a party of the NK,
    already holds a live PKS under it, or would get a title over 500 characters, nothing is
    created and the 422 names every offender.

    `drafted_on` (tanggal penyusunan draft; default today) dates the drafts when they are
    entered after the fact, e.g. `2022-07-04` for PKS drafted on the morning of the Kalsel
    signing; not in the future (422 `dates-of-record-order`).
    """
    require_derive_editor(
        session,
        caller,
        counterpart_id=derive_in.counterpart_organization_id,
        organization_ids=derive_in.organization_ids,
    )
    return derive_pks(session=session, nk_id=agreement_id, derive_in=derive_in, today=today)


@router.get(
    "/{agreement_id}/coverage",
    response_model=CoveragePublic,
    summary="Which SKPD hold a PKS under this NK",
    responses=responses(401, 404, 422, 429),
)
def coverage(
    session: SessionDep,
    today: TodayDep,
    agreement_id: NkIdPath,
    as_of: Annotated[
        Day | None,
        Query(
            description="As things stood on this day, by the dates of record staff give, never "
            "by when records were entered: a PKS drafted later (`drafted_on`) is absent, one "
            "finalised later (`finalized_on`, tanggal finalisasi) is still a draft, signatures "
            "dated later do not count. `2022-07-03` on the seeded Kalsel NK: the 21 PKS await "
            "their signatures; `2022-06-14`: none yet. Default today.",
            examples=["2022-07-03"],
        ),
    ] = None,
) -> Response:
    """For each government party of the NK (province, regency, city), each of its SKPD with the
    PKS it holds under this NK and that PKS's status, or none.

    The page the Biro Kerja Sama checks every week: counts per status (`active`,
    `awaiting_signatures`, `draft`, …, `none`), and, once the NK's `pks_due_on` has passed, the
    SKPD still without a signed PKS are marked `overdue`. Every PKS an SKPD holds or held under
    the NK is listed in `agreements`.

    With `as_of`, the same as it stood on a past day, read from the dates of record
    (`drafted_on`, `finalized_on`, each `signed_on`), so that agreements entered after the fact
    keep their past.
    """
    found = coverage_of(session=session, nk_id=agreement_id, as_of=as_of or today, today=today)
    return json_response(found)  # built validated: not validated and dumped twice more


@router.get(
    "/{agreement_id}/coverage.{export_format}",
    response_class=StreamingResponse,
    summary="The coverage sheet of an NK, in Excel (.xlsx) or CSV",
    responses={
        **export_responses("One row per SKPD of each government party."),
        **responses(401, 404, 422, 429),
    },
)
def coverage_sheet(
    session: SessionDep,
    today: TodayDep,
    agreement_id: NkIdPath,
    export_format: Annotated[
        ExportFormat,
        Path(description="`xlsx` (Excel) or `csv` (UTF-8 with a BOM).", examples=["xlsx"]),
    ],
    as_of: Annotated[
        Day | None, Query(description="As in the coverage: the registry as of this day.")
    ] = None,
) -> StreamingResponse:
    """The weekly coverage sheet of the Biro Kerja Sama: for each SKPD of each government party
    of the NK, the PKS it holds under it, that PKS's status and signing date, and whether it is
    overdue (the NK's `pks_due_on` has passed and it holds no signed PKS). The same facts as
    `GET .../coverage`, one row per SKPD; `1/coverage.xlsx` is the Kalsel sheet of 22 SKPD.
    In Excel a title row above the header names the NK by its numbers and the day the sheet
    shows ("Cakupan PKS di bawah NK 30/ORI-MoU/X/2021 dan 053/NK-PEMOTDA/2021 — … — keadaan per
    3 Juli 2022"); the CSV starts with the header, for the programs that read it."""
    return coverage_sheet_download(
        session=session,
        nk_id=agreement_id,
        as_of=as_of or today,
        today=today,
        export_format=export_format,
    )
