"""Where the time of one request goes, in-process, against the bench database built by
`make bench`: the time in the database, statement by statement, against the whole.

    BENCH_DATABASE_URL=... .venv/bin/python bench/profile_request.py PATH [n]
    e.g.  .venv/bin/python bench/profile_request.py /api/v1/stats 3
          .venv/bin/python bench/profile_request.py /perjanjian 3   (a console page: signed in
          as the bench admin, with the password `make bench` gave them)

Prints the mean time per request, the part spent waiting on the database, and the slowest
statements (for the Python side, run the server under py-spy: `py-spy top --pid ...`).
"""

import json
import os
import sys
import time
from pathlib import Path

os.environ["LOG_LEVEL"] = "WARNING"

from common import ROOT, console_sign_in  # noqa: E402  (sets DATABASE_URL before the app loads)
from fastapi.testclient import TestClient  # noqa: E402
from national import BENCH_EMAIL  # noqa: E402
from sqlalchemy import event  # noqa: E402

from app.core.db import engine  # noqa: E402
from app.main import app  # noqa: E402

STATEMENTS: list[tuple[float, str]] = []


@event.listens_for(engine, "before_cursor_execute")
def _started(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
    conn.info.setdefault("started", []).append(time.perf_counter())


@event.listens_for(engine, "after_cursor_execute")
def _ended(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
    STATEMENTS.append((time.perf_counter() - conn.info["started"].pop(), statement))


def main() -> None:
    path = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    state = json.loads((Path(ROOT) / "var" / "bench-dataset.json").read_text())
    if path.startswith("/api/"):
        client = TestClient(app, headers={"X-API-Key": state["api_key"]})
    else:
        client = TestClient(app)
        console_sign_in(client, BENCH_EMAIL)
    assert client.get(path).status_code == 200
    STATEMENTS.clear()
    started = time.perf_counter()
    for _ in range(count):
        client.get(path)
    total = (time.perf_counter() - started) * 1000 / count
    in_db = sum(t for t, _ in STATEMENTS) * 1000 / count
    print(f"{path}: {total:.1f} ms per request, {in_db:.1f} ms of it in the database")
    print(f"{len(STATEMENTS) / count:.0f} statements per request; the slowest:")
    for seconds, statement in sorted(STATEMENTS, reverse=True)[:5]:
        print(f"  {seconds * 1000:8.1f} ms  {' '.join(statement.split())[:300]}")


if __name__ == "__main__":
    main()
