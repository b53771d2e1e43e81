"""Activities and documents from an agreement's page: report an activity (realisasi kegiatan),
attach its evidence, the other party's verdict (verified, or rejected with a note), and upload
the signed scan. Each post is the API operation's service with its access rule
(POST /api/v1/agreements/{id}/activities, …/activities/{id}/documents, …/activities/{id}/verify,
POST /api/v1/agreements/{id}/documents), through app/console/forms.py."""

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import FileResponse, Response

from app.activities import service as activities
from app.activities.schemas import ActivityCreate, VerdictIn
from app.agreements.history import list_events
from app.console.forms import Done, Form, FormRefused, Sent, SentForm, submit, write_router
from app.console.pages.perjanjian import _id, not_found, show_agreement
from app.console.pages.perjanjian_tulis import _agreement_id
from app.console.session import SignedIn
from app.console.web import ConsolePage, ConsolePost
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import AppError
from app.documents import service as documents
from app.documents.models import DocumentType
from app.documents.router import StoreDep
from app.documents.service import file_of
from app.documents.signatures.records import TrustRootsDep
from app.labels import day_text, label
from app.users.access import require_agreement_editor

router = write_router()


def _write(
    request: Request,
    signed: SignedIn,
    session: Any,
    today: date,
    sent: Sent,
    agreement_id: int,
    name: str,
    act: Callable[[], Done],
    where: Callable[[list[Any]], str | None] | None = None,
) -> Response:
    """A write on the agreement's page: a refusal shows the page again with this form."""

    def again(form: Form) -> Response:
        return show_agreement(
            request,
            signed,
            session,
            today,
            agreement_id,
            forms={name: form},
            status_code=form.status,
        )

    def last_change() -> Any:
        events, _ = list_events(session=session, agreement_id=agreement_id, limit=1, offset=0)
        return events[0] if events else None

    def guarded() -> Done:
        require_agreement_editor(session, signed.caller, agreement_id)  # as the API's routes
        return act()

    extra = {} if where is None else {"where": where}
    return submit(
        request, signed, session, sent, name, guarded, again=again, last_change=last_change, **extra
    )


@router.post("/perjanjian/{agreement_id}/kegiatan")
def report_activity(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
) -> Response:
    """POST /api/v1/agreements/{id}/activities: one day (held_on) or a period."""
    found = _agreement_id(agreement_id)

    def act() -> Done:
        body = sent.body(
            ActivityCreate,
            title=sent.text("title"),
            held_on=sent.text("held_on"),
            held_from=sent.text("held_from"),
            held_to=sent.text("held_to"),
            description=sent.text("description"),
            scope_item_ids=sent.ids("scope_item_ids"),
            organization_id=sent.id("organization_id"),
            participants=sent.text("participants"),
            obligation_id=sent.id("obligation_id"),
        )
        made = activities.create_activity(
            session=session,
            caller=signed.caller,
            agreement_id=found,
            activity_in=body,
            today=today,
        )
        message = (
            f"Kegiatan “{made.title}” ({made.organization_name}, {day_text(made.held_from)}) "
            "dilaporkan dan menunggu verifikasi pihak lain."
        )
        if made.obligation_id is not None:
            message += " Kewajiban yang dipenuhinya ditandai selesai."
        message += " Lampirkan buktinya (notulen, daftar hadir, foto) di bawah."
        return Done(f"/perjanjian/{found}#kegiatan-{made.id}", message)

    def where(loc: list[Any]) -> str | None:
        # The one rule across fields: held_on, or held_from and held_to.
        parts = [str(p) for p in loc if p != "body"]
        return ".".join(parts) if parts else "held_on"

    return _write(request, signed, session, today, sent, found, "kegiatan_baru", act, where)


