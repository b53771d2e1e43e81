"""The front page's figures on the seeded real cases; how few statements they take, and how long
each process keeps them (STATS_CACHE_SECONDS)."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlmodel import Session, col, select

from app.agreements.derivation.service import coverage_of, coverages_of
from app.agreements.models import Agreement, AgreementKind
from app.core.config import settings
from app.core.deps import get_now, get_settings
from app.main import app
from app.seeding import SeedReport, load_seeds
from app.stats.service import stats
from tests.conftest import TODAY, key_for

# The statements of one computation of the figures, whatever the number of NK in force: the
# coverage of the 20 shown in four, the agreements per status and per year signed in one scan,
# the latest zones in one (111 before, a coverage of five per NK).
STATS_STATEMENTS = 11


class Clock:
    """The moment the app sees (get_now), moved by the test: no sleeps."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(client: TestClient) -> Iterator[Clock]:
    moment = Clock()
    app.dependency_overrides[get_now] = moment
    yield moment
    app.dependency_overrides.pop(get_now, None)


def test_the_registry_at_a_glance(client: TestClient, session: Session, clock: Clock) -> None:
    empty = client.get("/api/v1/stats")
    assert empty.status_code == 200, empty.text
    assert empty.json()["compliance_latest"] is None and empty.json()["coverage"] == []
    assert empty.json()["computed_at"] == "2026-11-23T02:00:00Z"

    load_seeds(session=session, today=TODAY)
    # Kept for STATS_CACHE_SECONDS: the seeded registry shows once the empty one's figures expire.
    clock.advance(settings.STATS_CACHE_SECONDS - 1)
    assert client.get("/api/v1/stats").json() == empty.json()
    clock.advance(1)
    body = client.get("/api/v1/stats").json()
    assert body["computed_at"] == "2026-11-23T02:01:00Z"
    assert body["as_of"] == TODAY.isoformat()
    assert body["agreements"]["pks"] == {"active": 21}
    assert body["agreements"]["nk"]["partially_signed"] == 1  # Kalteng, Kotawaringin Barat
    assert sum(body["agreements"]["nk"].values()) == 3
    years = {y["year"]: y for y in body["signed_per_year"]}
    assert years[2021] == {"year": 2021, "nk": 1, "pks": 0}
    assert years[2022] == {"year": 2022, "nk": 1, "pks": 21}
    kalsel = next(c for c in body["coverage"] if c["with_signed_pks"] == 21)
    assert kalsel["agencies"] == 22  # the Biro Pemerintahan dan Kerja Sama holds none
    assert body["nk_in_force"] == len(body["coverage"]) == 2
    # Every agreement in force owes its 2026 monev by 31 December.
    assert body["evaluations"] == {"due": 23, "overdue": 0}
    assert body["compliance_latest"] == {"year": 2023, "green": 14, "yellow": 1, "red": 0}


def test_the_figures_in_a_fixed_number_of_statements(
    seeded_connection: Connection,
    client: TestClient,
    session: Session,
    count_statements: Callable[[], Any],
    clock: Clock,
) -> None:
    with count_statements() as statements:
        stats(session=session, today=TODAY, settings=settings, now=clock.now)
    assert len(statements) == STATS_STATEMENTS, statements

    # Over HTTP: the first request computes them, the next ones within the time run no
    # statement at all (the key, once looked up, is kept API_KEY_CACHE_SECONDS per process too,
    # once its hourly last_used_at is written).
    assert client.get("/api/v1/users/me").status_code == 200
    with count_statements() as first:
        assert client.get("/api/v1/stats").status_code == 200
    with count_statements() as cached:
        assert client.get("/api/v1/stats").status_code == 200
    assert len(first) == STATS_STATEMENTS, first
    assert cached == []


def test_the_coverage_of_many_nk_at_once_is_each_ones_coverage(
    seeded_connection: Connection, session: Session
) -> None:
    nk_ids = list(
        session.exec(
            select(Agreement.id)
            .where(Agreement.kind == AgreementKind.nk)
            .order_by(col(Agreement.id))
        )
    )
    assert len(nk_ids) == 3
    for as_of in (TODAY, TODAY.replace(year=2022, month=7, day=3)):
        together = coverages_of(
            session=session, nk_ids=[i or 0 for i in nk_ids], as_of=as_of, today=TODAY
        )
        for nk_id in nk_ids:
            assert nk_id is not None
            alone = coverage_of(session=session, nk_id=nk_id, as_of=as_of, today=TODAY)
            assert together[nk_id] == alone


def test_every_caller_is_served_the_registry_wide_figures(
    seed_report: SeedReport,
    client: TestClient,
    session: Session,
    clock: Clock,
    count_statements: Callable[[], Any],
) -> None:
    """The figures depend on no caller (every role reads every agreement): what one
    organization's viewer caused to be kept is the registry's, the same that is computed afresh
    for an admin without an organization."""
    kalsel, kalteng = seed_report.keys["kalsel"], seed_report.keys["kalteng"]
    viewer = client.get("/api/v1/stats", headers={"X-API-Key": key_for(session, "viewer", kalsel)})
    with count_statements() as statements:
        editor = client.get(
            "/api/v1/stats", headers={"X-API-Key": key_for(session, "editor", kalteng)}
        )
    assert editor.json() == viewer.json()
    assert not any("FROM agreement" in s for s in statements)  # served, not computed
    fresh = stats(session=session, today=TODAY, settings=settings, now=clock.now)
    assert viewer.json() == fresh.model_dump(mode="json")


def test_kept_per_day_and_monev_settings_and_not_at_all_with_zero(
    client: TestClient, session: Session, clock: Clock, count_statements: Callable[[], Any]
) -> None:
    first = client.get("/api/v1/stats").json()
    # Another monev month is another key: computed afresh, not served the first.
    app.dependency_overrides[get_settings] = lambda: settings.model_copy(
        update={"EVALUATION_DUE_MONTH": 6}
    )
    clock.advance(1)
    assert client.get("/api/v1/stats").json()["computed_at"] != first["computed_at"]
    # STATS_CACHE_SECONDS=0: every request computes them.
    app.dependency_overrides[get_settings] = lambda: settings.model_copy(
        update={"STATS_CACHE_SECONDS": 0}
    )
    with count_statements() as once:
        client.get("/api/v1/stats")
    with count_statements() as twice:
        client.get("/api/v1/stats")
    assert len(once) == len(twice) > 1  # more than the key look-up
    app.dependency_overrides.pop(get_settings)
