"""The import template: a workbook with a sheet of instructions, and the two sheets to fill in,
each with its header and the real Kalsel case as example rows (already registered in a seeded
registry, so importing the template as it is creates nothing there)."""

import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.core.config import settings
from app.core.sheets import DATE_FORMAT
from app.imports.columns import AGREEMENT_COLUMNS, COLUMNS, SheetKind

EXAMPLES: dict[SheetKind, list[dict[str, Any]]] = {
    SheetKind.organizations: [
        {
            "name": "Pemerintah Provinsi Kalimantan Selatan",
            "short_name": "Pemprov Kalsel",
            "kind": "provinsi",
        },
        {
            "name": "Dinas Komunikasi dan Informatika",
            "short_name": "Diskominfo Kalsel",
            "kind": "SKPD",
            "parent": "Pemprov Kalsel",
        },
    ],
    SheetKind.agreements: [
        {
            "ref": "NK-1",
            "kind": "NK",
            "title": "Peningkatan Kualitas Pelayanan Publik di Lingkungan Pemerintah Provinsi "
            "Kalimantan Selatan",
            "scope": "Pertukaran data dan informasi\nPendampingan secara berkala",
            "party": "Ombudsman RI",
            "document_number": "30/ORI-MoU/X/2021",
            "signed_on": date(2021, 10, 28),
            "drafted_on": date(2021, 10, 28),
            "finalized_on": date(2021, 10, 28),
        },
        {
            "ref": "NK-1",
            "party": "Pemprov Kalsel",
            "document_number": "053/NK-PEMOTDA/2021",
            "signed_on": date(2021, 10, 28),
        },
    ],
}


def instructions() -> list[str]:
    """The lines of sheet Petunjuk above its table of columns; the fields named come from the
    one list of columns (columns.py)."""
    first_row = ", ".join(c.label for c in AGREEMENT_COLUMNS if c.per_agreement)
    return [
        "Templat impor register NK dan PKS / Import template for registers of NK and PKS",
        "",
        "1. Sheet Organisasi: one row per organization (pihak). Already registered ones (same "
        "name under the same Induk) are found, not created again.",
        "2. Sheet Perjanjian: one row per party of an agreement; the rows of one NK or PKS share "
        f"its Kode. The agreement's own fields are read from its first row: {first_row}.",
        "3. An agreement already registered is recognised by a party's number (Nomor): "
        "importing the same file twice creates nothing the second time.",
        "4. A party with a Tanggal tanda tangan is recorded as signed on that day; the agreement "
        "is finalised and signed through the same rules as in the API (a PKS only after its NK).",
        "5. Dates: a date cell, or 2022-07-04, 04/07/2022 or 4 Juli 2022.",
        "6. POST the file to /api/v1/imports: a dry run answers, row by row, what would be "
        "created, what exists, and every error by row and column. Then POST it with "
        "?commit=true: all of it is created in one transaction, or nothing.",
        f"7. At most {settings.IMPORT_MAX_ROWS:,} rows per sheet. CSV works too (one sheet per "
        "file, UTF-8; comma or semicolon): a file with a Kode column is agreements, otherwise "
        "organizations.",
        "",
        "Columns (Per perjanjian: read from the agreement's first row):",
    ]


def template_workbook() -> bytes:
    """The template as .xlsx bytes."""
    workbook = Workbook()
    guide = workbook.active
    assert guide is not None
    guide.title = "Petunjuk"
    for line in instructions():
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=13)
    guide.append(
        [
            "Sheet",
            "Kolom (header)",
            "Key",
            "Wajib / required",
            "Per perjanjian / per agreement",
            "Isi / what it holds",
        ]
    )
    for cell in guide[guide.max_row]:
        cell.font = Font(bold=True)
    for kind, columns in COLUMNS.items():
        for column in columns:
            guide.append(
                [
                    kind.value,
                    column.label,
                    column.key,
                    "ya" if column.required else "",
                    "ya" if column.per_agreement else "",
                    column.help,
                ]
            )
    for letter, width in zip("ABCDEF", (14, 22, 18, 16, 16, 100), strict=True):
        guide.column_dimensions[letter].width = width
    bold, fill = Font(bold=True), PatternFill("solid", start_color="DDEBF7")
    for kind, columns in COLUMNS.items():
        sheet = workbook.create_sheet(kind.value)
        sheet.append([c.label for c in columns])
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font, cell.fill = bold, fill
            cell.comment = Comment(("Wajib. " if column.required else "") + column.help, "registry")
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        for example in EXAMPLES[kind]:
            sheet.append([example.get(c.key) for c in columns])
            for cell in sheet[sheet.max_row]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if isinstance(cell.value, date):
                    cell.number_format = DATE_FORMAT
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
