"""Who is calling: API keys (X-API-Key), the bootstrap admin, and the limits on both."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Query, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

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


def authenticate(session: Session, key: str, settings: Settings, today: date) -> Caller | None:
    """The caller a key belongs to, or None for an unknown, revoked or expired key, or a
    disabled user."""
    bootstrap = settings.BOOTSTRAP_ADMIN_KEY
    if bootstrap and secrets.compare_digest(key.encode(), bootstrap.encode()):
        user = bootstrap_admin(session)
        if not user.active:
            return None
    else:
        row = session.exec(
            select(ApiKey, User)
            .join(User, col(User.id) == ApiKey.user_id)
            .where(ApiKey.key_hash == hash_key(key))
        ).first()
        if row is None:
            return None
        api_key, user = row
        expired = api_key.expires_on is not None and api_key.expires_on < today
        if api_key.revoked_at is not None or expired or not user.active:
            return None
        now = utcnow()
        if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_PRECISION:
            # Written at most hourly: a read should not turn into a write each time.
            session.execute(
                sa.update(ApiKey).where(col(ApiKey.id) == api_key.id).values(last_used_at=now)
            )
            session.commit()
    assert user.id is not None
    return Caller(user.id, user.name, user.role, user.organization_id)


def current_caller(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    today: TodayDep,
    key: Annotated[str | None, Security(api_key_header)] = None,
) -> Caller:
    """The caller of this request (401 without a valid key; 429 past the limits)."""
    return _caller(request, session, settings, today, key)


def calendar_caller(
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
    return _caller(request, session, settings, today, key or query_key)


def _caller(
    request: Request, session: Session, settings: Settings, today: date, key: str | None
) -> Caller:
    address = request.client.host if request.client else "unknown"
    wait = failures_per_address.retry_after(address, settings.AUTH_FAILURES_PER_MINUTE)
    if wait is not None:
        raise TooManyRequests(
            f"Too many failed authentications from {address}; try again in {wait} s.",
            retry_after=wait,
        )
    caller = authenticate(session, key, settings, today) if key else None
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
