"""Two cron hosts, two replicas: concurrent runs record each reminder once, and never deadlock."""

from datetime import date
from typing import Any

import pytest
from sqlmodel import Session, select

from app.core.config import settings
from app.core.types import utcnow
from app.obligations import service as obligations
from app.obligations.schemas import ObligationCreate
from app.reminders.models import Reminder
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
