"""Two cron hosts, two replicas: concurrent runs record each reminder once, and never deadlock."""

import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from app.agreements.models import Agreement, AgreementParty
from app.core.config import settings
from app.core.types import utcnow
from app.obligations.models import Obligation
from app.organizations.models import Organization, OrganizationKind
from app.reminders.models import Reminder
from app.reminders.service import run_reminders

pytestmark = pytest.mark.concurrency
AS_OF = date(2026, 11, 23)


@pytest.fixture
def committed_obligations(engine: Engine) -> Any:
    with Session(engine) as session:
        ori = Organization(name="Ombudsman RI (run)", kind=OrganizationKind.state_institution)
        prov = Organization(name="Pemprov (run)", kind=OrganizationKind.provincial_government)
        session.add_all([ori, prov])
        session.flush()
        nk = Agreement(kind="nk", title="NK (run)", finalized_at=utcnow())
        session.add(nk)
        session.flush()
        for position, org in enumerate((ori, prov), start=1):
            session.add(
                AgreementParty(
                    agreement_id=nk.id,
                    organization_id=org.id,
                    position=position,
                    signed_on=date(2021, 10, 28),
                    signature_recorded_at=utcnow(),
                )
            )
        for day in range(40):
            session.add(
                Obligation(
                    agreement_id=nk.id or 0,
                    title=f"Kewajiban {day}",
                    responsible_organization_id=(ori if day % 2 else prov).id or 0,
                    due_on=date(2026, 11, 1 + day % 30),
                    series_start=date(2026, 11, 1),
                )
            )
        session.commit()
        ids = (nk.id, ori.id, prov.id)
    yield ids
    with Session(engine) as session:
        session.execute(delete(Reminder).where(Reminder.agreement_id == ids[0]))
        session.execute(delete(Obligation).where(Obligation.agreement_id == ids[0]))
        session.execute(delete(Agreement).where(col(Agreement.id) == ids[0]))
        session.execute(delete(Organization).where(col(Organization.id).in_(ids[1:])))
        session.commit()


def test_four_runs_at_once_record_each_reminder_once(
    engine: Engine, committed_obligations: Any
) -> None:
    nk_id = committed_obligations[0]
    barrier = threading.Barrier(4)
    results: list[Any] = [None] * 4

    def worker(index: int) -> None:
        with Session(engine) as session:
            barrier.wait()
            try:
                results[index] = run_reminders(
                    session=session, as_of=AS_OF, now=utcnow(), settings=settings
                )
            except Exception as exc:  # noqa: BLE001  (asserted below)
                results[index] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not [r for r in results if isinstance(r, Exception)], results
    with Session(engine) as session:
        reminders = session.exec(select(Reminder).where(Reminder.agreement_id == nk_id)).all()
    keys = [(r.deadline_key, r.point, r.organization_id) for r in reminders]
    assert len(keys) == len(set(keys)) == 40
    assert sum(r.created for r in results) == 40
    # Each reminder was handled (here: no channel) by exactly one run.
    assert sum(r.undeliverable for r in results) == 40
