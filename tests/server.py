"""A real server for the tests that need one: uvicorn in a process of its own, on a migrated and
seeded database of the test's own, with a bootstrap admin key and a scheduler token."""

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT


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


@pytest.fixture
def server(scratch_database_url: str, tmp_path: Path) -> Iterator[Server]:
    with running_server(scratch_database_url, tmp_path) as started:
        yield started


@contextmanager
def running_server(
    database_url: str, tmp_path: Path, extra_env: Mapping[str, str] | None = None
) -> Iterator[Server]:
    """uvicorn serving the app on `database_url`, migrated and seeded first; stopped at the end.
    `extra_env`: settings of this server (e.g. SEEDS_DIR, a variant of the seeds)."""
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
    # `registry migrate` then `registry seed`, in one process (one start of Python and the app).
    subprocess.run(
        [sys.executable, "-c", MIGRATE_THEN_SEED],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,  # seeding on a busy machine running the suite in parallel
    )
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
