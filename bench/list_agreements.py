"""Benchmark: finding agreements at national scale (status is derived in SQL, never stored).

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/registry_bench \\
        .venv/bin/python bench/list_agreements.py

Builds BENCH_NK NK (default 550, one per government) each with BENCH_PKS_PER_NK signed PKS
(default 40), about 22,000 agreements with two parties each, then times typical list requests
through HTTP (median of 5).
"""

import os
import statistics
import time

from common import ADMIN_KEY, prepare_database  # noqa: I001  (sets DATABASE_URL before the app loads)
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from app.agreements.parties import store_signature_facts
from app.core.db import engine
from app.main import app

NKS = int(os.environ.get("BENCH_NK", "550"))
PKS_PER_NK = int(os.environ.get("BENCH_PKS_PER_NK", "40"))


def build() -> None:
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO organization (name, kind, created_at, updated_at) "
                "SELECT 'Organisasi ' || g, 'other', now(), now() FROM generate_series(1, 2) g"
            )
        )
        c.execute(
            text(
                "INSERT INTO agreement (kind, title, version, finalized_at, finalized_on, "
                "valid_until, created_at, updated_at) SELECT 'nk', 'NK ' || g, 1, now(), "
                "CURRENT_DATE, "
                "DATE '2027-01-01' + (g % 700), now(), now() FROM generate_series(1, :n) g"
            ),
            {"n": NKS},
        )
        c.execute(
            text(
                "INSERT INTO agreement (kind, title, parent_id, version, finalized_at, "
                "finalized_on, valid_until, created_at, updated_at) "
                "SELECT 'pks', 'PKS ' || a.id || '-' || g, a.id, 1, now(), CURRENT_DATE, "
                "DATE '2026-01-01' + (g * 17 % 900), now(), now() "
                "FROM agreement a, generate_series(1, :p) g WHERE a.kind = 'nk'"
            ),
            {"p": PKS_PER_NK},
        )
        c.execute(
            text(
                "INSERT INTO agreement_party (agreement_id, organization_id, position, signed_on, "
                "signature_recorded_at) SELECT a.id, o.id, o.id, DATE '2022-07-04', now() "
                "FROM agreement a, organization o"
            )
        )
    with Session(engine) as session:
        ids = list(session.scalars(text("SELECT id FROM agreement")))
        # In slices: a statement carries at most 65,535 parameters (PostgreSQL's protocol).
        for start in range(0, len(ids), 20_000):
            store_signature_facts(session, ids[start : start + 20_000])
        session.commit()
    with engine.begin() as c:
        c.execute(text("ANALYZE"))


def timed(client: TestClient, params: dict[str, object]) -> float:
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        response = client.get("/api/v1/agreements", params=params)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    return statistics.median(timings) * 1000


def main() -> None:
    prepare_database()
    build()
    client = TestClient(app, headers={"X-API-Key": ADMIN_KEY})
    with engine.connect() as c:
        total = c.execute(text("SELECT count(*) FROM agreement")).scalar_one()
    print(f"{total:,} agreements ({NKS} NK x {PKS_PER_NK} PKS), two parties each")
    cases: list[tuple[str, dict[str, object]]] = [
        ("newest 50, no filter", {"limit": 50}),
        ("status=active", {"status": "active", "limit": 50}),
        ("status=expired", {"status": "expired", "limit": 50}),
        ("parent_id (one NK's PKS)", {"parent_id": 1, "limit": 50}),
        ("status=active & expiring_before", {"status": "active", "expiring_before": "2026-12-31"}),
        ("number (no match)", {"number": "053/NK-PEMOTDA/2021"}),
    ]
    for label, params in cases:
        print(f"  {label:<34} median {timed(client, params):7.0f} ms")


if __name__ == "__main__":
    main()
