"""How long an import of a legacy register takes, at two sizes (it must be linear), beside
registering the same agreements one call at a time through the API (create, finalize, two
signatures), in the same run.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/registry_bench \\
        .venv/bin/python bench/import_register.py [SIZE ...] [--dry-run-only]

For each SIZE (default: 1000 5000) on a fresh schema: builds a register of SIZE NK (two parties
each, numbered and signed), imports it as a dry run, commits it, imports it again (everything
found); with --dry-run-only, the dry run alone. Then registers BENCH_API_NK others through the
API. Prints one JSON document: seconds and milliseconds per agreement of each step and size, the
ratio of the per-agreement time of the largest size to the smallest's (1.0: linear), and the
import's cost per agreement as a ratio to the API's.
"""

import json
import os
import sys
import time
from typing import Any

from common import ADMIN_KEY, prepare_database  # noqa: I001
from fastapi.testclient import TestClient  # noqa: E402

from app.main import app  # noqa: E402

SIZES = [int(arg) for arg in sys.argv[1:] if arg.isdigit()] or [1000, 5000]
DRY_RUN_ONLY = "--dry-run-only" in sys.argv
API_NKS = int(os.environ.get("BENCH_API_NK", "200"))


def register(first: int, count: int) -> bytes:
    lines = ["Kode;Jenis;Judul;Pihak;Nomor;Tanggal tanda tangan"]
    for i in range(first, first + count):
        lines.append(f"NK-{i};NK;NK nomor {i};#1;{i}/ORI-MoU/2023;2023-02-10")
        lines.append(f"NK-{i};;;#2;{i}/PEMDA/2023;2023-02-10")
    return "\n".join(lines).encode()


def timed(client: TestClient, content: bytes, commit: bool) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    response = client.post(
        "/api/v1/imports",
        params={"commit": str(commit).lower()},
        files={"file": ("register.csv", content)},
    )
    elapsed = time.perf_counter() - started
    assert response.status_code in (200, 201), response.text[:500]
    return elapsed, response.json()["agreements"]


def organizations(client: TestClient) -> None:
    for name in ("Ombudsman Republik Indonesia", "Pemerintah Provinsi Bench"):
        kind = "state_institution" if "Ombudsman" in name else "provincial_government"
        assert client.post("/api/v1/organizations", json={"name": name, "kind": kind}).is_success


def one_size(client: TestClient, size: int) -> dict[str, Any]:
    """Import a register of `size` NK into a fresh schema: a dry run, a commit, again."""
    prepare_database()
    organizations(client)
    content = register(1, size)
    dry, dry_counts = timed(client, content, commit=False)
    figures: dict[str, Any] = {
        "agreements_in_register": size,
        "dry_run": {"s": round(dry, 2), "ms_per_agreement": round(dry / size * 1000, 2)},
    }
    if DRY_RUN_ONLY:
        return figures
    commit, commit_counts = timed(client, content, commit=True)
    again, again_counts = timed(client, content, commit=True)
    return {
        **figures,
        "commit": {"s": round(commit, 2), "ms_per_agreement": round(commit / size * 1000, 2)},
        "again_all_found": {"s": round(again, 2), "counts": again_counts},
        "counts": {"dry_run": dry_counts, "commit": commit_counts},
    }


def through_the_api(client: TestClient, first: int) -> float:
    """Milliseconds per agreement registered one call at a time."""
    started = time.perf_counter()
    for i in range(first, first + API_NKS):
        created = client.post(
            "/api/v1/agreements",
            json={
                "kind": "nk",
                "title": f"NK nomor {i}",
                "parties": [
                    {"organization_id": 1, "document_number": f"{i}/ORI-MoU/2023"},
                    {"organization_id": 2, "document_number": f"{i}/PEMDA/2023"},
                ],
            },
        ).json()
        client.post(f"/api/v1/agreements/{created['id']}/finalize")
        for org in (1, 2):
            client.post(
                f"/api/v1/agreements/{created['id']}/signatures",
                json={"organization_id": org, "signed_on": "2023-02-10"},
            )
    return (time.perf_counter() - started) / API_NKS * 1000


def main() -> None:
    prepare_database()
    with TestClient(app) as client:
        client.headers["X-API-Key"] = ADMIN_KEY
        sizes = [one_size(client, size) for size in SIZES]
        per_api = through_the_api(client, max(SIZES) + 1) if not DRY_RUN_ONLY else None
    small, large = sizes[0], sizes[-1]

    def ratio(step: str) -> float | None:
        if step not in large:
            return None
        return round(large[step]["ms_per_agreement"] / small[step]["ms_per_agreement"], 2)

    print(
        json.dumps(
            {
                "sizes": sizes,
                f"ms_per_agreement_{large['agreements_in_register']}_vs_"
                f"{small['agreements_in_register']}": {
                    "dry_run": ratio("dry_run"),
                    "commit": ratio("commit"),
                },
                "api_one_call_at_a_time": per_api
                and {"agreements": API_NKS, "ms_per_agreement": round(per_api, 2)},
                "commit_per_agreement_vs_api": per_api
                and round(small["commit"]["ms_per_agreement"] / per_api, 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
