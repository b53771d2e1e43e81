"""HTTP routes for users and their API keys."""

from typing import Annotated

from fastapi import APIRouter, Body, Response, status

from app.audit.schemas import AuditEventPublic
from app.audit.service import list_audit
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import responses
from app.core.schemas import DEFAULT_LIMIT, LimitQuery, OffsetQuery, Page, path_id
from app.idempotency.route import IdempotentRoute
from app.users import service
from app.users.access import AdminCaller
from app.users.auth import CallerDep
from app.users.schemas import (
    USER_EXAMPLES,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    UserCreate,
    UserPublic,
    UserUpdate,
)

router = APIRouter(prefix="/api/v1/users", tags=["Users and API keys"], route_class=IdempotentRoute)
UserIdPath = Annotated[int, path_id("Id of the user (1: the first admin).", example=1)]
KeyIdPath = Annotated[int, path_id("Id of the key.")]


@router.post(
    "",
    response_model=UserPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Register a user (admin)",
    responses=responses(401, 403, 409, 422, 429),
)
def create_user(
    session: SessionDep,
    _admin: AdminCaller,
    user_in: Annotated[UserCreate, Body(openapi_examples=USER_EXAMPLES)],
) -> UserPublic:
    """Register a staff member or a system with a role: `admin`, `editor` (writes the NK, PKS,
    obligations and documents where its organization or one of its SKPD is a party) or `viewer`.
    Then issue the user a key with `POST /api/v1/users/{id}/api-keys`."""
    return service.create_user(session=session, user_in=user_in)


@router.get(
    "",
    response_model=Page[UserPublic],
    summary="List users (admin)",
    responses=responses(401, 403, 422, 429),
)
def list_users(
    session: SessionDep,
    _admin: AdminCaller,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[UserPublic]:
    """Every user by name, with role, organization and whether the account is active."""
    items, total = service.list_users(session=session, limit=limit, offset=offset)
    return Page[UserPublic](items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/me",
    response_model=UserPublic,
    summary="Who am I (the user of this key)",
    responses=responses(401, 429),
)
def me(session: SessionDep, caller: CallerDep) -> UserPublic:
    """The user behind the X-API-Key sent: name, role and organization, so staff can check
    what they may change before they try."""
    return service.get_user(session=session, user_id=caller.id)


@router.get(
    "/{user_id:int}",
    response_model=UserPublic,
    summary="Show a user (admin, or yourself)",
    responses=responses(401, 403, 404, 422, 429),
)
def read_user(session: SessionDep, caller: CallerDep, user_id: UserIdPath) -> UserPublic:
    """One user's account: role, organization, whether it is active. Others' accounts are for
    admins only (403)."""
    service.require_self_or_admin(caller, user_id)
    return service.get_user(session=session, user_id=user_id)


@router.patch(
    "/{user_id:int}",
    response_model=UserPublic,
    summary="Change or disable a user (admin)",
    responses=responses(401, 403, 404, 409, 422, 429),
)
def update_user(
    session: SessionDep,
    _admin: AdminCaller,
    user_id: UserIdPath,
    user_in: Annotated[
        UserUpdate,
        Body(
            openapi_examples={
                "rename": {
                    "summary": "Rename the first admin (send the version you read)",
                    "value": {"version": 1, "name": "Admin Biro Kerja Sama"},
                }
            }
        ),
    ],
) -> UserPublic:
    """Change a user's name, e-mail, role or organization; `active: false` disables the user and
    every key at once (a stale `version` → 409). The last active admin cannot be disabled or
    demoted."""
    return service.update_user(session=session, user_id=user_id, user_in=user_in)


@router.get(
    "/{user_id:int}/history",
    response_model=Page[AuditEventPublic],
    summary="What changed on a user account, and who changed it",
    responses=responses(401, 403, 404, 422, 429),
)
def user_history(
    session: SessionDep,
    caller: CallerDep,
    user_id: UserIdPath,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[AuditEventPublic]:
    """Created, changed, disabled, keys issued and revoked; newest first."""
    service.require_self_or_admin(caller, user_id)
    service.get_user(session=session, user_id=user_id)
    items, total = list_audit(
        session=session, subject_type="user", subject_id=user_id, limit=limit, offset=offset
    )
    return Page[AuditEventPublic](items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/{user_id:int}/api-keys",
    response_model=ApiKeyCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Issue an API key (shown once)",
    responses=responses(401, 403, 404, 422, 429),
)
def issue_key(
    session: SessionDep,
    caller: CallerDep,
    today: TodayDep,
    user_id: UserIdPath,
    key_in: Annotated[
        ApiKeyCreate,
        Body(
            openapi_examples={
                "laptop": {
                    "summary": "A key for the Biro's reporting laptop, for one year",
                    "value": {"name": "Laptop pelaporan Biro", "expires_on": "2027-12-31"},
                }
            }
        ),
    ],
) -> ApiKeyCreated:
    """A new key for the user (yourself, or anyone for an admin). The `key` is in this answer
    only: the registry keeps its hash, and lists keys by their prefix. Send it as `X-API-Key`
    (Swagger UI: the Authorize button)."""
    service.require_self_or_admin(caller, user_id)
    return service.issue_key(session=session, user_id=user_id, key_in=key_in, today=today)


@router.get(
    "/{user_id:int}/api-keys",
    response_model=list[ApiKeyPublic],
    summary="List a user's API keys (without their secrets)",
    responses=responses(401, 403, 404, 422, 429),
)
def list_keys(session: SessionDep, caller: CallerDep, user_id: UserIdPath) -> list[ApiKeyPublic]:
    """Each key with its name, prefix, expiry, last use and whether it is revoked."""
    service.require_self_or_admin(caller, user_id)
    return service.list_keys(session=session, user_id=user_id)


@router.delete(
    "/{user_id:int}/api-keys/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Revoke an API key",
    responses=responses(401, 403, 404, 422, 429),
)
def revoke_key(
    session: SessionDep, caller: CallerDep, user_id: UserIdPath, key_id: KeyIdPath
) -> Response:
    """The key stops working at once (401 from then on). Revoking it again changes nothing."""
    service.require_self_or_admin(caller, user_id)
    service.revoke_key(session=session, user_id=user_id, key_id=key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
