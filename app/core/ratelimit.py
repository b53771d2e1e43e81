"""Sliding-window counters in this process: requests per API key, failed logins per address.

Each process counts its own; behind N replicas a client gets up to N times the limit, which is
what these limits are for (a runaway script, a guessing attack), not exact quotas.
"""

import math
import threading
import time
from collections import deque

WINDOW_SECONDS = 60.0


class SlidingWindow:
    """How many events each key had in the last minute."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._max_keys = max_keys

    def _recent(self, key: str, now: float) -> deque[float]:
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - WINDOW_SECONDS:
            events.popleft()
        return events

    def retry_after(self, key: str, limit: int) -> int | None:
        """Seconds until one more event is allowed, or None if it is allowed now."""
        if limit <= 0:
            return None
        now = time.monotonic()
        with self._lock:
            events = self._recent(key, now)
            if len(events) < limit:
                return None
            return max(1, math.ceil(events[0] + WINDOW_SECONDS - now))

    def add(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._events) >= self._max_keys and key not in self._events:
                self._events.clear()  # memory stays bounded; limits restart, nothing breaks
            self._recent(key, now).append(now)

    def clear(self) -> None:
        with self._lock:
            self._events.clear()


requests_per_key = SlidingWindow()
failures_per_address = SlidingWindow()
