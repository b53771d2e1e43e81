"""How much memory an export of 100,000 agreements costs the server (target: < 50 MB growth).

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/registry_bench \\
        .venv/bin/python bench/export_rss.py

Builds ~100,000 agreements (BENCH_NK NK x BENCH_PKS_PER_NK PKS, two parties and two ruang
lingkup items each) with bulk SQL, starts the real server (uvicorn, one worker) in a process of
its own, and downloads /api/v1/agreements/export.csv and .xlsx while sampling the server's
resident memory every 20 ms. Prints one JSON document: the server's RSS before, the peak during
each export and the growth, the rows and bytes received, and the time of each export beside the
time of a page of 50 agreements measured in the same run (as a ratio).
"""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("BENCH_NK", "2500")
os.environ.setdefault("BENCH_PKS_PER_NK", "40")

from common import ADMIN_KEY, ROOT, URL, prepare_database  # noqa: I001,E402

import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app.core.db import engine  # noqa: E402
from list_agreements import build  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "8765"))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Sampler:
    """The peak resident memory of a process while a block runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._running = pid, 0, False

    def __enter__(self) -> "Sampler":
        self._running = True
        self.peak = rss_kib(self.pid)
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while self._running:
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.02)

    def __exit__(self, *_: object) -> None:
        self._running = False
        self._thread.join()


def add_scope_items() -> None:
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO scope_item (agreement_id, position, title) "
                "SELECT a.id, g, 'Ruang lingkup ' || g || ' perjanjian ' || a.id "
                "FROM agreement a, generate_series(1, 2) g"
            )
        )
        c.execute(text("ANALYZE"))


def main() -> None:
    prepare_database()
    build()
    add_scope_items()
    with engine.connect() as c:
        agreements = c.execute(text("SELECT count(*) FROM agreement")).scalar_one()
    env = {**os.environ, "DATABASE_URL": URL, "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:app",
            "--port",
            str(PORT),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{PORT}"
    headers = {"X-API-Key": ADMIN_KEY}
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        page_times = []
        for _ in range(5):
            started = time.perf_counter()
            httpx.get(f"{base}/api/v1/agreements", headers=headers, timeout=60).raise_for_status()
            page_times.append(time.perf_counter() - started)
        page = sorted(page_times)[len(page_times) // 2]
        result: dict[str, object] = {"agreements": agreements, "page_of_50_s": round(page, 4)}
        for fmt in ("csv", "xlsx"):
            before = rss_kib(server.pid)
            size = 0
            with Sampler(server.pid) as sampler:
                started = time.perf_counter()
                with httpx.stream(
                    "GET", f"{base}/api/v1/agreements/export.{fmt}", headers=headers, timeout=3600
                ) as response:
                    response.raise_for_status()
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                elapsed = time.perf_counter() - started
            result[fmt] = {
                "rss_before_mib": round(before / 1024, 1),
                "rss_peak_mib": round(sampler.peak / 1024, 1),
                "rss_growth_mib": round((sampler.peak - before) / 1024, 1),
                "bytes": size,
                "seconds": round(elapsed, 2),
                "seconds_per_page_of_50": round(elapsed / page, 1),
            }
        print(json.dumps(result, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
