"""Beranda: the front page. The figures of GET /api/v1/stats (the same service), as cards and
small server-rendered SVG charts (the numbers beside them as text, each a link to the list behind
it); and what the signed-in user's organizations must do next, from the services of Tenggat,
Kewajiban and Perjanjian. A user without an organization (the first admin) sees the whole
registry. Both are kept STATS_CACHE_SECONDS in each process (app/stats/cache.py), each with the
moment it was computed, which the page shows.

The shape every page follows: a route that takes `ConsolePage` (the signed-in person), calls the
services the API calls with `signed.caller`, and renders one template with `render(...)`.
"""

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.agreements.models import AgreementStatus
from app.agreements.queries import (
    AgreementFilters,
    AgreementSort,
    count_agreements,
    list_agreements_public,
)
from app.agreements.schemas import AgreementPublic
from app.console.pages.sign_in import sign_in_page
from app.console.pages.tenggat import WINDOW_DAYS
from app.console.web import MaybeSignedIn, render
from app.core.config import Settings
from app.core.db import SessionDep
from app.core.deps import NowDep, SettingsDep, TodayDep
from app.labels import label
from app.obligations import service as obligations
from app.obligations.models import ObligationStatus
from app.obligations.schemas import ObligationPublic
from app.organizations.service import organizations_by_id
from app.reminders.deadlines import deadline_page, deadline_window
from app.reminders.schemas import DeadlinePage
from app.stats.cache import TimedCache, stats_key
from app.stats.service import StatsPublic, cached_stats
from app.users.access import scope_of
from app.users.auth import Caller

router = APIRouter()

SHOWN = 5  # items of each "to do" list; the link shows them all
# The charts' geometry (SVG user units; the SVG scales to its box).
LABEL_WIDTH, BAR_WIDTH, BAR_HEIGHT, BAR_GAP = 220, 240, 18, 8
COVERAGE_WIDTH, COVERAGE_HEIGHT = 120, 14
AWAITING = (AgreementStatus.awaiting_signatures, AgreementStatus.partially_signed)


@dataclass(frozen=True)
class Card:
    """One figure of the front page and the list that shows what it counts."""

    title: str
    figure: int
    href: str
    note: str = ""


def cards(figures: StatsPublic) -> list[Card]:
    nk, pks = figures.agreements.get("nk", {}), figures.agreements.get("pks", {})
    active, awaiting = AgreementStatus.active, AgreementStatus.awaiting_signatures
    partly = AgreementStatus.partially_signed
    horizon = (figures.as_of + timedelta(days=90)).isoformat()
    expiring = figures.expiring_next_90_days
    return [
        Card("NK berlaku", nk.get(active, 0), "/perjanjian?kind=nk&status=active"),
        Card("PKS berlaku", pks.get(active, 0), "/perjanjian?kind=pks&status=active"),
        Card(
            label(awaiting),
            nk.get(awaiting, 0) + pks.get(awaiting, 0),
            "/perjanjian?status=awaiting_signatures",
            f"NK {nk.get(awaiting, 0)} · PKS {pks.get(awaiting, 0)}",
        ),
        Card(
            label(partly),
            nk.get(partly, 0) + pks.get(partly, 0),
            "/perjanjian?status=partially_signed",
            f"NK {nk.get(partly, 0)} · PKS {pks.get(partly, 0)}",
        ),
        Card(
            "Berakhir dalam 90 hari",
            sum(expiring.values()),
            f"/perjanjian?expiring_before={horizon}&sort=valid_until",
            f"NK {expiring.get('nk', 0)} · PKS {expiring.get('pks', 0)}",
        ),
        Card(
            "Evaluasi tahunan (monev) terlambat",
            figures.evaluations.overdue,
            "/tenggat?type=evaluation_due",
            f"{figures.evaluations.due} lagi jatuh tempo",
        ),
    ]


@dataclass(frozen=True)
class StatusBar:
    """One status of the chart "Perjanjian per status": NK and PKS side by side in one bar."""

    status: AgreementStatus
    y: int
    nk: int
    pks: int
    nk_width: float
    pks_width: float

    @property
    def total(self) -> int:
        return self.nk + self.pks

    def href(self, kind: str) -> str:
        return "/perjanjian?" + urlencode({"kind": kind, "status": self.status.value})


def status_bars(figures: StatsPublic) -> list[StatusBar]:
    """A bar per status that any NK or PKS is in (in the statuses' order), longest = BAR_WIDTH."""
    nk, pks = figures.agreements.get("nk", {}), figures.agreements.get("pks", {})
    counts = [(s, nk.get(s, 0), pks.get(s, 0)) for s in AgreementStatus]
    counts = [c for c in counts if c[1] or c[2]]
    most = max((a + b for _, a, b in counts), default=0) or 1
    return [
        StatusBar(
            status,
            index * (BAR_HEIGHT + BAR_GAP),
            n,
            p,
            round(BAR_WIDTH * n / most, 2),
            round(BAR_WIDTH * p / most, 2),
        )
        for index, (status, n, p) in enumerate(counts)
    ]


@dataclass(frozen=True)
class ZoneSegment:
    zone: str
    x: float
    width: float
    count: int


