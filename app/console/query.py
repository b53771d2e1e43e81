"""Filters of console pages as a GET form sends them: an empty field means "any", and a value
that does not parse is dropped with a message (in Indonesian) instead of a 422 in JSON.

`Filters(request.query_params)` reads each field once; `filters.problems` lists what was dropped,
for the page to show."""

from datetime import date
from enum import StrEnum
from typing import TypeVar

from starlette.datastructures import QueryParams

from app.core.schemas import MAX_ID

E = TypeVar("E", bound=StrEnum)

SEARCH_MAX = 200


class Filters:
    def __init__(self, params: QueryParams) -> None:
        self.params = params
        self.problems: list[str] = []

    def text(self, name: str) -> str | None:
        value = " ".join((self.params.get(name) or "").split())
        if len(value) > SEARCH_MAX:
            self.problems.append(f"Teks pencarian terlalu panjang (paling banyak {SEARCH_MAX}).")
            return None
        return value if value and value.isprintable() else None

    def id(self, name: str, what: str) -> int | None:
        value = (self.params.get(name) or "").strip()
        if not value:
            return None
        if value.isdigit() and 1 <= int(value) <= MAX_ID:
            return int(value)
        self.problems.append(f"Pilihan {what} tidak dikenal; filter itu diabaikan.")
        return None

    def choice(self, name: str, enum: type[E], what: str) -> E | None:
        value = (self.params.get(name) or "").strip()
        if not value:
            return None
        try:
            return enum(value)
        except ValueError:
            self.problems.append(f"Pilihan {what} tidak dikenal; filter itu diabaikan.")
            return None

    def day(self, name: str, what: str) -> date | None:
        value = (self.params.get(name) or "").strip()
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problems.append(
                f"Tanggal {what} tidak terbaca (tulis seperti 2022-07-04); filter itu diabaikan."
            )
            return None

    def year(self, name: str, what: str) -> int | None:
        value = (self.params.get(name) or "").strip()
        if not value:
            return None
        if value.isdigit() and 2000 <= int(value) <= 2100:
            return int(value)
        self.problems.append(f"Tahun {what} tidak terbaca; filter itu diabaikan.")
        return None

    def offset(self, name: str = "offset") -> int:
        value = (self.params.get(name) or "").strip()
        return int(value) if value.isdigit() and int(value) <= 10_000_000 else 0
