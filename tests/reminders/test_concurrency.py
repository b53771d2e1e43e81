"""Two cron hosts, two replicas: concurrent runs record each reminder once, and never deadlock."""

from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from app.core.config import settings
from app.core.types import utcnow
from app.obligations import service as obligations
from app.obligations.schemas import ObligationCreate
from app.organizations.models import Organization
from app.reminders.models import Reminder, ReminderStatus
from app.reminders.service import run_reminders
from tests.concurrency import Committed, run_together

pytestmark = pytest.mark.concurrency
AS_OF = date(2026, 11, 23)


def test_four_runs_at_once_record_each_reminder_once(committed: Committed) -> None:
    nk_id = committed.signed_nk("NK (run)")
    with Session(committed.engine) as session:
        for day in range(40):
            obligations.create_obligation(
                session=session,
                agreement_id=nk_id,
                obligation_in=ObligationCreate(
                    title=f"Kewajiban {day}",
                    responsible_organization_id=committed.ori if day % 2 else committed.province,
                    due_on=date(2026, 11, 1 + day % 30),
                ),
                today=AS_OF,
            )

    def job(session: Session) -> Any:
        return run_reminders(
            session=session, as_of=AS_OF, today=AS_OF, now=utcnow(), settings=settings
        )

    results = run_together(committed.engine, [job] * 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    with Session(committed.engine) as session:
        reminders = session.exec(select(Reminder).where(Reminder.agreement_id == nk_id)).all()
    keys = [(r.deadline_key, r.point, r.organization_id) for r in reminders]
    assert len(keys) == len(set(keys)) == 40
    assert sum(r.created for r in results) == 40
    # Each reminder was handled (here: no channel) by exactly one run.
    assert sum(r.undeliverable for r in results) == 40


def test_a_run_sends_nothing_another_run_may_hold_once_its_claim_runs_out(
    committed: Committed, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run A's receiver keeps it past its claim (REMINDER_CLAIM_SECONDS); run B, started then,
    takes the reminders and delivers them. A begins no delivery once its claim has run out, and
    does not overwrite what B recorded: only the reminder A sent and could not record in time
    goes out twice, with the same Idempotency-Key."""
    from http.server import BaseHTTPRequestHandler

    from app.reminders import delivery
    from tests.reminders.test_slow_receivers import answer, receiver

    moment = [0.0]
    monkeypatch.setattr(delivery, "clock", lambda: moment[0])
    start = utcnow()
    run_settings = settings.model_copy(
        update={
            "WEBHOOK_ALLOWED_HOSTS": ["127.0.0.1"],
            "WEBHOOK_CONCURRENCY": 1,
            "WEBHOOK_TIMEOUT_SECONDS": 10,
            "REMINDER_CLAIM_SECONDS": 600,
        }
    )
    keys: list[str] = []
    b_results: list[Any] = []

    def run_at(session: Session, seconds: float) -> Any:
        return run_reminders(
            session=session,
            as_of=AS_OF,
            today=AS_OF,
            now=start + timedelta(seconds=seconds),
            settings=run_settings,
        )

    def on_post(handler: BaseHTTPRequestHandler) -> None:
        keys.append(handler.headers["Idempotency-Key"])
        if len(keys) == 1:  # A's first POST: A is held here past its claim, and B runs
            moment[0] += 700
            with Session(committed.engine) as other:
                b_results.append(run_at(other, 700))
        answer(handler)

    nk_id = committed.signed_nk("NK (claim runs out)")
    with receiver(on_post) as url, Session(committed.engine) as session:
        office = session.get(Organization, committed.office)
        assert office is not None
        office.webhook_url = url
        session.add(office)
        session.commit()
        for day in range(4):
            obligations.create_obligation(
                session=session,
                agreement_id=nk_id,
                obligation_in=ObligationCreate(
                    title=f"Laporan {day}",
                    responsible_organization_id=committed.office,
                    due_on=date(2026, 11, 24 + day),
                ),
                today=AS_OF,
            )
        a = run_at(session, 0)
    assert (a.created, b_results[0].created) == (4, 0)
    assert b_results[0].delivered == 4
    # A's first POST, then B's four; A sent nothing after its claim ran out.
    assert len(keys) == 5 and len(set(keys)) == 4
    assert keys[0] in keys[1:]
    with Session(committed.engine) as session:
        reminders = session.exec(select(Reminder).where(Reminder.agreement_id == nk_id)).all()
    assert {r.status for r in reminders} == {ReminderStatus.delivered}
    assert {r.claimed_until for r in reminders} == {None}
