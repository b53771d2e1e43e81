"""The weekly coverage sheet of an NK: one row per SKPD, its PKS, status, signing date, overdue."""

from dataclasses import dataclass
from datetime import date

from fastapi.responses import StreamingResponse
from sqlmodel import Session

from app.agreements.derivation.schemas import (
    AgencyCoveragePublic,
    CoveragePublic,
    GovernmentCoveragePublic,
)
from app.agreements.derivation.service import coverage_of
from app.agreements.models import Agreement
from app.agreements.parties import parties_of
from app.core.sheets import Column, ExportFormat, export_response
from app.labels import NO_PKS, day_text, label


@dataclass(frozen=True)
class CoverageRow:
    government: GovernmentCoveragePublic
    agency: AgencyCoveragePublic


def coverage_title(session: Session, coverage: CoveragePublic) -> str:
    """The sheet's title row: which NK (by its numbers, then its title) and which day it shows,
    so a printed or forwarded sheet still says what it is."""
    nk = session.get(Agreement, coverage.nk_id)
    numbers = [p.document_number for p in parties_of(session, coverage.nk_id) if p.document_number]
    which = " dan ".join(numbers) if numbers else "(nomor belum tercatat)"
    about = f" — {nk.title}" if nk is not None else ""
    return f"Cakupan PKS di bawah NK {which}{about} — keadaan per {day_text(coverage.as_of)}"


def coverage_rows(coverage: CoveragePublic) -> list[CoverageRow]:
    return [
        CoverageRow(government, agency)
        for government in coverage.governments
        for agency in government.agencies
    ]


COVERAGE_COLUMNS: list[Column[CoverageRow]] = [
    Column("Pemerintah daerah", 40, lambda r: r.government.organization_name),
    Column("SKPD", 50, lambda r: r.agency.organization_name),
    Column("ID SKPD", 9, lambda r: r.agency.organization_id),
    Column("ID PKS", 9, lambda r: r.agency.pks.id if r.agency.pks else None),
    Column(
        "Status PKS",
        28,
        lambda r: label(r.agency.pks.status) if r.agency.pks else NO_PKS,
    ),
    Column(
        "Tanggal penandatanganan", 16, lambda r: r.agency.pks.signed_on if r.agency.pks else None
    ),
    Column("Terlambat", 11, lambda r: "ya" if r.agency.overdue else "tidak"),
    Column(
        "PKS lain di bawah NK ini",
        24,
        lambda r: len(r.agency.agreements) - (1 if r.agency.pks else 0) or None,
    ),
]


def coverage_sheet(
    *, session: Session, nk_id: int, as_of: date, today: date, export_format: ExportFormat
) -> StreamingResponse:
    """The coverage of an NK as of a day, as a download (the API's and the console's sheet)."""
    result = coverage_of(session=session, nk_id=nk_id, as_of=as_of, today=today)
    return export_response(
        export_format,
        filename=f"cakupan-pks-nk-{nk_id}-{result.as_of.isoformat()}",
        sheet_title="Cakupan PKS",
        columns=COVERAGE_COLUMNS,
        rows=coverage_rows(result),
        title=coverage_title(session, result),
    )
