"""Obligations from an agreement's page: add one (with its recurrence), mark one done. Each post
is the API operation's service with its access rule (POST /api/v1/agreements/{id}/obligations,
POST /api/v1/obligations/{id}/complete), through app/console/forms.py."""

from fastapi.responses import Response

from app.agreements.queries import agreement_public
from app.console.forms import Done, write_route, write_router
from app.console.pages.agreement_write import AgreementWrite, ObligationId, named
from app.console.web import ConsoleRefused
from app.core.errors import NotFound
from app.evaluations import service as evaluations
from app.evaluations.schemas import EvaluationCreate
from app.labels import day_text, label, number_text
from app.obligations import service as obligations
from app.obligations.schemas import CompleteIn, ObligationCreate

router = write_router()


@write_route(router, "/perjanjian/{agreement_id}/kewajiban", "kewajiban_baru")
def add_obligation(w: AgreementWrite) -> Done:
    """POST /api/v1/agreements/{id}/obligations."""
    sent = w.sent
    body = sent.body(
        ObligationCreate,
        title=sent.text("title"),
        description=sent.text("description"),
        responsible_organization_id=sent.id("responsible_organization_id"),
        due_on=sent.text("due_on"),
        recurrence=sent.text("recurrence") or "none",
        repeat_until=sent.text("repeat_until"),
        scope_item_id=sent.id("scope_item_id"),
    )
    obligation_id = obligations.create_obligation(
        session=w.session, agreement_id=w.id, obligation_in=body, today=w.today
    )
    made = obligations.get_obligation(session=w.session, obligation_id=obligation_id, today=w.today)
    agreement = agreement_public(session=w.session, agreement_id=w.id, today=w.today)
    repeat = "" if made.recurrence.value == "none" else f" ({label(made.recurrence).lower()})"
    return Done(
        f"/perjanjian/{w.id}#kewajiban",
        f"Kewajiban “{made.title}”{repeat} dicatat pada {named(agreement)}: "
        f"{made.responsible_organization_name}, jatuh tempo {day_text(made.due_on)}.",
    )


@router.post("/perjanjian/{agreement_id}/kewajiban/{obligation_id}/selesai")
def complete_obligation(w: AgreementWrite, owed: ObligationId) -> Response:
    """POST /api/v1/obligations/{id}/complete (its editor: one of its agreement's)."""
    session, today = w.session, w.today
    try:
        current = obligations.get_obligation(session=session, obligation_id=owed, today=today)
    except NotFound as missing:
        raise ConsoleRefused(404, "Kewajiban ini tidak ada.") from missing
    if current.agreement_id != w.id:
        raise ConsoleRefused(404, "Kewajiban ini tidak ada pada perjanjian ini.")

    def act() -> Done:
        body = w.sent.body(
            CompleteIn, completed_on=w.sent.text("completed_on"), note=w.sent.text("note")
        )
        obligations.complete_obligation(
            session=session, obligation_id=owed, complete_in=body, today=today
        )
        done = obligations.get_obligation(session=session, obligation_id=owed, today=today)
        message = f"Kewajiban “{done.title}” ditandai selesai pada {day_text(body.completed_on)}."
        if done.next_id is not None:
            following = obligations.get_obligation(
                session=session, obligation_id=done.next_id, today=today
            )
            message += f" Berikutnya jatuh tempo {day_text(following.due_on)}."
        return Done(f"/perjanjian/{w.id}#kewajiban", message)

    return w.submit(f"selesai_{owed}", act)


@write_route(router, "/perjanjian/{agreement_id}/monev", "monev")
def record_evaluation(w: AgreementWrite) -> Done:
    """POST /api/v1/agreements/{id}/evaluations: the monev of one year or half-year."""
    sent = w.sent
    body = sent.body(
        EvaluationCreate,
        period=sent.text("period"),
        score=sent.number("score"),
        findings=sent.text("findings"),
        obstacles=sent.text("obstacles"),
        follow_up=sent.text("follow_up"),
        recommendation=sent.text("recommendation"),
    )
    made = evaluations.create_evaluation(
        session=w.session, agreement_id=w.id, evaluation_in=body, today=w.today
    )
    return Done(
        f"/perjanjian/{w.id}#monev",
        f"Evaluasi (monev) {made.period} dicatat: nilai {number_text(made.score)}, "
        f"rekomendasi {label(made.recommendation).lower()}.",
    )
