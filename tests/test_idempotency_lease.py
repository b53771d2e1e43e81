"""An Idempotency-Key whose request died (a crash, a database outage) is held for a lease, not for
a day: a retry after the lease runs in its place; and a write is never saved without the answer
kept for its key, so that retry can never write it twice."""

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from app.agreements.models import Agreement
from app.core.config import settings
from app.core.deps import get_now, get_today
from app.documents.models import AgreementDocument
from app.documents.router import get_document_store
from app.documents.storage import DocumentStore
from app.idempotency import service
from app.idempotency.models import IdempotencyRecord
from app.main import app
from app.users import service as users
from app.users.models import Role, User
from app.users.schemas import ApiKeyCreate, UserCreate
from tests.concurrency import Committed
from tests.conftest import TODAY
from tests.documents.test_router import PDF
from tests.helpers import assert_problem

pytestmark = pytest.mark.concurrency

T = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
LEASE = timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS)
TTL = timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)


class Api:
    """The application on the committed test database, with its own per-request sessions (no
    dependency override of the session), as a replica runs it; `now` is the clock it reads."""

    def __init__(self, committed: Committed, client: TestClient, user_id: int, key: str) -> None:
        self.committed, self.client, self.user_id, self.key = committed, client, user_id, key
        self.now = T

    def post(self, body: bytes, idempotency_key: str) -> Any:
        app.dependency_overrides[get_now] = lambda: self.now
        return self.client.post(
            "/api/v1/agreements",
            content=body,
            headers={
                "X-API-Key": self.key,
                "Idempotency-Key": idempotency_key,
                "Content-Type": "application/json",
            },
        )

    def agreements(self, title: str) -> list[Agreement]:
        with Session(self.committed.engine) as session:
            return list(session.exec(select(Agreement).where(Agreement.title == title)))


