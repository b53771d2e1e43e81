"""`registry scheduler`: the daily call of the reminder run that compose.yaml's scheduler makes."""

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.reminders.scheduler import Outcome, next_run, run_with_retries
from tests.conftest import ROOT, scratch_database
from tests.server import SeededTemplate, Server, free_port, running_server

WIB = ZoneInfo("Asia/Jakarta")

# This module's tests on one worker (`make test` runs --dist loadgroup): its shared server once.
pytestmark = pytest.mark.xdist_group("scheduler")


@pytest.fixture(scope="module")
def shared_server(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, seeded_template: SeededTemplate
) -> Iterator[Server]:
    """One server for the tests whose calls need no fresh registry (a refused call, a run whose
    count they do not read); the test of the run's counts has a server of its own."""
    directory = tmp_path_factory.mktemp("scheduler-server")
    with (
        scratch_database(database_url, directory) as url,
        running_server(url, directory, template=seeded_template) as live,
    ):
        yield live


def scheduler(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "scheduler", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_next_run_is_the_next_time_of_day_in_the_registry_zone() -> None:
    # 22:30 UTC on 23 November is 05:30 on the 24th in Jakarta: the 06:00 run is half an hour on.
    now = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)
    assert next_run(now, time(6, 0), WIB) == datetime(2026, 11, 24, 6, 0, tzinfo=WIB)
    # At 06:00 exactly the day's run is under way: the next one is tomorrow's.
    at_six = datetime(2026, 11, 24, 6, 0, tzinfo=WIB)
    assert next_run(at_six, time(6, 0), WIB) == datetime(2026, 11, 25, 6, 0, tzinfo=WIB)
    # Across the end of the year.
    late = datetime(2026, 12, 31, 23, 0, tzinfo=WIB)
    assert next_run(late, time(6, 0), WIB) == datetime(2027, 1, 1, 6, 0, tzinfo=WIB)


def test_retries_while_the_server_is_down_but_not_after_a_refusal() -> None:
    waits: list[float] = []
    answers = iter(
        [
            Outcome(ok=False, retry=True, message="down"),
            Outcome(ok=False, retry=True, message="down"),
            Outcome(ok=True, retry=False, message="run"),
        ]
    )
    outcome = run_with_retries(
        lambda: next(answers), attempts=5, wait_seconds=7, sleep=waits.append
    )
    assert outcome.message == "run"
    assert waits == [7, 7]

    calls: list[int] = []

    def refused() -> Outcome:
        calls.append(1)
        return Outcome(ok=False, retry=False, message="401")

    assert run_with_retries(refused, attempts=5, wait_seconds=7, sleep=waits.append).ok is False
    assert len(calls) == 1


def test_once_calls_the_run_with_the_token(server: Server) -> None:
    first = scheduler("--once", "--url", server.url, env=server.env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("run of ")
    assert "created" in first.stdout
    # The run records each reminder once: a second call the same day creates nothing.
    again = scheduler("--once", "--url", server.url, env=server.env)
    assert again.returncode == 0, again.stderr
    assert ": 0 created" in again.stdout


def test_the_token_can_come_from_a_secret_file(shared_server: Server, tmp_path: Path) -> None:
    server = shared_server
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "SCHEDULER_TOKEN").write_text(server.scheduler_token + "\n")
    env = {k: v for k, v in server.env.items() if k != "SCHEDULER_TOKEN"}
    env["SECRETS_DIR"] = str(secrets)
    result = scheduler("--once", "--url", server.url, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("run of ")


def test_a_wrong_token_is_reported_and_not_retried(shared_server: Server) -> None:
    server = shared_server
    env = {**server.env, "SCHEDULER_TOKEN": "not-the-token"}
    result = scheduler("--once", "--url", server.url, "--retry-seconds", "30", env=env)
    assert result.returncode == 1
    assert "answered 401" in result.stderr
    assert "trying again" not in result.stderr  # a refusal is not retried


def test_no_token_no_scheduler(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SCHEDULER_TOKEN"}
    env["SECRETS_DIR"] = str(tmp_path)  # empty
    result = scheduler("--once", env=env)
    assert result.returncode == 2
    assert "SCHEDULER_TOKEN is not set" in result.stderr


def test_a_registry_that_is_down_is_retried_then_reported() -> None:
    env = {**os.environ, "SCHEDULER_TOKEN": "t"}
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    result = scheduler("--once", "--url", url, "--attempts", "2", "--retry-seconds", "0", env=env)
    assert result.returncode == 1
    assert result.stderr.count("cannot reach") == 2  # the retry's warning, then the failure
    assert "trying again in 0 s" in result.stderr
