"""Hasil: what the agreements achieved. For an organization (a province shows its regencies and
cities), the same service as GET /api/v1/outcomes: each one's compliance zone year by year beside
the agreements in force (or signed, awaiting others), as a coloured table with the zone in text,
and a small server-rendered SVG chart of the zones per year. Without one, the compliance results
(GET /api/v1/compliance-assessments), filtered by year and zone."""

from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.compliance import service
from app.compliance.models import Zone
from app.compliance.schemas import (
    ComplianceAssessmentPublic,
    OutcomeEntry,
    OutcomesPublic,
    OutcomeYear,
)
from app.console.forms import allowed
from app.console.query import Filters
from app.console.web import ConsolePage, ConsoleRefused, render
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import NotFound, RuleViolation
from app.organizations.models import OrganizationKind
from app.organizations.schemas import OrganizationPublic
from app.organizations.service import list_organizations
from app.users.access import require_writer

router = APIRouter()

PAGE_SIZE = 50
GOVERNMENTS = (
    OrganizationKind.provincial_government,
    OrganizationKind.regency_government,
    OrganizationKind.city_government,
)
ZONES = ("green", "yellow", "red", "unknown")

# The chart's geometry (SVG user units).
CHART_LEFT, CHART_WIDTH, BAR_HEIGHT, BAR_GAP = 48, 300, 22, 10


@dataclass
class Row:
    """One organization of the view: its entry in each year (None: not shown that year)."""

    organization_id: int
    name: str
    cells: list[OutcomeEntry | None] = field(default_factory=list)


@dataclass(frozen=True)
class Segment:
    zone: str
    x: float
    width: float
    count: int


@dataclass(frozen=True)
class Bar:
    year: int
    y: int
    total: int
    segments: list[Segment]


def rows_of(outcomes: OutcomesPublic) -> list[Row]:
    """The organizations of the view (its root first, as the service orders them), one row each
    with a cell per year."""
    rows: dict[int, Row] = {}
    for year in outcomes.years:
        for entry in year.entries:
            rows.setdefault(
                entry.organization_id, Row(entry.organization_id, entry.organization_name)
            )
    for row in rows.values():
        for year in outcomes.years:
            row.cells.append(
                next((e for e in year.entries if e.organization_id == row.organization_id), None)
            )
    root = [rows.pop(outcomes.organization_id)] if outcomes.organization_id in rows else []
    return root + sorted(rows.values(), key=lambda row: row.name)


def zone_counts(year: OutcomeYear) -> dict[str, int]:
    """The year's zones over everyone shown, with or without an agreement."""
    groups = (year.with_agreement, year.signed_awaiting_others, year.without_agreement)
    return {zone: sum(getattr(group, zone) for group in groups) for zone in ZONES}


def bars_of(outcomes: OutcomesPublic) -> list[Bar]:
    """One stacked bar per year: the share of green, yellow, red and not assessed."""
    bars = []
    for index, year in enumerate(outcomes.years):
        counts = zone_counts(year)
        total = sum(counts.values())
        x, segments = float(CHART_LEFT), []
        for zone in ZONES:
            width = CHART_WIDTH * counts[zone] / total if total else 0
            if counts[zone]:
                segments.append(Segment(zone, round(x, 2), round(width, 2), counts[zone]))
            x += width
        bars.append(Bar(year.year, index * (BAR_HEIGHT + BAR_GAP), total, segments))
    return bars


def _governments(
    session: SessionDep, reveal: bool
) -> list[tuple[OrganizationKind, list[OrganizationPublic]]]:
    groups = []
    for kind in GOVERNMENTS:
        items, _ = list_organizations(
            session=session, kind=kind, limit=200, offset=0, reveal_secrets=reveal
        )
        groups.append((kind, items))
    return groups


@router.get("/hasil", response_class=HTMLResponse)
def hasil(
    request: Request, signed: ConsolePage, session: SessionDep, today: TodayDep
) -> HTMLResponse:
    """`?organization_id=` (e.g. Pemprov Kalsel) its outcomes year by year; without it, the
    compliance results by year and zone (`?year=2023&zone=yellow`)."""
    given = Filters(request.query_params)
    organization_id = given.id("organization_id", "organisasi")
    from_year = given.year("from_year", "awal")
    to_year = given.year("to_year", "akhir")
    year = given.year("year", "penilaian")
    zone = given.choice("zone", Zone, "zona")
    offset = given.offset()
    outcomes = None
    assessments: list[ComplianceAssessmentPublic] = []
    total = 0
    if organization_id is not None:
        try:
            outcomes = service.outcomes(
                session=session,
                organization_id=organization_id,
                from_year=from_year,
                to_year=to_year,
                today=today,
            )
        except NotFound:
            raise ConsoleRefused(404, "Organisasi itu tidak ada di registri.") from None
        except RuleViolation:
            given.problems.append(
                f"Rentang tahun {from_year or ''}–{to_year or ''} tidak dapat ditampilkan: "
                f"pilih tahun awal sebelum tahun akhir, paling banyak {service.MAX_YEARS} tahun."
            )
            outcomes = service.outcomes(
                session=session,
                organization_id=organization_id,
                from_year=None,
                to_year=None,
                today=today,
            )
    else:
        assessments, total = service.list_assessments(
            session=session,
            organization_id=None,
            within=False,
            year=year,
            zone=zone,
            limit=PAGE_SIZE,
            offset=offset,
        )
    query = {k: v for k, v in {"year": year, "zone": zone}.items() if v}
    return render(
        request,
        "hasil.html",
        signed=signed,
        nav="/hasil",
        outcomes=outcomes,
        rows=rows_of(outcomes) if outcomes else [],
        bars=bars_of(outcomes) if outcomes else [],
        counts=[(y, zone_counts(y)) for y in outcomes.years] if outcomes else [],
        chart=(CHART_LEFT, CHART_WIDTH, BAR_HEIGHT, BAR_GAP),
        governments=_governments(session, signed.caller.is_admin),
        organization_id=organization_id,
        from_year=from_year,
        to_year=to_year,
        year=year,
        zone=zone,
        zones=list(Zone),
        assessments=assessments,
        total=total,
        offset=offset,
        page_size=PAGE_SIZE,
        query=query,
        problems=given.problems,
        may_record=allowed(lambda: require_writer(signed.caller)),
    )
