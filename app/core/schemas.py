"""Types shared by the request and response schemas of every domain.

Each text limit is a named constant used by the schema *and* the column, so OpenAPI, validation
and the database say the same thing.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path, Query
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Strict,
    StringConstraints,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from app.core.errors import RULE_ERROR_PREFIX

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


def json_integer(value: Any) -> Any:
    # JSON Schema's "integer" is any number without a fraction, so 3.0 is the integer 3 (as the
    # document says); "3" and true are not numbers and stay refused by Strict.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# In a JSON body an integer is a JSON number without a fraction (3.0 is 3, 3.5 is refused):
# "3" and true are refused. Every integer of a body is one of these (tests/test_strict_types.py).
Integer = Annotated[int, Strict(), BeforeValidator(json_integer)]


def bounded_integer(ge: int, le: int, **field: Any) -> Any:
    """An Integer from `ge` to `le`, as one Annotated (a Field wrapped around Integer would put
    `ge` in the document instead of `minimum`); a module that uses it as a type in the same
    module writes the Annotated out, as mypy wants."""
    return Annotated[int, Strict(), Field(ge=ge, le=le, **field), BeforeValidator(json_integer)]


# A number is a JSON number: "86.6" and true are refused, and so are NaN and Infinity (which
# Python's JSON reader takes, and JSON has not).
Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
Id = bounded_integer(1, MAX_ID)
Version = bounded_integer(
    1, MAX_INT, description="The version you read; a stale one is refused (409)."
)


# One home for free text. PostgreSQL refuses NUL in text and no control character is ever
# intended in what staff type, so every text of every request (bodies, queries, form fields,
# imported cells) is checked here, and the OpenAPI document says the same through `pattern`.
# Single-line texts (names, titles, numbers) take no control character at all; multi-line
# texts (descriptions, reasons, notes) take tabs and line breaks. The checks see the text as
# sent, before surrounding spaces are trimmed, so what the schema calls valid is valid here.
_CONTROL = r"\x00-\x1f\x7f-\x9f"  # Unicode's Cc: C0, DEL, C1
_CONTROL_BUT_LINES = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # keeps \t \n \r
# What trimming removes, besides control characters: the Unicode White_Space characters.
_SPACE = r" \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_LINE_BREAKS = r"\t\n\r"


def text_pattern(*, multi_line: bool, required: bool) -> str:
    """The JSON Schema `pattern` of a free text (ECMA-262, as Python's re reads it too)."""
    refused = _CONTROL_BUT_LINES if multi_line else _CONTROL
    if not required:
        return f"^[^{refused}]*$"
    blank = _SPACE + (_LINE_BREAKS if multi_line else "")
    return f"^[^{refused}]*[^{refused}{blank}][^{refused}]*$"


_SINGLE_LINE_REFUSED = re.compile(f"[{_CONTROL}]")
_MULTI_LINE_REFUSED = re.compile(f"[{_CONTROL_BUT_LINES}]")


def refuse_control_characters(value: str, *, multi_line: bool) -> str:
    """The free-text rule: raises ValueError naming it, else returns the text unchanged."""
    if multi_line:
        if _MULTI_LINE_REFUSED.search(value):
            raise ValueError(
                "must not contain control characters such as NUL (tabs and line breaks are fine)"
            )
    elif _SINGLE_LINE_REFUSED.search(value):
        raise ValueError(
            "must be a single line without control characters (no NUL, tab or line break)"
        )
    return value


@dataclass(frozen=True)
class _FreeText:
    """Checks a text as sent (control characters, length before trimming) and documents it."""

    multi_line: bool
    required: bool
    max_length: int

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def check(value: Any) -> Any:
            if isinstance(value, str):
                refuse_control_characters(value, multi_line=self.multi_line)
                if len(value) > self.max_length:
                    raise PydanticCustomError(
                        "string_too_long",
                        "String should have at most {max_length} characters",
                        {"max_length": self.max_length},
                    )
            return value

        return core_schema.no_info_before_validator_function(check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = text_pattern(multi_line=self.multi_line, required=self.required)
        return json_schema


def single_line_text(max_length: int, *, required: bool = True) -> Any:
    """One line of text, trimmed; `required`: not blank."""
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1 if required else 0, max_length=max_length
        ),
        _FreeText(multi_line=False, required=required, max_length=max_length),
    ]


def multi_line_text(max_length: int, *, required: bool = False) -> Any:
    """Text of several lines (tabs and line breaks kept), trimmed; `required`: not blank."""
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1 if required else 0, max_length=max_length
        ),
        _FreeText(multi_line=True, required=required, max_length=max_length),
    ]


