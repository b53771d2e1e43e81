"""Reading a register (XLSX or CSV) into rows of cells, each cell knowing its row and column.

XLSX is read with openpyxl in read-only mode (and defusedxml, which openpyxl uses when it is
installed, against XML entity attacks), after limits.check_workbook has bounded what openpyxl
will meet; CSV is decoded as UTF-8 (with or without a BOM), else as
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

from app.core.config import settings
from app.core.errors import AppError, RuleViolation
from app.imports.columns import COLUMNS, SheetKind, column_of, header_key
from app.imports.limits import Budget, check_workbook, too_large, unreadable


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
    return unreadable(msg, *loc)


def _too_many_rows(where: str) -> AppError:
    return too_large("IMPORT_MAX_ROWS", f"{where} has more rows (besides its header)")


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
    ignored. A workbook with neither is refused. Its size is bounded before openpyxl reads it
    (limits.check_workbook), and its rows and time while they are read."""
    budget = Budget.start()
    check_workbook(content, budget)
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
            # Explicit bounds: a <dimension> may claim A1:XFD1048576, and openpyxl pads every
            # row to the claimed width.
            limit = settings.IMPORT_MAX_ROWS + 1
            for raw in workbook[name].iter_rows(
                max_row=limit + 1, max_col=settings.IMPORT_MAX_COLUMNS, values_only=True
            ):
                budget.check()
                rows.append(raw)
                if len(rows) > limit:
                    raise _too_many_rows(f"sheet {kind.value}")
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
    budget = Budget.start()
    try:
        rows: list[tuple[str, ...]] = []
        for raw in csv.reader(io.StringIO(text, newline=""), dialect):
            budget.check()
            _check_csv_row(raw, len(rows) + 1)
            rows.append(tuple(raw))
            if len(rows) > settings.IMPORT_MAX_ROWS + 1:
                raise _too_many_rows("the file")
    except csv.Error as error:
        if "field larger than field limit" in str(error):  # the csv module's own bound
            raise too_large("IMPORT_MAX_CELL_CHARS", "a field holds a longer text") from None
        raise _refuse(f"the CSV cannot be parsed: {error}") from None
    if not rows:
        raise _refuse("the file is empty")
    ref = column_of(SheetKind.agreements, "ref")
    is_agreements = any(header_key(SheetKind.agreements, h) == ref.key for h in rows[0])
    kind = SheetKind.agreements if is_agreements else SheetKind.organizations
    return [_sheet(kind, rows)]


def _check_csv_row(raw: list[str], number: int) -> None:
    """The bounds of an .xlsx row, for a CSV line: its columns and each field's length."""
    if len(raw) > settings.IMPORT_MAX_COLUMNS:
        raise too_large("IMPORT_MAX_COLUMNS", f"line {number} has {len(raw):,} fields")
    if any(len(value) > settings.IMPORT_MAX_CELL_CHARS for value in raw):
        raise too_large("IMPORT_MAX_CELL_CHARS", f"a field of line {number} holds a longer text")


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
