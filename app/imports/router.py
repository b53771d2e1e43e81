"""Importing the registers staff already keep (XLSX or CSV), and the template to fill in."""

from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile, status

from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import responses
from app.core.schemas import QueryFlag
from app.core.sheets import XLSX
from app.idempotency.route import IdempotentRoute
from app.imports.schemas import ImportReport, RowAction
from app.imports.service import import_register
from app.imports.template import template_workbook
from app.users.access import require_writer
from app.users.auth import CallerDep

router = APIRouter(prefix="/api/v1/imports", tags=["Import"], route_class=IdempotentRoute)


@router.post(
    "",
    response_model=ImportReport,
    summary="Import a register of NK, PKS and organizations (a dry run unless commit=true)",
    responses={
        201: {"description": "Committed: the new records were created", "model": ImportReport},
        **responses(401, 403, 429),
        413: {
            **responses(413)[413],
            "description": "The file is larger than MAX_IMPORT_BYTES (`body-too-large`), or "
            "reading it passed one of the IMPORT_MAX_* limits (`import-too-large`: the problem's "
            "`limit` names the setting and `maximum` its value)",
        },
        422: {
            **responses(422)[422],
            "description": "The file cannot be read (`import-file-unreadable`), reading it took "
            "longer than IMPORT_MAX_READ_SECONDS (`import-too-slow`), or a record is refused "
            "(`import-refused`, every error by sheet, row and column)",
        },
    },
)
def import_file(
    response: Response,
    session: SessionDep,
    caller: CallerDep,
    today: TodayDep,
    file: Annotated[
        UploadFile,
        File(
            description="The register: an Excel workbook (.xlsx) with the sheets Organisasi "
            "and/or Perjanjian of the template, or one CSV (UTF-8; comma or semicolon)."
        ),
    ],
    commit: Annotated[
        QueryFlag,
        Query(
            description="false (the default): a dry run that changes nothing. true: create it "
            "all in one transaction, or nothing if any row is refused."
        ),
    ] = False,
) -> ImportReport:
    """Bring the NK and PKS that a Biro Kerja Sama keeps in spreadsheets and letter books into
    the registry: organizations (pihak, SKPD) and agreements with their parties, the number each
    party gave the document, signatories, signing dates and ruang lingkup. Fill in the template
    (`GET /api/v1/imports/template.xlsx`): sheet *Organisasi*, one row per organization; sheet
    *Perjanjian*, one row per party of an agreement, grouped by a `Kode` of your own.

    **First a dry run** (the default): the answer lists, record by record, what would be
    created (`create`) and what is already registered (`exists`: an agreement found by a party's
    number, an organization by its name under the same parent), so importing the same file
    twice creates nothing. **Then `?commit=true`**: everything is created in one transaction
    (201), or nothing at all.

    Every record goes through the same rules as the API (numbers unique per party, a PKS's
    parties under its NK, one live PKS per SKPD, signatures not in the future and not before the
    NK's, …) and the same access rights (an editor imports agreements of its own organization
    and its SKPD). Any error, in a dry run or a commit, answers 422 (403 for a record the caller
    may not create) with every error in `errors`, each naming its `sheet`, `row` and `column`
    (e.g. `J (Nomor)`), and the report of every record in `report`.

    **Limits**, each a setting of the server, checked while the file is read (a small .xlsx
    can unpack to gigabytes): the file at most MAX_IMPORT_BYTES (10 MB); each part of an .xlsx
    unpacked at most IMPORT_MAX_PART_BYTES (32 MB) and all of them IMPORT_MAX_UNPACKED_BYTES
    (64 MB), in at most IMPORT_MAX_PARTS (1,000) parts of at most IMPORT_MAX_XML_ELEMENTS
    (1,000,000) XML elements each; at most IMPORT_MAX_CELLS (500,000) cells, IMPORT_MAX_ROWS
    (10,000) rows per sheet besides the header, IMPORT_MAX_COLUMNS (256) columns and
    IMPORT_MAX_CELL_CHARS (32,767, Excel's own limit) characters per cell or shared string
    (CSV: per line and field); IMPORT_MAX_READ_SECONDS (30) to read it. Past one: 413
    `import-too-large` (422 `import-too-slow` for the time), whose `limit` names the setting.
    The same from the command line: `registry import FILE [--commit]`.
    """
    require_writer(caller)  # a viewer imports nothing, not even a dry run
    content = file.file.read()
    report = import_register(
        session=session,
        content=content,
        filename=file.filename,
        today=today,
        caller=caller,
        commit=commit,
    )
    if report.committed and any(r.action == RowAction.create for r in report.records):
        response.status_code = status.HTTP_201_CREATED
    return report


@router.get(
    "/template.xlsx",
    response_class=Response,
    summary="Download the import template (Excel)",
    responses={
        200: {
            "description": "The template workbook",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
        },
        **responses(401, 429),
    },
)
def import_template() -> Response:
    """The workbook to fill in for `POST /api/v1/imports`: a sheet *Petunjuk* explaining every
    column (Indonesian header, English key, required or not, what it holds), and the sheets
    *Organisasi* and *Perjanjian* with their headers (each with a comment) and, as examples, the
    Kalsel NK of 2021 (`30/ORI-MoU/X/2021` = `053/NK-PEMOTDA/2021`) with Pemprov Kalsel and its
    Diskominfo: on a seeded registry, importing the template as it is finds them all registered
    and creates nothing."""
    return Response(
        content=template_workbook(),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="templat-impor-register.xlsx"'},
    )
