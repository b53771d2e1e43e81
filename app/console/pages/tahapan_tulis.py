"""Moves through the stages (tahapan) on an agreement's page: start them on a draft, advance,
go back with a reason. Each post is the API operation's service with its access rule (POST
/api/v1/agreements/{id}/stage/start, /stage/advance, /stage/return) through
app/console/forms.py; a refusal shows the page again with the form and why (the missing
documents marked in the list of the stage's documents)."""

from app.console.forms import Done, write_route, write_router
from app.console.pages.agreement_write import AgreementWrite
from app.stages import service as stages
from app.stages.schemas import AgreementStagePublic, StageAdvanceIn, StageReturnIn, StageStartIn

router = write_router()


def _now_at(state: AgreementStagePublic) -> str:
    return state.stage.name if state.stage else "tahap berikutnya"


@write_route(router, "/perjanjian/{agreement_id}/tahap/mulai", "tahap_mulai")
def start(w: AgreementWrite) -> Done:
    """POST /api/v1/agreements/{id}/stage/start."""
    body = w.sent.body(StageStartIn, started_on=w.sent.text("started_on"))
    state = stages.start_stages(
        session=w.session, agreement_id=w.id, today=w.today, started_on=body.started_on
    )
    return Done(f"/perjanjian/{w.id}#tahapan", f"Tahapan dimulai: {_now_at(state)}.")


@write_route(router, "/perjanjian/{agreement_id}/tahap/lanjut", "tahap_lanjut")
def advance(w: AgreementWrite) -> Done:
    """POST /api/v1/agreements/{id}/stage/advance."""
    body = w.sent.body(StageAdvanceIn, note=w.sent.text("note"))
    state = stages.advance_stage(
        session=w.session, agreement_id=w.id, today=w.today, note=body.note
    )
    return Done(f"/perjanjian/{w.id}#tahapan", f"Lanjut ke tahap {_now_at(state)}.")


@write_route(router, "/perjanjian/{agreement_id}/tahap/kembali", "tahap_kembali")
def go_back(w: AgreementWrite) -> Done:
    """POST /api/v1/agreements/{id}/stage/return."""
    body = w.sent.body(StageReturnIn, reason=w.sent.text("reason"))
    state = stages.return_stage(
        session=w.session, agreement_id=w.id, today=w.today, reason=body.reason
    )
    return Done(f"/perjanjian/{w.id}#tahapan", f"Kembali ke tahap {_now_at(state)}.")
