"""Beranda shows when its figures and its "to do" lists were computed, and how long they are kept
(STATS_CACHE_SECONDS): a change shows once they expire."""

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.config import settings
from app.core.deps import get_now
from app.main import app
from app.seeding import load_seeds
from tests.conftest import TODAY

ACTIVE_PKS = re.compile(r'card-figure">(\d+)</span>\s*<span class="card-title">PKS berlaku<')
DEADLINES = re.compile(r"Semua (\d+) tenggat \((\d+) terlambat\)")
OVERDUE = re.compile(r"Semua (\d+) kewajiban terlambat")


def test_beranda_says_when_its_figures_were_computed(
    signed_in: TestClient, session: Session
) -> None:
    moment = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    app.dependency_overrides[get_now] = lambda: moment
    first = signed_in.get("/")
    assert "Angka dihitung 23 November 2026 pukul 02.00.00 UTC" in first.text
    assert f"disimpan paling lama {settings.STATS_CACHE_SECONDS} detik" in first.text
    assert ACTIVE_PKS.findall(first.text) == ["0"]

    load_seeds(session=session, today=TODAY)
    moment += timedelta(seconds=settings.STATS_CACHE_SECONDS - 1)
    assert ACTIVE_PKS.findall(signed_in.get("/").text) == ["0"]  # still the kept figures
    moment += timedelta(seconds=1)
    later = signed_in.get("/")
    assert ACTIVE_PKS.findall(later.text) == ["21"]
    assert "Angka dihitung 23 November 2026 pukul 02.01.00 UTC" in later.text


def test_beranda_keeps_its_duties_and_says_when_they_were_computed(
    signed_in: TestClient,
    session: Session,
    admin_headers: dict[str, str],
    count_statements: Callable[[], Any],
) -> None:
    """The whole registry's duties (the admin has no organization) are computed once per
    STATS_CACHE_SECONDS: a second view within that time reads none of them again, and a change
    shows once they expire, with the moment they were computed (in the registry's zone)."""
    moment = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    app.dependency_overrides[get_now] = lambda: moment
    with count_statements() as first_view:
        first = signed_in.get("/")
    assert first.status_code == 200, first.text
    assert "Dihitung 23 November 2026 pukul 09.00 WIB" in first.text
    assert f"disimpan paling lama {settings.STATS_CACHE_SECONDS} detik" in first.text
    assert DEADLINES.findall(first.text) == [("0", "0")]
    assert OVERDUE.findall(first.text) == ["0"]
    assert any("obligation" in statement for statement in first_view)

    load_seeds(session=session, today=TODAY)
    moment += timedelta(seconds=settings.STATS_CACHE_SECONDS - 1)
    with count_statements() as second_view:
        kept = signed_in.get("/")
    assert DEADLINES.findall(kept.text) == [("0", "0")]  # still the kept duties
    assert OVERDUE.findall(kept.text) == ["0"]
    assert "Dihitung 23 November 2026 pukul 09.00 WIB" in kept.text
    # Neither the figures nor the duties are read again: only who is signed in.
    assert not any("obligation" in statement for statement in second_view), second_view
    assert len(second_view) < len(first_view) - 5

    moment += timedelta(seconds=1)
    later = signed_in.get("/")
    deadlines = signed_in.get(
        "/api/v1/deadlines", params={"limit": 5}, headers=admin_headers
    ).json()
    overdue = signed_in.get(
        "/api/v1/obligations",
        params={"status": "overdue", "count": "true"},
        headers=admin_headers,
    ).json()
    assert deadlines["total"] > 0
    assert DEADLINES.findall(later.text) == [
        (str(deadlines["total"]), str(deadlines["counts"]["overdue"]))
    ]
    assert OVERDUE.findall(later.text) == [str(overdue["total"])]
    assert "Dihitung 23 November 2026 pukul 09.01 WIB" in later.text
