"""Benchmark: the reminder run with 1,000 obligations due, among 10,000 and among 1,000,000.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/registry_bench \\
        .venv/bin/python bench/reminders_1m.py

The other obligations were completed in past years (the bulk of any real registry after a few
years). The run reads open obligations through a partial index, so its time should not grow with
them. Prints the median run time for each size and the plan of the candidate query.
"""

import statistics
import time
from datetime import date, timedelta

from common import prepare_database  # noqa: I001  (sets DATABASE_URL before the app loads)
from sqlalchemy import text
from sqlmodel import Session

from app.agreements.parties import store_signature_facts
from app.core.config import settings
from app.core.db import engine
from app.core.types import utcnow
from app.reminders.service import run_reminders

AS_OF = date(2026, 11, 23)
DUE = 1_000
RUNS = 3


def build_world() -> int:
    """One signed NK between two parties; returns its id."""
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO organization (name, kind, created_at, updated_at) VALUES "
                "('Ombudsman Republik Indonesia', 'state_institution', now(), now()), "
                "('Pemerintah Provinsi Kalimantan Selatan', 'provincial_government', now(), now())"
            )
        )
        nk = c.execute(
            text(
                "INSERT INTO agreement (kind, title, version, finalized_at, finalized_on, "
                "created_at, updated_at) VALUES ('nk', 'NK benchmark', 1, now(), CURRENT_DATE, "
                "now(), now()) RETURNING id"
            )
        ).scalar_one()
        c.execute(
            text(
                "INSERT INTO agreement_party (agreement_id, organization_id, position, signed_on, "
                "signature_recorded_at) SELECT :nk, id, id, '2021-10-28', now() FROM organization"
            ),
            {"nk": nk},
        )
    with Session(engine) as session:
        store_signature_facts(session, [int(nk)])
        session.commit()
    return int(nk)


def add_obligations(nk: int, count: int, *, due: bool) -> None:
    """`count` obligations: due within 30 days of AS_OF and open, or done in past years."""
    if due:
        due_on, completed = f"DATE '{AS_OF}' + (g % 30)", "NULL"
    else:
        due_on, completed = f"DATE '{AS_OF}' - 1 - (g % 3000)", f"DATE '{AS_OF}' - (g % 3000)"
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO obligation (agreement_id, title, responsible_organization_id, due_on, "
                "recurrence, series_start, occurrence, completed_on, created_at, updated_at) "
                f"SELECT :nk, 'Kewajiban ' || g, (SELECT min(id) FROM organization), {due_on}, "
                f"'none', {due_on}, 0, {completed}, now(), now() FROM generate_series(1, :n) AS g"
            ),
            {"nk": nk, "n": count},
        )
        c.execute(text("ANALYZE obligation"))


def measure(label: str) -> None:
    timings = []
    for _ in range(RUNS):
        with engine.begin() as c:
            c.execute(text("DELETE FROM reminder"))
        with Session(engine) as session:
            started = time.perf_counter()
            result = run_reminders(
                session=session, as_of=AS_OF, today=AS_OF, now=utcnow(), settings=settings
            )
            timings.append(time.perf_counter() - started)
        assert result.created == DUE, result
    with engine.connect() as c:
        total = c.execute(text("SELECT count(*) FROM obligation")).scalar_one()
    print(
        f"{label}: {total:>9,} obligations, {DUE} due -> run median "
        f"{statistics.median(timings) * 1000:.0f} ms (min {min(timings) * 1000:.0f}, "
        f"max {max(timings) * 1000:.0f}), {result.created} reminders recorded"
    )


def plan() -> None:
    horizon = AS_OF + timedelta(days=max(settings.REMINDER_DAYS_BEFORE))
    with engine.connect() as c:
        rows = (
            c.execute(
                text(
                    "EXPLAIN SELECT id FROM obligation WHERE completed_on IS NULL "
                    "AND waived_at IS NULL AND due_on <= :h"
                ),
                {"h": horizon},
            )
            .scalars()
            .all()
        )
    print("candidate query plan:\n  " + "\n  ".join(rows))


def main() -> None:
    prepare_database()
    nk = build_world()
    add_obligations(nk, DUE, due=True)
    add_obligations(nk, 10_000 - DUE, due=False)
    measure("small")
    started = time.perf_counter()
    add_obligations(nk, 1_000_000 - 10_000, due=False)
    print(f"(loaded 990,000 more completed obligations in {time.perf_counter() - started:.0f} s)")
    measure("large")
    plan()


if __name__ == "__main__":
    main()
