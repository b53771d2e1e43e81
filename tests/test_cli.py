"""The command line as operators run it: `python -m app` in a process of its own."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.server import SeededTemplate

COMMANDS = [
    "migrate",
    "check",
    "seed",
    "serve",
    "remind",
    "create-admin",
    "set-password",
    "import",
    "sweep-documents",
]
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


def test_import_a_register_dry_run_then_commit(
    scratch_database_url: str, tmp_path: Path, seeded_template: SeededTemplate
) -> None:
    # As `registry migrate` then `registry seed` leave it (tests/server.py's template).
    seeded_template.copy_to(scratch_database_url)
    register = tmp_path / "register.csv"
    register.write_text(
        "Kode;Jenis;Judul;Pihak;Nomor;Tanggal tanda tangan\n"
        "NK-1;NK;Sinergi Pelayanan Publik;Ombudsman RI;14/ORI-MoU/II/2023;10 Februari 2023\n"
        "NK-1;;;Pemerintah Kabupaten Tapin;;10 Februari 2023\n",
        encoding="utf-8",
    )

    def run(*flags: str) -> subprocess.CompletedProcess[str]:
        args = ("import", str(register), *flags)
        return registry(*args, database_url=scratch_database_url, tmp_path=tmp_path)

    dry = run()
    assert dry.returncode == 0, dry.stderr
    assert "create  Perjanjian  rows 2,3" in dry.stdout
    assert "dry run: nothing was changed" in dry.stdout
    assert "importing" in dry.stderr  # the progress bar
    committed = run("--commit")
    assert committed.returncode == 0, committed.stderr
    assert "committed" in committed.stdout
    again = run("--commit")
    assert "exists  Perjanjian  rows 2,3" in again.stdout
    assert "agreements: 0 to create, 1 already registered" in again.stdout

    register.write_text(
        "Kode;Jenis;Judul;Pihak;Nomor\nNK-2;NK;X;Tidak Ada;1/2023\nNK-2;;;Ombudsman RI;\n",
        encoding="utf-8",
    )
    refused = run("--commit")
    assert refused.returncode == 1
    assert "Perjanjian row 2, column D (Pihak): no organization is named 'Tidak Ada'" in (
        refused.stderr
    )
    assert "Nothing was imported" in refused.stderr
