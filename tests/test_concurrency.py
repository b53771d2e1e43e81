"""Two staff (or two replicas) at the same moment: real connections, committed data, threads."""

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from app.agreements import service
from app.agreements.models import Agreement, AgreementParty
from app.agreements.schemas import AgreementCreate, AgreementUpdate
from app.core.errors import AppError
from app.organizations.models import Organization, OrganizationKind
from tests.conftest import TODAY

pytestmark = pytest.mark.concurrency


@pytest.fixture
def committed_parties(engine: Engine) -> Iterator[tuple[int, int]]:
    """Two committed organizations; everything that refers to them is removed afterwards."""
    with Session(engine) as session:
        ori = Organization(
            name="Ombudsman RI (concurrency)", kind=OrganizationKind.state_institution
        )
        prov = Organization(
            name="Pemprov (concurrency)", kind=OrganizationKind.provincial_government
        )
        session.add_all([ori, prov])
        session.commit()
        ids = (ori.id or 0, prov.id or 0)
    yield ids
    with Session(engine) as session:
        agreement_ids = select(AgreementParty.agreement_id).where(
            col(AgreementParty.organization_id).in_(ids)
        )
        session.execute(delete(Agreement).where(col(Agreement.id).in_(agreement_ids)))
        session.execute(delete(Organization).where(col(Organization.id).in_(ids)))
        session.commit()


def run_together(engine: Engine, jobs: list[Callable[[Session], Any]]) -> list[Any]:
    """Run each job in its own thread and session, released at the same moment."""
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
        thread.join(timeout=60)
    return results


def nk(ori: int, prov: int, title: str, number: str | None = None) -> AgreementCreate:
    return AgreementCreate.model_validate(
        {
            "kind": "nk",
            "title": title,
            "parties": [
                {"organization_id": ori},
                {"organization_id": prov, "document_number": number},
            ],
        }
    )


def test_two_edits_of_the_same_version_never_overwrite_each_other(
    engine: Engine, committed_parties: tuple[int, int]
) -> None:
    ori, prov = committed_parties
    with Session(engine) as session:
        agreement_id = service.create_agreement(session=session, agreement_in=nk(ori, prov, "NK"))

    def edit(text: str) -> Callable[[Session], Any]:
        update = AgreementUpdate(version=1, description=text)
        return lambda s: service.update_agreement(
            session=s, agreement_id=agreement_id, agreement_in=update, today=TODAY
        )

    results = run_together(engine, [edit(f"staf {i}") for i in range(4)])
    winners = [i for i, r in enumerate(results) if r is None]
    assert len(winners) == 1, results
    assert all(isinstance(r, AppError) and r.status == 409 for r in results if r is not None)
    with Session(engine) as session:
        saved = session.get(Agreement, agreement_id)
        assert saved is not None
        assert (saved.version, saved.description) == (2, f"staf {winners[0]}")


def test_the_same_number_registered_twice_at_once_is_kept_once(
    engine: Engine, committed_parties: tuple[int, int]
) -> None:
    ori, prov = committed_parties
    jobs: list[Callable[[Session], Any]] = [
        (
            lambda s, i=i: service.create_agreement(
                session=s, agreement_in=nk(ori, prov, f"NK {i}", "053/NK-PEMOTDA/2021")
            )
        )
        for i in range(4)
    ]
    results = run_together(engine, jobs)
    created = [r for r in results if isinstance(r, int)]
    assert len(created) == 1, results
    with Session(engine) as session:
        holders = session.exec(
            select(AgreementParty).where(AgreementParty.document_number == "053/NK-PEMOTDA/2021")
        ).all()
        assert [h.agreement_id for h in holders] == created
