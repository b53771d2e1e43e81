"""Peak memory and seconds of reading each spreadsheet bomb of issue 19, at the default limits.

    .venv/bin/python bench/import_bombs.py

Each bomb is built streamed (never whole in memory) into a temporary file, then read by a fresh
process through the importer's reader (what `POST /api/v1/imports` does before any database
work): that process prints the answer (status and problem type, or the sheets read), its
seconds, and its peak RSS beside its RSS before reading. The issue's bombs are 600 MB unpacked;
the "under the part limit" ones are just small enough to pass the zip directory check, so they
are stopped (or read) by the streamed checks and openpyxl. Prints one JSON document.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.imports.bombs import (  # noqa: E402
    MB,
    long_cell,
    long_shared_string,
    many_elements,
    many_rows,
    wide_row,
)

BOMBS: list[tuple[str, Callable[[], bytes]]] = [
    ("600 MB row of <c><v>1</v></c>, no <dimension>", lambda: wide_row(600 * MB)),
    ("600 MB inline string in one cell", lambda: long_cell(600 * MB)),
    ("600 MB shared string", lambda: long_shared_string(600 * MB)),
    ("600 MB of rows without r", lambda: many_rows(600 * MB)),
    ("30 MB row (under the part limit)", lambda: wide_row(30 * MB)),
    ("30 MB inline string (under the part limit)", lambda: long_cell(30 * MB)),
    ("30 MB shared string (under the part limit)", lambda: long_shared_string(30 * MB)),
    ("30 MB of rows without r (under the part limit)", lambda: many_rows(30 * MB)),
    ("8 MB of rows without r (under every limit but rows)", lambda: many_rows(8 * MB)),
    ("30 MB of <col> widths (under every limit: read)", lambda: many_elements(30 * MB)),
    ("a register of 10,000 rows x 15 columns (read)", lambda: register(10_000)),
]


def register(rows: int) -> bytes:
    """A real-looking register at the row limit: sheet Perjanjian of the template's columns."""
    import io

    from openpyxl import Workbook

    from app.imports.columns import AGREEMENT_COLUMNS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Perjanjian")
    sheet.append([c.label for c in AGREEMENT_COLUMNS])
    for i in range(rows):
        sheet.append([f"{c.label} {i}" for c in AGREEMENT_COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def read_one(path: str) -> None:
    """In the child: read the file as the importer does; print what happened."""
    from app.core.errors import AppError
    from app.imports.reader import read_register

    with open(path, "rb") as stream:
        content = stream.read()
    before = rss_mb()
    started = time.perf_counter()
    try:
        sheets = read_register(content, "bomb.xlsx")
        answer = f"read: {sum(len(s.rows) for s in sheets)} rows"
    except AppError as error:
        answer = f"{error.status} /problems/{error.type_slug} ({error.extra.get('limit', '')})"
    print(
        json.dumps(
            {
                "answer": answer,
                "s": round(time.perf_counter() - started, 2),
                "rss_before_mb": round(before),
                "peak_rss_mb": round(rss_mb()),
            }
        )
    )


def main() -> None:
    results = []
    for name, build in BOMBS:
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
            content = build()
            file.write(content)
            file.flush()
            child = subprocess.run(
                [sys.executable, __file__, "--read", file.name],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            measured = json.loads(child.stdout.strip().splitlines()[-1])
            results.append({"bomb": name, "file_mb": round(len(content) / MB, 2), **measured})
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--read"]:
        read_one(sys.argv[2])
    else:
        main()