@pytest.fixture
def api(committed: Committed, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    with Session(committed.engine) as session:
        user = users.create_user(
            session=session,
            user_in=UserCreate(name="Admin", email="admin@lease.go.id", role=Role.admin),
        )
        key = users.issue_key(
            session=session, user_id=user.id, key_in=ApiKeyCreate(name="k"), today=TODAY
        ).key
        user_id = user.id
    monkeypatch.setattr("app.core.db.engine", committed.engine)
    app.dependency_overrides[get_today] = lambda: TODAY
    try:
        with TestClient(app) as client:
            yield Api(committed, client, user_id, key)
    finally:
        app.dependency_overrides.clear()
        with Session(committed.engine) as session:
            session.execute(delete(User).where(User.id == user_id))  # type: ignore[arg-type]
            session.commit()


def body_of(committed: Committed, title: str) -> bytes:
    return json.dumps(committed.nk(title).model_dump(mode="json")).encode()


def fingerprint(body: bytes) -> str:
    return hashlib.sha256(b"\n".join([b"POST", b"/api/v1/agreements", body])).hexdigest()


def test_a_key_whose_request_died_is_taken_over_by_a_retry_after_its_lease(api: Api) -> None:
    body = body_of(api.committed, "NK sesudah pemadaman")
    # The first request claimed the key, then the database went away under it: no answer kept,
    # nothing written.
    with Session(api.committed.engine) as session:
        died = service.claim(
            session,
            user_id=api.user_id,
            key="pemadaman",
            fingerprint=fingerprint(body),
            now=T,
            ttl=TTL,
            lease=LEASE,
        )
    assert died.outcome == "new"
    api.now = T + LEASE - timedelta(seconds=1)
    assert_problem(api.post(body, "pemadaman"), 409, "idempotency-key-in-progress")
    api.now = T + LEASE + timedelta(seconds=1)
    retried = api.post(body, "pemadaman")
    assert retried.status_code == 201, retried.text
    again = api.post(body, "pemadaman")
    assert (again.status_code, again.json()["id"]) == (201, retried.json()["id"])
    assert again.headers["idempotent-replayed"] == "true"
    assert [a.id for a in api.agreements("NK sesudah pemadaman")] == [retried.json()["id"]]


def test_a_write_is_never_kept_without_its_answer(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database is lost just as the answer is kept: the agreement is not saved either, and
    the retry creates it once."""
    body = body_of(api.committed, "NK tanpa jawaban")
    remember = service.remember

    def lost(*_args: Any, **_kwargs: Any) -> bool:
        raise OperationalError("UPDATE idempotency_record", {}, Exception("connection lost"))

    monkeypatch.setattr(service, "remember", lost)
    failed = api.post(body, "hilang")
    assert_problem(failed, 503, "database-unavailable")
    assert api.agreements("NK tanpa jawaban") == []
    monkeypatch.setattr(service, "remember", remember)
    retried = api.post(body, "hilang")
    assert retried.status_code == 201, retried.text
    assert [a.id for a in api.agreements("NK tanpa jawaban")] == [retried.json()["id"]]


def test_a_request_that_outlived_its_lease_saves_nothing(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first request ran past its lease and a retry took the key over (remember finds the
    key no longer its own, as test_only_the_attempt_holding_the_key_keeps_its_answer shows):
    its agreement is rolled back with its answer, and the retry's is the one kept."""
    body = body_of(api.committed, "NK lambat")
    remember = service.remember
    monkeypatch.setattr(service, "remember", lambda *_args, **_kwargs: False)
    overtaken = api.post(body, "lambat")
    assert_problem(overtaken, 409, "idempotency-key-in-progress")
    assert api.agreements("NK lambat") == []
    monkeypatch.setattr(service, "remember", remember)
    api.now = T + LEASE + timedelta(seconds=1)
    retried = api.post(body, "lambat")
    assert retried.status_code == 201, retried.text
    assert [a.id for a in api.agreements("NK lambat")] == [retried.json()["id"]]


def test_only_the_attempt_holding_the_key_keeps_its_answer(api: Api) -> None:
    with Session(api.committed.engine) as session:
        first = service.claim(
            session, user_id=api.user_id, key="k", fingerprint="f", now=T, ttl=TTL, lease=LEASE
        )
        later = T + LEASE + timedelta(seconds=1)
        second = service.claim(
            session, user_id=api.user_id, key="k", fingerprint="f", now=later, ttl=TTL, lease=LEASE
        )
        assert (first.outcome, second.outcome) == ("new", "new")
        assert (first.record_id, first.attempt, second.attempt) == (second.record_id, 1, 2)
        assert first.record_id is not None
        answer: dict[str, Any] = {
            "status_code": 201,
            "media_type": "application/json",
            "body": "{}",
        }
        assert not service.remember(session, record_id=first.record_id, attempt=1, **answer)
        assert service.remember(session, record_id=first.record_id, attempt=2, **answer)
        session.commit()
        other = service.claim(
            session, user_id=api.user_id, key="k", fingerprint="g", now=later, ttl=TTL, lease=LEASE
        )
        assert other.outcome == "mismatch"
        record = session.get(IdempotencyRecord, first.record_id)
        assert record is not None and record.locked_until is None


def test_an_upload_with_a_key_is_kept_once_with_its_file(
    api: Api, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An upload runs in the same one transaction: its row, its file and its answer together."""
    store = DocumentStore(root=tmp_path / "documents", max_bytes=1024 * 1024)
    app.dependency_overrides[get_document_store] = lambda: store
    created = api.post(body_of(api.committed, "NK berkas"), "nk-berkas").json()
    url = f"/api/v1/agreements/{created['id']}/documents"

    def upload() -> Any:
        return api.client.post(
            url,
            files={"file": ("naskah.pdf", PDF, "application/pdf")},
            headers={"X-API-Key": api.key, "Idempotency-Key": "berkas"},
        )

    first, again = upload(), upload()
    assert first.status_code == 201, first.text
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["idempotent-replayed"] == "true"
    download = api.client.get(f"{url}/{first.json()['id']}", headers={"X-API-Key": api.key})
    assert download.content == PDF
    with Session(api.committed.engine) as session:
        rows = session.exec(
            select(AgreementDocument).where(AgreementDocument.agreement_id == created["id"])
        ).all()
        assert [row.id for row in rows] == [first.json()["id"]]
