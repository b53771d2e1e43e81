"""`make bench`: the registry at national size, under load, as production runs it.

    make bench                      # PostgreSQL (BENCH_DATABASE_URL), the full national data set
    make bench BENCH_ARGS=--sqlite  # a smaller data set (5%) in an SQLite file

1. Builds the national data set (bench/national.py) in a database of its own.
2. Starts the real server as production does: uvicorn, WEB_CONCURRENCY workers (default 1),
   warnings and errors logged to var/bench-server.log, no rate limit, the scheduler token set.
3. Loads each endpoint over HTTP from a separate process, with wrk (Debian's, which `make bench`
   installs when missing): BENCH_CONNECTIONS connections (16) for BENCH_SECONDS seconds (10)
   each, after one warm-up request whose status must be 200. The API is called with the bench
   admin's key; the staff console's pages (rows named "console: ...", beside their API
   counterparts) with the session cookie of that admin, signed in over HTTP as a browser does
   (the sign-in form and its CSRF token), with a password set as `registry set-password` does.
4. Runs the reminders for day one (yesterday) and day two (today), over HTTP, and times them;
   every organization's webhook points at a receiver in this process (answering 204), so the
   runs deliver for real.
5. Streams a CSV export of every agreement while sampling the worker's memory.

Prints one JSON document: per endpoint the time of its warm-up request (the front page's figures
are computed then and kept STATS_CACHE_SECONDS), requests/s, p50, p99, errors and the ratio of its
requests/s to the baseline measured in the same run (`/healthz`, which does not touch the
database); the server's peak RSS; the reminder runs; the export's RSS growth.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
BOOTSTRAP_KEY = "bench-bootstrap-key"
TOKEN = "bench-scheduler-token"


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", action="store_true", help="a 5%% data set in SQLite")
    parser.add_argument("--scale", type=float, default=None, help="data set size (1 = national)")
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 10)))
    parser.add_argument(
        "--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", 16))
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 1)))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8766)))
    parser.add_argument("--only", default="", help="comma-separated endpoint names to load")
    parser.add_argument("--skip-build", action="store_true", help="reuse the data set")
    parser.add_argument(
        "--reminders", action="store_true", help="run the reminders after an --only load too"
    )
    return parser.parse_args()


ARGS = _parse_args()
if ARGS.sqlite:
    os.environ["BENCH_DATABASE_URL"] = f"sqlite:///{BENCH_DIR.parent / 'var' / 'bench.db'}"
    (BENCH_DIR.parent / "var").mkdir(exist_ok=True)
os.environ.setdefault("SCHEDULER_TOKEN", TOKEN)
sys.path.insert(0, str(BENCH_DIR))

import httpx  # noqa: E402
from common import CONSOLE_PASSWORD, ROOT, URL, console_sign_in, prepare_database  # noqa: E402
from national import BENCH_EMAIL, DataSet, build  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app.console.session import SESSION_COOKIE  # noqa: E402
from app.core.config import settings  # noqa: E402
from app.core.db import engine  # noqa: E402


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def worker_pids(server: int) -> list[int]:
    """The server process and its children (uvicorn's workers)."""
    children = Path(f"/proc/{server}/task/{server}/children")
    found = [int(p) for p in children.read_text().split()] if children.exists() else []
    return [server, *found]


class Sampler:
    """The peak of the summed resident memory of the server's processes."""

    def __init__(self, server: int) -> None:
        self.server, self.peak, self._running = server, 0, False

    def now(self) -> int:
        return sum(rss_kib(p) for p in worker_pids(self.server))

    def __enter__(self) -> "Sampler":
        self._running = True
        self.peak = self.now()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while self._running:
            self.peak = max(self.peak, self.now())
            time.sleep(0.05)

    def __exit__(self, *_: object) -> None:
        self._running = False
        self._thread.join()


def endpoints(data: DataSet) -> dict[str, str]:
    """What is loaded: the baseline first, then what staff open every day; each console page
    (its path outside /api) right after its API counterpart."""
    return {
        "healthz (baseline)": "/healthz",
        "agreement by id": f"/api/v1/agreements/{data.pks}",
        "console: one agreement": f"/perjanjian/{data.pks}",
        "list status=active&organization_id=": (
            f"/api/v1/agreements?status=active&organization_id={data.government}"
        ),
        "list newest 50": "/api/v1/agreements?limit=50",
        "console: Perjanjian list": "/perjanjian",
        "list status=active newest 50": "/api/v1/agreements?status=active&limit=50",
        "list offset 35000": "/api/v1/agreements?offset=35000&limit=50",
        "list PKS of an NK (parent_id)": f"/api/v1/agreements?parent_id={data.big_nk}",
        "list unsigned_by a Perwakilan": f"/api/v1/agreements?unsigned_by={data.perwakilan}",
        "number=": f"/api/v1/agreements?number={data.number}",
        "q=pengaduan": "/api/v1/agreements?q=pengaduan",
        "coverage of an NK with 500 PKS": f"/api/v1/agreements/{data.big_nk}/coverage",
        "console: Cakupan of an NK with 500 PKS": f"/cakupan/{data.big_nk}",
        "deadlines of a government": f"/api/v1/deadlines?organization_id={data.government}",
        "deadlines of a Perwakilan": f"/api/v1/deadlines?organization_id={data.perwakilan}",
        "console: Tenggat of a Perwakilan": f"/tenggat?organization_id={data.perwakilan}",
        "calendar.ics of a Perwakilan": f"/api/v1/calendar.ics?organization_id={data.perwakilan}",
        # A subscribed calendar's poll: If-None-Match with the ETag of the warm-up; 304 each.
        NOT_MODIFIED: f"/api/v1/calendar.ics?organization_id={data.perwakilan}",
        "obligations overdue": "/api/v1/obligations?status=overdue",
        "obligations of a government": f"/api/v1/obligations?organization_id={data.government}",
        "organizations q=kesehatan": "/api/v1/organizations?q=kesehatan",
        "stats (front page)": "/api/v1/stats",
        "console: Beranda (front page)": "/",
    }


NOT_MODIFIED = "calendar.ics of a Perwakilan 304 (If-None-Match)"


def is_console(path: str) -> bool:
    return not path.startswith(("/api/", "/healthz"))


def set_console_password() -> str:
    """The bench admin's password, set through the service `registry set-password` calls."""
    from sqlmodel import Session

    from app.console.session import set_password

    with Session(engine) as session:
        return set_password(session=session, email=BENCH_EMAIL, password=CONSOLE_PASSWORD).email


def console_cookie(base: str, email: str) -> str:
    """The Cookie header of a console session of the bench admin, for wrk."""
    with httpx.Client(base_url=base, timeout=60) as browser:
        console_sign_in(browser, email)
        return f"{SESSION_COOKIE}={browser.cookies[SESSION_COOKIE]}"


LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, seconds: int, connections: int, *headers: str) -> dict[str, Any]:
    """One wrk run: requests/s, p50 and p99 in ms, and errors (answers other than 2xx and 3xx,
    sockets)."""
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "30s",
            *[part for header in headers for part in ("-H", header)],
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    latencies = {p: float(v) * UNIT[u] for p, v, u in LATENCY.findall(output)}
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
    return {
        "requests_per_s": float(rate.group(1)) if rate else 0.0,
        "p50_ms": round(latencies.get("50", 0.0), 2),
        "p99_ms": round(latencies.get("99", 0.0), 2),
        "errors": errors,
    }


