"""The command line as operators run it: `python -m app` in a process of its own."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

COMMANDS = ["migrate", "check", "seed", "serve", "remind", "create-admin"]
UNREACHABLE = "postgresql+psycopg://registry:secret@127.0.0.1:1/registry"


def registry(*args: str, database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DOCUMENTS_DIR": str(tmp_path / "documents"),
        "DB_CONNECT_TIMEOUT_SECONDS": "2",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_names_every_command(tmp_path: Path) -> None:
    result = registry("--help", database_url=UNREACHABLE, tmp_path=tmp_path)
    assert result.returncode == 0
    for command in COMMANDS:
        assert f"    {command}" in result.stdout
    assert "NK and PKS" in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_readable_help(command: str, tmp_path: Path) -> None:
    result = registry(command, "--help", database_url=UNREACHABLE, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: registry {command}")
    # A sentence of description beyond the usage line and the -h option.
    assert len(result.stdout.splitlines()) >= 5


def test_migrate_then_check_on_a_new_database(scratch_database_url: str, tmp_path: Path) -> None:
    before = registry("check", database_url=scratch_database_url, tmp_path=tmp_path)
    assert before.returncode == 1
    assert "registry migrate" in before.stdout
    assert "not ready" in before.stderr

    first = registry("migrate", database_url=scratch_database_url, tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "migrated from nothing to" in first.stdout
    assert "migrating" in first.stderr  # the progress bar

    again = registry("migrate", database_url=scratch_database_url, tmp_path=tmp_path)
    assert again.returncode == 0
    assert "nothing to do" in again.stdout

    after = registry("check", database_url=scratch_database_url, tmp_path=tmp_path)
    assert after.returncode == 0, after.stdout + after.stderr
    assert after.stdout.rstrip().endswith("ready")
    assert "readiness       ready" in after.stdout


def test_check_and_migrate_with_the_database_down(tmp_path: Path) -> None:
    check = registry("check", database_url=UNREACHABLE, tmp_path=tmp_path)
    assert check.returncode == 1
    assert "the database cannot be reached" in check.stdout
    assert "secret" not in check.stdout + check.stderr  # the password is never printed
    assert "***@127.0.0.1:1/registry" in check.stdout

    migrate = registry("migrate", database_url=UNREACHABLE, tmp_path=tmp_path)
    assert migrate.returncode == 2
    assert "cannot reach" in migrate.stderr
    assert "Traceback" not in migrate.stderr
    assert "secret" not in migrate.stdout + migrate.stderr
