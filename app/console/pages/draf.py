"""Drafts and the public list in the console: an agreement's draft (DOCX), the drafts of an NK's
PKS (ZIP) and the final text kept at finalisasi, downloaded through the session (the API's
routes want a key); "tampilkan di daftar publik" on an agreement's page (POST
/api/v1/agreements/{id}/public-listing); and, for admins, Templat draf: the template of each
kind, downloaded, replaced by an upload or taken back to the default (/api/v1/draft-templates).
Every write goes through app/console/forms.py with the API's service and access rule."""

from fastapi import Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlmodel import Session
from starlette.background import BackgroundTask

from app.agreements.models import AgreementKind
from app.agreements.queries import agreement_public
from app.console.forms import Done, Form, SentForm, submit, write_route, write_router
from app.console.pages.agreement_write import AgreementWrite, named
from app.console.pages.perjanjian import _id
from app.console.web import ConsolePage, ConsolePost, ConsoleRefused, SignedIn, render
from app.core.config import settings
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import Forbidden
from app.drafts import service as drafts
from app.drafts.render import PLACEHOLDERS
from app.drafts.router import CHUNK, attachment
from app.drafts.service import DOCX, ZIP
from app.labels import label, labels_of, problem_text
from app.public import service as public
from app.public.schemas import PublicListingIn
from app.users.access import require_admin

router = write_router()


def _found(raw: str) -> int:
    found = _id(raw)
    if found is None:
        raise ConsoleRefused(404, problem_text("agreement-not-found"))
    return found


@router.get("/perjanjian/{agreement_id}/draf.docx")
def draft_docx(
    signed: ConsolePage, session: SessionDep, today: TodayDep, agreement_id: str
) -> Response:
    """GET /api/v1/agreements/{id}/draft.docx, by session."""
    draft = drafts.render_draft(session=session, agreement_id=_found(agreement_id), today=today)
    return Response(draft.content, media_type=DOCX, headers=attachment(draft.filename))


@router.get("/perjanjian/{agreement_id}/draf-pks.zip")
def pks_drafts_zip(
    signed: ConsolePage, session: SessionDep, today: TodayDep, agreement_id: str
) -> StreamingResponse:
    """GET /api/v1/agreements/{id}/pks-drafts.zip, by session."""
    file, filename = drafts.pks_drafts_zip(session=session, nk_id=_found(agreement_id), today=today)

    def chunks():  # type: ignore[no-untyped-def]
        while chunk := file.read(CHUNK):
            yield chunk

    return StreamingResponse(
        chunks(),
        media_type=ZIP,
        headers=attachment(filename),
        background=BackgroundTask(file.close),
    )


@router.get("/perjanjian/{agreement_id}/naskah-final.docx")
def final_docx(signed: ConsolePage, session: SessionDep, agreement_id: str) -> Response:
    """GET /api/v1/agreements/{id}/final-draft.docx, by session."""
    draft = drafts.final_draft_file(session=session, agreement_id=_found(agreement_id))
    return Response(draft.content, media_type=DOCX, headers=attachment(draft.filename))


@write_route(router, "/perjanjian/{agreement_id}/daftar-publik", "daftar_publik")
def public_listing(w: AgreementWrite) -> Done:
    """POST /api/v1/agreements/{id}/public-listing."""
    body = w.sent.body(PublicListingIn, listed=w.sent.flag("listed"))
    public.set_public_listing(session=w.session, agreement_id=w.id, listed=body.listed)
    agreement = agreement_public(session=w.session, agreement_id=w.id, today=w.today)
    said = (
        "ditampilkan di daftar publik setelah ditandatangani semua pihak"
        if body.listed
        else "tidak ditampilkan di daftar publik"
    )
    return Done(f"/perjanjian/{w.id}#draf", f"{named(agreement)} {said}.")


def _admin_or_refuse(signed: SignedIn) -> None:
    try:
        require_admin(signed.caller)
    except Forbidden:
        raise ConsoleRefused(403, problem_text("forbidden")) from None


def _kind(raw: str) -> AgreementKind:
    try:
        return AgreementKind(raw)
    except ValueError:
        raise ConsoleRefused(404, "Jenis perjanjian ini tidak dikenal.") from None


def _templates_page(
    request: Request,
    signed: SignedIn,
    session: Session,
    forms: dict[str, Form] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    kinds = list(AgreementKind)
    blank = {f"unggah_{k.value}": Form.blank(f"unggah_{k.value}") for k in kinds}
    blank.update({f"bawaan_{k.value}": Form.blank(f"bawaan_{k.value}") for k in kinds})
    return render(
        request,
        "templat_draf.html",
        signed=signed,
        nav="/templat-draf",
        templates=drafts.list_templates(session=session),
        kinds=labels_of(AgreementKind),
        placeholders=PLACEHOLDERS,
        max_kilobytes=settings.DRAFT_TEMPLATE_MAX_BYTES // 1024,
        forms={**blank, **(forms or {})},
        status_code=status_code,
    )


@router.get("/templat-draf", response_class=HTMLResponse)
def templates_page(request: Request, signed: ConsolePage, session: SessionDep) -> HTMLResponse:
    """Templat draf (admins): the template in force for each kind."""
    _admin_or_refuse(signed)
    return _templates_page(request, signed, session)


@router.get("/templat-draf/{kind}.docx")
def template_docx(signed: ConsolePage, session: SessionDep, kind: str) -> Response:
    """GET /api/v1/draft-templates/{kind}, by session."""
    content, filename = drafts.template_file(session=session, kind=_kind(kind))
    return Response(content, media_type=DOCX, headers=attachment(filename))


@router.post("/templat-draf/{kind}")
def upload_template(
    request: Request, signed: ConsolePost, session: SessionDep, sent: SentForm, kind: str
) -> Response:
    """POST /api/v1/draft-templates/{kind}."""
    chosen = _kind(kind)
    name = f"unggah_{chosen.value}"

    def act() -> Done:
        require_admin(signed.caller)
        upload = sent.file("file")
        content = upload.file.read(settings.DRAFT_TEMPLATE_MAX_BYTES + 1)
        kept = drafts.upload_template(
            session=session,
            kind=chosen,
            content=content,
            filename=upload.filename,
            uploaded_by_id=signed.caller.id,
        )
        return Done(
            "/templat-draf",
            f"Templat draf {label(chosen)} “{kept.filename}” kini dipakai. SHA-256: {kept.sha256}",
        )

    return submit(
        request,
        signed,
        session,
        sent,
        name,
        act,
        again=lambda form: _templates_page(
            request, signed, session, forms={name: form}, status_code=form.status
        ),
    )


@router.post("/templat-draf/{kind}/bawaan")
def default_template(
    request: Request, signed: ConsolePost, session: SessionDep, sent: SentForm, kind: str
) -> Response:
    """DELETE /api/v1/draft-templates/{kind}."""
    chosen = _kind(kind)
    name = f"bawaan_{chosen.value}"

    def act() -> Done:
        require_admin(signed.caller)
        drafts.remove_template(session=session, kind=chosen)
        return Done("/templat-draf", f"Templat draf {label(chosen)} kembali ke templat bawaan.")

    return submit(
        request,
        signed,
        session,
        sent,
        name,
        act,
        again=lambda form: _templates_page(
            request, signed, session, forms={name: form}, status_code=form.status
        ),
    )
