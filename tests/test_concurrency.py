"""Two staff (or two replicas) at the same moment: real connections, committed data, threads."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.activities.models import Activity
from app.activities.schemas import ActivityCreate, ActivityPublic
from app.activities.service import create_activity
from app.agreements import service
from app.agreements.models import Agreement, AgreementParty, ScopeItem
from app.agreements.schemas import AgreementCreate, AgreementUpdate
from app.core.errors import AppError, RuleViolation
from app.evaluations.models import Evaluation, Recommendation
from app.evaluations.schemas import EvaluationCreate, EvaluationPublic
from app.evaluations.service import create_evaluation
from app.imports.schemas import ImportReport
from app.imports.service import import_register
from app.obligations.models import Obligation, Recurrence
from app.obligations.schemas import ObligationCreate
from app.obligations.service import create_obligation
from app.users.auth import Caller
from app.users.models import Role
from tests.concurrency import Committed, run_together
from tests.conftest import TODAY

pytestmark = pytest.mark.concurrency


def test_two_edits_of_the_same_version_never_overwrite_each_other(committed: Committed) -> None:
    with Session(committed.engine) as session:
        agreement_id = service.create_agreement(
            session=session, agreement_in=committed.nk("NK"), today=TODAY
        )

    def edit(text: str) -> Callable[[Session], Any]:
        update = AgreementUpdate(version=1, description=text)
        return lambda s: service.update_agreement(
            session=s, agreement_id=agreement_id, agreement_in=update, today=TODAY
        )

    results = run_together(committed.engine, [edit(f"staf {i}") for i in range(4)])
    winners = [i for i, r in enumerate(results) if r is None]
    assert len(winners) == 1, results
    assert all(isinstance(r, AppError) and r.status == 409 for r in results if r is not None)
    with Session(committed.engine) as session:
        saved = session.get(Agreement, agreement_id)
        assert saved is not None
        assert (saved.version, saved.description) == (2, f"staf {winners[0]}")


def test_the_same_number_registered_twice_at_once_is_kept_once(committed: Committed) -> None:
    def register(i: int) -> Callable[[Session], Any]:
        def job(s: Session) -> int:
            return service.create_agreement(
                session=s,
                agreement_in=committed.nk(f"NK {i}", "053/NK-PEMOTDA/2021"),
                today=TODAY,
            )

        return job

    jobs = [register(i) for i in range(4)]
    results = run_together(committed.engine, jobs)
    created = [r for r in results if isinstance(r, int)]
    assert len(created) == 1, results
    with Session(committed.engine) as session:
        holders = session.exec(
            select(AgreementParty).where(AgreementParty.document_number == "053/NK-PEMOTDA/2021")
        ).all()
        assert [h.agreement_id for h in holders] == created


def test_two_pks_for_one_skpd_at_once_leave_one(committed: Committed) -> None:
    nk_id = committed.signed_nk("NK Kalsel")
    pks = AgreementCreate.model_validate(
        {
            "kind": "pks",
            "title": "PKS Dinas",
            "parent_id": nk_id,
            "parties": [
                {"organization_id": committed.office},
                {"organization_id": committed.agencies[0]},
            ],
        }
    )
    results = run_together(
        committed.engine,
        [lambda s: service.create_agreement(session=s, agreement_in=pks, today=TODAY)] * 4,
    )
    created = [r for r in results if isinstance(r, int)]
    assert len(created) == 1, results
    assert all(isinstance(r, AppError) and r.status == 409 for r in results if r not in created)
    with Session(committed.engine) as session:
        held = session.exec(select(Agreement.id).where(Agreement.parent_id == nk_id)).all()
    assert list(held) == created


def test_two_posts_with_one_idempotency_key_at_once_create_one_agreement(
    committed: Committed, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from fastapi.testclient import TestClient
    from sqlalchemy import delete

    from app.main import app
    from app.users import service as users
    from app.users.models import Role, User
    from app.users.schemas import ApiKeyCreate, UserCreate

    with Session(committed.engine) as session:
        user = users.create_user(
            session=session,
            user_in=UserCreate(name="Admin", email="admin@idem.go.id", role=Role.admin),
        )
        key = users.issue_key(
            session=session, user_id=user.id, key_in=ApiKeyCreate(name="k"), today=TODAY
        ).key

    # The application's own per-request sessions, on the test database.
    monkeypatch.setattr("app.core.db.engine", committed.engine)
    body = committed.nk("NK sekali saja").model_dump(mode="json")
    barrier = threading.Barrier(2)
    answers: list[Any] = []

    def post() -> None:
        with TestClient(app) as client:
            barrier.wait()
            try:
                answers.append(
                    client.post(
                        "/api/v1/agreements",
                        json=body,
                        headers={"X-API-Key": key, "Idempotency-Key": "sekali"},
                    )
                )
            except Exception as exc:  # noqa: BLE001  (asserted below)
                answers.append(exc)

    try:
        threads = [threading.Thread(target=post) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        app.dependency_overrides.clear()
    with Session(committed.engine) as session:
        made = session.exec(select(Agreement).where(Agreement.title == "NK sekali saja")).all()
        session.execute(delete(User).where(User.id == user.id))  # type: ignore[arg-type]
        session.commit()
    assert len(made) == 1
    assert not [a for a in answers if isinstance(a, Exception)], answers
    statuses = sorted(a.status_code for a in answers)
    assert statuses in ([201, 201], [201, 409]), [a.text for a in answers]


def test_one_register_imported_twice_at_once_creates_its_agreement_once(
    committed: Committed,
) -> None:
    number = f"NK/{committed.province}/IMPORT"
    register = "\r\n".join(
        [
            "Kode;Jenis;Judul;Pihak;Nomor;Tanggal tanda tangan",
            f"NK-1;NK;NK impor;#{committed.ori};;2021-10-28",
            f"NK-1;;;#{committed.province};{number};2021-10-28",
        ]
    ).encode()

    def job(session: Session) -> Any:
        return import_register(
            session=session,
            content=register,
            filename="register.csv",
            today=TODAY,
            caller=None,
            commit=True,
        )

    results = run_together(committed.engine, [job, job, job])
    created = [r for r in results if isinstance(r, ImportReport) and r.agreements.create == 1]
    assert len(created) == 1, results
    for other in results:
        if other is created[0]:
            continue
        # Either it ran after the first and found the agreement, or it met the first's row in
        # the unique index and was refused whole.
        assert (isinstance(other, ImportReport) and other.agreements.exists == 1) or (
            isinstance(other, RuleViolation) and other.type_slug == "import-refused"
        ), other
    with Session(committed.engine) as session:
        found = session.exec(
            select(AgreementParty).where(AgreementParty.document_number == number)
        ).all()
        assert len(found) == 1


def test_one_period_evaluated_twice_at_once_is_kept_once(committed: Committed) -> None:
    nk_id = committed.signed_nk("NK monev")
    evaluation = EvaluationCreate(
        period="2025", score=3, findings="Berjalan.", recommendation=Recommendation.continue_
    )

    def job(session: Session) -> Any:
        return create_evaluation(
            session=session, agreement_id=nk_id, evaluation_in=evaluation, today=TODAY
        )

    results = run_together(committed.engine, [job, job, job])
    assert len([r for r in results if isinstance(r, EvaluationPublic)]) == 1, results
    with Session(committed.engine) as session:
        kept = session.exec(select(Evaluation).where(Evaluation.agreement_id == nk_id)).all()
        assert len(kept) == 1
        session.execute(delete(Evaluation).where(col(Evaluation.agreement_id) == nk_id))
        session.commit()


def test_one_obligation_fulfilled_by_reports_at_once_is_completed_once(
    committed: Committed,
) -> None:
    nk_id = committed.signed_nk("NK kegiatan", scope=("Sosialisasi standar pelayanan",))
    with Session(committed.engine) as session:
        owed = create_obligation(
            session=session,
            agreement_id=nk_id,
            obligation_in=ObligationCreate(
                title="Sosialisasi triwulanan",
                responsible_organization_id=committed.province,
                due_on=date(2026, 12, 31),
                recurrence=Recurrence.quarterly,
            ),
            today=TODAY,
        )
        [item] = session.exec(select(ScopeItem.id).where(ScopeItem.agreement_id == nk_id)).all()
    admin = Caller(id=0, name="admin", role=Role.admin, organization_id=None)

    def job(i: int) -> Callable[[Session], Any]:
        report = ActivityCreate(
            title=f"Sosialisasi {i}",
            held_on=date(2026, 11, 2),
            description="Sosialisasi kepada petugas layanan.",
            scope_item_ids=[item or 0],
            organization_id=committed.province,
            obligation_id=owed,
        )
        return lambda s: create_activity(
            session=s, caller=admin, agreement_id=nk_id, activity_in=report, today=TODAY
        )

    results = run_together(committed.engine, [job(i) for i in range(3)])
    reported = [r for r in results if isinstance(r, ActivityPublic)]
    assert len(reported) == 1, results
    assert all(isinstance(r, AppError) and r.status == 409 for r in results if r not in reported)
    with Session(committed.engine) as session:
        kept = session.exec(select(Activity).where(Activity.agreement_id == nk_id)).all()
        assert [a.obligation_id for a in kept] == [owed]
        series = session.exec(select(Obligation).where(Obligation.agreement_id == nk_id)).all()
        assert sorted((o.due_on, o.completed_on) for o in series) == [
            (date(2026, 12, 31), date(2026, 11, 2)),
            (date(2027, 3, 31), None),
        ]
