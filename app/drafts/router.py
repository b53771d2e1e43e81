"""HTTP routes of drafts: an agreement's draft (DOCX), the drafts of the PKS under an NK
(ZIP), the final text kept at finalisasi, and the templates admins upload per kind."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Path, Response, UploadFile
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from app.agreements.dependencies import AgreementIdPath, NkIdPath
from app.agreements.models import AgreementKind
from app.core.config import settings
from app.core.db import SessionDep
from app.core.deps import TodayDep
from app.core.errors import responses
from app.core.schemas import path_id
from app.drafts import service
from app.drafts.render import PLACEHOLDERS
from app.drafts.schemas import DraftTemplatePublic, FinalDraftPublic
from app.drafts.service import DOCX, ZIP
from app.idempotency.route import IdempotentRoute
from app.users.access import AdminCaller

# No example: no seeded agreement has a final text (the seeds record finalisations agreed
# outside the registry); finalise a draft first (POST …/{id}/finalize).
FinalizedIdPath = Annotated[
    int, path_id("Id of an agreement finalised in the registry (NK, PKS or adendum).")
]

router = APIRouter(
    prefix="/api/v1/agreements", tags=["Drafts from templates"], route_class=IdempotentRoute
)
templates_router = APIRouter(
    prefix="/api/v1/draft-templates", tags=["Drafts from templates"], route_class=IdempotentRoute
)
CHUNK = 64 * 1024


def attachment(filename: str) -> dict[str, str]:
    """A Content-Disposition header for a download: an ASCII name, and the real one (RFC 5987)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    return {
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''"
        f"{quote(filename)}"
    }


def _file(content_type: str, description: str) -> dict[int | str, dict[str, object]]:
    return {
        200: {
            "description": description,
            "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
        }
    }


PLACEHOLDER_HELP = "\n".join(f"- `{name}`: {text}" for name, text in PLACEHOLDERS.items())
KindPath = Annotated[
    AgreementKind,
    Path(description="`nk`, `pks` or `amendment` (adendum).", examples=["pks"]),
]


@router.get(
    "/{agreement_id}/draft.docx",
    response_class=Response,
    summary="Download the draft (draf) of an NK or PKS as DOCX",
    responses={
        **_file(DOCX, "The draft, rendered now from its kind's template"),
        **responses(401, 404, 422, 429),
    },
)
def download_draft(session: SessionDep, today: TodayDep, agreement_id: AgreementIdPath) -> Response:
    """The draft (draf naskah) of this agreement as it stands now, rendered from the template
    of its kind (`GET /api/v1/draft-templates`): the parties with their numbers and
    signatories, the title, the ruang lingkup as Pasal items, the validity (jangka waktu) and,
    for a PKS, its NK with the NK's numbers (e.g. 30/ORI-MoU/X/2021 dan 053/NK-PEMOTDA/2021).
    The same facts and template give the same bytes. 422 `draft-template-invalid` when the
    template uses a placeholder this agreement has not (an admin's template)."""
    draft = service.render_draft(session=session, agreement_id=agreement_id, today=today)
    return Response(draft.content, media_type=DOCX, headers=attachment(draft.filename))


@router.get(
    "/{agreement_id}/pks-drafts.zip",
    response_class=StreamingResponse,
    summary="Download the drafts of every PKS under an NK at once (ZIP)",
    responses={
        **_file(ZIP, "One DOCX per PKS, named after its SKPD"),
        **responses(401, 404, 422, 429),
    },
)
def download_pks_drafts(
    session: SessionDep, today: TodayDep, agreement_id: NkIdPath
) -> StreamingResponse:
    """The drafts of every PKS derived from this NK (cancelled ones left out) in one ZIP, one
    DOCX each, named after its SKPD (`PKS Dinas Komunikasi dan Informatika.docx`): the 21 PKS
    of the Kalsel NK, finalised "secara marathon" in June 2022, in one download. Built in a
    temporary file and sent in chunks. 422 `not-an-nk` for a PKS."""
    file, filename = service.pks_drafts_zip(session=session, nk_id=agreement_id, today=today)

    def chunks() -> object:
        while chunk := file.read(CHUNK):
            yield chunk

    return StreamingResponse(
        chunks(),  # type: ignore[arg-type]
        media_type=ZIP,
        headers=attachment(filename),
        background=BackgroundTask(file.close),
    )


@router.get(
    "/{agreement_id}/final-draft",
    response_model=FinalDraftPublic,
    summary="The final text (naskah final) kept at finalisasi, and its SHA-256",
    responses=responses(401, 404, 422, 429),
)
def read_final_draft(session: SessionDep, agreement_id: FinalizedIdPath) -> FinalDraftPublic:
    """The draft as rendered at finalisasi draft, kept byte for byte: its SHA-256 (also the
    agreement's `final_text_sha256`), its size and the template that rendered it. 404
    `final-draft-not-found` for a draft, an agreement finalised before drafts were kept, or
    one whose finalisation was recorded by an import or the seeds (finalised outside the
    registry: no text of today's template stands for the one agreed)."""
    return service.final_draft(session=session, agreement_id=agreement_id)


