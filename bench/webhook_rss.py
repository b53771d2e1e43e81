"""How much memory the reminder delivery costs when receivers answer gigabytes.

    .venv/bin/python bench/webhook_rss.py

Starts a loopback receiver that answers every POST with `200` and a body of BENCH_ANSWER_MB
(3072 by default) sent as fast as it is read, and delivers BENCH_DELIVERIES (8) reminders to it
through the run's own delivery code (app.reminders.delivery.deliver_all, no database needed),
sampling this process's resident memory every 20 ms. For comparison it then reads
BENCH_UNCAPPED_MB (256) of one answer the way delivery did before the cap (httpx's
`client.post`, which keeps the whole body). Prints one JSON document: RSS before, peak and after
(KiB), the bytes the receiver got into the socket, and the time each part took.
"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import httpx  # noqa: E402

from app.core.config import settings  # noqa: E402
from app.reminders.delivery import Delivery, Outgoing, deliver_all  # noqa: E402

ANSWER_MB = int(os.environ.get("BENCH_ANSWER_MB", "3072"))
DELIVERIES = int(os.environ.get("BENCH_DELIVERIES", "8"))
UNCAPPED_MB = int(os.environ.get("BENCH_UNCAPPED_MB", "256"))


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Sampler:
    """The peak resident memory of this process while a block runs."""

    def __enter__(self) -> "Sampler":
        self.peak, self._running = rss_kib(), True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while self._running:
            self.peak = max(self.peak, rss_kib())
            time.sleep(0.02)

    def __exit__(self, *_: Any) -> None:
        self._running = False
        self._thread.join()


def start_receiver(megabytes: int, sent: list[int]) -> ThreadingHTTPServer:
    chunk = b"x" * 65536
    total = megabytes * 1024 * 1024

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("content-length", 0)))
            self.send_response(200)
            self.send_header("content-length", str(total))
            self.end_headers()
            written = 0
            try:
                while written < total:
                    self.wfile.write(chunk)
                    written += len(chunk)
            except OSError:
                pass  # the registry closed the connection: what the cap is for
            finally:
                sent[0] += written
                self.close_connection = True

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def capped(url: str) -> dict[str, Any]:
    items = [Outgoing(i, f"bench-{i}", {"n": i}) for i in range(1, DELIVERIES + 1)]
    deliveries = [Delivery(["webhook"], url, items, None, [])]
    run_settings = settings.model_copy(
        update={"WEBHOOK_ALLOWED_HOSTS": ["127.0.0.1"], "WEBHOOK_TIMEOUT_SECONDS": 600}
    )
    before = rss_kib()
    started = time.perf_counter()
    with Sampler() as sampler:
        deliver_all(deliveries, run_settings)
    return {
        "deliveries": DELIVERIES,
        "delivered": len(deliveries[0].webhook_done),
        "max_answer_bytes": run_settings.WEBHOOK_MAX_ANSWER_BYTES,
        "rss_before_kib": before,
        "rss_peak_kib": sampler.peak,
        "rss_after_kib": rss_kib(),
        "seconds": round(time.perf_counter() - started, 2),
    }


def uncapped(url: str) -> dict[str, Any]:
    before = rss_kib()
    started = time.perf_counter()
    with Sampler() as sampler:
        answer = httpx.post(url, json={"n": 0}, timeout=600)
        size = len(answer.content)
        del answer
    return {
        "body_bytes_kept": size,
        "rss_before_kib": before,
        "rss_peak_kib": sampler.peak,
        "rss_after_kib": rss_kib(),
        "seconds": round(time.perf_counter() - started, 2),
    }


def main() -> None:
    sent = [0]
    server = start_receiver(ANSWER_MB, sent)
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    result: dict[str, Any] = {"answer_mb": ANSWER_MB, "capped": capped(url)}
    time.sleep(0.5)  # the receiver's threads see their writes fail
    result["capped"]["bytes_the_receiver_got_out"] = sent[0]
    server.shutdown()
    server.server_close()
    if UNCAPPED_MB:
        sent = [0]
        server = start_receiver(UNCAPPED_MB, sent)
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        result["uncapped_for_comparison"] = {"answer_mb": UNCAPPED_MB, **uncapped(url)}
        server.shutdown()
        server.server_close()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
