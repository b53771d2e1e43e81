"""Bodies for users and their API keys."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from app.core.schemas import Day, Email, Flag, Id, Name, RequestBody, Version
from app.users.models import Role


class UserCreate(RequestBody):
    """A new user: a staff member (or a system) with a role and, for an editor, an organization."""

    name: Name = Field(description="e.g. 'Staf Biro Pemerintahan dan Kerja Sama'.")
    email: Email
    role: Role = Field(
        description="`admin` (everything, users and organizations included), `editor` (writes "
        "where its organization or one under it is a party; for a unit that acts for its parent, "
        "such as the Biro Pemerintahan dan Kerja Sama, the parent and all under it), `viewer` "
        "(reads)."
    )
    organization_id: Id | None = Field(
        default=None,
        description="The organization the user works for; required for an editor, e.g. Biro "
        "Pemerintahan dan Kerja Sama of Pemprov Kalsel (5), which acts for the province "
        "(acts_for_parent): its editors edit the province's NK and every SKPD's PKS.",
    )


class UserUpdate(RequestBody):
    """Fields to change, with the `version` you read; `active: false` disables every key."""

    version: Version
    name: Name | SkipJsonSchema[None] = None
    email: Email | SkipJsonSchema[None] = None
    role: Role | SkipJsonSchema[None] = None
    organization_id: Id | None = None
    active: Flag | SkipJsonSchema[None] = None

    @model_validator(mode="before")
    @classmethod
    def _required_fields_not_null(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in ("name", "email", "role", "active", "version"):
                if name in data and data[name] is None:
                    raise ValueError(f"{name} cannot be null")
        return data


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str
    role: Role
    organization_id: int | None
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class ApiKeyCreate(RequestBody):
    name: Name = Field(description="What the key is for, e.g. 'Laptop Biro' or 'SIMDA sync'.")
    expires_on: Day | None = Field(
        default=None, description="Last day the key works; empty: until revoked."
    )


class ApiKeyPublic(BaseModel):
    """A key without its secret: the prefix is enough to recognise it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    name: str
    prefix: str
    expires_on: date | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The key itself, shown this once: send it as X-API-Key.")


USER_EXAMPLES: dict[str, dict[str, Any]] = {
    "editor_biro": {
        "summary": "An editor at the Biro Pemerintahan dan Kerja Sama of Pemprov Kalsel",
        "value": {
            "name": "Staf Biro Pemerintahan dan Kerja Sama",
            "email": "kerjasama@kalselprov.go.id",
            "role": "editor",
            "organization_id": 5,
        },
    },
    "viewer": {
        "summary": "A viewer at the Ombudsman's Perwakilan Kalsel",
        "value": {
            "name": "Asisten Ombudsman",
            "email": "asisten@ombudsman.go.id",
            "role": "viewer",
            "organization_id": 2,
        },
    },
}