class Receiver(BaseHTTPRequestHandler):
    """The organizations' webhook: takes each reminder and answers 204, counting them."""

    received = 0
    protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        Receiver.received += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


class ReceiverServer(ThreadingHTTPServer):
    # The socket's backlog: the run opens WEBHOOK_CONCURRENCY connections at once and more on
    # retries; the standard library's 5 refused some of them, which measured the receiver.
    request_queue_size = 128
    daemon_threads = True


def start_receiver(port: int) -> str:
    """A webhook receiver on loopback; every organization's webhook_url points at it."""
    receiver = ReceiverServer(("127.0.0.1", port), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{port}/hook"
    with engine.begin() as connection:
        connection.execute(text("UPDATE organization SET webhook_url = :url"), {"url": url})
    return url


def start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": URL,
        "LOG_LEVEL": "WARNING",
        "RATE_LIMIT_PER_MINUTE": "0",
        "BOOTSTRAP_ADMIN_KEY": BOOTSTRAP_KEY,
        "SCHEDULER_TOKEN": TOKEN,
        "WEB_CONCURRENCY": str(workers),
        "WEBHOOK_ALLOWED_HOSTS": '["127.0.0.1"]',  # the receiver of start_receiver
    }
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port)]
    command += ["--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    log = (Path(ROOT) / "var" / "bench-server.log").open("wb")  # errors only (WARNING)
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not become ready in 60 s")


def drain(base: str, key: str) -> None:
    """Wait until the requests wrk left in flight are done (a light read answers at once), so
    that one endpoint's backlog is not measured against the next."""
    for _ in range(600):
        started = time.perf_counter()
        try:
            answer = httpx.get(f"{base}/api/v1/users/me", headers={"X-API-Key": key}, timeout=60)
            if answer.status_code == 200 and time.perf_counter() - started < 0.2:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)


