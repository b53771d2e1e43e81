"""Whether an uploaded file may serve as a draft template: a real DOCX, within the size limits
while still packed and once unpacked (a zip bomb is refused before anything is parsed), with
no XML entity declarations, and one that renders: every placeholder known and every Jinja2 tag
well formed, tried on a sample agreement of its kind. Each refusal names the file and the rule;
a template error names its placeholder or line."""

import io
import re
import zipfile
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError

from app.agreements.models import AgreementKind
from app.core.config import settings
from app.core.errors import AppError, RuleViolation, field_error
from app.drafts.defaults import HEADINGS
from app.drafts.render import SAMPLE_CONTEXT, render_docx

MAX_PARTS = 500
REQUIRED_PARTS = ("[Content_Types].xml", "word/document.xml")


class TemplateTooLarge(AppError):
    status = 413
    type_slug = "draft-template-too-large"
    title = "The draft template is too large"


class NotADocx(AppError):
    status = 415
    type_slug = "draft-template-not-docx"
    title = "The draft template is not a Word document (.docx)"


def _file_error(msg: str) -> list[dict[str, Any]]:
    return [field_error("file", msg=msg)]


def _not_docx(why: str) -> NotADocx:
    return NotADocx(f"The file is not a Word document (.docx): {why}.", errors=_file_error(why))


def sample_context(kind: AgreementKind) -> dict[str, Any]:
    """The sample agreement a template of this kind is tried with: an NK has no `nk` above it,
    only an adendum has `amended`."""
    return {
        **SAMPLE_CONTEXT,
        "heading": HEADINGS[kind],
        "kind": kind.value,
        "nk": SAMPLE_CONTEXT["nk"] if kind == AgreementKind.pks else None,
        "amended": SAMPLE_CONTEXT["amended"] if kind == AgreementKind.amendment else None,
    }


def check_package(content: bytes) -> None:
    """Refuse what is not a DOCX, or unpacks beyond the limits, before python-docx reads it."""
    if len(content) > settings.DRAFT_TEMPLATE_MAX_BYTES:
        msg = (
            f"the file has {len(content):,} bytes; at most {settings.DRAFT_TEMPLATE_MAX_BYTES:,} "
            "(the server's limit DRAFT_TEMPLATE_MAX_BYTES)"
        )
        raise TemplateTooLarge(f"The template is not kept: {msg}.", errors=_file_error(msg))
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_docx("its content is not a DOCX package (a zip)") from None
    with archive:
        parts = archive.infolist()
        names = {part.filename for part in parts}
        missing = [name for name in REQUIRED_PARTS if name not in names]
        if missing:
            raise _not_docx(f"it has no part {missing[0]}")
        if len(parts) > MAX_PARTS:
            raise _not_docx(f"it holds {len(parts):,} parts; a Word document has a few dozen")
        total = sum(part.file_size for part in parts)
        if total > settings.DRAFT_TEMPLATE_MAX_UNPACKED_BYTES:
            msg = (
                f"it unpacks to {total:,} bytes; at most "
                f"{settings.DRAFT_TEMPLATE_MAX_UNPACKED_BYTES:,} (the server's limit "
                "DRAFT_TEMPLATE_MAX_UNPACKED_BYTES)"
            )
            raise TemplateTooLarge(f"The template is not kept: {msg}.", errors=_file_error(msg))
        for part in parts:
            if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _not_docx(f"its part {part.filename} is not compressed as Word does")
            if part.filename.endswith((".xml", ".rels")):
                _check_xml(archive, part)


_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _check_xml(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    try:
        data = archive.read(part)
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, ValueError) as error:
        raise _not_docx(f"its part {part.filename} cannot be unpacked ({error})") from None
    if _DECLARATION.search(data):
        raise _not_docx(f"its part {part.filename} declares XML entities, which Word never writes")


def template_error(error: Exception, *, kind: AgreementKind, where: str) -> RuleViolation:
    """A template that does not render, as a refusal naming the placeholder or the line."""
    if isinstance(error, UndefinedError):
        name = _placeholder_of(error.message or "")
        msg = (
            (f"unknown placeholder {name}" if name else f"a placeholder is not known ({error})")
            + " (known: "
            + ", ".join(sorted(SAMPLE_CONTEXT))
            + ")"
        )
        placeholder = name
    elif isinstance(error, TemplateSyntaxError):
        near = " ".join(part.strip() for part in getattr(error, "docx_context", []) if part.strip())
        msg = f"template syntax error: {error.message}" + (f", near “{near[:120]}”" if near else "")
        placeholder = None
    elif isinstance(error, SecurityError):
        msg = f"the template does what a draft may not: {error}"
        placeholder = None
    else:
        msg = f"the template does not render: {error}"
        placeholder = None
    entry = {
        **field_error("file", msg=msg),
        **({"placeholder": placeholder} if placeholder else {}),
    }
    return RuleViolation(
        f"The {HEADINGS[kind].lower()} template {where}: {msg}.",
        type_slug="draft-template-invalid",
        errors=[entry],
    )


def _placeholder_of(message: str) -> str | None:
    """The placeholder an UndefinedError names: 'foo' is undefined; 'dict object' has no
    attribute 'bar'; 'None' has no attribute 'subject'."""
    found = re.search(r"'([^']+)' is undefined", message)
    if found:
        return found.group(1)
    found = re.search(r"has no attribute '([^']+)'", message)
    return found.group(1) if found else None


def check_template(content: bytes, kind: AgreementKind) -> None:
    """Refuse a file that cannot serve as the template of this kind (see the module)."""
    check_package(content)
    try:
        render_docx(content, sample_context(kind))
    except TemplateError as error:
        raise template_error(error, kind=kind, where="is not kept") from None
    except Exception as error:  # noqa: BLE001  (python-docx and lxml raise many kinds)
        raise _not_docx(f"Word's parts cannot be read ({type(error).__name__})") from None