def zone_segments(figures: StatsPublic) -> list[ZoneSegment]:
    """The latest year's zones as one bar of BAR_WIDTH + LABEL_WIDTH, green to red."""
    latest = figures.compliance_latest
    if latest is None:
        return []
    counts = {"green": latest.green, "yellow": latest.yellow, "red": latest.red}
    total = sum(counts.values()) or 1
    x, segments = 0.0, []
    for zone, count in counts.items():
        width = (LABEL_WIDTH + BAR_WIDTH) * count / total
        if count:
            segments.append(ZoneSegment(zone, round(x, 2), round(width, 2), count))
        x += width
    return segments


@dataclass
class Duties:
    """What one organization (None: the whole registry) must do next."""

    organization_id: int | None
    name: str
    computed_at: datetime
    deadlines: DeadlinePage
    overdue: list[ObligationPublic]
    overdue_total: int
    awaiting: list[AgreementPublic] = field(default_factory=list)
    awaiting_totals: dict[AgreementStatus, int] = field(default_factory=dict)

    def link(self, path: str, **query: str | int) -> str:
        if self.organization_id is not None:
            key = "unsigned_by" if path == "/perjanjian" else "organization_id"
            query = {key: self.organization_id, **query}
        return path + ("?" + urlencode(query) if query else "")


def duties_of(
    *,
    session: Session,
    organization_id: int | None,
    name: str,
    today: date,
    settings: Settings,
    now: datetime,
) -> Duties:
    """The nearest deadlines (overdue first, as Tenggat lists them), the overdue obligations (as
    Kewajiban), and the agreements awaiting the organization's signature (as Perjanjian with
    `unsigned_by`; for the whole registry, those awaiting anyone's)."""
    start, end = deadline_window(today, None, None, WINDOW_DAYS)
    deadlines = deadline_page(
        session,
        start=start,
        end=end,
        today=today,
        limit=SHOWN,
        offset=0,
        organization_id=organization_id,
        settings=settings,
    )
    overdue, overdue_total = obligations.list_obligations(
        session=session,
        today=today,
        filters=obligations.ObligationFilters(
            status=ObligationStatus.overdue, organization_id=organization_id
        ),
        limit=SHOWN,
        offset=0,
    )
    duties = Duties(organization_id, name, now, deadlines, overdue, overdue_total)
    for status in AWAITING:
        filters = AgreementFilters(status=status, unsigned_by=organization_id)
        room = SHOWN - len(duties.awaiting)
        if not room:  # the list is full: only "and N more" (a link to the whole list) is left
            duties.awaiting_totals[status] = count_agreements(
                session=session, filters=filters, today=today
            )
            continue
        found, total = list_agreements_public(
            session=session,
            filters=filters,
            today=today,
            limit=room,
            offset=0,
            sort=AgreementSort.newest,
            count=True,
        )
        duties.awaiting_totals[status] = total or 0
        duties.awaiting.extend(found)
    return duties


duties_cache: TimedCache[Duties] = TimedCache()


def cached_duties(
    *,
    session: Session,
    organization_id: int | None,
    name: str,
    today: date,
    settings: Settings,
    now: datetime,
) -> Duties:
    """`duties_of`, computed at most STATS_CACHE_SECONDS before `now` (as the front page's
    figures are); the organization's name is today's."""
    kept = duties_cache.get(
        stats_key(today, settings, organization_id),
        now=now,
        max_age=timedelta(seconds=settings.STATS_CACHE_SECONDS),
        compute=lambda: duties_of(
            session=session,
            organization_id=organization_id,
            name=name,
            today=today,
            settings=settings,
            now=now,
        ),
    )
    return kept if kept.name == name else replace(kept, name=name)


def duties_for(
    *, session: Session, caller: Caller, today: date, settings: Settings, now: datetime
) -> list[Duties]:
    """Each organization the user acts for (its own, and the parent it acts for), or the whole
    registry for a user without one."""
    scope = scope_of(session, caller)
    if not scope:
        return [
            cached_duties(
                session=session,
                organization_id=None,
                name="",
                today=today,
                settings=settings,
                now=now,
            )
        ]
    names = organizations_by_id(session, scope)
    ordered = sorted(scope, key=lambda i: (i != caller.organization_id, names[i].name))
    return [
        cached_duties(
            session=session,
            organization_id=i,
            name=names[i].name,
            today=today,
            settings=settings,
            now=now,
        )
        for i in ordered
    ]


@router.get("/", response_class=HTMLResponse)
def beranda(
    request: Request,
    signed: MaybeSignedIn,
    session: SessionDep,
    today: TodayDep,
    settings: SettingsDep,
    now: NowDep,
) -> HTMLResponse:
    """The console opens here: Beranda when signed in, the sign-in page when not."""
    if signed is None:
        return sign_in_page(request)
    figures = cached_stats(session=session, today=today, settings=settings, now=now)
    return render(
        request,
        "beranda.html",
        signed=signed,
        nav="/",
        block="cards",  # an htmx request (hx-get="/") gets the cards alone
        figures=figures,
        cards=cards(figures),
        kept_seconds=settings.STATS_CACHE_SECONDS,
        status_bars=status_bars(figures),
        zone_segments=zone_segments(figures),
        chart=(LABEL_WIDTH, BAR_WIDTH, BAR_HEIGHT, BAR_GAP),
        coverage_bar=(COVERAGE_WIDTH, COVERAGE_HEIGHT),
        duties=duties_for(
            session=session, caller=signed.caller, today=today, settings=settings, now=now
        ),
    )
