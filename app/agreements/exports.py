"""The agreement list as a spreadsheet: one row per NK or PKS, with Indonesian headers."""

from app.agreements.schemas import AgreementPublic
from app.core.sheets import Column
from app.labels import label


def _parties(a: AgreementPublic) -> str:
    return "; ".join(p.organization_name for p in a.parties)


def _numbers(a: AgreementPublic) -> str:
    return "; ".join(p.document_number for p in a.parties if p.document_number)


def _unsigned(a: AgreementPublic) -> str:
    return "; ".join(p.organization_name for p in a.parties if not p.signed)


AGREEMENT_COLUMNS: list[Column[AgreementPublic]] = [
    Column("ID", 8, lambda a: a.id),
    Column("Jenis", 7, lambda a: label(a.kind)),
    Column("Judul", 60, lambda a: a.title),
    Column("Nomor (tiap pihak)", 40, _numbers),
    Column("Para pihak", 60, _parties),
    Column("Status", 24, lambda a: label(a.status)),
    Column("Tanggal penandatanganan", 16, lambda a: a.signed_on),
    Column("Belum menandatangani", 40, _unsigned),
    Column("Berlaku mulai", 14, lambda a: a.valid_from),
    Column("Berlaku sampai", 14, lambda a: a.valid_until),
    Column("NK induk", 50, lambda a: a.parent.title if a.parent else None),
    Column("Jumlah PKS", 11, lambda a: a.children_count),
    Column("Ruang lingkup", 60, lambda a: "; ".join(s.title for s in a.scope_items)),
]
