"""The staff console's sign-in sessions, kept server-side."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow


class ConsoleSession(SQLModel, table=True):
    """One signed-in browser. The cookie holds a random token; only its SHA-256 is stored (as the
    id), so a copy of the database signs nobody in."""

    __tablename__ = "console_session"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    # The token every form of this session carries (CSRF); compared, never derived from the id.
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
