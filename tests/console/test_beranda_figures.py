"""Beranda shows when its figures were computed, and how long they are kept
(STATS_CACHE_SECONDS): a change shows once they expire."""

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.config import settings
from app.core.deps import get_now
from app.main import app
from app.seeding import load_seeds
from tests.conftest import TODAY

ACTIVE_PKS = re.compile(r'card-figure">(\d+)</span>\s*<span class="card-title">PKS berlaku<')


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
