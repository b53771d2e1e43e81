"""HTTP routes of the stages (tahapan): their configuration, and an agreement's moves."""

from typing import Annotated

from fastapi import APIRouter, Body, Path

from app.agreements.dependencies import AgreementIdPath, ExistingAgreementId
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import responses
from app.idempotency.route import IdempotentRoute
from app.stages import service
from app.stages.models import CODE_MAX
from app.stages.schemas import (
    STAGE_UPDATE_EXAMPLES,
    AgreementStagePublic,
    StageAdvanceIn,
    StageDefinitionPublic,
    StageDefinitionUpdate,
    StageReturnIn,
    StageStartIn,
)
from app.users.access import AdminCaller, AgreementEditor

TAG = "Stages before the draft"
router = APIRouter(prefix="/api/v1", tags=[TAG], route_class=IdempotentRoute)

StageCodePath = Annotated[
    str,
    Path(
        description="Code of the stage: `penjajakan`, `perundingan`, `penyusunan_rancangan`, "
        "`finalisasi` or `penandatanganan`.",
        pattern=r"^[a-z_]+$",
        min_length=1,
        max_length=CODE_MAX,
        examples=["penjajakan"],
    ),
]
NOT_TRACKED = (
    "The seeded agreements are signed already: they do not go through the stages (409 here)"
)


@router.get(
    "/stages",
    response_model=list[StageDefinitionPublic],
    summary="List the stages (tahapan) and what each requires",
    responses=responses(401, 429),
)
def list_stages(session: SessionDep) -> list[StageDefinitionPublic]:
    """The stages an agreement goes through, in order (Peraturan Ombudsman RI 55/2022):
    penjajakan, perundingan, penyusunan rancangan naskah, then finalisasi draf and
    penandatanganan. Each with its time limit per kind (batas waktu: by default 30 days for an
    NK, 45 for a PKS, 21 for an adendum; a warning 2 days before) and the document types
    required before it is left (dokumen wajib: surat permohonan, KAK atau studi kelayakan,
    profil, legal standing, rancangan naskah, surat kuasa)."""
    return service.list_definitions(session=session)


@router.patch(
    "/stages/{stage_code}",
    response_model=StageDefinitionPublic,
    summary="Change a stage's time limits or required documents (admins)",
    responses=responses(401, 403, 404, 422, 429),
)
def update_stage(
    session: SessionDep,
    _admin: AdminCaller,
    stage_code: StageCodePath,
    body: Annotated[StageDefinitionUpdate, Body(openapi_examples=STAGE_UPDATE_EXAMPLES)],
) -> StageDefinitionPublic:
    """Set a stage's name, whether it is used (a stage before the draft may be switched off;
    finalisasi and penandatanganan may not), its time limit per kind (batas waktu), the warning
    before it, and the document types required per kind (dokumen wajib). Recorded in the
    audit history. Agreements in the stage are held to the new rules from now on."""
    return service.update_definition(session=session, code=stage_code, update=body)


@router.get(
    "/agreements/{agreement_id}/stage",
    response_model=AgreementStagePublic,
    summary="Where an agreement stands in the stages",
    responses=responses(401, 404, 422, 429),
)
def agreement_stage(
    session: SessionDep, today: TodayDep, agreement_id: ExistingAgreementId
) -> AgreementStagePublic:
    """The agreement's current stage (tahap), since when, its time limit and days left
    (sisa waktu; `warning` from 2 days before, `overdue` after), the documents the stage
    requires, present or missing, and the stages done and ahead. An agreement recorded after
    the fact is not tracked (`tracked` false): nothing is asked of it."""
    return service.stage_state(session=session, agreement_id=agreement_id, today=today)


@router.post(
    "/agreements/{agreement_id}/stage/start",
    response_model=AgreementStagePublic,
    summary="Start the stages of a draft (penjajakan)",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def start_stages(
    session: SessionDep,
    _editor: AgreementEditor,
    today: TodayDep,
    agreement_id: AgreementIdPath,
    body: Annotated[
        StageStartIn | None,
        Body(
            openapi_examples={
                "began": {
                    "summary": NOT_TRACKED,
                    "x-expected-status": 409,
                    "value": {"started_on": "2022-05-02"},
                }
            }
        ),
    ] = None,
) -> AgreementStagePublic:
    """Put a draft at the first stage (penjajakan, unless switched off) from `started_on`
    (default today): from then on it leaves each stage only with the documents the stage
    requires, and an overrun stage is a deadline with reminders. Only a draft (409), once
    (409)."""
    return service.start_stages(
        session=session,
        agreement_id=agreement_id,
        today=today,
        started_on=body.started_on if body else None,
    )


@router.post(
    "/agreements/{agreement_id}/stage/advance",
    response_model=AgreementStagePublic,
    summary="Advance to the next stage (lanjut ke tahap berikutnya)",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def advance_stage(
    session: SessionDep,
    _editor: AgreementEditor,
    today: TodayDep,
    agreement_id: AgreementIdPath,
    body: Annotated[
        StageAdvanceIn | None,
        Body(
            openapi_examples={
                "agreed": {
                    "summary": NOT_TRACKED,
                    "x-expected-status": 409,
                    "value": {"note": "Para pihak sepakat melanjutkan ke perundingan."},
                }
            }
        ),
    ] = None,
) -> AgreementStagePublic:
    """Leave the current stage before the draft for the next one: penjajakan → perundingan →
    penyusunan rancangan naskah → finalisasi draf. Refused (422 `stage-documents-missing`)
    while a document the stage requires is missing: `errors` names each missing document
    type. Finalisasi is left by POST …/finalize, penandatanganan by the last signature (409
    here). Recorded in the agreement's history."""
    return service.advance_stage(
        session=session, agreement_id=agreement_id, today=today, note=body.note if body else None
    )


@router.post(
    "/agreements/{agreement_id}/stage/return",
    response_model=AgreementStagePublic,
    summary="Go back to the previous stage, with a reason",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def return_stage(
    session: SessionDep,
    _editor: AgreementEditor,
    today: TodayDep,
    agreement_id: AgreementIdPath,
    body: Annotated[
        StageReturnIn,
        Body(
            openapi_examples={
                "renegotiate": {
                    "summary": NOT_TRACKED,
                    "x-expected-status": 409,
                    "value": {"reason": "Ruang lingkup perlu dirundingkan ulang."},
                }
            }
        ),
    ],
) -> AgreementStagePublic:
    """Go back one stage before the draft (kembali ke tahap sebelumnya), e.g. from penyusunan
    rancangan naskah to perundingan when the text needs negotiating again; the reason (alasan)
    is kept in the history. Not before the first stage, nor after finalisasi draf (reopen the
    agreement instead): 409."""
    return service.return_stage(
        session=session, agreement_id=agreement_id, today=today, reason=body.reason
    )
