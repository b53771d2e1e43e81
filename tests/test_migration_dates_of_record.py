"""The migration to dates of record fills them for agreements already registered (issue 19,
item 10): the day registered or finalised, moved back to the first signature when a party
signed earlier; on a database of its own, SQLite or PostgreSQL."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine

from app.core.db import make_engine
from app.core.types import UTCDateTime
from tests.conftest import alembic_config

BEFORE = "b3e81f04c9d2"  # stored validity facts, the revision before dates of record
REGISTERED = datetime(2026, 1, 20, 23, 30, tzinfo=UTC)
FINALIZED = datetime(2026, 1, 21, 8, 0, tzinfo=UTC)


@pytest.fixture
def scratch_engine(scratch_database_url: str) -> Iterator[Engine]:
    engine = make_engine(scratch_database_url)
    yield engine
    engine.dispose()


def _insert(connection: sa.Connection, sql: str, **values: Any) -> int:
    moments = [k for k, v in values.items() if isinstance(v, datetime)]
    statement = sa.text(sql + " RETURNING id").bindparams(
        *[sa.bindparam(k, type_=UTCDateTime()) for k in moments]
    )
    return int(connection.execute(statement, values).scalar_one())


def _agreement(connection: sa.Connection, title: str, finalized_at: datetime | None) -> int:
    return _insert(
        connection,
        "INSERT INTO agreement (kind, title, version, parties_signed, parties_unsigned, "
        "finalized_at, created_at, updated_at) "
        "VALUES ('nk', :title, 1, 0, 2, :finalized_at, :created_at, :created_at)",
        title=title,
        finalized_at=finalized_at,
        created_at=REGISTERED,
    )


def _party(
    connection: sa.Connection,
    agreement_id: int,
    organization_id: int,
    position: int,
    signed_on: date | None,
    recorded: datetime | None,
) -> None:
    _insert(
        connection,
        "INSERT INTO agreement_party (agreement_id, organization_id, position, signed_on, "
        "signature_recorded_at) VALUES (:a, :o, :p, :signed_on, :recorded)",
        a=agreement_id,
        o=organization_id,
        p=position,
        signed_on=signed_on,
        recorded=recorded,
    )


def test_existing_agreements_get_the_best_days_the_registry_has(scratch_engine: Engine) -> None:
    with scratch_engine.begin() as connection:
        command.upgrade(alembic_config(connection), BEFORE)
    with scratch_engine.begin() as connection:
        orgs = [
            _insert(
                connection,
                "INSERT INTO organization (name, kind, search_text, version, created_at, "
                "updated_at) VALUES (:name, 'other', '', 1, :at, :at)",
                name=name,
                at=REGISTERED,
            )
            for name in ("Ombudsman RI", "Pemprov Kalsel")
        ]
        draft = _agreement(connection, "draft", None)
        awaiting = _agreement(connection, "awaiting", FINALIZED)
        signed_before = _agreement(connection, "signed in 2022, entered in 2026", FINALIZED)
        undated = _agreement(connection, "signed on a day not recorded", FINALIZED)
        for agreement_id in (draft, awaiting, signed_before, undated):
            for position, org in enumerate(orgs, start=1):
                signed_on = date(2022, 7, 4) if agreement_id == signed_before else None
                recorded = FINALIZED if agreement_id in (signed_before, undated) else None
                _party(connection, agreement_id, org, position, signed_on, recorded)
    with scratch_engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    with scratch_engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                sa.column("id", sa.Integer),
                sa.column("drafted_on", sa.Date),
                sa.column("finalized_on", sa.Date),
            ).select_from(sa.table("agreement"))
        ).all()
        found = {agreement_id: (drafted, final) for agreement_id, drafted, final in rows}
    registered, finalized = date(2026, 1, 20), date(2026, 1, 21)
    assert found == {
        draft: (registered, None),
        awaiting: (registered, finalized),
        signed_before: (date(2022, 7, 4), date(2022, 7, 4)),
        undated: (registered, finalized),
    }
