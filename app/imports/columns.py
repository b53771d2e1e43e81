"""The columns of the import template: one home for their labels, keys, rules and examples.

A register has two sheets. "Organisasi": one row per organization to register (or to find
already registered). "Perjanjian": one row per party of an agreement; the rows of one agreement
share its `Kode` (a key of the file only), and the agreement's own fields (kind, title, NK,
validity, ruang lingkup) are read from its first row.
"""

from dataclasses import dataclass
from enum import StrEnum

from app.core.text import fold


class SheetKind(StrEnum):
    organizations = "Organisasi"
    agreements = "Perjanjian"


@dataclass(frozen=True)
class ImportColumn:
    """A column of a sheet: the Indonesian header staff see, the English key also accepted,
    whether a row must fill it, what it holds, its width in the template, (sheet Perjanjian)
    whether it is a field of the agreement, read from the agreement's first row, rather than of
    the row's party, and `multi_line`: its text may have several lines (else a tab or line
    break is refused, as in the API)."""

    label: str
    key: str
    required: bool
    help: str
    width: float = 24
    per_agreement: bool = False
    multi_line: bool = False


ORGANIZATION_COLUMNS = [
    ImportColumn("Nama", "name", True, "Full official name, e.g. 'Dinas Kesehatan'.", 44),
    ImportColumn("Singkatan", "short_name", False, "Short name, e.g. 'Dinkes'.", 18),
    ImportColumn(
        "Jenis",
        "kind",
        True,
        "lembaga negara, perwakilan, provinsi, kabupaten, kota, SKPD (or OPD), universitas, "
        "lainnya; or the English value (state_institution, regional_office, "
        "provincial_government, regency_government, city_government, regional_agency, "
        "university, other).",
        18,
    ),
    ImportColumn(
        "Induk",
        "parent",
        False,
        "The organization it belongs to (an SKPD's government): its name, its short name, or "
        "#id. It may be a row above in this sheet.",
        34,
    ),
    ImportColumn("Email", "email", False, "Where reminder digests are sent.", 26),
]

AGREEMENT_COLUMNS = [
    ImportColumn(
        "Kode",
        "ref",
        True,
        "Any key of your own that groups the rows of one agreement (one row per party), e.g. "
        "'NK-1'. A PKS names its NK by it in 'NK induk'.",
        12,
    ),
    ImportColumn(
        "Jenis", "kind", True, "NK (Nota Kesepahaman / MoU) or PKS.", 8, per_agreement=True
    ),
    ImportColumn("Judul", "title", True, "The title of the agreement.", 44, per_agreement=True),
    ImportColumn(
        "NK induk",
        "parent",
        False,
        "For a PKS: the Kode of its NK in this file, or a number of an NK already registered "
        "(e.g. '053/NK-PEMOTDA/2021').",
        22,
        per_agreement=True,
    ),
    ImportColumn(
        "Keterangan",
        "description",
        False,
        "Notes on the agreement.",
        30,
        per_agreement=True,
        multi_line=True,
    ),
    ImportColumn(
        "Berlaku mulai", "valid_from", False, "Start of validity; a date.", 14, per_agreement=True
    ),
    ImportColumn(
        "Berlaku sampai", "valid_until", False, "End of validity; a date.", 14, per_agreement=True
    ),
    ImportColumn(
        "Ruang lingkup",
        "scope",
        False,
        "The scope items, one per line of the cell (Alt+Enter in Excel).",
        44,
        per_agreement=True,
        multi_line=True,
    ),
    ImportColumn(
        "Pihak",
        "party",
        True,
        "The party of this row: its name, its short name, or #id (e.g. '#12').",
        34,
    ),
    ImportColumn(
        "Nomor",
        "document_number",
        False,
        "The number this party gave the document. Every agreement needs at least one: by its "
        "numbers a second import recognises an agreement already registered.",
        24,
    ),
    ImportColumn("Penandatangan", "signatory_name", False, "Who signed for this party.", 24),
    ImportColumn("Jabatan", "signatory_title", False, "The signatory's office.", 24),
    ImportColumn(
        "Tanggal tanda tangan",
        "signed_on",
        False,
        "When this party signed: a date; 'ya' if it signed on a day nobody recorded; empty if "
        "it has not signed.",
        16,
    ),
    ImportColumn(
        "Alasan belum tanda tangan",
        "pending_reason",
        False,
        "Why this party has not signed yet, e.g. 'masih ada beberapa penyesuaian yang perlu "
        "disepakati'.",
        34,
        multi_line=True,
    ),
    ImportColumn(
        "Rencana tanda tangan",
        "planned_signing_on",
        False,
        "When the parties plan to sign an agreement not yet signed by all; a date.",
        16,
        per_agreement=True,
    ),
    ImportColumn(
        "Tanggal draft",
        "drafted_on",
        False,
        "Since when the agreement is known (penyusunan draft began); a date. Empty: the day of "
        "the import. Past-day views count the agreement from this day.",
        14,
    ),
    ImportColumn(
        "Tanggal finalisasi",
        "finalized_on",
        False,
        "The day of finalisasi draft (the parties agreed the text); a date, not before 'Tanggal "
        "draft' nor after the first signature. Given, the agreement is finalised even if nobody "
        "has signed; empty: finalised on the day of the import once a party has signed.",
        14,
        per_agreement=True,
    ),
]

COLUMNS = {
    SheetKind.organizations: ORGANIZATION_COLUMNS,
    SheetKind.agreements: AGREEMENT_COLUMNS,
}


def header_key(sheet: SheetKind, header: object) -> str | None:
    """The key of a header cell (its label or its key, in any case), or None if unknown."""
    if not isinstance(header, str):
        return None
    wanted = fold(header).replace("_", " ")
    for column in COLUMNS[sheet]:
        if wanted in (fold(column.label), column.key.replace("_", " ")):
            return column.key
    return None


def column_of(sheet: SheetKind, key: str) -> ImportColumn:
    return next(c for c in COLUMNS[sheet] if c.key == key)
