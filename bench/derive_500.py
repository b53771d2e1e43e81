"""Benchmark: derive 500 PKS from one NK in one call, through HTTP, on PostgreSQL.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/registry_bench \
        .venv/bin/python bench/derive_500.py

The database named in the URL is created if missing and its schema rebuilt. Prints the time of
the derive call (median of several runs, each on a fresh NK) and the SQL statements it issued.
"""

import os
import statistics
import time
from typing import Any

from common import ADMIN_KEY, prepare_database  # noqa: I001  (sets DATABASE_URL before the app loads)
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.core.db import engine
from app.main import app

AGENCIES = int(os.environ.get("BENCH_AGENCIES", "500"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def post(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


def main() -> None:
    prepare_database()
    client = TestClient(app, headers={"X-API-Key": ADMIN_KEY})
    org = "/api/v1/organizations"
    ori = post(client, org, {"name": "Ombudsman Republik Indonesia", "kind": "state_institution"})
    timings, statements = [], []
    for run in range(RUNS):
        province = post(
            client, org, {"name": f"Pemerintah Provinsi {run}", "kind": "provincial_government"}
        )
        # A Perwakilan acts in its own province (its region): one per province.
        office = post(
            client,
            org,
            {
                "name": f"Ombudsman RI Perwakilan {run}",
                "kind": "regional_office",
                "parent_id": ori["id"],
                "region_id": province["id"],
            },
        )
        agencies = [
            post(
                client,
                org,
                {"name": f"Dinas {i}", "kind": "regional_agency", "parent_id": province["id"]},
            )["id"]
            for i in range(AGENCIES)
        ]
        nk = post(
            client,
            "/api/v1/agreements",
            {
                "kind": "nk",
                "title": f"NK {run}",
                "parties": [{"organization_id": ori["id"]}, {"organization_id": province["id"]}],
                "scope_items": [{"title": f"Ruang lingkup {i}"} for i in range(6)],
            },
        )
        issued: list[str] = []

        def listener(*args: Any, issued: list[str] = issued) -> None:
            issued.append(args[2])

        event.listen(engine, "before_cursor_execute", listener)
        started = time.perf_counter()
        result = post(
            client,
            f"/api/v1/agreements/{nk['id']}/derive",
            {
                "counterpart_organization_id": office["id"],
                "organization_ids": agencies,
                "title": "PKS Ombudsman RI Perwakilan dengan {organization}",
            },
        )
        timings.append(time.perf_counter() - started)
        event.remove(engine, "before_cursor_execute", listener)
        statements.append(len(issued))
        assert result["count"] == AGENCIES
    print(f"database: {engine.dialect.name}, {AGENCIES} PKS per derive call, {RUNS} runs")
    print(
        f"derive: median {statistics.median(timings) * 1000:.0f} ms, "
        f"min {min(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms"
    )
    print(
        f"SQL statements per derive call: {statistics.median(statements):.0f} "
        f"(creates {AGENCIES} agreements, {2 * AGENCIES} parties, {6 * AGENCIES} scope items)"
    )


if __name__ == "__main__":
    main()
