"""Impor: bring a register (XLSX or CSV) in as POST /api/v1/imports does, in two steps. First a
dry run (the API's default): the file's records as a table (new, already registered, refused)
and every error at its sheet, row and column; nothing is written. Then the commit, of the very
file checked (carried in the confirmation form with its SHA-256, so nothing needs uploading
twice): everything in one transaction, or nothing; through app/console/forms.py (its
Idempotency-Key: a double submit imports once). Writers only, as the API (require_writer)."""

import base64
import binascii
import hashlib
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from app.console.forms import Done, Form, FormRefused, SentForm, submit, write_router
from app.console.session import SignedIn
from app.console.web import ConsolePage, ConsolePost, ConsoleRefused, render
from app.core.config import settings
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import AppError, Forbidden
from app.core.sheets import XLSX
from app.imports.schemas import ImportReport, RowAction
from app.imports.service import import_register
from app.imports.template import template_workbook
from app.labels import problem_text
from app.users.access import require_writer

router = write_router()


def _writer(signed: SignedIn) -> None:
    try:
        require_writer(signed.caller)
    except Forbidden as refused:
        raise ConsoleRefused(403, problem_text("forbidden")) from refused


def page(
    request: Request,
    signed: SignedIn,
    *,
    upload: Form | None = None,
    report: ImportReport | None = None,
    problems: list[dict[str, Any]] | None = None,
    commit: Form | None = None,
    file_name: str | None = None,
    sha256: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "impor.html",
        signed=signed,
        nav=None,
        upload=upload or Form.blank("impor_periksa"),
        report=report,
        problems=problems or [],
        commit=commit,
        file_name=file_name,
        sha256=sha256,
        max_megabytes=settings.MAX_IMPORT_BYTES // (1024 * 1024),
        status_code=status_code,
    )


@router.get("/impor", response_class=HTMLResponse)
def impor(request: Request, signed: ConsolePage) -> HTMLResponse:
    """The upload form (the template to fill in is linked)."""
    _writer(signed)
    return page(request, signed)


def _problems(refusal: AppError) -> list[dict[str, Any]]:
    """Each error of a refused import, in Indonesian where its type has a text."""
    out = []
    for entry in refusal.errors or []:
        slug = str(entry.get("type", "")).removeprefix("/problems/")
        said = problem_text(slug)
        out.append({**entry, "text": None if said == problem_text("") else said})
    return out


@router.post("/impor/periksa", response_class=HTMLResponse)
def dry_run(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
) -> HTMLResponse:
    """POST /api/v1/imports (a dry run): the report, and the confirmation when nothing is
    refused. Writes nothing."""
    _writer(signed)
    form = Form("impor_periksa")
    try:
        upload = sent.file("file")
    except FormRefused:
        form.errors["file"] = ["Pilih berkas register (.xlsx atau .csv)."]
        return page(request, signed, upload=form, status_code=422)
    content = upload.file.read(settings.MAX_IMPORT_BYTES + 1)
    if len(content) > settings.MAX_IMPORT_BYTES:
        form.errors["file"] = [f"Berkas lebih dari {settings.MAX_IMPORT_BYTES // 2**20} MB."]
        return page(request, signed, upload=form, status_code=413)
    sha256 = hashlib.sha256(content).hexdigest()
    try:
        report = import_register(
            session=session,
            content=content,
            filename=upload.filename,
            today=today,
            caller=signed.caller,
            commit=False,
        )
    except AppError as refusal:
        session.rollback()
        found = refusal.extra.get("report")
        if found is None:  # the file itself: unreadable, too large
            form.errors["file"] = [problem_text(refusal.type_slug)]
            form.detail = refusal.detail
            return page(request, signed, upload=form, status_code=refusal.status)
        return page(
            request,
            signed,
            report=ImportReport.model_validate(found),
            problems=_problems(refusal),
            file_name=upload.filename,
            sha256=sha256,
            status_code=refusal.status,
        )
    confirm = Form.blank(
        "impor_simpan",
        content=base64.b64encode(content).decode(),
        filename=upload.filename,
        sha256=sha256,
    )
    return page(
        request,
        signed,
        report=report,
        commit=confirm,
        file_name=upload.filename,
        sha256=sha256,
    )


def _content(sent: Any) -> bytes:
    """The checked file, as the confirmation carries it (its hash must still match)."""
    try:
        content = base64.b64decode(sent.required("content"), validate=True)
    except (binascii.Error, ValueError) as broken:
        raise FormRefused("content", "value_error") from broken
    if hashlib.sha256(content).hexdigest() != sent.text("sha256"):
        raise FormRefused("content", "value_error")
    return content


@router.post("/impor/simpan")
def commit_import(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
) -> Response:
    """POST /api/v1/imports?commit=true of the file the dry run checked."""
    _writer(signed)

    def act() -> Done:
        report = import_register(
            session=session,
            content=_content(sent),
            filename=sent.text("filename"),
            today=today,
            caller=signed.caller,
            commit=True,
        )
        made = [r for r in report.records if r.action == RowAction.create]
        return Done(
            "/impor",
            f"Impor selesai: {report.organizations.create} organisasi dan "
            f"{report.agreements.create} perjanjian dibuat; {len(report.records) - len(made)} "
            "catatan sudah ada dan dibiarkan.",
        )

    def shown(form: Form) -> Response:
        refused = Form("impor_periksa", problems=form.problems, detail=form.detail)
        refused.problems.append("Tidak ada yang diimpor. Periksa berkasnya lagi.")
        return page(request, signed, upload=refused, status_code=form.status)

    return submit(
        request, signed, session, sent, "impor_simpan", act, again=shown, where=lambda loc: None
    )


@router.get("/impor/templat.xlsx")
def template(signed: ConsolePage) -> Response:
    """The template of GET /api/v1/imports/template.xlsx."""
    return Response(
        content=template_workbook(),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="templat-impor-register.xlsx"'},
    )
