"""Ways to cut a list into pages: by offset (the page's rows and how many match in all) and by
keyset (a cursor)."""

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from app.core.errors import RuleViolation, field_error


def count_of(session: Session, statement: Any) -> int:
    """How many rows the statement would return (its ORDER BY, LIMIT and OFFSET ignored)."""
    inner = statement.order_by(None).limit(None).offset(None)
    return int(
        session.execute(sa.select(sa.func.count()).select_from(inner.subquery())).scalar_one()
    )


def paginate(
    session: Session, statement: Any, *, limit: int, offset: int, counted: Any = None
) -> tuple[list[Any], int]:
    """The rows of one page of an ordered statement, and the total over all pages. The total
    is counted (a statement of its own) only when the page cannot tell it: a page that is not
    full and not empty ends the list, so the total is what it skipped plus what it holds.
    `counted`: a statement with the same rows to count instead (without the joins that only
    bring names, which a count over many rows would pay for)."""
    page = statement.limit(limit).offset(offset)
    if len(statement.column_descriptions) == 1:  # one entity or column: its values
        rows: list[Any] = list(session.scalars(page))
    else:
        rows = list(session.execute(page))
    if len(rows) < limit and (rows or offset == 0):
        return rows, offset + len(rows)
    return rows, count_of(session, statement if counted is None else counted)


# What a statement built once (its values as parameters) takes for its LIMIT and OFFSET.
PAGE_LIMIT = "page_limit"
PAGE_OFFSET = "page_offset"


def paginate_prebuilt(
    session: Session,
    statement: Any,
    values: dict[str, Any],
    *,
    limit: int,
    offset: int,
    counted: Any,
    scalars: bool = False,
) -> tuple[list[Any], int]:
    """`paginate` for a statement built once, its LIMIT and OFFSET the parameters PAGE_LIMIT and
    PAGE_OFFSET and its other values `values` (building a statement and its cache key costs
    more than the database takes to run a small one). `counted`: the statement to count, with
    the same values, when the page cannot tell the total; `scalars`: the rows' first values."""
    params = {**values, PAGE_LIMIT: limit, PAGE_OFFSET: offset}
    result = session.execute(statement, params)
    rows: list[Any] = list(result.scalars() if scalars else result)
    if len(rows) < limit and (rows or offset == 0):
        return rows, offset + len(rows)
    return rows, count_of(session, counted.params(values))


# Keyset paging (`cursor=`): a token that names where the previous page ended in its order (the
# sort and the last row's sort key and id), so the next page starts after that row however many
# rows come before it, and rows added meanwhile neither repeat nor hide one. Opaque to clients:
# base64url of JSON, with a checksum that turns an edited or truncated token into a 422 naming
# `cursor` (it is not a secret: a token made by hand only chooses where a page starts, never what
# the filters let through).
CURSOR_VERSION = 1


def _checksum(payload: bytes) -> str:
    return hashlib.sha256(b"cursor:" + payload).hexdigest()[:12]


def encode_cursor(values: list[Any]) -> str:
    """The token of a position: JSON values (a sort, a key, an id)."""
    text = json.dumps([CURSOR_VERSION, *values], separators=(",", ":"), ensure_ascii=False)
    payload = text.encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + _checksum(payload)


def invalid_cursor(why: str) -> RuleViolation:
    """The problem of a cursor that is not one this server gave (or not for this request)."""
    return RuleViolation(
        f"The cursor is not valid: {why}. Send the next_cursor of the previous page unchanged, "
        "with the same sort, or leave cursor out to start from the first page.",
        type_slug="invalid-cursor",
        errors=[field_error("cursor", msg=why, where="query")],
    )


def decode_cursor(token: str) -> list[Any]:
    """The values of a token made by encode_cursor, or the problem `invalid-cursor`."""
    encoded, _, checksum = token.partition(".")
    try:
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (ValueError, binascii.Error):
        raise invalid_cursor("it is not a token this server gave") from None
    if not hmac.compare_digest(checksum.encode(), _checksum(payload).encode()):
        raise invalid_cursor("it was changed or cut short")
    try:
        values = json.loads(payload)
    except ValueError:
        raise invalid_cursor("it is not a token this server gave") from None
    if not isinstance(values, list) or not values or values[0] != CURSOR_VERSION:
        raise invalid_cursor("it was made by another version of this server")
    return values[1:]
