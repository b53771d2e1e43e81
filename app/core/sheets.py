"""Writing rows to XLSX (openpyxl, write-only) or CSV (UTF-8 with a BOM, so that Excel reads it
right), onto a spooled temporary file, and sending that file in chunks.

Rows come from an iterator that reads the database batch by batch; the writers keep no rows:
openpyxl's write-only mode writes each row to its own temporary file, and the finished file
spills to disk past a few megabytes. So an export's memory does not grow with its size.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import IO, Any, Generic, TypeVar

from fastapi.responses import StreamingResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from starlette.background import BackgroundTask

Row = TypeVar("Row")
Value = str | int | float | date | datetime | bool | None

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
DATE_FORMAT = "DD/MM/YYYY"  # as dates are written in Indonesian offices
SPOOL_BYTES = 4 * 1024 * 1024
CHUNK_BYTES = 64 * 1024


class ExportFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"


@dataclass(frozen=True)
class Column(Generic[Row]):
    """A column of an export: its Indonesian header, its width in Excel, and its value."""

    label: str
    width: float
    value: Callable[[Row], Value]


def write_xlsx(
    sheet_title: str,
    columns: list[Column[Row]],
    rows: Iterable[Row],
    title: str | None = None,
) -> IO[bytes]:
    """A workbook of one sheet: a bold frozen header with an auto-filter, set column widths,
    dates as real dates (DD/MM/YYYY); with a title, a title row above the header (what the
    sheet shows), frozen with it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    header_row = 1 if title is None else 2
    sheet.freeze_panes = f"A{header_row + 1}"
    if title is not None:
        heading = WriteOnlyCell(sheet, value=title)
        heading.font = Font(bold=True, size=13)
        sheet.append([heading])
    bold, fill = Font(bold=True), PatternFill("solid", start_color="DDEBF7")
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.label)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        values: list[Any] = []
        for column in columns:
            value = column.value(row)
            if isinstance(value, date):
                # openpyxl writes a date as a date serial; its stubs name datetime only.
                cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
                cell.number_format = DATE_FORMAT
                values.append(cell)
            else:
                values.append(value)
        sheet.append(values)
        count += 1
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + count}"
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    workbook.save(out)
    out.seek(0)
    return out


def _csv_text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_csv(columns: list[Column[Row]], rows: Iterable[Row]) -> IO[bytes]:
    """RFC 4180 CSV in UTF-8 with a byte-order mark; dates as YYYY-MM-DD."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([c.label for c in columns])
    for row in rows:
        writer.writerow([_csv_text(c.value(row)) for c in columns])
    text.flush()
    text.detach()
    out.seek(0)
    return out


def _chunks(file: IO[bytes]) -> Iterator[bytes]:
    while chunk := file.read(CHUNK_BYTES):
        yield chunk


def export_response(
    export_format: ExportFormat,
    *,
    filename: str,
    sheet_title: str,
    columns: list[Column[Row]],
    rows: Iterable[Row],
    title: str | None = None,
) -> StreamingResponse:
    """The rows written in the format asked, sent as a download in chunks. A title goes above
    the header of an XLSX sheet; a CSV keeps its header on the first line, for the programs that
    read it."""
    if export_format is ExportFormat.xlsx:
        file, media_type = write_xlsx(sheet_title, columns, rows, title), XLSX
    else:
        file, media_type = write_csv(columns, rows), CSV
    return StreamingResponse(
        _chunks(file),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}.{export_format.value}"'},
        background=BackgroundTask(file.close),
    )


def export_responses(description: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI answer of an export: a file, in XLSX or CSV."""
    return {
        200: {
            "description": description,
            "content": {
                XLSX: {"schema": {"type": "string", "format": "binary"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    }