@router.post("/perjanjian/{agreement_id}/kegiatan/{activity_id}/bukti")
def attach_evidence(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    store: StoreDep,
    sent: SentForm,
    agreement_id: str,
    activity_id: str,
) -> Response:
    """POST /api/v1/agreements/{id}/activities/{activity_id}/documents."""
    found, activity = _agreement_id(agreement_id), _agreement_id(activity_id)

    def act() -> Done:
        upload = sent.file("file")
        kept, created = activities.attach_evidence(
            session=session,
            caller=signed.caller,
            store=store,
            agreement_id=found,
            activity_id=activity,
            source=upload.file,
            filename=upload.filename,
            declared_type=upload.content_type,
        )
        if not created:
            return Done(
                f"/perjanjian/{found}#kegiatan-{activity}",
                f"Berkas “{upload.filename}” sudah terlampir pada kegiatan “{kept.title}”; "
                "tidak disimpan dua kali.",
            )
        document = max(kept.documents, key=lambda d: d.id)
        return Done(
            f"/perjanjian/{found}#kegiatan-{activity}",
            f"Bukti “{document.filename}” dilampirkan pada kegiatan “{kept.title}”. "
            f"SHA-256: {document.sha256}",
        )

    return _write(request, signed, session, today, sent, found, f"bukti_{activity}", act)


@router.post("/perjanjian/{agreement_id}/kegiatan/{activity_id}/verifikasi")
def judge_activity(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    sent: SentForm,
    agreement_id: str,
    activity_id: str,
) -> Response:
    """POST /api/v1/agreements/{id}/activities/{activity_id}/verify (another party)."""
    found, activity = _agreement_id(agreement_id), _agreement_id(activity_id)

    def act() -> Done:
        body = sent.body(VerdictIn, verdict=sent.text("verdict"), note=sent.text("note"))
        judged = activities.verify_activity(
            session=session,
            caller=signed.caller,
            agreement_id=found,
            activity_id=activity,
            verdict_in=body,
        )
        message = f"Kegiatan “{judged.title}” kini {label(judged.verification).lower()}."
        if judged.verdict_note:
            message += f" Catatan: {judged.verdict_note}"
        return Done(f"/perjanjian/{found}#kegiatan-{activity}", message)

    def where(loc: list[Any]) -> str | None:
        # The rule across fields: a rejection needs a note.
        parts = [str(p) for p in loc if p != "body"]
        return ".".join(parts) if parts else "note"

    return _write(
        request, signed, session, today, sent, found, f"verifikasi_{activity}", act, where
    )


@router.post("/perjanjian/{agreement_id}/dokumen")
def upload_document(
    request: Request,
    signed: ConsolePost,
    session: SessionDep,
    today: TodayDep,
    store: StoreDep,
    trust_roots: TrustRootsDep,
    sent: SentForm,
    agreement_id: str,
) -> Response:
    """POST /api/v1/agreements/{id}/documents: the signed scan (PDF or image), or a document
    the stages ask for, of the type chosen."""
    found = _agreement_id(agreement_id)

    def act() -> Done:
        kind = sent.text("document_type") or DocumentType.signed.value
        if kind not in DocumentType.__members__:
            raise FormRefused("document_type")
        upload = sent.file("file")
        document, created = documents.attach_document(
            session=session,
            store=store,
            agreement_id=found,
            source=upload.file,
            filename=upload.filename,
            declared_type=upload.content_type,
            document_type=DocumentType(kind),
            trust_roots=trust_roots,
        )
        said = "diunggah" if created else "sudah ada sebelumnya (berkas yang sama)"
        return Done(
            f"/perjanjian/{found}#dokumen",
            f"Dokumen “{document.filename}” {said}. SHA-256: {document.sha256}",
        )

    return _write(request, signed, session, today, sent, found, "dokumen", act)


@router.get("/perjanjian/{agreement_id}/kegiatan/{activity_id}/bukti/{document_id}")
def evidence_document(
    request: Request,
    signed: ConsolePage,
    session: SessionDep,
    store: StoreDep,
    agreement_id: str,
    activity_id: str,
    document_id: str,
) -> Response:
    """An evidence file byte for byte, as GET …/activities/{id}/documents/{doc} gives it."""
    ids = [_id(agreement_id), _id(activity_id), _id(document_id)]
    if None in ids:
        return not_found(request, signed, "Bukti ini tidak ada.")
    agreement, activity, document_ = (int(i or 0) for i in ids)
    try:
        document = activities.evidence_of(
            session=session, agreement_id=agreement, activity_id=activity, document_id=document_
        )
        path = file_of(store, document)
    except AppError:
        return not_found(request, signed, "Bukti ini tidak ada atau tidak dapat dibaca.")
    return FileResponse(path, media_type=document.content_type, filename=document.filename)
