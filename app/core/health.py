"""Health for operators: /healthz (the process is up) and /readyz (the database answers within
a short time and its schema is at the migrations' head)."""

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from app.core.config import Settings

_checks = ThreadPoolExecutor(max_workers=2, thread_name_prefix="readyz")


def migrations_head(directory: Path) -> str | None:
    """The newest revision of the migrations shipped with this code."""
    if not directory.is_dir():
        directory = Path.cwd() / "migrations"  # an installed package run from its checkout
    config = Config()
    config.set_main_option("script_location", str(directory))
    return ScriptDirectory.from_config(config).get_current_head()


def _database_revision(engine: Engine) -> str | None:
    # Autocommit: a plain read, which on SQLite does not queue behind a writer's lock.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:
            return None  # reachable, but never migrated


def not_ready(engine: Engine, settings: Settings) -> str | None:
    """Why the service cannot serve requests now, or None when it can."""
    future = _checks.submit(_database_revision, engine)
    try:
        revision = future.result(timeout=settings.READY_TIMEOUT_SECONDS)
    except FutureTimeout:
        return f"the database did not answer within {settings.READY_TIMEOUT_SECONDS:g} s"
    except Exception as exc:  # noqa: BLE001  (any failure to reach it is the answer)
        return f"the database cannot be reached: {type(exc).__name__}"
    head = migrations_head(settings.MIGRATIONS_DIR)
    if revision != head:
        return (
            f"the database schema is at {revision or 'nothing'}, the code needs {head}: "
            "run `alembic upgrade head` (registry migrate)"
        )
    return None
