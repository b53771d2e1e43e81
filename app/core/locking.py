"""Optimistic locking of a record: the change carries the version it read."""

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from app.core.errors import Conflict, NotFound
from app.core.types import utcnow


def claim_version(
    session: Session,
    model: Any,
    record_id: int,
    expected: int | None,
    label: str,
    not_found: Exception | None = None,
) -> None:
    """Raise the version if it is still `expected` (any, when None) and hold the row until
    commit (the conditional UPDATE locks it on PostgreSQL, so checks that follow cannot race);
    otherwise 409 with the current version, or 404."""
    table = model.__table__
    statement = (
        sa.update(table)
        .where(table.c.id == record_id)
        .values(version=table.c.version + 1, updated_at=utcnow())
    )
    if expected is not None:
        statement = statement.where(table.c.version == expected)
    if session.execute(statement).rowcount == 1:  # type: ignore[attr-defined]
        return
    current = session.execute(sa.select(table.c.version).where(table.c.id == record_id)).first()
    if current is None:
        raise not_found or NotFound(f"No {label.lower()} with id {record_id}.")
    raise Conflict(
        f"{label} {record_id} was changed by someone else: you sent version {expected}, the "
        f"current version is {current[0]}. Reload it and apply your change again.",
        type_slug="stale-version",
        current_version=current[0],
    )
