"""The app's database connections (app/core/db.py). A pooled connection is pinged before a
request takes it only when it lay idle longer than DB_PING_AFTER_IDLE_SECONDS (ping_after_idle;
the default on PostgreSQL): one in steady use costs no round trip, and one that fails the ping
is replaced before it is used. Moments are read in UTC whatever the server's zone."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text

from app.core.config import settings
from app.core.db import make_engine, ping_after_idle, read_until_write


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Pinged:
    engine: Engine
    clock: Clock
    pings: list[bool] = field(default_factory=list)
    connections: list[bool] = field(default_factory=list)
    failing: bool = False


def _counted(engine: Engine, monkeypatch: pytest.MonkeyPatch, state: Pinged) -> None:
    def ping(_dbapi_connection: Any) -> bool:
        state.pings.append(True)
        if state.failing:
            state.failing = False
            raise ConnectionError("server closed the connection unexpectedly")
        return True

    monkeypatch.setattr(engine.dialect, "do_ping", ping)
    event.listen(engine, "connect", lambda _dbapi, _record: state.connections.append(True))


@pytest.fixture
def pinged(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pinged]:
    """An engine on the suite's database with ping_after_idle (10 s) on a clock the test moves,
    its pings counted (and failed when asked), and the connections it opened."""
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    state = Pinged(engine, Clock())
    ping_after_idle(engine, 10.0, state.clock)
    _counted(engine, monkeypatch, state)
    try:
        yield state
    finally:
        engine.dispose()


def _use(engine: Engine) -> None:
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1


def test_a_connection_in_steady_use_is_not_pinged_and_an_idle_one_is(pinged: Pinged) -> None:
    _use(pinged.engine)  # a new connection: just opened, not pinged
    pinged.clock.now += 9.5
    _use(pinged.engine)
    assert pinged.pings == []
    pinged.clock.now += 10.5  # idle past the window
    _use(pinged.engine)
    assert pinged.pings == [True]
    assert len(pinged.connections) == 1


def test_a_connection_failing_its_ping_is_replaced_before_use(pinged: Pinged) -> None:
    _use(pinged.engine)
    pinged.clock.now += 60
    pinged.failing = True
    _use(pinged.engine)  # works: on a new connection
    assert len(pinged.pings) == 1
    assert len(pinged.connections) == 2


@pytest.mark.parametrize("seconds", [1.0, 0.0])
def test_the_app_engine_pings_per_the_setting(
    database_url: str, monkeypatch: pytest.MonkeyPatch, seconds: float
) -> None:
    """PostgreSQL: a connection taken again at once is pinged only with the setting at 0 (every
    time, pool_pre_ping). SQLite: a file, never pinged."""
    monkeypatch.setattr(settings, "DB_PING_AFTER_IDLE_SECONDS", seconds)
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    state = Pinged(engine, Clock())
    _counted(engine, monkeypatch, state)
    try:
        _use(engine)
        _use(engine)
    finally:
        engine.dispose()
    every_time = seconds == 0 and engine.dialect.name == "postgresql"
    assert state.pings == ([True] if every_time else [])


def test_moments_come_back_in_utc_whatever_the_server_zone(database_url: str) -> None:
    """The app's connections read moments in UTC (PostgreSQL: timezone=UTC on each connection,
    so a server set to Asia/Jakarta changes nothing; SQLite stores them in UTC), the same
    instant that was written."""
    from datetime import UTC, datetime, timedelta, timezone

    from sqlalchemy import column, select, table

    from app.core.types import UTCDateTime

    engine = make_engine(database_url)
    moments = table("moments", column("at", UTCDateTime()))
    written = datetime(2022, 7, 4, 9, 30, tzinfo=timezone(timedelta(hours=8)))  # WITA
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                assert connection.execute(text("SHOW timezone")).scalar_one() == "UTC"
                connection.execute(text("CREATE TEMPORARY TABLE moments (at timestamptz)"))
            else:
                connection.execute(text("CREATE TEMPORARY TABLE moments (at DATETIME)"))
            connection.execute(moments.insert().values(at=written))
            read = connection.execute(select(moments.c.at)).scalar_one()
            connection.rollback()
    finally:
        engine.dispose()
    assert read == written and read.tzinfo is UTC and read.hour == 1


def test_records_read_like_rows(database_url: str) -> None:
    """records(): the rows of a result as named tuples, each column by its name and in order."""
    from app.core.db import records

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            result = connection.execute(
                text("SELECT 1 AS id, 'PKS Dinkes' AS title UNION ALL SELECT 2, NULL")
            )
            found = records(result)
    finally:
        engine.dispose()
    assert [(r.id, r.title) for r in found] == [(1, "PKS Dinkes"), (2, None)]
    assert [tuple(r) for r in found] == [(1, "PKS Dinkes"), (2, None)]


def test_the_pool_keeps_the_connections_a_worker_uses_at_once(database_url: str) -> None:
    """Ten requests in flight, then ten more: the second ten open no connection (one opened
    above the pool's size is closed when given back, and opening one costs the database
    milliseconds: DB_POOL_SIZE holds what a worker uses under load)."""
    from contextlib import ExitStack

    engine = make_engine(database_url)
    opened: list[bool] = []
    event.listen(engine, "connect", lambda _dbapi, _record: opened.append(True))
    try:
        for _ in range(2):
            with ExitStack() as stack:
                for _ in range(10):  # reads (on SQLite, no write lock each)
                    reading = stack.enter_context(read_until_write(engine).connect())
                    reading.execute(text("SELECT 1"))
    finally:
        engine.dispose()
    assert len(opened) == 10
