"""The front page's figures."""

from fastapi import APIRouter

from app.core.db import SessionDep
from app.core.deps import NowDep, SettingsDep, TodayDep
from app.core.errors import responses
from app.stats.service import StatsPublic, cached_stats

router = APIRouter(tags=["Outcomes"])


@router.get(
    "/api/v1/stats",
    response_model=StatsPublic,
    summary="The registry at a glance: figures for the front page",
    responses=responses(401, 429),
)
def front_page(
    session: SessionDep, today: TodayDep, settings: SettingsDep, now: NowDep
) -> StatsPublic:
    """How many NK and PKS are in each status; how many were signed each year; what lapses in
    the next 90 days; how many SKPD hold a signed PKS under each NK in force (the 20 signed
    last); the activities reported (realisasi kegiatan) and verified in each of the last 8
    quarters; how many yearly evaluations (monev) are due or overdue; and the zones of the latest
    compliance results (penilaian kepatuhan). On the seeded registry: 21 PKS active under the
    Kalsel NK, signed in 2022, 21 of its 22 SKPD covered.

    The figures are computed at most every STATS_CACHE_SECONDS (60 by default) in each server
    process and kept in between, the same for every caller: a change shows within that time, and
    `computed_at` says when they were computed."""
    return cached_stats(session=session, today=today, settings=settings, now=now)
