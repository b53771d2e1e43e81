"""Moves through the stages (tahapan) on an agreement's page: start them on a draft, advance,
go back with a reason. Each post is the API operation's service with its access rule (POST
/api/v1/agreements/{id}/stage/start, /stage/advance, /stage/return) through
app/console/forms.py; a refusal shows the page again with the form and why (the missing
documents marked in the list of the stage's documents)."""

from fastapi import Request
from fastapi.responses import Response

from app.console.forms import Done, SentForm, write_router
from app.console.pages.perjanjian_tulis import _agreement_id, _write
from app.console.web import ConsolePost
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.stages import service as stages
from app.stages.schemas import AgreementStagePublic, StageAdvanceIn, StageReturnIn, StageStartIn

router = write_router()


def _now_at(state: AgreementStagePublic) -> str:
    return state.stage.name if state.stage else "tahap berikutnya"


@router.post("/perjanjian/{agreement_id}/tahap/mulai")
def start(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
) -> Response:
    """POST /api/v1/agreements/{id}/stage/start."""
    found = _agreement_id(agreement_id)

    def act() -> Done:
        body = sent.body(StageStartIn, started_on=sent.text("started_on"))
        state = stages.start_stages(
            session=session, agreement_id=found, today=today, started_on=body.started_on
        )
        return Done(f"/perjanjian/{found}#tahapan", f"Tahapan dimulai: {_now_at(state)}.")

    return _write(request, signed, session, today, sent, found, "tahap_mulai", act)


@router.post("/perjanjian/{agreement_id}/tahap/lanjut")
def advance(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
) -> Response:
    """POST /api/v1/agreements/{id}/stage/advance."""
    found = _agreement_id(agreement_id)

    def act() -> Done:
        body = sent.body(StageAdvanceIn, note=sent.text("note"))
        state = stages.advance_stage(
            session=session, agreement_id=found, today=today, note=body.note
        )
        return Done(f"/perjanjian/{found}#tahapan", f"Lanjut ke tahap {_now_at(state)}.")

    return _write(request, signed, session, today, sent, found, "tahap_lanjut", act)


@router.post("/perjanjian/{agreement_id}/tahap/kembali")
def go_back(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
) -> Response:
    """POST /api/v1/agreements/{id}/stage/return."""
    found = _agreement_id(agreement_id)

    def act() -> Done:
        body = sent.body(StageReturnIn, reason=sent.text("reason"))
        state = stages.return_stage(
            session=session, agreement_id=found, today=today, reason=body.reason
        )
        return Done(f"/perjanjian/{found}#tahapan", f"Kembali ke tahap {_now_at(state)}.")

    return _write(request, signed, session, today, sent, found, "tahap_kembali", act)
