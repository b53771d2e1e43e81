"""What operators watch: one JSON log line per request (with its request id, also sent back as
X-Request-ID) and Prometheus metrics at /metrics (prometheus-client)."""

import json
import logging
import re
import secrets
import time
import uuid
from typing import Annotated, Any

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.deps import SettingsDep
from app.core.errors import Unauthorized
from app.core.masking import mask_urls_in

access_log = logging.getLogger("app.access")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")

REQUESTS = Counter(
    "registry_http_requests_total",
    "HTTP requests answered, by route template (not raw path) and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "registry_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ["method", "route"],
)
REMINDER_RUNS = Counter("registry_reminder_runs_total", "Reminder runs (dry runs excluded).")
REMINDERS_RECORDED = Counter("registry_reminders_recorded_total", "Reminders recorded by runs.")
DELIVERIES = Counter(
    "registry_reminder_deliveries_total",
    "Reminder deliveries by outcome (delivered, failed, undeliverable).",
    ["outcome"],
)
OLDEST_UNDELIVERED = Gauge(
    "registry_oldest_undelivered_reminder_age_seconds",
    "Age of the oldest reminder not yet delivered (0 when none waits).",
)
POOL_CHECKED_OUT = Gauge(
    "registry_db_pool_connections_in_use", "Database connections in use by this process."
)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the record's extra fields. URLs in the message and the
    traceback are masked (app.core.masking): an error can quote a webhook URL or a database URL
    with their credentials (e.g. a failed statement's parameters)."""

    SKIP = set(vars(logging.makeLogRecord({})))

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_urls_in(record.getMessage()),
        }
        line.update({k: v for k, v in vars(record).items() if k not in self.SKIP})
        if record.exc_info:
            line["exception"] = mask_urls_in(self.formatException(record.exc_info))
        return json.dumps(line, default=str, ensure_ascii=False)


def configure_logging(level: str) -> None:
    """JSON lines on stderr for everything the application logs."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # SQL and its parameters are never logged at INFO.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)


class RequestLog:
    """Give each request an id (the client's X-Request-ID if it is a sane one), send it back,
    count and time the request by its route template, and log one line for it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            LATENCY.labels(scope["method"], route).observe(elapsed)
            access_log.info(
                "%s %s %s",
                scope["method"],
                route,
                status,
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                    "request_id": request_id,
                    "user_id": scope["state"].get("user_id"),
                },
            )


def metrics_page() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST


class MetricsUnauthorized(Unauthorized):
    type_slug = "metrics-token-required"
    headers = {"WWW-Authenticate": "Bearer"}


metrics_bearer = HTTPBearer(auto_error=False, description="METRICS_TOKEN, when it is set")


def require_metrics_token(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(metrics_bearer)],
) -> None:
    """With METRICS_TOKEN set, its bearer token (compared in constant time); unset, open."""
    expected = settings.METRICS_TOKEN
    if not expected:
        return
    if credentials is None or not secrets.compare_digest(
        credentials.credentials.encode(), expected.encode()
    ):
        raise MetricsUnauthorized(
            "This server's metrics need 'Authorization: Bearer <METRICS_TOKEN>'."
        )
