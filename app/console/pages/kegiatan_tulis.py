"""Activities and documents from an agreement's page: report an activity (realisasi kegiatan),
attach its evidence, the other party's verdict (verified, or rejected with a note), and upload
the signed scan. Each post is the API operation's service with its access rule
(POST /api/v1/agreements/{id}/activities, …/activities/{id}/documents, …/activities/{id}/verify,
POST /api/v1/agreements/{id}/documents), through app/console/forms.py."""

from typing import Any

from fastapi import Request
from fastapi.responses import FileResponse, Response

from app.activities import service as activities
from app.activities.schemas import ActivityCreate, VerdictIn
from app.console.forms import Done, FormRefused, write_route, write_router
from app.console.pages.agreement_write import ActivityId, AgreementWrite
from app.console.pages.perjanjian import _id, not_found
from app.console.web import ConsolePage
from app.core.db import SessionDep
from app.core.errors import AppError
from app.documents import service as documents
from app.documents.models import DocumentType
from app.documents.router import StoreDep
from app.documents.service import file_of
from app.documents.signatures.records import TrustRootsDep
from app.labels import day_text, label

router = write_router()


def _held_on(loc: list[Any]) -> str | None:
    # The one rule across fields: held_on, or held_from and held_to.
    parts = [str(p) for p in loc if p != "body"]
    return ".".join(parts) if parts else "held_on"


@write_route(router, "/perjanjian/{agreement_id}/kegiatan", "kegiatan_baru", where=_held_on)
def report_activity(w: AgreementWrite) -> Done:
    """POST /api/v1/agreements/{id}/activities: one day (held_on) or a period."""
    sent = w.sent
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
        session=w.session,
        caller=w.signed.caller,
        agreement_id=w.id,
        activity_in=body,
        today=w.today,
    )
    message = (
        f"Kegiatan “{made.title}” ({made.organization_name}, {day_text(made.held_from)}) "
        "dilaporkan dan menunggu verifikasi pihak lain."
    )
    if made.obligation_id is not None:
        message += " Kewajiban yang dipenuhinya ditandai selesai."
    message += " Lampirkan buktinya (notulen, daftar hadir, foto) di bawah."
    return Done(f"/perjanjian/{w.id}#kegiatan-{made.id}", message)


@write_route(router, "/perjanjian/{agreement_id}/kegiatan/{activity_id}/bukti", "bukti_{activity}")
def attach_evidence(w: AgreementWrite, store: StoreDep, activity: ActivityId) -> Done:
    """POST /api/v1/agreements/{id}/activities/{activity_id}/documents."""
    upload = w.sent.file("file")
    kept, created = activities.attach_evidence(
        session=w.session,
        caller=w.signed.caller,
        store=store,
        agreement_id=w.id,
        activity_id=activity,
        source=upload.file,
        filename=upload.filename,
        declared_type=upload.content_type,
    )
    if not created:
        return Done(
            f"/perjanjian/{w.id}#kegiatan-{activity}",
            f"Berkas “{upload.filename}” sudah terlampir pada kegiatan “{kept.title}”; "
            "tidak disimpan dua kali.",
        )
    document = max(kept.documents, key=lambda d: d.id)
    return Done(
        f"/perjanjian/{w.id}#kegiatan-{activity}",
        f"Bukti “{document.filename}” dilampirkan pada kegiatan “{kept.title}”. "
        f"SHA-256: {document.sha256}",
    )


def _note(loc: list[Any]) -> str | None:
    # The rule across fields: a rejection needs a note.
    parts = [str(p) for p in loc if p != "body"]
    return ".".join(parts) if parts else "note"


@write_route(
    router,
    "/perjanjian/{agreement_id}/kegiatan/{activity_id}/verifikasi",
    "verifikasi_{activity}",
    where=_note,
)
def judge_activity(w: AgreementWrite, activity: ActivityId) -> Done:
    """POST /api/v1/agreements/{id}/activities/{activity_id}/verify (another party)."""
    body = w.sent.body(VerdictIn, verdict=w.sent.text("verdict"), note=w.sent.text("note"))
    judged = activities.verify_activity(
        session=w.session,
        caller=w.signed.caller,
        agreement_id=w.id,
        activity_id=activity,
        verdict_in=body,
    )
    message = f"Kegiatan “{judged.title}” kini {label(judged.verification).lower()}."
    if judged.verdict_note:
        message += f" Catatan: {judged.verdict_note}"
    return Done(f"/perjanjian/{w.id}#kegiatan-{activity}", message)


@write_route(router, "/perjanjian/{agreement_id}/dokumen", "dokumen")
def upload_document(w: AgreementWrite, store: StoreDep, trust_roots: TrustRootsDep) -> Done:
    """POST /api/v1/agreements/{id}/documents: the signed scan (PDF or image), or a document
    the stages ask for, of the type chosen."""
    kind = w.sent.text("document_type") or DocumentType.signed.value
    if kind not in DocumentType.__members__:
        raise FormRefused("document_type")
    upload = w.sent.file("file")
    document, created = documents.attach_document(
        session=w.session,
        store=store,
        agreement_id=w.id,
        source=upload.file,
        filename=upload.filename,
        declared_type=upload.content_type,
        document_type=DocumentType(kind),
        trust_roots=trust_roots,
    )
    said = "diunggah" if created else "sudah ada sebelumnya (berkas yang sama)"
    return Done(
        f"/perjanjian/{w.id}#dokumen",
        f"Dokumen “{document.filename}” {said}. SHA-256: {document.sha256}",
    )


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
