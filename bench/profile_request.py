"""Where the time of one agreement's representation goes, in-process (cProfile), against the
bench database: what bounds GET /api/v1/agreements/{id} besides HTTP.

    BENCH_DATABASE_URL=... .venv/bin/python bench/profile_request.py AGREEMENT_ID [n]

Prints the mean time per call and the functions with the most cumulative time.
"""

import cProfile
import os
import pstats
import sys
import time
from datetime import date

os.environ["LOG_LEVEL"] = "WARNING"

from common import URL  # noqa: E402,F401  (sets DATABASE_URL before the app loads)
from sqlmodel import Session  # noqa: E402

from app.agreements.queries import agreement_public  # noqa: E402
from app.core.db import engine  # noqa: E402


def main() -> None:
    agreement_id = int(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    today = date.today()

    def once() -> None:
        with Session(engine) as session:
            agreement_public(session=session, agreement_id=agreement_id, today=today)

    for _ in range(3):
        once()
    started = time.perf_counter()
    for _ in range(count):
        once()
    print(f"agreement {agreement_id}: {(time.perf_counter() - started) * 1000 / count:.1f} ms")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(count):
        once()
    profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
