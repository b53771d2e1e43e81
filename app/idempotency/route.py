"""POSTs that honour an Idempotency-Key header: a retry over a bad connection creates nothing
twice. The same key with the same body replays the first answer (status and body); with
another body, 422; while the first is still running, 409. The first holds the key for a lease
(IDEMPOTENCY_LEASE_SECONDS): one that died lets go of it then, and a retry runs in its place. Its
write and its answer are committed together, so a write never stands without the answer a retry
would replay. Keys belong to the user who sent them and are forgotten after
IDEMPOTENCY_TTL_HOURS."""

import asyncio
import hashlib
import inspect
import logging
import re
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import Request, Response
from fastapi.routing import APIRoute
from python_multipart.multipart import parse_options_header
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.core import db
from app.core.config import Settings
from app.core.db import get_session, session_scope
from app.core.deps import get_now, get_settings, get_today
from app.core.errors import problem
from app.idempotency import service
from app.users.auth import authenticate

logger = logging.getLogger("app.idempotency")
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
    "same body gets the first answer again and creates nothing; with another body, 422; "
    "while the first is still running, 409 (a first request that died holds the key for at "
    "most IDEMPOTENCY_LEASE_SECONDS, 60 by default).",
}


async def resolve(request: Request, dependency: Callable[..., Any]) -> Any:
    """A dependency's value outside FastAPI's injection (honouring the app's overrides, which
    may be plain functions where the dependency is a coroutine function)."""
    value = request.app.dependency_overrides.get(dependency, dependency)()
    return await value if inspect.isawaitable(value) else value


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
        self._made = override() if override is not None else session_scope(request)

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
    settings: Settings = await resolve(request, get_settings)
    today = await resolve(request, get_today)

    def user_of(session: Session) -> int | None:
        caller = authenticate(session, api_key, settings, today)
        return None if caller is None else caller.id

    return await run_once(request, key=key, user_of=user_of, original=original, answers=API)


@dataclass(frozen=True)
class Answers:
    """How one kind of route keeps and replays the answer of a key: the API keeps every answer
    but a 5xx and replays it as it was; the console keeps only its redirect after a write
    (app/console/forms.py)."""

    # What to keep of an answer, (media type, body), or None to forget the key (nothing of the
    # request is kept: its write is rolled back, and a retry with the key runs again).
    keep: Callable[[Response], tuple[str | None, str] | None]
    # The first answer again, from what was kept.
    replay: Callable[[service.Claim], Response]
    # While the first request with the key is still running: answer this at once (None), or
    # wait up to this many seconds for its answer and give that.
    wait_seconds: float | None = None


def _keep_as_sent(response: Response) -> tuple[str | None, str] | None:
    if response.status_code >= 500:
        return None
    content = bytes(getattr(response, "body", b""))
    return response.media_type, content.decode("utf-8", errors="replace")


def _replay_as_sent(claim: service.Claim) -> Response:
    assert claim.status_code is not None
    return Response(
        content=claim.body or "",
        status_code=claim.status_code,
        media_type=claim.media_type,
        headers={"Idempotent-Replayed": "true"},
    )


API = Answers(keep=_keep_as_sent, replay=_replay_as_sent)


async def run_once(
    request: Request,
    *,
    key: str,
    user_of: Callable[[Session], int | None],
    original: Callable[[Request], Coroutine[Any, Any, Response]],
    answers: Answers,
) -> Response:
    """Run the request once for this user's key (`user_of` finds the user in a session; None:
    run it without a key, to be refused there), or replay or refuse as the claim says."""
    body = _without_boundary(request, await request.body())
    fingerprint = hashlib.sha256(
        b"\n".join([request.method.encode(), request.url.path.encode(), body])
    ).hexdigest()
    settings: Settings = await resolve(request, get_settings)
    now = await resolve(request, get_now)

    lease = timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS)

    def take() -> service.Claim | None:
        with _SessionScope(request) as session:
            user_id = user_of(session)
            if user_id is None:
                return None
            return service.claim(
                session,
                user_id=user_id,
                key=key,
                fingerprint=fingerprint,
                now=now,
                ttl=timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS),
                lease=lease,
            )

    claim = await run_in_threadpool(take)
    waited, pause = 0.0, 0.05
    while (
        claim is not None
        and claim.outcome == "in_progress"
        and answers.wait_seconds is not None
        and waited < answers.wait_seconds
    ):
        # Waiting on the first request's answer (a condition polled, not a fixed delay).
        await asyncio.sleep(pause)
        waited += pause
        pause = min(pause * 2, 0.5)
        claim = await run_in_threadpool(take)
    if claim is None:
        return await original(request)  # an unknown user: answered there
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
            "Wait a moment and send it again: you will then get its answer (or, if that request "
            "died, your retry runs in its place once its hold on the key has run out).",
        )
    if claim.outcome == "replay":
        return answers.replay(claim)
    assert claim.record_id is not None
    if get_session in request.app.dependency_overrides:
        return await _run_in_given_session(request, claim, original, answers)
    return await _run_in_one_transaction(request, claim, original, answers)


