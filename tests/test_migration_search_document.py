"""The migration to search documents writes one for every agreement already registered, the same
text the application's writer gives (app/agreements/search.py); on a database of its own, SQLite
or PostgreSQL."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine
from sqlmodel import Session

from app.agreements.search import search_documents
from app.core.db import make_engine
from app.core.text import fold
from app.core.types import UTCDateTime
from tests.conftest import alembic_config

BEFORE = "e5c0a9d41f7b"  # console sign-in, the revision before search documents
AT = datetime(2026, 1, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
def scratch_engine(scratch_database_url: str) -> Iterator[Engine]:
    engine = make_engine(scratch_database_url)
    yield engine
    engine.dispose()


def _insert(connection: sa.Connection, sql: str, **values: Any) -> int:
    statement = sa.text(sql + " RETURNING id")
    if ":at" in sql:
        statement = statement.bindparams(sa.bindparam("at", type_=UTCDateTime()))
        values = {"at": AT, **values}
    return int(connection.execute(statement, values).scalar_one())


def test_every_registered_agreement_gets_the_document_its_writer_gives(
    scratch_engine: Engine,
) -> None:
    with scratch_engine.begin() as connection:
        command.upgrade(alembic_config(connection), BEFORE)
    with scratch_engine.begin() as connection:
        orgs = [
            _insert(
                connection,
                "INSERT INTO organization (name, short_name, kind, search_text, version, "
                "created_at, updated_at) VALUES (:name, :short, 'other', :folded, 1, :at, :at)",
                name=name,
                short=short,
                folded=fold(name, short),
            )
            for name, short in [
                ("Ombudsman Republik Indonesia", "ORI"),
                ("Pemerintah Kabupaten Kotawaringin Barát", None),
            ]
        ]
        agreements = [
            _insert(
                connection,
                "INSERT INTO agreement (kind, title, version, parties_signed, parties_unsigned, "
                "created_at, updated_at) VALUES ('nk', :title, 1, 0, 2, :at, :at)",
                title=title,
            )
            for title in ["NK Pelayanan  Publik", "NK tanpa pihak"]
        ]
        for position, (organization, number) in enumerate(
            zip(orgs, ["30/ORI-MoU/X/2021", None], strict=True), start=1
        ):
            _insert(
                connection,
                "INSERT INTO agreement_party (agreement_id, organization_id, position, "
                "document_number) VALUES (:a, :o, :p, :n)",
                a=agreements[0],
                o=organization,
                p=position,
                n=number,
            )
        for position, (title, description) in enumerate(
            [("Pengaduan", "LAPOR Paman\ndan PPID"), ("Pencegahan maladministrasi", None)],
            start=1,
        ):
            _insert(
                connection,
                "INSERT INTO scope_item (agreement_id, position, title, description) "
                "VALUES (:a, :p, :t, :d)",
                a=agreements[0],
                p=position,
                t=title,
                d=description,
            )
    with scratch_engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    with Session(scratch_engine) as session:
        stored = dict(
            session.execute(sa.text("SELECT agreement_id, document FROM agreement_search")).all()
        )
        assert stored == search_documents(session, agreements)
    assert stored[agreements[0]] == (
        "nk pelayanan publik\n30/ori-mou/x/2021\nombudsman republik indonesia ori\n"
        "pemerintah kabupaten kotawaringin barat\npengaduan\nlapor paman dan ppid\n"
        "pencegahan maladministrasi"
    )
    assert stored[agreements[1]] == "nk tanpa pihak"
