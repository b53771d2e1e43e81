"""Who is calling: API keys (X-API-Key), the bootstrap admin, and the limits on both."""

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Query, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from app.core.actor import Actor, set_actor
from app.core.config import Settings
from app.core.db import SessionDep
from app.core.deps import SettingsDep, TodayDep
from app.core.errors import TooManyRequests, Unauthorized
from app.core.ratelimit import failures_per_address, requests_per_key
from app.core.types import utcnow
from app.users.models import ApiKey, Role, User

KEY_PREFIX = "nkr_"
BOOTSTRAP_EMAIL = "admin@registry.local"
LAST_USED_PRECISION = timedelta(hours=1)

api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="An API key of a user (POST /api/v1/users/{id}/api-keys; the first one from "
    "BOOTSTRAP_ADMIN_KEY or `registry create-admin`).",
)


@dataclass(frozen=True)
class Caller:
    """The user behind a request."""

    id: int
    name: str
    role: Role
    organization_id: int | None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin


def new_key() -> str:
    """A fresh key: 256 bits of randomness behind a recognisable prefix."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    # A key is random and long, so one SHA-256 suffices (unlike a password, it cannot be guessed
    # from a dictionary); only the hash is stored.
    return hashlib.sha256(key.encode()).hexdigest()


def bootstrap_admin(session: Session) -> User:
    """The user "admin" of BOOTSTRAP_ADMIN_KEY, created on first use (once, whatever races)."""
    found = session.exec(select(User).where(User.email == BOOTSTRAP_EMAIL)).first()
    if found is not None:  # every use but the first: one read, no write
        return found
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    session.execute(
        insert(User)
        .values(
            name="admin",
            email=BOOTSTRAP_EMAIL,
            role=Role.admin.value,
            active=True,
            version=1,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing()
    )
    user = session.exec(select(User).where(User.email == BOOTSTRAP_EMAIL)).one()
    session.commit()
    return user


# The look-up of a key, built once (every request makes it): what authenticate needs of the key
# and of its user, as plain columns.
# The user's columns a caller is made of (Caller, and whether they may still act), read with
# a key here and with a console session (app/console/session.py).
CALLER_COLUMNS: tuple[Any, ...] = (
    col(User.id).label("user_id"),
    col(User.name),
    col(User.role),
    col(User.organization_id),
    col(User.active),
)
_KEY_LOOKUP: Any = (
    sa.select(
        col(ApiKey.id).label("key_id"),
        col(ApiKey.expires_on),
        col(ApiKey.revoked_at),
        col(ApiKey.last_used_at),
        *CALLER_COLUMNS,
    )
    .join(User, col(User.id) == ApiKey.user_id)
    .where(col(ApiKey.key_hash) == sa.bindparam("key_hash"))
)


@dataclass(frozen=True)
class _Known:
    caller: Caller
    expires_on: date | None
    last_used_at: datetime | None
    read_at: float  # the process's monotonic clock


class KnownKeys:
    """The valid API keys this process looked up lately (by hash), with their callers: a request
    with one of them reads nothing (settings.API_KEY_CACHE_SECONDS). Expiry is checked on each
    use, and a key whose last_used_at is due for its hourly write is looked up again (and
    written). The users' service forgets them all when it revokes a key or changes a user."""

    def __init__(self, max_keys: int = 10_000) -> None:
        self._known: dict[str, _Known] = {}
        self._lock = threading.Lock()
        self._max_keys = max_keys
        # Bumped by clear(): a look-up that began before a change does not keep what it read.
        self.generation = 0
        self.clock: Callable[[], float] = time.monotonic  # tests step it

    def caller(self, key_hash: str, today: date, seconds: float) -> Caller | None:
        """The caller of a key read less than `seconds` ago and still valid today, or None (look
        it up)."""
        found = self._known.get(key_hash)
        if found is None or self.clock() - found.read_at >= seconds:
            return None
        if found.expires_on is not None and found.expires_on < today:
            return None
        if found.last_used_at is None or utcnow() - found.last_used_at > LAST_USED_PRECISION:
            return None
        return found.caller

    def keep(
        self,
        key_hash: str,
        caller: Caller,
        expires_on: date | None,
        last_used_at: datetime,
        generation: int,
    ) -> None:
        """Keep a key read in `generation` (unless the users changed since)."""
        with self._lock:
            if generation != self.generation:
                return
            if len(self._known) >= self._max_keys:
                self._known.clear()  # memory stays bounded; keys are read again, nothing breaks
            self._known[key_hash] = _Known(caller, expires_on, last_used_at, self.clock())

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._known.clear()