def reminder_run(base: str, day: date) -> dict[str, Any]:
    started = time.perf_counter()
    response = httpx.post(
        f"{base}/api/v1/reminders/run",
        params={"as_of": day.isoformat()},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=600,
    )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    body = response.json()
    return {"as_of": day.isoformat(), "seconds": round(elapsed, 3), **body}


def export_rss(base: str, server: int, key: str) -> dict[str, Any]:
    sampler = Sampler(server)
    before = sampler.now()
    size = rows = 0
    with sampler:
        started = time.perf_counter()
        with httpx.stream(
            "GET",
            f"{base}/api/v1/agreements/export.csv",
            headers={"X-API-Key": key},
            timeout=3600,
        ) as response:
            response.raise_for_status()
            for chunk in response.iter_bytes():
                size += len(chunk)
                rows += chunk.count(b"\n")
        elapsed = time.perf_counter() - started
    return {
        "rows": rows - 1,
        "bytes": size,
        "seconds": round(elapsed, 1),
        "rss_before_mib": round(before / 1024, 1),
        "rss_peak_mib": round(sampler.peak / 1024, 1),
        "rss_growth_mib": round((sampler.peak - before) / 1024, 1),
    }


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `make bench` installs it (apt-get install wrk)")
    started = time.perf_counter()
    anchor = date.today() - timedelta(days=1)  # day one of the reminder runs
    scale = ARGS.scale if ARGS.scale is not None else (0.05 if ARGS.sqlite else 1.0)
    state = BENCH_DIR.parent / "var" / "bench-dataset.json"
    if ARGS.skip_build and state.exists():
        data = DataSet(**json.loads(state.read_text()))
        data.anchor = date.fromisoformat(str(data.anchor))
    else:
        prepare_database()
        data = build(engine, anchor=anchor, scale=scale)
        state.parent.mkdir(exist_ok=True)
        state.write_text(json.dumps({**data.__dict__, "anchor": data.anchor.isoformat()}))
    start_receiver(ARGS.port + 1)
    email = set_console_password()
    engine.dispose()
    print(f"data set: {data.counts} in {data.seconds} s", file=sys.stderr)
    key = data.api_key
    server = start_server(ARGS.port, ARGS.workers)
    base = f"http://127.0.0.1:{ARGS.port}"
    headers = {"api": f"X-API-Key: {key}", "console": f"Cookie: {console_cookie(base, email)}"}
    result: dict[str, Any] = {
        "database": engine.dialect.name,
        "data_set": {**data.counts, "build_seconds": data.seconds},
        "workers": ARGS.workers,
        "connections": ARGS.connections,
        "seconds_per_endpoint": ARGS.seconds,
        # The front page's figures are computed by the warm-up request (its warm_up_ms), then
        # kept this long: the load measures the kept figures, as staff meet them.
        "stats_cache_seconds": settings.STATS_CACHE_SECONDS,
    }
    try:
        loads: dict[str, Any] = {}
        wanted = {n.strip() for n in ARGS.only.split(",") if n.strip()}
        with Sampler(server.pid) as sampler:
            for name, path in endpoints(data).items():
                if wanted and name not in wanted and not name.startswith("healthz"):
                    continue
                header = headers["console" if is_console(path) else "api"]
                field, value = header.split(": ", 1)
                warm_started = time.perf_counter()
                warm = httpx.get(f"{base}{path}", headers={field: value}, timeout=120)
                warm_ms = round((time.perf_counter() - warm_started) * 1000, 1)
                # A console page signed out answers 200 too, with the sign-in form.
                if warm.status_code != 200 or 'name="password"' in warm.text:
                    loads[name] = {"path": path, "status": warm.status_code}
                    print(f"{name}: {warm.status_code} {warm.text[:300]}", file=sys.stderr)
                    continue
                extra = [f"If-None-Match: {warm.headers['etag']}"] if name == NOT_MODIFIED else []
                measured = wrk(base + path, ARGS.seconds, ARGS.connections, header, *extra)
                loads[name] = {"path": path, "warm_up_ms": warm_ms, **measured}
                drain(base, key)
                print(f"{name}: {loads[name]}", file=sys.stderr)
        baseline = loads["healthz (baseline)"]["requests_per_s"] or 1.0
        for measured in loads.values():
            if "requests_per_s" in measured:
                measured["ratio_to_baseline"] = round(measured["requests_per_s"] / baseline, 3)
        result["endpoints"] = loads
        result["server_peak_rss_mib"] = round(sampler.peak / 1024, 1)
        if not wanted or ARGS.reminders:
            result["reminder_run"] = {
                "day_one": reminder_run(base, data.anchor),
                "day_two": reminder_run(base, data.anchor + timedelta(days=1)),
                "webhooks_received": Receiver.received,
            }
        if not wanted:
            result["export_csv"] = export_rss(base, server.pid, key)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
