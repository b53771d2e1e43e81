"""Users of the registry and their API keys."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.schemas import NAME_MAX
from app.core.types import UTCDateTime, enum_column_type, utcnow


class Role(StrEnum):
    """admin: everything; editor: writes where its organization (or one under it) is a party;
    viewer: reads."""

    admin = "admin"
    editor = "editor"
    viewer = "viewer"


class User(SQLModel, table=True):
    """A person (or a system) that calls the registry with API keys."""

    __tablename__ = "app_user"
    __table_args__ = (sa.Index("uq_app_user_email", sa.func.lower(sa.text("email")), unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX)
    email: str = Field(max_length=320)
    role: Role = Field(sa_type=enum_column_type(Role, 20))
    organization_id: int | None = Field(
        default=None, foreign_key="organization.id", index=True, ondelete="RESTRICT"
    )
    active: bool = Field(default=True)
    # The staff console's sign-in (argon2id, app/users/passwords.py); None: cannot sign in.
    password_hash: str | None = Field(default=None, max_length=255)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiKey(SQLModel, table=True):
    """A key of a user: shown once, kept only as its SHA-256 (it has 256 bits of randomness)."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=NAME_MAX)
    # The first characters of the key, so that its owner can recognise it in a list.
    prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True)
    expires_on: date | None = None
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
