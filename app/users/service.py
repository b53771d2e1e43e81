"""Users and their keys: registering, changing, disabling, issuing and revoking keys."""

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from app.audit.service import record_audit
from app.console.models import ConsoleSession
from app.core.errors import Conflict, Forbidden, NotFound, RuleViolation, field_error
from app.core.pagination import paginate
from app.core.types import utcnow
from app.organizations.models import Organization
from app.users.auth import Caller, hash_key, known_keys, new_key
from app.users.models import ApiKey, Role, User
from app.users.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    UserCreate,
    UserPublic,
    UserUpdate,
)


def _user_or_404(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.", type_slug="user-not-found")
    return user


def require_self_or_admin(caller: Caller, user_id: int) -> None:
    """A user manages their own keys; an admin anyone's."""
    if not caller.is_admin and caller.id != user_id:
        raise Forbidden("Only an admin may see or change another user's account or keys.")


def _check(
    session: Session,
    *,
    email: str,
    role: Role,
    organization_id: int | None,
    exclude: int | None = None,
) -> None:
    errors = []
    if role == Role.editor and organization_id is None:
        errors.append(field_error("organization_id", msg="an editor edits for an organization"))
    if organization_id is not None and session.get(Organization, organization_id) is None:
        errors.append(field_error("organization_id", msg="no organization with this id"))
    if errors:
        raise RuleViolation("The user breaks a rule.", type_slug="user-rule", errors=errors)
    query = select(User.id).where(func.lower(User.email) == email.lower())
    if exclude is not None:
        query = query.where(User.id != exclude)
    existing = session.exec(query).first()
    if existing is not None:
        raise Conflict(
            f"A user with e-mail {email} already exists (id {existing}).",
            type_slug="duplicate-user-email",
            existing_id=existing,
        )


# What a console session was opened under: changing any of these ends the user's sessions, so
# nobody keeps working in a browser with rights they no longer have (a disabled user's would
# otherwise come back when re-enabled). API keys need no such step: every request reads the
# user's current role, organization and state (app/users/auth.py authenticate).
SESSION_ENDING = ("role", "organization_id", "active")


def end_console_sessions(session: Session, user_id: int) -> None:
    """End every console session of a user, in the caller's transaction (a new password, a
    changed role or organization, a disabled user)."""
    session.execute(sa.delete(ConsoleSession).where(col(ConsoleSession.user_id) == user_id))


def create_user(*, session: Session, user_in: UserCreate) -> UserPublic:
    """Register a user (admin only)."""
    _check(session, email=user_in.email, role=user_in.role, organization_id=user_in.organization_id)
    user = User.model_validate(user_in.model_dump())
    session.add(user)
    session.flush()
    assert user.id is not None
    record_audit(session, "user", user.id, "created", **user_in.model_dump())
    session.commit()
    session.refresh(user)
    return UserPublic.model_validate(user)


def _active_admins(session: Session) -> int:
    return session.exec(
        select(func.count()).select_from(User).where(User.role == Role.admin, col(User.active))
    ).one()


def update_user(*, session: Session, user_id: int, user_in: UserUpdate) -> UserPublic:
    """Change a user; `active: false` disables the user and every key at once. A change of
    role, organization or state ends the user's console sessions."""
    user = _user_or_404(session, user_id)
    if user.version != user_in.version:
        raise Conflict(
            f"User {user_id} was changed by someone else: you sent version {user_in.version}, "
            f"the current version is {user.version}.",
            type_slug="stale-version",
            current_version=user.version,
        )
    data: dict[str, Any] = user_in.model_dump(exclude_unset=True, exclude={"version"})
    role = data.get("role", user.role)
    _check(
        session,
        email=data.get("email", user.email),
        role=role,
        organization_id=data.get("organization_id", user.organization_id),
        exclude=user_id,
    )
    demoted = (
        user.role == Role.admin
        and user.active
        and (role != Role.admin or data.get("active") is False)
    )
    if demoted and _active_admins(session) <= 1:
        raise Conflict(
            "This is the last active admin; make another user admin first.",
            type_slug="last-admin",
        )
    before = {k: getattr(user, k) for k in data}
    result = session.execute(
        sa.update(User)
        .where(col(User.id) == user_id, col(User.version) == user_in.version)
        .values(**data, version=user_in.version + 1, updated_at=utcnow())
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise Conflict(
            f"User {user_id} was changed by someone else just now.", type_slug="stale-version"
        )
    if any(before[k] != data[k] for k in SESSION_ENDING if k in data):
        end_console_sessions(session, user_id)
    record_audit(
        session,
        "user",
        user_id,
        "disabled" if data.get("active") is False else "updated",
        changes={k: {"old": before[k], "new": v} for k, v in data.items() if before[k] != v},
    )
    session.commit()
    known_keys.clear()  # the user's keys answer as it now is (role, organization, disabled)
    return UserPublic.model_validate(session.get(User, user_id, populate_existing=True))


def get_user(*, session: Session, user_id: int) -> UserPublic:
    return UserPublic.model_validate(_user_or_404(session, user_id))


def list_users(*, session: Session, limit: int, offset: int) -> tuple[list[UserPublic], int]:
    """Users by name."""
    users, total = paginate(
        session, select(User).order_by(col(User.name), col(User.id)), limit=limit, offset=offset
    )
    return [UserPublic.model_validate(u) for u in users], total


def issue_key(
    *, session: Session, user_id: int, key_in: ApiKeyCreate, today: date
) -> ApiKeyCreated:
    """A new key for the user: the secret is in this answer only."""
    user = _user_or_404(session, user_id)
    if key_in.expires_on is not None and key_in.expires_on < today:
        raise RuleViolation(
            f"expires_on {key_in.expires_on} has passed.",
            type_slug="key-expired-already",
            errors=[field_error("expires_on", msg="in the past")],
        )
    key = new_key()
    api_key = ApiKey(
        user_id=user_id,
        name=key_in.name,
        prefix=key[:12],
        key_hash=hash_key(key),
        expires_on=key_in.expires_on,
    )
    session.add(api_key)
    session.flush()
    record_audit(
        session, "user", user_id, "key_issued", key_id=api_key.id, name=key_in.name, user=user.name
    )
    session.commit()
    session.refresh(api_key)
    return ApiKeyCreated(**ApiKeyPublic.model_validate(api_key).model_dump(), key=key)


def list_keys(*, session: Session, user_id: int) -> list[ApiKeyPublic]:
    _user_or_404(session, user_id)
    keys = session.exec(select(ApiKey).where(ApiKey.user_id == user_id).order_by(col(ApiKey.id)))
    return [ApiKeyPublic.model_validate(k) for k in keys]


def revoke_key(*, session: Session, user_id: int, key_id: int) -> None:
    """Revoke a key at once; revoking it again changes nothing."""
    api_key = session.get(ApiKey, key_id)
    if api_key is None or api_key.user_id != user_id:
        raise NotFound(f"User {user_id} has no key {key_id}.", type_slug="api-key-not-found")
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
        session.add(api_key)
        record_audit(session, "user", user_id, "key_revoked", key_id=key_id, name=api_key.name)
        session.commit()
        known_keys.clear()  # refused from the next request on


def create_admin(
    *, session: Session, name: str, email: str, key_name: str
) -> tuple[UserPublic, str]:
    """For the command line: an admin (the existing one with this e-mail) and a new key."""
    user = session.exec(select(User).where(func.lower(User.email) == email.lower())).first()
    if user is None:
        created = create_user(
            session=session, user_in=UserCreate(name=name, email=email, role=Role.admin)
        )
        user_id = created.id
    else:
        if user.role != Role.admin or not user.active:
            raise Conflict(
                f"{email} belongs to a user who is not an active admin.", type_slug="not-admin"
            )
        assert user.id is not None
        user_id = user.id
    issued = issue_key(
        session=session, user_id=user_id, key_in=ApiKeyCreate(name=key_name), today=date.today()
    )
    return get_user(session=session, user_id=user_id), issued.key


def admin_exists(session: Session) -> bool:
    return _active_admins(session) > 0
