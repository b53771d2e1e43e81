"""The per-process cache of the heavy views (app/stats/cache.py): a value is served until its
time is up, and a bounded cache forgets the oldest computed first."""

from datetime import UTC, datetime, timedelta

from app.stats.cache import TimedCache

NOW = datetime(2026, 11, 26, 8, tzinfo=UTC)
MINUTE = timedelta(seconds=60)


def test_a_value_is_served_until_its_time_is_up() -> None:
    cache: TimedCache[int] = TimedCache()
    computed: list[str] = []

    def compute() -> int:
        computed.append("x")
        return len(computed)

    assert cache.get("k", now=NOW, max_age=MINUTE, compute=compute) == 1
    assert cache.get("k", now=NOW + timedelta(seconds=59), max_age=MINUTE, compute=compute) == 1
    assert cache.get("k", now=NOW + MINUTE, max_age=MINUTE, compute=compute) == 2
    assert cache.get("k", now=NOW + MINUTE, max_age=timedelta(0), compute=compute) == 3


def test_a_bounded_cache_forgets_the_oldest_computed_first() -> None:
    cache: TimedCache[str] = TimedCache(maxsize=2)
    cache.get("a", now=NOW, max_age=MINUTE, compute=lambda: "a")
    cache.get("b", now=NOW, max_age=MINUTE, compute=lambda: "b")
    cache.get("c", now=NOW, max_age=MINUTE, compute=lambda: "c")  # "a" goes
    assert cache.get("b", now=NOW, max_age=MINUTE, compute=lambda: "new b") == "b"
    assert cache.get("c", now=NOW, max_age=MINUTE, compute=lambda: "new c") == "c"
    assert cache.get("a", now=NOW, max_age=MINUTE, compute=lambda: "new a") == "new a"
    assert len(cache._values) == 2
