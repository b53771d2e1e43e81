"""Bounds on reading an uploaded register, checked while it is read, never after.

An .xlsx of 1 MB can unpack to gigabytes (a zip of XML compresses a thousandfold), and openpyxl
builds every cell of a row, every shared string and, for a sheet without a `<dimension>`, every
row before the first is returned. So before openpyxl opens a workbook, `check_workbook` reads
the zip's directory (the unpacked size of each part, declared there and enforced by zipfile
itself: it never returns more bytes than declared) and streams each part through expat, counting
elements, cells, the columns of each row and the characters of each text, and stopping at the
first limit passed. What openpyxl then reads is bounded by those counts; rows and time are
counted again while the rows are read. Every limit is a setting (IMPORT_MAX_*), and a refusal
names it: 413 `import-too-large`, or 422 `import-too-slow` for the time.
"""

import io
import time
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from openpyxl.utils import column_index_from_string, get_column_letter

from app.core.config import settings
from app.core.errors import AppError, RuleViolation, field_error

CHUNK = 64 * 1024  # unpacked bytes given to the XML parser at a time


class ImportTooLarge(AppError):
    status = 413
    type_slug = "import-too-large"
    title = "The register is larger than the server reads"


class ImportTooSlow(AppError):
    status = 422
    type_slug = "import-too-slow"
    title = "The register takes longer to read than the server allows"


def unreadable(msg: str, *loc: Any) -> RuleViolation:
    """The file is not a register the importer can read; `msg` says why."""
    return RuleViolation(
        f"The file cannot be read: {msg}",
        type_slug="import-file-unreadable",
        errors=[field_error(*loc, msg=msg, where="file")],
    )


def too_large(setting: str, what: str) -> ImportTooLarge:
    """A refusal naming the limit passed: `what` says where, the setting says how much."""
    maximum = getattr(settings, setting)
    msg = f"{what}; at most {maximum:,} (the server's limit {setting}). Split the file"
    return ImportTooLarge(
        f"The file is not read: {msg}.",
        errors=[field_error(msg=msg, where="file")],
        limit=setting,
        maximum=maximum,
    )


@dataclass
class Budget:
    """The time one read may take, from its start."""

    ends: float

    @classmethod
    def start(cls) -> "Budget":
        return cls(time.monotonic() + settings.IMPORT_MAX_READ_SECONDS)

    def check(self) -> None:
        if time.monotonic() > self.ends:
            seconds = settings.IMPORT_MAX_READ_SECONDS
            msg = (
                f"reading it took more than {seconds:g} seconds (the server's limit "
                "IMPORT_MAX_READ_SECONDS). Split the file"
            )
            raise ImportTooSlow(
                f"The file is not read: {msg}.",
                errors=[field_error(msg=msg, where="file")],
                limit="IMPORT_MAX_READ_SECONDS",
                maximum=seconds,
            )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def check_workbook(content: bytes, budget: Budget) -> None:
    """Refuse a workbook whose parts pass a limit, before anything of it is parsed for good.
    Not a zip at all: left to openpyxl, which says why."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        parts = archive.infolist()
        if len(parts) > settings.IMPORT_MAX_PARTS:
            raise too_large("IMPORT_MAX_PARTS", f"the workbook holds {len(parts):,} parts")
        total = 0
        for part in parts:
            if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                # Excel writes deflate only; other methods unpack without a bound per read.
                raise unreadable(f"its part {part.filename} is not compressed as Excel does")
            if part.file_size > settings.IMPORT_MAX_PART_BYTES:
                raise too_large(
                    "IMPORT_MAX_PART_BYTES",
                    f"its part {part.filename} unpacks to {_megabytes(part.file_size)}",
                )
            total += part.file_size
        if total > settings.IMPORT_MAX_UNPACKED_BYTES:
            raise too_large(
                "IMPORT_MAX_UNPACKED_BYTES", f"the workbook unpacks to {_megabytes(total)}"
            )
        cells = _Cells()
        for part in parts:
            _scan(archive, part, budget, cells)


@dataclass
class _Cells:
    """The cells counted so far, over every sheet of the workbook."""

    count: int = 0


class _PartScan:
    """Expat's handlers for one part: counts as the elements stream by, keeps no tree. (Kept
    lean: they run once per element, millions of times for a large sheet.)"""

    def __init__(self, name: str, cells: _Cells) -> None:
        self.name = name
        self.cells = cells
        self.elements = 0
        self.chars = 0  # of the text since the last element began
        self.row = 0  # the row number, as Excel's `r` gives it or counting on
        self.row_cells = 0
        self.column = 0
        self.max_elements = settings.IMPORT_MAX_XML_ELEMENTS
        self.max_cells = settings.IMPORT_MAX_CELLS
        self.max_columns = settings.IMPORT_MAX_COLUMNS
        self.max_chars = settings.IMPORT_MAX_CELL_CHARS

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        self.chars = 0
        if self.elements > self.max_elements:
            raise too_large(
                "IMPORT_MAX_XML_ELEMENTS", f"its part {self.name} holds more XML elements"
            )
        # Names come as "namespace}local" (or bare): a cell is <c>, a row <row>.
        if tag[-2:] == "}c" or tag == "c":
            self._cell(attrs.get("r"))
        elif tag[-4:] == "}row" or tag == "row":
            self.row = _number(attrs.get("r"), self.row + 1)
            self.row_cells = self.column = 0

    def _cell(self, ref: str | None) -> None:
        self.cells.count += 1
        if self.cells.count > self.max_cells:
            raise too_large("IMPORT_MAX_CELLS", "the workbook holds more cells")
        self.row_cells += 1
        self.column = _column(ref, self.column + 1)
        widest = max(self.row_cells, self.column)
        if widest > self.max_columns:
            raise too_large(
                "IMPORT_MAX_COLUMNS",
                f"row {self.row} of its part {self.name} has cells beyond column "
                f"{get_column_letter(min(widest, 16384))}",
            )

    def text(self, data: str) -> None:
        self.chars += len(data)
        if self.chars > self.max_chars:
            where = f"row {self.row}" if self.row else "a text"
            raise too_large(
                "IMPORT_MAX_CELL_CHARS", f"{where} of its part {self.name} holds a longer text"
            )

    @staticmethod
    def declaration(*_args: object) -> None:
        # An Office part never declares a DTD; one that does may expand entities without end.
        raise unreadable("the workbook declares XML entities, which Excel never writes")


def _number(text: str | None, default: int) -> int:
    try:
        return int(text) if text else default
    except ValueError:
        return default


def _column(ref: str | None, default: int) -> int:
    """The column of a cell reference such as 'AB12'; the next column when it has none."""
    if not ref:
        return default
    letters = ref.rstrip("0123456789$").lstrip("$")
    try:
        return column_index_from_string(letters)
    except ValueError:
        return default  # openpyxl judges a broken reference


def _scan(archive: zipfile.ZipFile, part: zipfile.ZipInfo, budget: Budget, cells: _Cells) -> None:
    """Stream one part through expat; a part that is not XML (an image) stops at its first
    bytes, and broken XML is left to openpyxl, which says why."""
    scan = _PartScan(part.filename, cells)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartElementHandler = scan.start
    parser.CharacterDataHandler = scan.text
    parser.StartDoctypeDeclHandler = scan.declaration
    parser.EntityDeclHandler = scan.declaration
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
                budget.check()
            parser.Parse(b"", True)
    except expat.ExpatError:
        return
    except (zipfile.BadZipFile, zlib.error, RuntimeError, EOFError) as error:
        raise unreadable(f"its part {part.filename} cannot be unpacked ({error})") from None