def _taken_over() -> Response:
    return problem(
        409,
        "idempotency-key-in-progress",
        "The first request with this Idempotency-Key is still running",
        "This request took longer than its hold on the Idempotency-Key, and a retry with the "
        "same key runs in its place; nothing of this one was saved. Send it again to get the "
        "answer.",
    )


async def _run_in_one_transaction(
    request: Request,
    claim: service.Claim,
    original: Callable[[Request], Coroutine[Any, Any, Response]],
    answers: Answers,
) -> Response:
    """The endpoint's writes and the answer kept for the key, committed together on condition
    that the key is still this attempt's: never a write without its answer, which would leave a
    retry to write it twice."""
    assert claim.record_id is not None
    record_id, attempt = claim.record_id, claim.attempt
    connection = await run_in_threadpool(_begin)
    try:
        request.state.transaction_connection = connection
        try:
            response = await original(request)
        finally:
            request.state.transaction_connection = None
            # Done with the endpoint's session (FastAPI closes it only after this handler):
            # what it committed stays in the transaction, anything left open is let go.
            own = getattr(request.state, "session", None)
            if own is not None:
                await run_in_threadpool(own.close)
        answer = answers.keep(response)
        if answer is None:
            await run_in_threadpool(connection.rollback)
            await run_in_threadpool(_forget, None, record_id, attempt)
            return response
        media_type, content = answer

        def keep() -> bool:
            kept = service.remember(
                connection,
                record_id=record_id,
                attempt=attempt,
                status_code=response.status_code,
                media_type=media_type,
                body=content,
            )
            if kept:
                connection.commit()
            else:
                connection.rollback()
            return kept

        if not await run_in_threadpool(keep):
            return _taken_over()
        return response
    except BaseException:
        await run_in_threadpool(_abandon, connection)
        await run_in_threadpool(_forget, None, record_id, attempt)
        raise
    finally:
        await run_in_threadpool(connection.close)


def _begin() -> sa.Connection:
    connection = db.engine.connect()
    try:
        connection.begin()
    except BaseException:
        connection.close()
        raise
    return connection


def _abandon(connection: sa.Connection) -> None:
    try:
        connection.rollback()
    except Exception:  # noqa: BLE001  (a dead connection: its transaction is gone with it)
        logger.warning("rollback of an idempotent request failed", exc_info=True)


async def _run_in_given_session(
    request: Request,
    claim: service.Claim,
    original: Callable[[Request], Coroutine[Any, Any, Response]],
    answers: Answers,
) -> Response:
    """Under a session given by the application (tests' dependency override, itself one
    transaction rolled back at their end): the answer is kept in that session after the
    endpoint ran."""
    assert claim.record_id is not None
    record_id, attempt = claim.record_id, claim.attempt
    try:
        response = await original(request)
    except Exception:
        await run_in_threadpool(_forget, request, record_id, attempt)
        raise
    answer = answers.keep(response)
    if answer is None:
        await run_in_threadpool(_forget, request, record_id, attempt)
        return response
    media_type, content = answer

    def keep() -> bool:
        with _SessionScope(request) as session:
            kept = service.remember(
                session,
                record_id=record_id,
                attempt=attempt,
                status_code=response.status_code,
                media_type=media_type,
                body=content,
            )
            session.commit()
            return kept

    if not await run_in_threadpool(keep):
        return _taken_over()
    return response


def _forget(request: Request | None, record_id: int, attempt: int) -> None:
    """Let go of the key at once (a retry need not wait for the lease), in the request's
    session or (None) a session of its own; if the database cannot be reached, the lease runs
    out instead."""
    try:
        with Session(db.engine) if request is None else _SessionScope(request) as session:
            service.forget(session, record_id=record_id, attempt=attempt)
    except Exception:  # noqa: BLE001  (the request's own error is the one to answer)
        logger.warning("Idempotency-Key of record %s kept until its lease ends", record_id)
