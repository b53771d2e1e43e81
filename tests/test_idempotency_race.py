"""A key let go of by its holder while another request looks at it: the other request takes the
key instead of failing (schemathesis found a 500 here: two workers, one Idempotency-Key)."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session

from app.idempotency import service
from app.idempotency.models import IdempotencyRecord
from app.users import service as users
from app.users.models import Role
from app.users.schemas import UserCreate

T = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)
TTL = timedelta(hours=24)


@pytest.fixture
def user_id(session: Session) -> int:
    user = users.create_user(
        session=session,
        user_in=UserCreate(name="writer", email="writer.race@test.go.id", role=Role.admin),
    )
    assert user.id is not None
    return user.id


@pytest.fixture
def holder_lets_go_while_read(session: Session) -> Iterator[list[int]]:
    """Before the claim reads the row it could not insert, the holder forgets it (its attempt
    failed): the moment the race needs, made to happen every time."""
    forgotten: list[int] = []

    def before_read(state: ORMExecuteState) -> None:
        froms: list[Any] = getattr(state.statement, "get_final_froms", list)()
        names = {getattr(table, "name", None) for table in froms}
        if state.is_select and IdempotencyRecord.__tablename__ in names:
            if not forgotten:
                forgotten.append(1)
                state.session.connection().execute(sa.delete(IdempotencyRecord))

    event.listen(session, "do_orm_execute", before_read)
    yield forgotten
    event.remove(session, "do_orm_execute", before_read)


def claim(session: Session, user_id: int, fingerprint: str) -> service.Claim:
    return service.claim(
        session,
        user_id=user_id,
        key="k-1",
        fingerprint=fingerprint,
        now=T,
        ttl=TTL,
        lease=LEASE,
    )


def test_a_key_let_go_of_while_read_is_taken_by_the_next_request(
    session: Session, user_id: int, holder_lets_go_while_read: list[int]
) -> None:
    first = claim(session, user_id, "body-a")
    assert first.outcome == "new"
    second: Any = claim(session, user_id, "body-a")  # in progress: the holder still runs...
    # ...but it let go of the key just as the second request looked: the second takes it.
    assert holder_lets_go_while_read == [1]
    assert second.outcome == "new"
    rows = session.execute(sa.select(IdempotencyRecord.id)).all()  # type: ignore[call-overload]
    assert [r[0] for r in rows] == [second.record_id]  # one claim, the second request's


def test_a_key_held_by_a_running_request_is_in_progress(session: Session, user_id: int) -> None:
    assert claim(session, user_id, "body-a").outcome == "new"
    assert claim(session, user_id, "body-a").outcome == "in_progress"
    assert claim(session, user_id, "body-b").outcome == "mismatch"
