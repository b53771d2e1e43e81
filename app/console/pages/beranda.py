"""Beranda: the front page. The figures of GET /api/v1/stats (the same service), as cards that
each link to the list behind them.

The shape every page follows: a route that takes `ConsolePage` (the signed-in person), calls the
services the API calls with `signed.caller`, and renders one template with `render(...)`.
"""

from dataclasses import dataclass
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.agreements.models import AgreementStatus
from app.console.pages.sign_in import sign_in_page
from app.console.web import MaybeSignedIn, render
from app.core.db import SessionDep
from app.core.deps import NowDep, SettingsDep, TodayDep
from app.labels import label
from app.stats.service import StatsPublic, cached_stats

router = APIRouter()


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
    )
