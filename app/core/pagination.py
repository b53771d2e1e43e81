"""One way to cut a list into pages: the page's rows and how many match in all."""

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session


def count_of(session: Session, statement: Any) -> int:
    """How many rows the statement would return (its ORDER BY, LIMIT and OFFSET ignored)."""
    inner = statement.order_by(None).limit(None).offset(None)
    return int(
        session.execute(sa.select(sa.func.count()).select_from(inner.subquery())).scalar_one()
    )


def paginate(session: Session, statement: Any, *, limit: int, offset: int) -> tuple[list[Any], int]:
    """The rows of one page of an ordered statement, and the total over all pages."""
    total = count_of(session, statement)
    page = statement.limit(limit).offset(offset)
    if len(statement.column_descriptions) == 1:  # one entity or column: its values
        return list(session.scalars(page)), total
    return list(session.execute(page)), total
