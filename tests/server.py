"""A real server for the tests that need one: uvicorn in a process of its own, on a migrated and
seeded database of the test's own, with a bootstrap admin key and a scheduler token.

Migrating and seeding a database takes seconds of CPU (`registry migrate` then `registry seed`),
so it is done once per run, in a template (SeededTemplate), and each server's database is a copy
of it: a file copy on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL. A copy is the same
database as migrating and seeding would have made, and each server's still is its own."""

import fcntl
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url, text

from app.core.db import make_engine
from tests.conftest import ROOT, emptied_database, without_waiting_for_disk


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


MIGRATE_THEN_SEED = (
    "import sys; from app.cli import main; sys.exit(main(['migrate']) or main(['seed']))"
)


@dataclass
class Server:
    url: str
    key: str
    scheduler_token: str
    env: dict[str, str]


def migrate_then_seed(env: Mapping[str, str]) -> None:
    """`registry migrate` then `registry seed` on env's DATABASE_URL, in one process (one start
    of Python and the app)."""
    subprocess.run(
        [sys.executable, "-c", MIGRATE_THEN_SEED],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,  # seeding on a busy machine running the suite in parallel
    )


class SeededTemplate:
    """The run's database as `registry migrate` then `registry seed` leave a new one (the
    default seeds), made by the first process of the run that asks for a copy, under a lock in
    the run's directory that the pytest-xdist workers share; copied for each server after that.
    On PostgreSQL, the database `<TEST_DATABASE_URL's name>_seeded` (no session stays on it, as
    CREATE DATABASE ... TEMPLATE requires); on SQLite, a file in the run's directory."""

    def __init__(self, database_url: str, shared: Path) -> None:
        self.database_url = database_url  # this process's own: its server, for PostgreSQL
        self.shared = shared
        self.sqlite = make_url(database_url).get_backend_name() == "sqlite"
        self.made = False

    @property
    def name(self) -> str:
        """The template's PostgreSQL database: one for the run, beside the workers' own."""
        base = make_url(os.environ.get("TEST_DATABASE_URL") or self.database_url).database
        return f"{base}_seeded"

    def _make(self) -> None:
        """Migrate and seed the template, unless another process of the run has."""
        with (self.shared / "seeded-template.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            done = self.shared / "seeded-template.done"
            if done.exists():
                return
            if self.sqlite:
                file = self.shared / "seeded-template.db"
                url = f"sqlite:///{file}"
            else:
                url = emptied_database(self.database_url, self.name)
            documents = self.shared / "seeded-template-documents"
            migrate_then_seed({**os.environ, "DATABASE_URL": url, "DOCUMENTS_DIR": str(documents)})
            if self.sqlite:
                # Everything into the file itself (the log checkpointed, then removed on
                # closing), so that a copy of the file is the whole database.
                connection = sqlite3.connect(file)
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                connection.execute("PRAGMA journal_mode=DELETE")
                connection.close()
            done.touch()

    def copy_to(self, database_url: str) -> None:
        """Make the (empty) database at `database_url` a copy of the template."""
        if not self.made:
            self._make()
            self.made = True
        target = make_url(database_url).database
        if self.sqlite:
            shutil.copyfile(self.shared / "seeded-template.db", str(target))
            return
        admin = make_engine(self.database_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{target}" TEMPLATE "{self.name}"'))
                without_waiting_for_disk(connection, str(target))
        finally:
            admin.dispose()


@pytest.fixture(scope="session")
def seeded_template(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> SeededTemplate:
    """The run's SeededTemplate. Its directory is the run's: under pytest-xdist, the parent of
    the worker's own temporary directory, shared by the run's workers."""
    own = tmp_path_factory.getbasetemp()
    shared = own.parent if os.environ.get("PYTEST_XDIST_WORKER") else own
    return SeededTemplate(database_url, shared)


@pytest.fixture
def server(
    scratch_database_url: str, tmp_path: Path, seeded_template: SeededTemplate
) -> Iterator[Server]:
    with running_server(scratch_database_url, tmp_path, template=seeded_template) as started:
        yield started


@contextmanager
def running_server(
    database_url: str,
    tmp_path: Path,
    extra_env: Mapping[str, str] | None = None,
    template: SeededTemplate | None = None,
) -> Iterator[Server]:
    """uvicorn serving the app on `database_url` (empty), migrated and seeded first: made a copy
    of `template` when given (the default seeds), else by `registry migrate` then `registry
    seed` (e.g. with `extra_env`'s SEEDS_DIR, a variant of the seeds); stopped at the end.
    `extra_env`: settings of this server."""
    key = "adm_" + secrets.token_urlsafe(24)
    token = secrets.token_urlsafe(24)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DOCUMENTS_DIR": str(tmp_path / "documents"),
        "BOOTSTRAP_ADMIN_KEY": key,
        "SCHEDULER_TOKEN": token,
        "LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    if template is not None:
        assert not extra_env, "a copy of the template has the default seeds"
        template.copy_to(database_url)
    else:
        migrate_then_seed(env)
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
        + ["--port", str(port), "--no-server-header"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a busy machine (parallel tests) starts slowly
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the server did not start: {(tmp_path / 'server.log').read_text()}"
                )
            time.sleep(0.2)
        yield Server(url=url, key=key, scheduler_token=token, env=env)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
