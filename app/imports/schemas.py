"""The answer of an import: row by row, what is (or would be) created and what exists."""

from enum import StrEnum

from pydantic import BaseModel, Field

from app.imports.columns import SheetKind


class RowAction(StrEnum):
    create = "create"  # new: created by a commit, would be by a dry run
    exists = "exists"  # already registered (an agreement by a party's number): left as it is
    error = "error"  # refused: see errors


class ImportedRecord(BaseModel):
    """One organization, or one agreement (with the rows of its parties), of the file."""

    sheet: SheetKind
    rows: list[int] = Field(description="The rows of the file it comes from (row 1: header).")
    action: RowAction
    id: int | None = Field(
        description="The record's id: the existing one, or the new one after a commit; null in "
        "a dry run of a new record and for an error."
    )
    label: str = Field(description="Its name, or for an agreement its Kode, kind and title.")
    note: str | None = Field(default=None, description="How it was matched, or what is new.")


class ImportProblem(BaseModel):
    """One error, by sheet, row and column."""

    sheet: SheetKind
    row: int
    column: str | None = Field(description="The column's letter and header, e.g. 'J (Nomor)'.")
    msg: str
    type: str = Field(description="The problem type, as in the API's other answers.")


class ImportCounts(BaseModel):
    create: int = 0
    exists: int = 0
    error: int = 0


class ImportReport(BaseModel):
    """What the file holds, record by record; after a commit, what was created."""

    committed: bool = Field(description="True when the records were created (`?commit=true`).")
    organizations: ImportCounts
    agreements: ImportCounts
    records: list[ImportedRecord]
    ignored_columns: list[str] = Field(
        description="Headers that are not in the template; their cells were not read."
    )
