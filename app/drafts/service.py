"""Drafts of NK and PKS rendered from templates: the template in force for each kind, one
agreement's draft, the drafts of every PKS under an NK as one ZIP, and the final text kept at
finalisasi with its SHA-256."""

import hashlib
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import IO

import sqlalchemy as sa
from jinja2 import TemplateError
from sqlmodel import Session, col, select

from app.agreements.errors import AgreementNotFound
from app.agreements.models import Agreement, AgreementKind, AgreementParty, AgreementStatus
from app.agreements.queries import AgreementFilters, agreement_public, iter_agreements_public
from app.agreements.schemas import AgreementPublic
from app.core.errors import NotFound, RuleViolation
from app.core.types import utcnow
from app.drafts.checks import check_template, template_error
from app.drafts.defaults import default_template
from app.drafts.models import DraftTemplate, FinalDraft
from app.drafts.render import draft_context, render_docx
from app.drafts.schemas import DraftTemplatePublic, FinalDraftPublic
from app.organizations.models import Organization, OrganizationKind

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP = "application/zip"
# A ZIP of drafts is built in memory up to this size, then on disk.
SPOOL_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Template:
    content: bytes
    sha256: str | None  # of the uploaded file; None for the default


def template_for(session: Session, kind: AgreementKind) -> Template:
    """The template in force for a kind: an admin's upload, else the default."""
    row = session.exec(select(DraftTemplate).where(DraftTemplate.kind == kind)).first()
    if row is None:
        return Template(default_template(kind), None)
    return Template(row.content, row.sha256)


def _public(kind: AgreementKind, row: DraftTemplate | None) -> DraftTemplatePublic:
    if row is None:
        return DraftTemplatePublic(
            kind=kind, uploaded=False, filename=None, sha256=None, size_bytes=None, uploaded_at=None
        )
    return DraftTemplatePublic(
        kind=kind,
        uploaded=True,
        filename=row.filename,
        sha256=row.sha256,
        size_bytes=row.size_bytes,
        uploaded_at=row.uploaded_at,
    )


def list_templates(*, session: Session) -> list[DraftTemplatePublic]:
    """The template in force for every kind."""
    rows = {row.kind: row for row in session.exec(select(DraftTemplate))}
    return [_public(kind, rows.get(kind)) for kind in AgreementKind]


def template_file(*, session: Session, kind: AgreementKind) -> tuple[bytes, str]:
    """The template in force for a kind, as a file to download and edit."""
    row = session.exec(select(DraftTemplate).where(DraftTemplate.kind == kind)).first()
    if row is None:
        return default_template(kind), f"templat-{kind.value}-bawaan.docx"
    return row.content, row.filename


def upload_template(
    *,
    session: Session,
    kind: AgreementKind,
    content: bytes,
    filename: str | None,
    uploaded_by_id: int | None,
) -> DraftTemplatePublic:
    """Keep an admin's template for a kind, replacing the one before, once it passes every
    check (checks.check_template); a refused file changes nothing."""
    check_template(content, kind)
    row = session.exec(select(DraftTemplate).where(DraftTemplate.kind == kind)).first()
    if row is None:
        row = DraftTemplate(kind=kind, filename="", sha256="", size_bytes=0, content=b"")
    row.filename = _clean_filename(filename or f"templat-{kind.value}.docx")
    row.sha256 = hashlib.sha256(content).hexdigest()
    row.size_bytes = len(content)
    row.content = content
    row.uploaded_by_id = uploaded_by_id
    row.uploaded_at = utcnow()
    session.add(row)
    session.commit()
    session.refresh(row)
    return _public(kind, row)


def remove_template(*, session: Session, kind: AgreementKind) -> DraftTemplatePublic:
    """Go back to the default template for a kind."""
    session.execute(sa.delete(DraftTemplate).where(col(DraftTemplate.kind) == kind))
    session.commit()
    return _public(kind, None)


def _render(session: Session, agreement: AgreementPublic, today: date, template: Template) -> bytes:
    parent = (
        agreement_public(session=session, agreement_id=agreement.parent_id, today=today)
        if agreement.parent_id is not None
        else None
    )
    amended = (
        agreement_public(session=session, agreement_id=agreement.amends_id, today=today)
        if agreement.amends_id is not None
        else None
    )
    try:
        return render_docx(
            template.content, draft_context(agreement, parent=parent, amended=amended)
        )
    except TemplateError as error:
        raise template_error(
            error, kind=agreement.kind, where=f"does not render agreement {agreement.id}"
        ) from None


@dataclass(frozen=True)
class Draft:
    content: bytes
    filename: str
    sha256: str


def render_draft(*, session: Session, agreement_id: int, today: date) -> Draft:
    """One agreement's draft as it stands now, from the template of its kind."""
    agreement = agreement_public(session=session, agreement_id=agreement_id, today=today)
    content = _render(session, agreement, today, template_for(session, agreement.kind))
    name = _counterpart_names(session, [agreement]).get(agreement.id) or agreement.title
    return Draft(
        content,
        _clean_filename(f"Draf {_kind_word(agreement.kind)} {name}.docx"),
        hashlib.sha256(content).hexdigest(),
    )


