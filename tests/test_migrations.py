"""Migrations: head matches the models, and downgrade to base works, on a database of their own."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.core.db import include_in_autogenerate, make_engine
from tests.conftest import ROOT, alembic_config


@pytest.fixture
def scratch_engine(scratch_database_url: str) -> Iterator[Engine]:
    engine = make_engine(scratch_database_url)
    yield engine
    engine.dispose()


def test_upgrade_matches_models_and_downgrade_empties(scratch_engine: Engine) -> None:
    with scratch_engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    with scratch_engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include_in_autogenerate}
        )
        diff = compare_metadata(context, SQLModel.metadata)
        assert diff == []
    with scratch_engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert set(inspect(scratch_engine).get_table_names()) <= {"alembic_version"}
    with scratch_engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    assert "agreement_party" in inspect(scratch_engine).get_table_names()


def test_the_alembic_command_persists_its_work(tmp_path: Path) -> None:
    """`alembic upgrade head` as make run calls it: its own engine, not a test connection."""
    database = tmp_path / "cli.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    alembic = Path(sys.executable).parent / "alembic"
    subprocess.run(
        [str(alembic), "upgrade", "head"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version is not None
    assert "agreement" in inspect(engine).get_table_names()
    engine.dispose()


def test_every_index_of_the_models_exists_after_upgrade(scratch_engine: Engine) -> None:
    """Expression and partial indexes, which autogenerate cannot compare and SQLite's batch
    rebuilds drop, are there by name (the unique organization name, undelivered reminders)."""
    with scratch_engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        if scratch_engine.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    )
    with scratch_engine.connect() as connection:
        present = set(connection.execute(text(query)).scalars())
    declared = {
        str(index.name)
        for table in SQLModel.metadata.tables.values()
        for index in table.indexes
        if index.name is not None
    }
    assert declared - present == set()
    assert {"uq_organization_parent_name", "ix_reminder_undelivered"} <= present


def test_the_reminder_table_leaves_room_for_the_runs_claim(scratch_engine: Engine) -> None:
    """On PostgreSQL the reminder table's pages are filled to half (fillfactor 50), so that a
    run's claim (claimed_until, in no index) is written beside each reminder it just recorded
    without touching its indexes; SQLite has no such setting and takes the same schema."""
    with scratch_engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    assert "reminder" in inspect(scratch_engine).get_table_names()
    if scratch_engine.dialect.name == "postgresql":
        with scratch_engine.connect() as connection:
            options = connection.execute(
                text("SELECT reloptions FROM pg_class WHERE relname = 'reminder'")
            ).scalar()
        assert options == ["fillfactor=50"]
