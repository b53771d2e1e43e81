"""Passwords of people who sign in to the staff console: argon2id through argon2-cffi.

API keys stay the way systems authenticate (app/users/auth.py); a password only opens a console
session (app/console/session.py, which also sets passwords).
"""

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, func, select

from app.core.config import settings
from app.users.models import User

PASSWORD_MIN = 12
PASSWORD_MAX = 200


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int) -> tuple[PasswordHasher, str]:
    """argon2id at this cost, and a hash verified against when the e-mail is unknown, so that
    the answer takes as long either way."""
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
    return hasher, hasher.hash("not a password of anybody")


def hasher() -> PasswordHasher:
    """argon2id at the configured cost: by default argon2-cffi's, RFC 9106's second
    recommendation (64 MiB, 3 passes); the test suite lowers it (PASSWORD_HASH_*)."""
    return _hasher(settings.PASSWORD_HASH_TIME_COST, settings.PASSWORD_HASH_MEMORY_KIB)[0]


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """Whether the password is the user's (False for no user, or a user without a password)."""
    stored = user.password_hash if user is not None else None
    current, dummy = _hasher(settings.PASSWORD_HASH_TIME_COST, settings.PASSWORD_HASH_MEMORY_KIB)
    try:
        current.verify(stored or dummy, password)
    except (VerificationError, InvalidHashError):
        return False
    return stored is not None


def needs_rehash(user: User) -> bool:
    return user.password_hash is not None and hasher().check_needs_rehash(user.password_hash)


def user_by_email(session: Session, email: str) -> User | None:
    """The user of this e-mail (any case); none for text no e-mail has (a NUL, which
    PostgreSQL cannot even compare)."""
    if not email.isprintable():
        return None
    return session.exec(select(User).where(func.lower(User.email) == email.strip().lower())).first()
