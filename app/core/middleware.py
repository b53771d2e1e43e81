"""What every answer carries and every request is held to: security headers, CORS from
settings, and a body size limit enforced while the body arrives."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import Settings
from app.core.errors import problem
from app.core.observability import RequestLog

# Swagger UI and ReDoc come from our own files (app/core/docs.py) and start with an inline
# script; ReDoc runs a worker from a blob. Nothing is loaded from elsewhere.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", CSP.encode()),
]


class SecurityHeaders:
    """nosniff, no framing, no referrer, a CSP that still lets Swagger UI work (unless the
    response set its own: the console's, app/console/web.py)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                # A response with a CSP of its own (the console's stricter one) keeps it.
                own = {k.lower() for k, _ in headers}
                message["headers"] = headers + [h for h in SECURITY_HEADERS if h[0] not in own]
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyTooLarge(StarletteHTTPException):
    """Raised from inside the app while the body is read; answered as a 413 problem."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"This request may carry at most {limit:,} bytes.")


IMPORTS_PATH = "/api/v1/imports"


class BodyLimit:
    """Refuse a body larger than the limit as it arrives (413), never after reading it whole.

    Uploads of signed documents get MAX_UPLOAD_BYTES and imported registers MAX_IMPORT_BYTES
    (each plus room for the multipart envelope); every other request MAX_BODY_BYTES.
    """

    def __init__(
        self, app: ASGIApp, *, max_body: int, max_upload: int, max_import: int | None = None
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload + 64 * 1024
        self.max_import = (max_import if max_import is not None else max_body) + 64 * 1024

    def _limit(self, scope: Scope) -> int:
        if scope["method"] != "POST":
            return self.max_body
        if scope["path"].endswith("/documents"):
            return self.max_upload
        if scope["path"].rstrip("/") == IMPORTS_PATH:
            return self.max_import
        return self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracking)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem(
            413,
            "body-too-large",
            "The request body is too large",
            f"This request may carry at most {limit:,} bytes.",
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """Body limit innermost, then CORS, then the headers on every answer (errors included)."""
    app.add_middleware(
        BodyLimit,
        max_body=settings.MAX_BODY_BYTES,
        max_upload=settings.MAX_UPLOAD_BYTES,
        max_import=settings.MAX_IMPORT_BYTES,
    )
    if settings.CORS_ORIGINS:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.CORS_ORIGINS,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["X-API-Key", "Content-Type", "Idempotency-Key"],
        )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLog)  # outermost: every answer is counted and logged
