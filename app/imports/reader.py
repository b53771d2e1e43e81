"""Reading a register (XLSX or CSV) into rows of cells, each cell knowing its row and column.

XLSX is read with openpyxl in read-only mode (and defusedxml, which openpyxl uses when it is
installed, against XML entity attacks); CSV is decoded as UTF-8 (with or without a BOM), else as
Windows-1252, with its delimiter (comma, semicolon as Excel writes it in the Indonesian locale,
or tab) sniffed. Values are typed here only as far as the file types them: parsing dates and
kinds is the importer's, so that every such error is named by row and column.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException

from app.core.errors import RuleViolation, field_error
from app.imports.columns import COLUMNS, SheetKind, column_of, header_key

MAX_ROWS = 10_000  # per file: one import is one transaction


@dataclass(frozen=True)
class Cell:
    value: Any
    column: str  # the column's letter, as Excel shows it


@dataclass
class Row:
    number: int  # as Excel numbers it: the header is row 1
    cells: dict[str, Cell] = field(default_factory=dict)

    def text(self, key: str) -> str | None:
        """The cell as trimmed text; None when empty."""
        cell = self.cells.get(key)
        if cell is None or cell.value is None:
            return None
        value = cell.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = value.isoformat() if isinstance(value, date) else str(value)
        return text.strip() or None


@dataclass
class Sheet:
    kind: SheetKind
    rows: list[Row]
    columns: dict[str, str]  # key -> column letter
    ignored: list[str]  # headers not in the template


def _refuse(msg: str, *loc: Any) -> RuleViolation:
    return RuleViolation(
        f"The file cannot be read: {msg}",
        type_slug="import-file-unreadable",
        errors=[field_error(*loc, msg=msg, where="file")],
    )


def _sheet(kind: SheetKind, rows: list[tuple[Any, ...]]) -> Sheet:
    """A sheet from its raw rows (the first is the header); blank rows are skipped."""
    if not rows:
        return Sheet(kind, [], {}, [])
    header, body = rows[0], rows[1:]
    columns: dict[str, str] = {}
    ignored: list[str] = []
    for index, title in enumerate(header, start=1):
        if title is None or (isinstance(title, str) and not title.strip()):
            continue
        key = header_key(kind, title)
        if key is None:
            ignored.append(str(title))
        elif key in columns:
            raise _refuse(f"the column '{title}' appears twice in sheet {kind.value}", kind.value)
        else:
            columns[key] = get_column_letter(index)
    missing = [c.label for c in COLUMNS[kind] if c.required and c.key not in columns]
    if missing:
        raise _refuse(
            f"sheet {kind.value} lacks the column(s) {', '.join(missing)} (see the template)",
            kind.value,
            1,
        )
    if len(body) > MAX_ROWS:
        raise _refuse(f"more than {MAX_ROWS:,} rows in sheet {kind.value}; split the file")
    parsed = []
    for number, raw in enumerate(body, start=2):
        row = Row(number)
        for key, letter in columns.items():
            index = column_index_from_string(letter) - 1
            value = raw[index] if index < len(raw) else None
            if isinstance(value, str) and not value.strip():
                value = None
            row.cells[key] = Cell(value, letter)
        if any(c.value is not None for c in row.cells.values()):
            parsed.append(row)
    return Sheet(kind, parsed, columns, ignored)


def read_xlsx(content: bytes) -> list[Sheet]:
    """The sheets 'Organisasi' and 'Perjanjian' of a workbook (names in any case); others are
    ignored. A workbook with neither is refused."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise _refuse(f"not an Excel workbook (.xlsx): {error}") from None
    try:
        found = []
        for name in workbook.sheetnames:
            kind = next((k for k in SheetKind if k.value.lower() == name.strip().lower()), None)
            if kind is None:
                continue
            rows = []
            for raw in workbook[name].iter_rows(values_only=True):
                rows.append(raw)
                if len(rows) > MAX_ROWS + 1:
                    break
            found.append(_sheet(kind, rows))
    finally:
        workbook.close()
    if not found:
        raise _refuse(
            "the workbook has no sheet named 'Organisasi' or 'Perjanjian' (see the template)"
        )
    return sorted(found, key=lambda s: list(SheetKind).index(s.kind))


def read_csv(content: bytes) -> list[Sheet]:
    """One sheet: organizations or agreements, told apart by the header (a 'Kode' column
    makes it agreements)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise _refuse("not a CSV file (it holds binary data)")
    # The header line decides the delimiter: later rows are often ragged (trailing empty cells
    # left out), which defeats the Sniffer's consistency test over several lines.
    header = text.lstrip("\ufeff").split("\n", 1)[0][:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(header, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = []
        for raw in csv.reader(io.StringIO(text, newline=""), dialect):
            rows.append(tuple(raw))
            if len(rows) > MAX_ROWS + 1:
                break
    except csv.Error as error:
        raise _refuse(f"the CSV cannot be parsed: {error}") from None
    if not rows:
        raise _refuse("the file is empty")
    ref = column_of(SheetKind.agreements, "ref")
    is_agreements = any(header_key(SheetKind.agreements, h) == ref.key for h in rows[0])
    kind = SheetKind.agreements if is_agreements else SheetKind.organizations
    return [_sheet(kind, rows)]


def read_register(content: bytes, filename: str | None) -> list[Sheet]:
    """The sheets of an uploaded register, judged from its bytes (an XLSX is a zip file)."""
    if not content.strip():
        raise _refuse("the file is empty")
    if content[:4] == b"PK\x03\x04":
        return read_xlsx(content)
    if (filename or "").lower().endswith((".xlsx", ".xlsm")):
        raise _refuse("the file is named .xlsx but is not an Excel workbook")
    return read_csv(content)


def as_date(value: Any) -> date | None:
    """A date from a cell: an Excel date, or text as YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY or
    '4 Juli 2022'. Raises ValueError with the formats accepted."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    # Excel day numbers of 1990-2099 only: a bare year (2022) must not become a day of 1905.
    if isinstance(value, int | float) and not isinstance(value, bool) and 32874 <= value < 73051:
        found = from_excel(value)  # a date cell that lost its format: Excel's day number
        if isinstance(found, datetime):
            return found.date()
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            pass
    parts = text.replace(",", " ").split()
    if len(parts) == 3 and parts[0].isdigit() and parts[2].isdigit():
        month = MONTHS.get(parts[1].lower())
        if month is not None:
            try:
                return date(int(parts[2]), month, int(parts[0]))
            except ValueError:
                pass
    raise ValueError(
        f"'{text}' is not a date; write 2022-07-04, 04/07/2022 or 4 Juli 2022 (or use a date cell)"
    )


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("januari", "january", "jan"),
            ("februari", "february", "feb", "pebruari"),
            ("maret", "march", "mar"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("agustus", "august", "agu", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nov", "nopember"),
            ("desember", "december", "des", "dec"),
        ],
        start=1,
    )
    for name in names
}
