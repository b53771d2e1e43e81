"""A register is read within bounds: a small file that unpacks to gigabytes is refused while it
is read (413 `import-too-large`, naming the limit; 422 `import-too-slow` for the time), and the
server goes on answering. Peak memory and seconds per bomb: bench/import_bombs.py."""

import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.config import settings
from tests.helpers import assert_problem
from tests.imports.bombs import (
    MB,
    entities,
    long_cell,
    long_shared_string,
    many_elements,
    many_rows,
    wide_row,
    workbook,
)

URL = "/api/v1/imports"


def upload(client: TestClient, content: bytes, name: str = "register.xlsx") -> Any:
    return client.post(URL, files={"file": (name, content)})


def refused(client: TestClient, content: bytes, limit: str, name: str = "register.xlsx") -> str:
    """The file is refused naming `limit`, and the server still answers; the detail."""
    response = upload(client, content, name)
    status, slug = (
        (422, "import-too-slow") if limit.endswith("SECONDS") else (413, "import-too-large")
    )
    body = assert_problem(response, status, slug)
    assert body["limit"] == limit
    assert body["maximum"] == getattr(settings, limit)
    assert limit in body["detail"]
    assert client.get("/api/v1/organizations").status_code == 200
    return str(body["detail"])


class TestTheIssuesBombs:
    def test_a_600_mb_row_is_refused_from_the_zip_directory_without_unpacking_it(
        self, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        bomb = wide_row(600 * MB)
        assert len(bomb) < settings.MAX_IMPORT_BYTES
        opened: list[str] = []
        original = zipfile.ZipFile.open

        def spy(archive: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
            opened.append(getattr(name, "filename", name))
            return original(archive, name, *args, **kwargs)

        monkeypatch.setattr(zipfile.ZipFile, "open", spy)
        detail = refused(client, bomb, "IMPORT_MAX_PART_BYTES")
        assert "xl/worksheets/sheet1.xml unpacks to 600.0 MB" in detail
        assert opened == []  # not one byte of any part was unpacked

    @pytest.mark.parametrize(
        ("bomb", "limit", "where"),
        [
            # Each small enough to pass the size of a part: stopped while streamed.
            (wide_row, "IMPORT_MAX_COLUMNS", "row 1 of its part xl/worksheets/sheet1.xml"),
            (long_cell, "IMPORT_MAX_CELL_CHARS", "row 1 of its part xl/worksheets/sheet1.xml"),
            (long_shared_string, "IMPORT_MAX_CELL_CHARS", "xl/sharedStrings.xml"),
            (many_rows, "IMPORT_MAX_ROWS", "sheet Perjanjian has more rows"),
        ],
    )
    def test_at_the_default_limits_a_smaller_bomb_is_stopped_while_read(
        self, client: TestClient, bomb: Callable[[int], bytes], limit: str, where: str
    ) -> None:
        assert where in refused(client, bomb(3 * MB), limit)


class TestEveryLimitIsASetting:
    @pytest.mark.parametrize(
        ("limit", "value", "content"),
        [
            ("IMPORT_MAX_PART_BYTES", 1 * MB, lambda: many_rows(2 * MB)),
            ("IMPORT_MAX_UNPACKED_BYTES", 1 * MB, lambda: many_rows(2 * MB)),
            ("IMPORT_MAX_PARTS", 10, lambda: workbook([b"<x/>"], extra=10)),
            ("IMPORT_MAX_XML_ELEMENTS", 10_000, lambda: many_elements(1 * MB)),
            ("IMPORT_MAX_CELLS", 1000, lambda: many_rows(1 * MB)),
            ("IMPORT_MAX_COLUMNS", 10, lambda: wide_row(1024)),
            ("IMPORT_MAX_CELL_CHARS", 100, lambda: long_cell(1024)),
            ("IMPORT_MAX_ROWS", 10, lambda: many_rows(1024)),
            ("IMPORT_MAX_READ_SECONDS", 0, lambda: many_rows(1024)),
        ],
    )
    def test_a_lowered_limit_refuses_and_names_itself(
        self,
        client: TestClient,
        monkeypatch: pytest.MonkeyPatch,
        limit: str,
        value: int,
        content: Callable[[], bytes],
    ) -> None:
        monkeypatch.setattr(settings, limit, value)
        refused(client, content(), limit)

    def test_a_declared_dimension_does_not_widen_the_rows_read(
        self, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # <dimension ref="A1:XFD1048576"> with one real row: read as that row, not padded to
        # 16,384 columns and a million rows.
        from tests.imports.bombs import MAIN

        head = f'<worksheet xmlns="{MAIN}"><dimension ref="A1:XFD1048576"/><sheetData>'
        row = '<row r="1"><c r="A1" t="inlineStr"><is><t>Kode</t></is></c></row>'
        content = workbook([f"{head}{row}</sheetData></worksheet>".encode()])
        body = assert_problem(upload(client, content), 422, "import-file-unreadable")
        assert "lacks the column(s) Jenis" in body["detail"]

    def test_a_workbook_declaring_entities_is_refused(self, client: TestClient) -> None:
        body = assert_problem(upload(client, entities()), 422, "import-file-unreadable")
        assert "entities" in body["detail"]


class TestCsv:
    @pytest.mark.parametrize(
        ("limit", "content"),
        [
            ("IMPORT_MAX_COLUMNS", b"Kode;Jenis\n" + b";" * 300 + b"\n"),
            ("IMPORT_MAX_CELL_CHARS", b"Kode;Jenis\nNK-1;" + b"x" * 40_000 + b"\n"),
            ("IMPORT_MAX_CELL_CHARS", b"Kode;Jenis\nNK-1;" + b"x" * 200_000 + b"\n"),
            ("IMPORT_MAX_ROWS", b"Kode;Jenis\n" + b"NK-1;NK\n" * 10_001),
        ],
    )
    def test_a_csv_past_a_limit_is_refused_naming_it(
        self, client: TestClient, limit: str, content: bytes
    ) -> None:
        refused(client, content, limit, name="register.csv")

    def test_a_csv_of_exactly_the_row_limit_is_read(
        self, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(settings, "IMPORT_MAX_ROWS", 3)
        content = "Nama;Jenis\n" + "".join(f"Dinas {i};lainnya\n" for i in range(3))
        response = upload(client, content.encode(), name="organisasi.csv")
        assert response.status_code == 200, response.text
        assert response.json()["organizations"]["create"] == 3
