"""How long an import of a legacy register takes, beside registering the same agreements one
call at a time through the API (create, finalize, two signatures), in the same run.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/registry_bench \\
        .venv/bin/python bench/import_register.py

Builds a register of BENCH_IMPORT_NK NK (two parties each, numbered and signed), imports it as
a dry run, commits it, imports it again (everything found), and registers BENCH_API_NK others
through the API. Prints one JSON document: seconds and milliseconds per agreement of each step,
and the import's cost per agreement as a ratio to the API's.
"""

import json
import os
import time

from common import ADMIN_KEY, prepare_database  # noqa: I001
from fastapi.testclient import TestClient  # noqa: E402

from app.main import app  # noqa: E402

NKS = int(os.environ.get("BENCH_IMPORT_NK", "1000"))
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


def main() -> None:
    prepare_database()
    with TestClient(app) as client:
        client.headers["X-API-Key"] = ADMIN_KEY
        for name in ("Ombudsman Republik Indonesia", "Pemerintah Provinsi Bench"):
            kind = "state_institution" if "Ombudsman" in name else "provincial_government"
            assert client.post(
                "/api/v1/organizations", json={"name": name, "kind": kind}
            ).is_success
        content = register(1, NKS)
        dry, dry_counts = timed(client, content, commit=False)
        commit, commit_counts = timed(client, content, commit=True)
        again, again_counts = timed(client, content, commit=True)

        started = time.perf_counter()
        for i in range(NKS + 1, NKS + 1 + API_NKS):
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
        api = time.perf_counter() - started
    per_api = api / API_NKS * 1000
    print(
        json.dumps(
            {
                "agreements_in_register": NKS,
                "dry_run": {"s": round(dry, 2), "ms_per_agreement": round(dry / NKS * 1000, 2)},
                "commit": {
                    "s": round(commit, 2),
                    "ms_per_agreement": round(commit / NKS * 1000, 2),
                },
                "again_all_found": {"s": round(again, 2), "counts": again_counts},
                "api_one_call_at_a_time": {
                    "agreements": API_NKS,
                    "ms_per_agreement": round(per_api, 2),
                },
                "commit_per_agreement_vs_api": round(commit / NKS * 1000 / per_api, 3),
                "counts": {"dry_run": dry_counts, "commit": commit_counts},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
