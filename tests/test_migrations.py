"""Migrations: head matches the models, and downgrade to base works, on a database of their own."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, make_url, text
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.core.db import make_engine
from tests.conftest import ROOT, alembic_config


@pytest.fixture
def scratch_engine(database_url: str, tmp_path: object) -> Iterator[Engine]:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path}/migrations.db")
        yield engine
        engine.dispose()
        return
    name = f"migrations_{uuid.uuid4().hex[:8]}"
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(url.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def test_upgrade_matches_models_and_downgrade_empties(scratch_engine: Engine) -> None:
    with scratch_engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    with scratch_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
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
