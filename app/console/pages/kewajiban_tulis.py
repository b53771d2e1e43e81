"""Obligations from an agreement's page: add one (with its recurrence), mark one done. Each post
is the API operation's service with its access rule (POST /api/v1/agreements/{id}/obligations,
POST /api/v1/obligations/{id}/complete), through app/console/forms.py."""

from fastapi import Request
from fastapi.responses import Response

from app.agreements.queries import agreement_public
from app.console.forms import Done, SentForm, write_router
from app.console.pages.perjanjian_tulis import _agreement_id, _write, named
from app.console.web import ConsolePost, ConsoleRefused
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import NotFound
from app.evaluations import service as evaluations
from app.evaluations.schemas import EvaluationCreate
from app.labels import day_text, label, number_text
from app.obligations import service as obligations
from app.obligations.schemas import CompleteIn, ObligationCreate

router = write_router()


@router.post("/perjanjian/{agreement_id}/kewajiban")
def add_obligation(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
) -> Response:
    """POST /api/v1/agreements/{id}/obligations."""
    found = _agreement_id(agreement_id)

    def act() -> Done:
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
            session=session, agreement_id=found, obligation_in=body, today=today
        )
        made = obligations.get_obligation(session=session, obligation_id=obligation_id, today=today)
        agreement = agreement_public(session=session, agreement_id=found, today=today)
        repeat = "" if made.recurrence.value == "none" else f" ({label(made.recurrence).lower()})"
        return Done(
            f"/perjanjian/{found}#kewajiban",
            f"Kewajiban “{made.title}”{repeat} dicatat pada {named(agreement)}: "
            f"{made.responsible_organization_name}, jatuh tempo {day_text(made.due_on)}.",
        )

    return _write(request, signed, session, today, sent, found, "kewajiban_baru", act)


@router.post("/perjanjian/{agreement_id}/kewajiban/{obligation_id}/selesai")
def complete_obligation(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
    obligation_id: str,
) -> Response:
    """POST /api/v1/obligations/{id}/complete (its editor: one of its agreement's)."""
    found = _agreement_id(agreement_id)
    owed = _agreement_id(obligation_id)
    try:
        current = obligations.get_obligation(session=session, obligation_id=owed, today=today)
    except NotFound as missing:
        raise ConsoleRefused(404, "Kewajiban ini tidak ada.") from missing
    if current.agreement_id != found:
        raise ConsoleRefused(404, "Kewajiban ini tidak ada pada perjanjian ini.")

    def act() -> Done:
        body = sent.body(CompleteIn, completed_on=sent.text("completed_on"), note=sent.text("note"))
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
        return Done(f"/perjanjian/{found}#kewajiban", message)

    return _write(request, signed, session, today, sent, found, f"selesai_{owed}", act)


@router.post("/perjanjian/{agreement_id}/monev")
def record_evaluation(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
) -> Response:
    """POST /api/v1/agreements/{id}/evaluations: the monev of one year or half-year."""
    found = _agreement_id(agreement_id)

    def act() -> Done:
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
            session=session, agreement_id=found, evaluation_in=body, today=today
        )
        return Done(
            f"/perjanjian/{found}#monev",
            f"Evaluasi (monev) {made.period} dicatat: nilai {number_text(made.score)}, "
            f"rekomendasi {label(made.recommendation).lower()}.",
        )

    return _write(request, signed, session, today, sent, found, "monev", act)
