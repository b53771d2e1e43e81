"""Types shared by the request and response schemas of every domain."""

import unicodedata
from datetime import date
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

# Ids are 32-bit on PostgreSQL: a larger number can match nothing, and must not reach the database.
MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


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


# A short, single-line, non-blank text (a name, a title, a document number).
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(_no_control_characters),
    AfterValidator(_single_line),
]
ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_no_control_characters),
    AfterValidator(_single_line),
]
# A longer free text (a description, a reason).
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=10_000),
    AfterValidator(_no_control_characters),
]
# Free text typed into a search box.
SearchText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
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


def path_id(description: str) -> Any:
    """A path parameter that is a record id (1 to 2^31-1)."""
    return Path(ge=1, le=MAX_ID, description=description)


LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (at most 200).")]
OffsetQuery = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Records to skip.")]


EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def _plausible_day(value: date) -> date:
    # A date outside this range is a typo; refusing it also keeps date arithmetic (next
    # occurrence, reminder horizons, windows) far from the year-9999 edge.
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValueError(f"must lie between {EARLIEST_DAY} and {LATEST_DAY}")
    return value


# A calendar day given by a client.
Day = Annotated[date, AfterValidator(_plausible_day)]