# Single-line, non-blank texts (names, titles, numbers) and free texts (descriptions, reasons).
Name = single_line_text(NAME_MAX)
ShortText = single_line_text(SHORT_MAX)
Title = single_line_text(TITLE_MAX)
AuthorityText = multi_line_text(AUTHORITY_MAX)
LongText = multi_line_text(LONG_MAX)
Reason = multi_line_text(LONG_MAX, required=True)
SearchText = single_line_text(SEARCH_MAX)
UrlText = single_line_text(URL_MAX)  # a source: an article, a report or a URL


# A JSON boolean is true or false: 0, 1 and "yes" are refused, as the document's type says.
Flag = Annotated[bool, Strict()]


def _true_or_false(value: Any) -> Any:
    # A query is text: the document's boolean is written `true` or `false`, as clients and
    # Swagger UI send it; "yes", "1" and "on" (which pydantic alone would read) are refused.
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise PydanticCustomError("bool_parsing", "must be true or false")


# A boolean of a query: the words `true` and `false` only.
QueryFlag = Annotated[bool, BeforeValidator(_true_or_false)]

# An e-mail address, checked by the very pattern the document states (no second validator with
# rules of its own); the domain is kept in lower case.
EMAIL_MAX = 254
_EMAIL_WORDS = r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
_EMAIL_LABEL = r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*"
EMAIL_PATTERN = rf"^{_EMAIL_WORDS}@{_EMAIL_LABEL}(?:\.{_EMAIL_LABEL})*\.[A-Za-z]{{2,24}}$"


def _email(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if not re.fullmatch(EMAIL_PATTERN, value):
        raise ValueError("must be an e-mail address such as nama@kalselprov.go.id")
    local, domain = value.split("@")
    return f"{local}@{domain.lower()}"


Email = Annotated[
    str,
    StringConstraints(max_length=EMAIL_MAX),
    AfterValidator(_email),
    WithJsonSchema(
        # The pattern alone is the rule (a validator's "email" format differs in details such
        # as the length of a domain label, so stating it would promise what is not checked).
        {"type": "string", "maxLength": EMAIL_MAX, "pattern": EMAIL_PATTERN}
    ),
]


def rule_error(slug: str, message: str) -> PydanticCustomError:
    """A rule of the registry that a body's schema checks across its fields (e.g. one way of
    dating an activity): answered as that rule (`/problems/<slug>`), not as a malformed body,
    since the document cannot state it."""
    return PydanticCustomError(f"{RULE_ERROR_PREFIX}{slug}", message)


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


class CountedPage(BaseModel, Generic[T]):
    """One page of a big list: its total counted only when asked (`count=true`), the next page
    named by a cursor (keyset paging); `offset` still works for clients that page with it."""

    items: list[T]
    total: int | None = Field(
        description="How many records match the filters, over all pages: only with `count=true` "
        "(counting passes over every match, which a national list should not pay for each page); "
        "null otherwise."
    )
    limit: int
    offset: int = Field(description="Records skipped, as asked (0 when paging by cursor).")
    next_cursor: str | None = Field(
        description="Where the next page starts: send it back unchanged as `cursor`, with the "
        "same filters and sort. Null when this page is the last. Opaque: its content may change "
        "between versions of the server."
    )


DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 1_000_000_000
# A cursor: base64 of a sort, the last row's sort key (a title: at most TITLE_MAX characters, JSON-
# escaped) and its id, with a checksum.
CURSOR_MAX = 4_000


def path_id(description: str, example: int | None = None) -> Any:
    """A path parameter that is a record id (1 to 2^31-1)."""
    if example is None:
        return Path(ge=1, le=MAX_ID, description=description)
    return Path(ge=1, le=MAX_ID, description=description, examples=[example])


LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (at most 200).")]
OffsetQuery = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Records to skip.")]
CursorQuery = Annotated[
    str | None,
    Query(
        max_length=CURSOR_MAX,
        pattern=r"^[A-Za-z0-9_-]*\.[0-9a-f]*$",
        description="The `next_cursor` of the previous page, to read the page after it (keyset "
        "paging: the same cost at any depth). Not with `offset`.",
    ),
]
CountQuery = Annotated[
    QueryFlag,
    Query(description="`true`: also count every match (`total`); otherwise `total` is null."),
]


EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)
DAY_PATTERN = r"^(?:19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"  # YYYY-MM-DD, 1900 to 2999


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
    Field(
        json_schema_extra={
            "format": "date",
            # The plausible range, in a form every JSON Schema tool reads.
            "pattern": DAY_PATTERN,
            "x-minimum": EARLIEST_DAY.isoformat(),
            "x-maximum": LATEST_DAY.isoformat(),
        }
    ),
]
