"""Workbooks that are small as files and huge unpacked, built as an attacker would: a minimal
.xlsx written part by part, its worksheet (or shared strings) streamed from a generator into a
deflated zip member, so that a 600 MB part never exists in memory."""

import io
import zipfile
from collections.abc import Callable, Iterable, Iterator

MB = 1024 * 1024
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""  # noqa: E501
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_REL}">
<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>
<sheet name="Perjanjian" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_REL}">
<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
SHEET_START = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
SHEET_END = "</sheetData></worksheet>"
NO_STRINGS = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}"></sst>'


def repeated(unit: bytes, size: int) -> Iterator[bytes]:
    """`unit` repeated to about `size` bytes, in chunks of about 1 MB."""
    chunk = unit * max(1, MB // len(unit))
    for _ in range(max(1, size // len(chunk))):
        yield chunk


def workbook(
    sheet: Iterable[bytes], strings: Iterable[bytes] = (NO_STRINGS.encode(),), *, extra: int = 0
) -> bytes:
    """A workbook with one sheet Perjanjian (no <dimension>) and its shared strings, both
    streamed; `extra` adds that many empty parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ):
            archive.writestr(name, text)
        for name, chunks in (
            ("xl/worksheets/sheet1.xml", sheet),
            ("xl/sharedStrings.xml", strings),
        ):
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
        for index in range(extra):
            archive.writestr(f"xl/extra/part{index}.xml", "<x/>")
    return out.getvalue()


def sheet(body: Iterable[bytes]) -> Iterator[bytes]:
    yield SHEET_START.encode()
    yield from body
    yield SHEET_END.encode()


def wide_row(size: int) -> bytes:
    """One row of `<c><v>1</v></c>` repeated to `size` bytes (the issue's 600 MB row)."""
    return workbook(sheet([b"<row>", *repeated(b"<c><v>1</v></c>", size), b"</row>"]))


def long_cell(size: int) -> bytes:
    """One cell holding an inline string of `size` characters."""
    body = [b'<row><c t="inlineStr"><is><t>', *repeated(b"x" * 1024, size), b"</t></is></c></row>"]
    return workbook(sheet(body))


def long_shared_string(size: int) -> bytes:
    """A cell pointing at a shared string of `size` characters."""
    strings = [
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}"><si><t>'.encode(),
        *repeated(b"x" * 1024, size),
        b"</t></si></sst>",
    ]
    return workbook(sheet([b'<row><c t="s"><v>0</v></c></row>']), strings)


def many_rows(size: int) -> bytes:
    """Rows without an `r` attribute, repeated to `size` bytes."""
    return workbook(sheet(repeated(b"<row><c><v>1</v></c></row>", size)))


def many_elements(size: int) -> bytes:
    """Column widths (`<col>`), which openpyxl keeps each as an object, repeated to `size`."""
    body = [b"<cols>", *repeated(b'<col min="1" max="1" width="9"/>', size), b"</cols>"]
    return workbook(
        [f'<?xml version="1.0"?><worksheet xmlns="{MAIN}">'.encode(), *body, b"<sheetData/>"]
        + [b"</worksheet>"]
    )


def entities() -> bytes:
    """A DTD declaring entities (the billion laughs begin so)."""
    head = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
    return workbook([f'{head}<worksheet xmlns="{MAIN}"><sheetData/></worksheet>'.encode()])


BOMBS: dict[str, Callable[[int], bytes]] = {
    "wide_row": wide_row,
    "long_cell": long_cell,
    "long_shared_string": long_shared_string,
    "many_rows": many_rows,
    "many_elements": many_elements,
}
