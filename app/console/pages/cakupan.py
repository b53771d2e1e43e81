"""Cakupan: which SKPD hold a PKS under an NK (the service of GET /api/v1/agreements/{id}/coverage),
as a coloured grid with its counts, "as of" a day, its XLSX sheet, and a print layout for the
Sekda. `/cakupan` lists the NK to choose from (the service of GET /api/v1/agreements?kind=nk)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import TypeAdapter, ValidationError

from app.agreements.derivation.exports import coverage_sheet
from app.agreements.derivation.service import coverage_of, coverage_totals
from app.agreements.errors import AgreementNotFound
from app.agreements.models import AgreementKind, AgreementStatus
from app.agreements.queries import (
    AgreementFilters,
    AgreementSort,
    agreement_line,
    list_agreements_public,
)
from app.console.web import ConsolePage, ConsoleRefused, render
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import RuleViolation
from app.core.schemas import MAX_ID, MAX_OFFSET, Day
from app.core.sheets import ExportFormat
from app.labels import NO_PKS, label

router = APIRouter()

PAGE_SIZE = 50
DAY = TypeAdapter(Day)
NkId = Annotated[int, Query(ge=1, le=MAX_ID)]

# The order of the legend and of the counts: signed and in force first, then on its way, then
# what no longer binds, then no PKS at all. Each state's CSS class is `state-<key>`.
STATES = (
    AgreementStatus.active,
    AgreementStatus.signed,
    AgreementStatus.partially_signed,
    AgreementStatus.awaiting_signatures,
    AgreementStatus.draft,
    AgreementStatus.expired,
    AgreementStatus.superseded,
    AgreementStatus.terminated,
    AgreementStatus.cancelled,
)


def state_label(key: str) -> str:
    """A coverage state (a status's value or `none`) in Indonesian."""
    return NO_PKS if key == "none" else label(AgreementStatus(key))


def parse_day(text: str | None) -> tuple[date | None, str | None]:
    """The `as_of` of the date picker (empty: today), or the message saying why it is refused."""
    if not text:
        return None, None
    try:
        return DAY.validate_python(text), None
    except ValidationError:
        return None, "Tanggal tidak sah: pilih tanggal dengan pemilih tanggal (TTTT-BB-HH)."


def _nk_refused(exc: Exception) -> ConsoleRefused:
    if isinstance(exc, AgreementNotFound):
        return ConsoleRefused(
            404, "NK ini tidak ditemukan. Pilih NK dari daftar di halaman Cakupan."
        )
    return ConsoleRefused(
        404, "Cakupan hanya ada untuk NK; perjanjian ini bukan NK. Pilih NK di halaman Cakupan."
    )


@router.get("/cakupan", response_class=HTMLResponse)
def choose_nk(
    request: Request,
    signed: ConsolePage,
    session: SessionDep,
    today: TodayDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> HTMLResponse:
    """The NK to choose from (by title, number or party), each linking to its coverage."""
    text = (q or "").strip() or None
    items, total = list_agreements_public(
        session=session,
        filters=AgreementFilters(kind=AgreementKind.nk, q=text),
        today=today,
        limit=PAGE_SIZE,
        offset=offset,
        sort=AgreementSort.newest,
        count=True,
    )
    return render(
        request,
        "cakupan_pilih.html",
        signed=signed,
        nav="/cakupan",
        items=items,
        total=total,
        offset=offset,
        limit=PAGE_SIZE,
        q=text or "",
    )


@router.get("/cakupan/{nk_id}", response_class=HTMLResponse)
def coverage_page(
    request: Request,
    signed: ConsolePage,
    session: SessionDep,
    today: TodayDep,
    nk_id: int,
    as_of: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    """An NK's coverage as of a day (default today): counts, the grid, the sheet, print."""
    if not 1 <= nk_id <= MAX_ID:
        raise ConsoleRefused(404, "NK ini tidak ditemukan.")
    day, error = parse_day(as_of)
    try:
        coverage = coverage_of(session=session, nk_id=nk_id, as_of=day or today, today=today)
    except (AgreementNotFound, RuleViolation) as exc:
        raise _nk_refused(exc) from exc
    nk = agreement_line(session=session, agreement_id=nk_id, today=today)  # title and numbers
    counts = coverage.counts
    states = [s.value for s in STATES if counts.get(s.value)]
    if counts.get("none"):
        states.append("none")
    return render(
        request,
        "cakupan.html",
        signed=signed,
        nav="/cakupan",
        status_code=422 if error else 200,
        nk=nk,
        numbers=nk.document_numbers,
        coverage=coverage,
        totals=coverage_totals(counts),
        states=states,
        legend=[*(s.value for s in STATES), "none"],
        state_label=state_label,
        error=error,
        as_of_text=as_of if error else coverage.as_of.isoformat(),
        is_today=coverage.as_of == today,
        sheet=f"/cakupan/{nk_id}/unduh.xlsx"
        + ("" if coverage.as_of == today else f"?as_of={coverage.as_of.isoformat()}"),
    )


@router.get("/cakupan/{nk_id}/unduh.{export_format}")
def coverage_download(
    signed: ConsolePage,
    session: SessionDep,
    today: TodayDep,
    nk_id: int,
    export_format: ExportFormat,
    as_of: Annotated[str | None, Query(max_length=40)] = None,
) -> StreamingResponse:
    """The coverage sheet (XLSX or CSV) of the API's `coverage.xlsx`, for a signed-in person."""
    day, error = parse_day(as_of)
    if error:
        raise ConsoleRefused(422, error)
    if not 1 <= nk_id <= MAX_ID:
        raise ConsoleRefused(404, "NK ini tidak ditemukan.")
    try:
        return coverage_sheet(
            session=session,
            nk_id=nk_id,
            as_of=day or today,
            today=today,
            export_format=export_format,
        )
    except (AgreementNotFound, RuleViolation) as exc:
        raise _nk_refused(exc) from exc
