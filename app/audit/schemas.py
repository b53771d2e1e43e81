"""Bodies of the history of organizations, obligations and users."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class AuditEventPublic(BaseModel):
    """One entry of a record's history."""

    id: int
    at: datetime
    action: str
    actor_id: int | None
    actor: str | None
    details: dict[str, Any]