known_keys = KnownKeys()


def authenticate(session: Session, key: str, settings: Settings, today: date) -> Caller | None:
    """The caller a key belongs to, or None for an unknown, revoked or expired key, or a
    disabled user (a key read lately: from known_keys, without reading it again)."""
    bootstrap = settings.BOOTSTRAP_ADMIN_KEY
    if bootstrap and secrets.compare_digest(key.encode(), bootstrap.encode()):
        user = bootstrap_admin(session)
        if not user.active:
            return None
    else:
        key_hash = hash_key(key)
        known = known_keys.caller(key_hash, today, settings.API_KEY_CACHE_SECONDS)
        if known is not None:
            return known
        generation = known_keys.generation
        found = session.connection().execute(_KEY_LOOKUP, {"key_hash": key_hash}).first()
        if found is None:
            return None
        expired = found.expires_on is not None and found.expires_on < today
        if found.revoked_at is not None or expired or not found.active:
            return None
        now = utcnow()
        last_used_at = found.last_used_at
        if last_used_at is None or now - last_used_at > LAST_USED_PRECISION:
            # Written at most hourly: a read should not turn into a write each time.
            session.execute(
                sa.update(ApiKey).where(col(ApiKey.id) == found.key_id).values(last_used_at=now)
            )
            session.commit()
            last_used_at = now
        caller = Caller(found.user_id, found.name, Role(found.role), found.organization_id)
        if settings.API_KEY_CACHE_SECONDS > 0:
            known_keys.keep(key_hash, caller, found.expires_on, last_used_at, generation)
        return caller
    assert user.id is not None
    return Caller(user.id, user.name, user.role, user.organization_id)


async def current_caller(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    today: TodayDep,
    key: Annotated[str | None, Security(api_key_header)] = None,
) -> Caller:
    """The caller of this request (401 without a valid key; 429 past the limits)."""
    return await _caller(request, session, settings, today, key)


async def calendar_caller(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    today: TodayDep,
    key: Annotated[str | None, Security(api_key_header)] = None,
    query_key: Annotated[
        str | None,
        Query(
            alias="key",
            max_length=200,
            pattern=r"^[\x21-\x7e]+$",
            description="The API key, for calendar programs that cannot send a header (give "
            "them a viewer's key: a URL can end up in logs).",
        ),
    ] = None,
) -> Caller:
    """As current_caller; the calendar feed also takes the key from `?key=`."""
    return await _caller(request, session, settings, today, key or query_key)


async def _caller(
    request: Request, session: Session, settings: Settings, today: date, key: str | None
) -> Caller:
    """(async: a key read lately costs no hop to the thread pool; one to look up goes there.)"""
    address = request.client.host if request.client else "unknown"
    wait = failures_per_address.retry_after(address, settings.AUTH_FAILURES_PER_MINUTE)
    if wait is not None:
        raise TooManyRequests(
            f"Too many failed authentications from {address}; try again in {wait} s.",
            retry_after=wait,
        )
    caller = None
    if key:
        caller = known_keys.caller(hash_key(key), today, settings.API_KEY_CACHE_SECONDS)
        if caller is None:
            caller = await run_in_threadpool(authenticate, session, key, settings, today)
    if caller is None:
        if key:
            failures_per_address.add(address)
        raise Unauthorized(
            "Send a valid API key in the X-API-Key header."
            if key
            else "This registry needs an API key: send it in the X-API-Key header."
        )
    bucket = hash_key(key or "")
    wait = requests_per_key.retry_after(bucket, settings.RATE_LIMIT_PER_MINUTE)
    if wait is not None:
        raise TooManyRequests(
            f"More than {settings.RATE_LIMIT_PER_MINUTE} requests a minute with this key; try "
            f"again in {wait} s.",
            retry_after=wait,
        )
    requests_per_key.add(bucket)
    set_actor(session, Actor(caller.id, caller.name))
    request.state.user_id = caller.id  # for the request's log line
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]
