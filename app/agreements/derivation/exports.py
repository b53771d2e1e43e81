"""The weekly coverage sheet of an NK: one row per SKPD, its PKS, status, signing date, overdue."""

from dataclasses import dataclass

from app.agreements.derivation.schemas import (
    AgencyCoveragePublic,
    CoveragePublic,
    GovernmentCoveragePublic,
)
from app.core.sheets import Column
from app.labels import label


@dataclass(frozen=True)
class CoverageRow:
    government: GovernmentCoveragePublic
    agency: AgencyCoveragePublic


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
        lambda r: label(r.agency.pks.status) if r.agency.pks else "Belum ada PKS",
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
