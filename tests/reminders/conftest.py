"""A webhook receiver and an SMTP server on loopback, and settings for the reminder run."""

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from app.core.config import Settings, settings
from app.core.deps import get_settings
from app.main import app

TOKEN = "rahasia-penjadwal"


@dataclass
class Receiver:
    """Records each POST; answers 500 to the first `failures` of them."""

    url: str = ""
    failures: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            with state.lock:
                failing = state.failures > 0
                state.failures -= int(failing)
                state.requests.append(
                    {"headers": dict(self.headers), "json": json.loads(body), "failed": failing}
                )
            self.send_response(500 if failing else 200)
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/reminders"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port: aiosmtpd's start-up check cannot use port 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def run_settings(client: TestClient) -> Iterator[dict[str, Any]]:
    """Overrides applied to the settings the run sees; edit the dict in a test."""
    overrides: dict[str, Any] = {
        "SCHEDULER_TOKEN": TOKEN,
        "SMTP_HOST": None,
        "WEBHOOK_ALLOWED_HOSTS": ["127.0.0.1"],  # the loopback receivers of these tests
    }

    def current() -> Settings:
        return settings.model_copy(update=overrides)

    app.dependency_overrides[get_settings] = current
    yield overrides
