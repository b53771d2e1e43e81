"""The daily call of the reminder run, for deployments with no cron of their own (the
`scheduler` service of compose.yaml runs `registry scheduler`).

It POSTs /api/v1/reminders/run once a day at a set time of the registry's time zone, with the
SCHEDULER_TOKEN. The run itself records each reminder exactly once and does not send what another
run holds, so a retry after a failure or a second scheduler sends nothing twice; only a run that
died between sending and recording leaves its reminders to be sent again (same Idempotency-Key).
"""

import logging
import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx

log = logging.getLogger("registry.scheduler")

RUN_PATH = "/api/v1/reminders/run"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    retry: bool  # worth trying again soon (the server was down or failed), not a refusal
    message: str


def next_run(now: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The next moment, after now, when the clock of zone shows at."""
    local = now.astimezone(zone)
    candidate = datetime.combine(local.date(), at, tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=zone)
    return candidate


def call_run(base_url: str, token: str, timeout: float) -> Outcome:
    """One POST of the reminder run and what came of it."""
    try:
        answer = httpx.post(
            base_url.rstrip("/") + RUN_PATH,
            headers={"Authorization": f"Bearer {token}"},
            json={},
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        return Outcome(ok=False, retry=True, message=f"cannot reach {base_url}: {exc!r}")
    if answer.status_code == 200:
        result = answer.json()
        return Outcome(
            ok=True,
            retry=False,
            message=(
                f"run of {result.get('as_of')}: {result.get('created')} created, "
                f"{result.get('delivered')} delivered, {result.get('failed')} failed, "
                f"{result.get('undeliverable')} undeliverable"
            ),
        )
    try:
        detail = answer.json().get("detail", answer.text)
    except ValueError:
        detail = answer.text
    return Outcome(
        ok=False,
        retry=answer.status_code >= 500 or answer.status_code == 429,
        message=f"the run answered {answer.status_code}: {str(detail)[:300]}",
    )


def run_with_retries(
    call: Callable[[], Outcome],
    attempts: int,
    wait_seconds: float,
    sleep: Callable[[float], None] = clock.sleep,
) -> Outcome:
    """Call until it succeeds, is refused, or attempts are used up."""
    outcome = call()
    for _ in range(attempts - 1):
        if outcome.ok or not outcome.retry:
            break
        log.warning("%s; trying again in %g s", outcome.message, wait_seconds)
        sleep(wait_seconds)
        outcome = call()
    return outcome


def serve_forever(
    base_url: str,
    token: str,
    at: time,
    zone: ZoneInfo,
    timeout: float,
    attempts: int,
    wait_seconds: float,
) -> None:
    """Every day at `at`: the run, retried while the server is down."""
    while True:
        moment = next_run(datetime.now(zone), at, zone)
        log.info("next reminder run at %s", moment.isoformat())
        clock.sleep(max(0.0, (moment - datetime.now(zone)).total_seconds()))
        outcome = run_with_retries(
            lambda: call_run(base_url, token, timeout), attempts, wait_seconds
        )
        (log.info if outcome.ok else log.error)("%s", outcome.message)
