"""Signing in to the staff console: passwords, server-side sessions, CSRF tokens.

The browser holds a random token in an HttpOnly, SameSite=Lax cookie (Secure over HTTPS); the
database holds only its SHA-256, the user, and when the session began and was last seen. A session
ends after CONSOLE_IDLE_MINUTES without a request, CONSOLE_ABSOLUTE_HOURS after sign-in, at
sign-out, when their password is set anew, and when an admin changes their role, organization or
state (app/users/service.py update_user, for the API and the console alike). Every form of a
session carries its CSRF token. Failed sign-ins count against the client address exactly as failed
API keys do (app/core/ratelimit.py), and sign-ins, failed ones and sign-outs are in the user's
history (app/audit).
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from app.audit.service import record_audit
from app.console.models import ConsoleSession
from app.core.actor import Actor, set_actor
from app.core.config import Settings
from app.core.db import run_prebuilt
from app.core.errors import NotFound, RuleViolation, field_error
from app.core.ratelimit import failures_per_address
from app.core.types import utcnow
from app.users.auth import CALLER_COLUMNS, Caller
from app.users.models import User
from app.users.passwords import (
    PASSWORD_MAX,
    PASSWORD_MIN,
    hash_password,
    needs_rehash,
    user_by_email,
    verify_password,
)
from app.users.service import end_console_sessions

logger = logging.getLogger(__name__)

SESSION_COOKIE = "registry_session"
# Before sign-in there is no session: the sign-in form's CSRF token is paired with this cookie.
SIGN_IN_COOKIE = "registry_sign_in"
# last_seen_at is written at most this often: a page view is not a write each time.
TOUCH_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class SignedIn:
    """The person behind a console request: the same Caller the API uses, and the session's CSRF
    token for its forms."""

    caller: Caller
    csrf_token: str
    session_id: str


class SignInFailed(Exception):
    """Wrong e-mail or password, or a deactivated user (`retry_after` None), or too many failures
    from this address (`retry_after` in seconds)."""

    def __init__(self, retry_after: int | None = None) -> None:
        super().__init__("sign-in refused")
        self.retry_after = retry_after


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(
    *, session: Session, email: str, password: str, address: str, settings: Settings, now: datetime
) -> str:
    """Check the password and open a session; the token for the cookie (raises SignInFailed)."""
    wait = failures_per_address.retry_after(address, settings.AUTH_FAILURES_PER_MINUTE)
    if wait is not None:
        raise SignInFailed(retry_after=wait)
    user = user_by_email(session, email)
    if user is None or not verify_password(user, password) or not user.active:
        failures_per_address.add(address)
        if user is not None and user.id is not None:
            record_audit(session, "user", user.id, "sign_in_failed", address=address)
            session.commit()
        else:
            logger.warning("console sign-in failed for an unknown e-mail from %s", address)
        raise SignInFailed()
    assert user.id is not None
    if needs_rehash(user):  # argon2's parameters were raised since the password was set
        user.password_hash = hash_password(password)
        session.add(user)
    # Sessions nobody came back to end here (those seen again end when next seen).
    session.execute(
        sa.delete(ConsoleSession).where(
            sa.or_(
                col(ConsoleSession.last_seen_at)
                < now - timedelta(minutes=settings.CONSOLE_IDLE_MINUTES),
                col(ConsoleSession.created_at)
                < now - timedelta(hours=settings.CONSOLE_ABSOLUTE_HOURS),
            )
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            id=token_hash(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
        )
    )
    set_actor(session, Actor(user.id, user.name))
    record_audit(session, "user", user.id, "signed_in", address=address)
    session.commit()
    return token


@lru_cache(maxsize=1)
def _current_statement() -> Any:
    """A console session (`session_id`) and its user, plain columns: built once (every page
    of the console runs it)."""
    return (
        sa.select(
            col(ConsoleSession.id),
            col(ConsoleSession.csrf_token),
            col(ConsoleSession.created_at),
            col(ConsoleSession.last_seen_at),
            *CALLER_COLUMNS,
        )
        .join(User, col(User.id) == ConsoleSession.user_id)
        .where(col(ConsoleSession.id) == sa.bindparam("session_id"))
    )


def current(*, session: Session, token: str, settings: Settings, now: datetime) -> SignedIn | None:
    """The signed-in person of this cookie, or None (unknown, timed out, or a deactivated user;
    a session found dead is deleted)."""
    found = run_prebuilt(session, _current_statement(), {"session_id": token_hash(token)}).first()
    if found is None:
        return None
    idle = now - found.last_seen_at > timedelta(minutes=settings.CONSOLE_IDLE_MINUTES)
    too_old = now - found.created_at > timedelta(hours=settings.CONSOLE_ABSOLUTE_HOURS)
    if idle or too_old or not found.active:
        session.execute(sa.delete(ConsoleSession).where(col(ConsoleSession.id) == found.id))
        session.commit()
        return None
    if now - found.last_seen_at > TOUCH_PRECISION:
        session.execute(
            sa.update(ConsoleSession)
            .where(col(ConsoleSession.id) == found.id)
            .values(last_seen_at=now)
        )
        session.commit()
    set_actor(session, Actor(found.user_id, found.name))
    return SignedIn(
        caller=Caller(found.user_id, found.name, found.role, found.organization_id),
        csrf_token=found.csrf_token,
        session_id=found.id,
    )


def sign_out(*, session: Session, signed: SignedIn) -> None:
    session.execute(sa.delete(ConsoleSession).where(col(ConsoleSession.id) == signed.session_id))
    record_audit(session, "user", signed.caller.id, "signed_out")
    session.commit()


def user_with_password(*, session: Session, user_id: int, password: str) -> User | None:
    """The user `user_id` when `password` is theirs; None for a wrong password (or no user)."""
    user = session.get(User, user_id)
    return user if verify_password(user, password) else None


def set_password(*, session: Session, email: str, password: str) -> User:
    """Give the user with this e-mail a new password (`registry set-password`); their console
    sessions end, and their history records it (without the password)."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise RuleViolation(
            f"A password has {PASSWORD_MIN} to {PASSWORD_MAX} characters.",
            type_slug="password-rule",
            errors=[field_error("password", msg=f"{PASSWORD_MIN} to {PASSWORD_MAX} characters")],
        )
    user = user_by_email(session, email)
    if user is None or user.id is None:
        raise NotFound(f"No user with e-mail {email}.", type_slug="user-not-found")
    user.password_hash = hash_password(password)
    user.updated_at = utcnow()
    session.add(user)
    end_console_sessions(session, user.id)
    record_audit(session, "user", user.id, "password_set")
    session.commit()
    session.refresh(user)
    return user