def _kind_word(kind: AgreementKind) -> str:
    return {AgreementKind.nk: "NK", AgreementKind.pks: "PKS"}.get(kind, "Adendum")


def pks_drafts_zip(*, session: Session, nk_id: int, today: date) -> tuple[IO[bytes], str]:
    """The drafts of every PKS under an NK (cancelled ones left out), one DOCX each named after
    its SKPD, as a ZIP in a temporary file (the caller closes it)."""
    nk = session.get(Agreement, nk_id)
    if nk is None:
        raise AgreementNotFound(nk_id)
    if nk.kind != AgreementKind.nk:
        raise RuleViolation(
            f"Agreement {nk_id} is not an NK; the drafts of the PKS under an NK are asked of "
            "the NK.",
            type_slug="not-an-nk",
        )
    template = template_for(session, AgreementKind.pks)
    parent = agreement_public(session=session, agreement_id=nk_id, today=today)
    children = [
        pks
        for pks in iter_agreements_public(
            session=session, filters=AgreementFilters(parent_id=nk_id), today=today
        )
        if pks.status != AgreementStatus.cancelled
    ]
    children.sort(key=lambda pks: pks.id)
    names = _counterpart_names(session, children)
    out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    try:
        used: set[str] = set()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
            for pks in children:
                try:
                    content = render_docx(template.content, draft_context(pks, parent=parent))
                except TemplateError as error:
                    raise template_error(
                        error, kind=AgreementKind.pks, where=f"does not render agreement {pks.id}"
                    ) from None
                name = _unique(_clean_filename(f"PKS {names.get(pks.id) or pks.title}"), used)
                info = zipfile.ZipInfo(f"{name}.docx", date_time=(2000, 1, 1, 0, 0, 0))
                archive.writestr(info, content)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return out, _clean_filename(f"Draf PKS {nk.title}")[:120] + ".zip"


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 2
    while candidate.lower() in used:
        candidate, n = f"{name} ({n})", n + 1
    used.add(candidate.lower())
    return candidate


def _counterpart_names(session: Session, agreements: list[AgreementPublic]) -> dict[int, str]:
    """Whom each PKS is with, for its file name: its SKPD (regional agency) party, else its
    last party."""
    ids = [a.id for a in agreements]
    if not ids:
        return {}
    rows = session.execute(
        sa.select(col(AgreementParty.agreement_id), col(Organization.name))
        .join(Organization, col(Organization.id) == AgreementParty.organization_id)
        .where(
            col(AgreementParty.agreement_id).in_(ids),
            col(Organization.kind) == OrganizationKind.regional_agency,
        )
        .order_by(col(AgreementParty.position).desc())  # the first agency wins below
    )
    agencies: dict[int, str] = {row[0]: row[1] for row in rows}
    return {
        a.id: agencies.get(a.id) or (a.parties[-1].organization_name if a.parties else a.title)
        for a in agreements
    }


def _clean_filename(name: str) -> str:
    """A file name every system takes: no path, no control or reserved characters."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r'[\x00-\x1f\x7f<>:"|?*]+', "", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    return name[:200] or "draf"


def keep_final_text(session: Session, agreement_id: int, today: date) -> str:
    """At finalisasi: render the draft as agreed, keep it byte for byte and return its
    SHA-256 (the caller stores it on the agreement and commits)."""
    session.flush()
    agreement = agreement_public(session=session, agreement_id=agreement_id, today=today)
    template = template_for(session, agreement.kind)
    content = _render(session, agreement, today, template)
    sha256 = hashlib.sha256(content).hexdigest()
    session.add(
        FinalDraft(
            agreement_id=agreement_id,
            sha256=sha256,
            size_bytes=len(content),
            content=content,
            template_sha256=template.sha256,
        )
    )
    return sha256


def _final_row(session: Session, agreement_id: int) -> FinalDraft:
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise AgreementNotFound(agreement_id)
    row = (
        session.exec(
            select(FinalDraft)
            .where(FinalDraft.agreement_id == agreement_id)
            .order_by(col(FinalDraft.id).desc())
        ).first()
        if agreement.finalized_at is not None
        else None
    )
    if row is None:
        raise NotFound(
            f"Agreement {agreement_id} has no final text kept: it is a draft, was finalised "
            "before the registry kept final texts, or was finalised outside the registry "
            "(imported or seeded).",
            type_slug="final-draft-not-found",
        )
    return row


def final_draft(*, session: Session, agreement_id: int) -> FinalDraftPublic:
    """The final text kept at finalisasi: its SHA-256 and where it came from."""
    row = _final_row(session, agreement_id)
    return FinalDraftPublic(
        agreement_id=agreement_id,
        sha256=row.sha256,
        size_bytes=row.size_bytes,
        template_sha256=row.template_sha256,
        rendered_at=row.rendered_at,
    )


def final_draft_file(*, session: Session, agreement_id: int) -> Draft:
    """The final text kept at finalisasi, byte for byte."""
    row = _final_row(session, agreement_id)
    return Draft(row.content, f"Naskah final {agreement_id}.docx", row.sha256)