@router.get(
    "/{agreement_id}/final-draft.docx",
    response_class=Response,
    summary="Download the final text (naskah final) kept at finalisasi",
    responses={
        **_file(DOCX, "The DOCX as rendered at finalisasi"),
        **responses(401, 404, 422, 429),
    },
)
def download_final_draft(session: SessionDep, agreement_id: FinalizedIdPath) -> Response:
    """The final text byte for byte, as rendered at finalisasi: its SHA-256 is the agreement's
    `final_text_sha256`, to compare with the copy the parties signed."""
    draft = service.final_draft_file(session=session, agreement_id=agreement_id)
    return Response(draft.content, media_type=DOCX, headers=attachment(draft.filename))


@templates_router.get(
    "",
    response_model=list[DraftTemplatePublic],
    summary="The draft template (templat draf) in force for each kind",
    responses=responses(401, 429),
)
def list_templates(session: SessionDep) -> list[DraftTemplatePublic]:
    """For NK, PKS and adendum: whether an admin's template is in force, or the default one
    built in (Bahasa Indonesia)."""
    return service.list_templates(session=session)


@templates_router.get(
    "/{kind}",
    response_class=Response,
    summary="Download the draft template of a kind (to edit it in Word)",
    responses={**_file(DOCX, "The template in force"), **responses(401, 422, 429)},
)
def download_template(session: SessionDep, kind: KindPath) -> Response:
    """The template in force for the kind (the default when none was uploaded), as a start
    for an office's own: open it in Word, keep the placeholders, upload it again."""
    content, filename = service.template_file(session=session, kind=kind)
    return Response(content, media_type=DOCX, headers=attachment(filename))


UPLOAD_HELP = (
    "Replace the template (templat draf) of NK, PKS or adendum with a DOCX written in Word "
    "with Jinja2 placeholders (docxtpl): `{{ title }}`, `{% for party in parties %}…"
    "{% endfor %}`, and `{%p … %}` for a tag on a paragraph of its own. Start from the one in "
    "force (`GET /api/v1/draft-templates/{kind}`). The placeholders:\n\n"
    + PLACEHOLDER_HELP
    + "\n\nThe file is checked before it is kept: a real DOCX (415 otherwise), at most "
    "DRAFT_TEMPLATE_MAX_BYTES (1 MB) and unpacking to at most DRAFT_TEMPLATE_MAX_UNPACKED_BYTES "
    "(16 MB; 413), rendered once with a sample agreement of its kind: an unknown placeholder "
    "or a syntax error is 422 `draft-template-invalid` naming it. Templates run in Jinja2's "
    "sandbox. Only admins."
)


@templates_router.post(
    "/{kind}",
    response_model=DraftTemplatePublic,
    summary="Upload the draft template of a kind (admins)",
    description=UPLOAD_HELP,
    responses={
        **responses(401, 403, 413, 415, 422, 429),
        413: {
            **responses(413)[413],
            "description": "Larger than DRAFT_TEMPLATE_MAX_BYTES, or unpacking to more than "
            "DRAFT_TEMPLATE_MAX_UNPACKED_BYTES (`draft-template-too-large`)",
        },
        415: {
            **responses(415)[415],
            "description": "Not a Word document (.docx) (`draft-template-not-docx`)",
        },
        422: {
            **responses(422)[422],
            "description": "A placeholder not known or a template syntax error "
            "(`draft-template-invalid`: the error names the placeholder or the line)",
        },
    },
)
def upload_template(
    session: SessionDep,
    admin: AdminCaller,
    kind: KindPath,
    file: Annotated[UploadFile, File(description="The template: a Word document (.docx).")],
) -> DraftTemplatePublic:
    """Replace the template of NK, PKS or adendum with an admin's DOCX."""
    content = file.file.read(settings.DRAFT_TEMPLATE_MAX_BYTES + 1)
    return service.upload_template(
        session=session,
        kind=kind,
        content=content,
        filename=file.filename,
        uploaded_by_id=admin.id,
    )


@templates_router.delete(
    "/{kind}",
    response_model=DraftTemplatePublic,
    summary="Go back to the default draft template of a kind (admins)",
    responses=responses(401, 403, 422, 429),
)
def remove_template(
    session: SessionDep, _admin: AdminCaller, kind: KindPath
) -> DraftTemplatePublic:
    """Remove the uploaded template of the kind: its drafts use the default one again."""
    return service.remove_template(session=session, kind=kind)
