"""POSTs that honour an Idempotency-Key header: a retry over a bad connection creates nothing
twice. The same key with the same body replays the first answer (status and body); with
another body, 422; while the first is still running, 409. Keys belong to the user who sent them
and are forgotten after IDEMPOTENCY_TTL_HOURS."""

import hashlib
import re
from collections.abc import Callable, Coroutine, Iterator
from datetime import timedelta
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from python_multipart.multipart import parse_options_header
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.core.config import Settings
from app.core.db import get_session
from app.core.deps import get_now, get_settings, get_today
from app.core.errors import problem
from app.idempotency import service
from app.users.auth import authenticate

HEADER = "Idempotency-Key"
MAX_KEY = 200
# Printable ASCII (HTTP trims the spaces around a header's value, so one other character at
# least): what the document says and what the check below refuses are the same pattern.
KEY_PATTERN = r"^[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$"
PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY, "pattern": KEY_PATTERN},
    "description": "Any unique text (e.g. a UUID) to make a retry safe: the same key with the "
    "same body gets the first answer again and creates nothing; with another body, 422.",
}


def _resolve(request: Request, dependency: Callable[..., Any]) -> Any:
    return request.app.dependency_overrides.get(dependency, dependency)()


class _SessionScope:
    """The request's own session once the endpoint has run (so that no second connection waits
    on SQLite's write lock held by it); before, a session as the app provides it."""

    def __init__(self, request: Request) -> None:
        own = getattr(request.state, "session", None)
        if own is not None:
            own.rollback()  # end whatever the endpoint left open; its work is committed
            self._made = own
            return
        override = request.app.dependency_overrides.get(get_session)
        self._made = override() if override is not None else get_session(request)

    def __enter__(self) -> Session:
        if isinstance(self._made, Iterator):
            self._gen = self._made
            return next(self._gen)
        return self._made  # type: ignore[no-any-return]

    def __exit__(self, *exc: Any) -> None:
        gen = getattr(self, "_gen", None)
        if gen is not None:
            gen.close()


class IdempotentRoute(APIRoute):
    """An APIRoute whose POST honours Idempotency-Key (documented in OpenAPI)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if "POST" in (kwargs.get("methods") or []):
            extra = dict(kwargs.get("openapi_extra") or {})
            extra["parameters"] = [*extra.get("parameters", []), PARAMETER]
            kwargs["openapi_extra"] = extra
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            key = request.headers.get(HEADER)
            if request.method != "POST" or key is None:
                return await original(request)
            return await _idempotently(request, key, original)

        return handler


def _without_boundary(request: Request, body: bytes) -> bytes:
    """A multipart body (an upload) without its boundary, which each client chooses anew for
    each send: a retried upload of the same file is the same request."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if not content_type.startswith(b"multipart/") or not boundary:
        return body
    return body.replace(boundary, b"")


async def _idempotently(
    request: Request, key: str, original: Callable[[Request], Coroutine[Any, Any, Response]]
) -> Response:
    if not 1 <= len(key) <= MAX_KEY or not re.fullmatch(KEY_PATTERN, key):
        return problem(
            422,
            "idempotency-key-invalid",
            "The Idempotency-Key is not valid",
            f"Send 1 to {MAX_KEY} printable ASCII characters, e.g. a UUID.",
            errors=[{"loc": ["header", HEADER], "msg": "1 to 200 printable ASCII characters"}],
        )
    api_key = request.headers.get("X-API-Key")
    if not api_key:
        return await original(request)  # answered 401 there
    body = _without_boundary(request, await request.body())
    fingerprint = hashlib.sha256(
        b"\n".join([request.method.encode(), request.url.path.encode(), body])
    ).hexdigest()
    settings: Settings = _resolve(request, get_settings)
    today, now = _resolve(request, get_today), _resolve(request, get_now)

    def take() -> service.Claim | None:
        with _SessionScope(request) as session:
            caller = authenticate(session, api_key, settings, today)
            if caller is None:
                return None
            return service.claim(
                session,
                user_id=caller.id,
                key=key,
                fingerprint=fingerprint,
                now=now,
                ttl=timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS),
            )

    claim = await run_in_threadpool(take)
    if claim is None:
        return await original(request)  # an unknown key: answered 401 there
    if claim.outcome == "mismatch":
        return problem(
            422,
            "idempotency-key-reused",
            "The Idempotency-Key was used for another request",
            "This Idempotency-Key came with a different request before; use a new key for a "
            "new request.",
            errors=[{"loc": ["header", HEADER], "msg": "used for another request"}],
        )
    if claim.outcome == "in_progress":
        return problem(
            409,
            "idempotency-key-in-progress",
            "The first request with this Idempotency-Key is still running",
            "Wait a moment and send it again: you will then get its answer.",
        )
    if claim.outcome == "replay":
        assert claim.status_code is not None
        return Response(
            content=claim.body or "",
            status_code=claim.status_code,
            media_type=claim.media_type,
            headers={"Idempotent-Replayed": "true"},
        )
    assert claim.record_id is not None
    record_id = claim.record_id
    try:
        response = await original(request)
    except Exception:
        await run_in_threadpool(_forget, request, record_id)
        raise
    content = bytes(getattr(response, "body", b""))
    if response.status_code >= 500:
        await run_in_threadpool(_forget, request, record_id)
        return response

    def keep() -> None:
        with _SessionScope(request) as session:
            service.remember(
                session,
                record_id=record_id,
                status_code=response.status_code,
                media_type=response.media_type,
                body=content.decode("utf-8", errors="replace"),
            )

    await run_in_threadpool(keep)
    return response


def _forget(request: Request, record_id: int) -> None:
    with _SessionScope(request) as session:
        service.forget(session, record_id=record_id)
