"""The front page's figures, and what each organization must do next (Beranda's "Yang perlu
dikerjakan"), kept for a short, stated time (STATS_CACHE_SECONDS) in each process: both scan the
whole registry (or an organization's subtree), and staff open the front page all day.

The key is everything they depend on besides the data: whose they are (the whole registry, or
one organization), the registry's today and the settings of the monev deadlines. The figures are
registry-wide: `stats()` takes no caller, and every role reads every agreement
(app/users/access.py), so one computation serves every caller. The duties of an organization are
the same for everyone who acts for it. Should either ever depend on more, what they depend on
joins the key (`stats_key`).

A write shows on the front page once what it changes expires; each value carries the moment it
was computed (`computed_at`), which the console shows. One computation per key at a time: callers
arriving while it runs wait for it instead of starting their own.
"""

import threading
from collections.abc import Callable, Hashable
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from app.core.config import Settings

T = TypeVar("T")


class TimedCache(Generic[T]):
    """Values computed at a moment and served until `max_age` after it (per process)."""

    def __init__(self, maxsize: int | None = None) -> None:
        """`maxsize`: keep at most that many values (the oldest computed go first)."""
        self.maxsize = maxsize
        self._values: dict[Hashable, tuple[datetime, T]] = {}
        self._computing: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(
        self,
        key: Hashable,
        *,
        now: datetime,
        max_age: timedelta,
        compute: Callable[[], T],
    ) -> T:
        """The value of `key` computed less than `max_age` before `now`, else a new one
        (`max_age` of zero: always a new one, nothing kept)."""
        if max_age <= timedelta(0):
            return compute()
        with self._guard:
            lock = self._computing.setdefault(key, threading.Lock())
        with lock:
            found = self._values.get(key)
            if found is not None and timedelta(0) <= now - found[0] < max_age:
                return found[1]
            value = compute()
            with self._guard:
                # Forget what has expired (yesterday's figures), then keep this one.
                for old in [k for k, (at, _) in self._values.items() if now - at >= max_age]:
                    del self._values[old]
                    self._computing.pop(old, None)
                self._values.pop(key, None)  # (kept in the order computed: the oldest first)
                while self.maxsize is not None and len(self._values) >= self.maxsize:
                    oldest = next(iter(self._values))
                    del self._values[oldest]
                    self._computing.pop(oldest, None)
                self._values[key] = (now, value)
                self._computing.setdefault(key, lock)
            return value

    def clear_key(self, key: Hashable) -> None:
        """Forget one key's value."""
        with self._guard:
            self._values.pop(key, None)

    def clear(self) -> None:
        with self._guard:
            self._values.clear()
            self._computing.clear()


def stats_key(
    today: date, settings: Settings, organization_id: int | None = None
) -> tuple[Hashable, ...]:
    """What the front page's figures (or one organization's duties; None: the whole registry's)
    depend on besides the data (see the module's docstring)."""
    whose = "registry" if organization_id is None else organization_id
    return (whose, today, settings.EVALUATION_DUE_MONTH, settings.EVALUATIONS_FROM_YEAR)
