"""Shared for concurrency tests: committed data built through the services, and threads that
start at the same moment on their own connections."""

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from app.activities.models import Activity, ActivityScopeItem
from app.agreements import lifecycle, service
from app.agreements.models import Agreement, AgreementEvent, AgreementParty
from app.agreements.schemas import AgreementCreate, SignatureIn
from app.audit.models import AuditEvent
from app.documents.models import AgreementDocument
from app.obligations.models import Obligation
from app.organizations.models import Organization, OrganizationKind
from app.reminders.models import Reminder
from tests.conftest import TODAY
from tests.facts import assert_stored_facts_agree


def run_together(engine: Engine, jobs: list[Callable[[Session], Any]]) -> list[Any]:
    """Run each job in its own thread and session, released at the same moment; each result
    is the job's return value or the exception it raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def worker(index: int) -> None:
        with Session(engine) as session:
            barrier.wait()
            try:
                results[index] = jobs[index](session)
            except Exception as exc:  # noqa: BLE001  (the outcome is what we assert on)
                session.rollback()
                results[index] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@dataclass
class Committed:
    """Committed organizations (Ombudsman RI, its Perwakilan, a province and two SKPD)."""

    engine: Engine
    ori: int
    office: int
    province: int
    agencies: list[int]

    def nk(
        self, title: str, number: str | None = None, scope: tuple[str, ...] = ()
    ) -> AgreementCreate:
        return AgreementCreate.model_validate(
            {
                "kind": "nk",
                "title": title,
                "parties": [
                    {"organization_id": self.ori},
                    {"organization_id": self.province, "document_number": number},
                ],
                "scope_items": [{"title": item} for item in scope],
            }
        )

    def signed_nk(
        self, title: str, on: date = date(2021, 10, 28), scope: tuple[str, ...] = ()
    ) -> int:
        """An NK signed by both parties, through the services."""
        with Session(self.engine) as session:
            nk_id = service.create_agreement(
                session=session, agreement_in=self.nk(title, scope=scope), today=TODAY
            )
            lifecycle.finalize_agreement(session=session, agreement_id=nk_id, today=TODAY)
            for org in (self.ori, self.province):
                lifecycle.sign_agreement(
                    session=session,
                    agreement_id=nk_id,
                    signature=SignatureIn(organization_id=org, signed_on=on),
                    today=TODAY,
                )
        return nk_id


@pytest.fixture
def committed(engine: Engine, request: pytest.FixtureRequest) -> Iterator[Committed]:
    """Committed organizations; everything that refers to them is removed afterwards, once the
    stored signature facts have been checked against the party rows."""
    tag = request.node.name[:60]
    with Session(engine) as session:
        ori = Organization(name=f"Ombudsman RI ({tag})", kind=OrganizationKind.state_institution)
        province = Organization(
            name=f"Pemprov ({tag})", kind=OrganizationKind.provincial_government
        )
        session.add_all([ori, province])
        session.flush()
        office = Organization(
            name=f"Perwakilan ({tag})",
            kind=OrganizationKind.regional_office,
            parent_id=ori.id,
            region_id=province.id,
        )
        agencies = [
            Organization(
                name=f"Dinas {i} ({tag})",
                kind=OrganizationKind.regional_agency,
                parent_id=province.id,
            )
            for i in range(2)
        ]
        session.add_all([office, *agencies])
        session.commit()
        world = Committed(
            engine, ori.id or 0, office.id or 0, province.id or 0, [a.id or 0 for a in agencies]
        )
    ids = [world.ori, world.office, world.province, *world.agencies]
    yield world
    with Session(engine) as session:
        assert_stored_facts_agree(session)
        agreement_ids = list(
            session.exec(
                select(AgreementParty.agreement_id).where(
                    col(AgreementParty.organization_id).in_(ids)
                )
            )
        )
        obligation_ids = list(
            session.exec(
                select(Obligation.id).where(col(Obligation.agreement_id).in_(agreement_ids))
            )
        )
        session.execute(
            delete(AuditEvent).where(
                (
                    (col(AuditEvent.subject_type) == "organization")
                    & col(AuditEvent.subject_id).in_(ids)
                )
                | (
                    (col(AuditEvent.subject_type) == "obligation")
                    & col(AuditEvent.subject_id).in_(obligation_ids)
                )
            )
        )
        activity_ids = list(
            session.exec(select(Activity.id).where(col(Activity.agreement_id).in_(agreement_ids)))
        )
        session.execute(
            delete(AuditEvent).where(
                col(AuditEvent.subject_type) == "activity",
                col(AuditEvent.subject_id).in_(activity_ids),
            )
        )
        session.execute(
            delete(ActivityScopeItem).where(col(ActivityScopeItem.activity_id).in_(activity_ids))
        )
        session.execute(delete(Activity).where(col(Activity.id).in_(activity_ids)))
        for table in (Reminder, Obligation, AgreementDocument, AgreementEvent):
            session.execute(delete(table).where(col(table.agreement_id).in_(agreement_ids)))
        # Children first: PKS and amendments refer to their NK.
        session.execute(
            delete(Agreement).where(
                col(Agreement.id).in_(agreement_ids),
                col(Agreement.parent_id).is_not(None) | col(Agreement.amends_id).is_not(None),
            )
        )
        session.execute(delete(Agreement).where(col(Agreement.id).in_(agreement_ids)))
        session.execute(delete(Organization).where(col(Organization.id).in_(ids[1:2] + ids[3:])))
        session.execute(delete(Organization).where(col(Organization.id).in_(ids[0:3:2])))
        session.commit()
