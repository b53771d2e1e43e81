"""Types shared by the request and response schemas of every domain.

Each text limit is a named constant used by the schema *and* the column, so OpenAPI, validation
and the database say the same thing.
"""

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path, Query
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
)

# Ids and counters are 32-bit on PostgreSQL: a larger number can match nothing, and must not
# reach the database.
MAX_ID = 2_147_483_647
MAX_INT = MAX_ID

# One limit per kind of text, shared with the columns (models use the same constants).
NAME_MAX = 300  # names, signatories
SHORT_MAX = 100  # short names, document numbers
TITLE_MAX = 500  # titles of agreements, scope items, obligations
AUTHORITY_MAX = 1000  # signing authority (surat kuasa)
LONG_MAX = 10_000  # descriptions, reasons, notes
SEARCH_MAX = 200
URL_MAX = 2000

# In a JSON body an integer is a JSON integer: 3.0, "3" and true are refused, not coerced.
Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
Version = Annotated[
    int,
    Strict(),
    Field(ge=1, le=MAX_INT, description="The version you read; a stale one is refused (409)."),
]


def _no_control_characters(value: str) -> str:
    # PostgreSQL refuses NUL in text; other control characters are never intended in a name.
    for char in value:
        if unicodedata.category(char) == "Cc" and char not in "\n\r\t":
            raise ValueError("must not contain control characters")
    return value


def _single_line(value: str) -> str:
    if any(char in value for char in "\n\r\t"):
        raise ValueError("must be a single line")
    return value


def _line(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


def _text(max_length: int, min_length: int = 0) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


_CLEAN = AfterValidator(_no_control_characters)
_ONE_LINE = AfterValidator(_single_line)
# Single-line, non-blank texts (names, titles, numbers) and free texts (descriptions, reasons).
Name = Annotated[str, _line(NAME_MAX), _CLEAN, _ONE_LINE]
ShortText = Annotated[str, _line(SHORT_MAX), _CLEAN, _ONE_LINE]
Title = Annotated[str, _line(TITLE_MAX), _CLEAN, _ONE_LINE]
AuthorityText = Annotated[str, _text(AUTHORITY_MAX), _CLEAN]
LongText = Annotated[str, _text(LONG_MAX), _CLEAN]
Reason = Annotated[str, _text(LONG_MAX, min_length=1), _CLEAN]
SearchText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=SEARCH_MAX),
    AfterValidator(_no_control_characters),
]


class RequestBody(BaseModel):
    """A request body: unknown fields are refused, so a typo is never silently dropped."""

    model_config = ConfigDict(extra="forbid")


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int = Field(description="How many records match the filters, over all pages.")
    limit: int
    offset: int


DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 1_000_000_000


def path_id(description: str, example: int | None = None) -> Any:
    """A path parameter that is a record id (1 to 2^31-1)."""
    if example is None:
        return Path(ge=1, le=MAX_ID, description=description)
    return Path(ge=1, le=MAX_ID, description=description, examples=[example])


LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (at most 200).")]
OffsetQuery = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Records to skip.")]


EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_text_only(value: Any) -> Any:
    # Only YYYY-MM-DD: pydantic alone would read 0 or "0" (a query parameter is always text) as
    # 1970-01-01 (Unix time) and "2024-01-01T00:00:00" as a day. A date object (from Python
    # code, not from a client) passes as it is.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and ISO_DAY.fullmatch(value):
        return value
    raise ValueError("a date is written as text, YYYY-MM-DD")


def _plausible_day(value: date) -> date:
    # A date outside this range is a typo; refusing it also keeps date arithmetic (next
    # occurrence, reminder horizons, windows) far from the year-9999 edge.
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValueError(f"must lie between {EARLIEST_DAY} and {LATEST_DAY}")
    return value


# A calendar day given by a client, as YYYY-MM-DD.
Day = Annotated[
    date,
    BeforeValidator(_iso_text_only),
    AfterValidator(_plausible_day),
    Field(json_schema_extra={"format": "date"}),
]
