"""What a draft says: the placeholders' values for one agreement, and the DOCX rendered from a
template with docxtpl (Jinja2 inside Word's XML) in Jinja2's sandbox.

Rendering is deterministic: the same template and the same facts give the same bytes (the
DOCX's zip entries carry a fixed date), so a SHA-256 of a draft says which text it is.
"""

import io
import re
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from typing import IO, Any

from docx.opc.pkgwriter import PackageWriter
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, Template
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.agreements.models import AgreementKind
from app.agreements.schemas import AgreementPublic
from app.drafts.defaults import HEADINGS
from app.labels import day_text

ORDINALS = (
    "KESATU",
    "KEDUA",
    "KETIGA",
    "KEEMPAT",
    "KELIMA",
    "KEENAM",
    "KETUJUH",
    "KEDELAPAN",
    "KESEMBILAN",
    "KESEPULUH",
)
# What a template may use, with what each holds (the upload page and the API describe them).
PLACEHOLDERS: dict[str, str] = {
    "heading": "NOTA KESEPAHAMAN, PERJANJIAN KERJA SAMA or ADENDUM",
    "kind": "nk, pks or amendment",
    "title": "the agreement's title as registered",
    "subject": "what it is about (tentang …): the title after 'tentang', or its NK's",
    "parties": "the parties in order; each has name, number, signatory_name, "
    "signatory_title, signing_authority and role (PIHAK KESATU, PIHAK KEDUA, …)",
    "numbers_text": "every party's number, joined by 'dan' (30/ORI-MoU/X/2021 dan …)",
    "scope_items": "the ruang lingkup in order; each has number, title and description",
    "valid_from": "start of validity as written in a letter (4 Juli 2022), or empty",
    "valid_until": "end of validity, or empty",
    "validity": "the validity as a phrase (sejak … sampai dengan …)",
    "nk": "for a PKS: its NK, with title, subject, numbers_text and signed_on; else empty",
    "amended": "for an adendum: the agreement it amends, with title and numbers_text",
}


def _ordinal(position: int) -> str:
    return f"PIHAK {ORDINALS[position] if position < len(ORDINALS) else f'KE-{position + 1}'}"


def numbers_text(agreement: AgreementPublic) -> str:
    """Every party's number, in the parties' order, joined as a letter writes them."""
    return " dan ".join(p.document_number for p in agreement.parties if p.document_number)


def subject_of(title: str, parent: AgreementPublic | None = None) -> str:
    """What an agreement is about: its title after 'tentang', else its NK's subject (a PKS
    titled after its parties), else the title itself."""
    found = re.split(r"\btentang\b", title, maxsplit=1, flags=re.IGNORECASE)
    if len(found) == 2 and found[1].strip():
        return found[1].strip()
    if parent is not None:
        return subject_of(parent.title)
    return title


def _validity(agreement: AgreementPublic) -> str:
    start = (
        f"sejak tanggal {day_text(agreement.valid_from)}"
        if agreement.valid_from
        else "sejak ditandatangani oleh para pihak"
    )
    if agreement.valid_until:
        return f"{start} sampai dengan tanggal {day_text(agreement.valid_until)}"
    return start


def draft_context(
    agreement: AgreementPublic,
    *,
    parent: AgreementPublic | None = None,
    amended: AgreementPublic | None = None,
) -> dict[str, Any]:
    """The placeholders' values for one agreement (`parent`: a PKS's NK; `amended`: what an
    adendum amends)."""
    nk = (
        {
            "title": parent.title,
            "subject": subject_of(parent.title),
            "numbers_text": numbers_text(parent),
            "signed_on": day_text(parent.signed_on) if parent.signed_on else "",
        }
        if parent is not None
        else None
    )
    return {
        "heading": HEADINGS[agreement.kind],
        "kind": agreement.kind.value,
        "title": agreement.title,
        "subject": subject_of(agreement.title, parent),
        "parties": [
            {
                "name": p.organization_name,
                "number": p.document_number or "",
                "signatory_name": p.signatory_name or "",
                "signatory_title": p.signatory_title or "",
                "signing_authority": p.signing_authority or "",
                "role": _ordinal(index),
            }
            for index, p in enumerate(agreement.parties)
        ],
        "numbers_text": numbers_text(agreement),
        "scope_items": [
            {"number": index, "title": item.title, "description": item.description or ""}
            for index, item in enumerate(agreement.scope_items, start=1)
        ],
        "valid_from": day_text(agreement.valid_from) if agreement.valid_from else "",
        "valid_until": day_text(agreement.valid_until) if agreement.valid_until else "",
        "validity": _validity(agreement),
        "nk": nk,
        "amended": (
            {"title": amended.title, "numbers_text": numbers_text(amended)}
            if amended is not None
            else None
        ),
    }


# The context a template is tried with when uploaded: every placeholder filled, as for the
# Diskominfo PKS under the Kalsel NK of 2021.
SAMPLE_CONTEXT: dict[str, Any] = {
    "heading": HEADINGS[AgreementKind.pks],
    "kind": "pks",
    "title": "Perjanjian Kerja Sama Ombudsman RI Perwakilan Provinsi Kalimantan Selatan dengan "
    "Dinas Komunikasi dan Informatika",
    "subject": "Peningkatan Kualitas Pelayanan Publik",
    "parties": [
        {
            "name": "Ombudsman RI Perwakilan Provinsi Kalimantan Selatan",
            "number": "12/ORI-PKS/VII/2022",
            "signatory_name": "Hadi Rahman",
            "signatory_title": "Kepala Perwakilan",
            "signing_authority": "",
            "role": "PIHAK KESATU",
        },
        {
            "name": "Dinas Komunikasi dan Informatika Provinsi Kalimantan Selatan",
            "number": "045/123/DISKOMINFO/2022",
            "signatory_name": "Muhamad Muslim",
            "signatory_title": "Kepala Dinas",
            "signing_authority": "Surat Kuasa Gubernur Kalimantan Selatan",
            "role": "PIHAK KEDUA",
        },
    ],
    "numbers_text": "12/ORI-PKS/VII/2022 dan 045/123/DISKOMINFO/2022",
    "scope_items": [
        {"number": 1, "title": "Pencegahan maladministrasi", "description": ""},
        {"number": 2, "title": "Pertukaran informasi/data", "description": "LAPOR Paman"},
    ],
    "valid_from": "4 Juli 2022",
    "valid_until": "3 Juli 2025",
    "validity": "sejak tanggal 4 Juli 2022 sampai dengan tanggal 3 Juli 2025",
    "nk": {
        "title": "Peningkatan Kualitas Pelayanan Publik",
        "subject": "Peningkatan Kualitas Pelayanan Publik",
        "numbers_text": "30/ORI-MoU/X/2021 dan 053/NK-PEMOTDA/2021",
        "signed_on": "28 Oktober 2021",
    },
    "amended": {"title": "Nota Kesepahaman", "numbers_text": "30/ORI-MoU/X/2021"},
}

FIXED_DATE = (2000, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class RenderedDraft:
    content: bytes
    filename: str


class _Environment(ImmutableSandboxedEnvironment):
    """Jinja2's sandbox (an uploaded template cannot reach Python's internals), with
    StrictUndefined (a misspelt placeholder is an error, not an empty gap in a contract) and
    the compiled form of each part kept: docxtpl compiles a template's XML anew on every
    render, which costs more than rendering it."""

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=True)
        self._compiled: OrderedDict[str, Template] = OrderedDict()
        self._lock = threading.Lock()

    def from_string(  # type: ignore[override]
        self, source: str, globals: Any = None, template_class: Any = None
    ) -> Template:
        if globals is not None or template_class is not None:
            return super().from_string(source, globals, template_class)
        with self._lock:
            found = self._compiled.get(source)
            if found is not None:
                self._compiled.move_to_end(source)
                return found
        compiled = super().from_string(source)
        with self._lock:
            self._compiled[source] = compiled
            while len(self._compiled) > COMPILED_KEPT:
                self._compiled.popitem(last=False)
        return compiled


COMPILED_KEPT = 64  # parts of templates (a kind's template has a handful)
# docxtpl sets `autoescape` on the environment it is given: always True here, so one serves all.
ENVIRONMENT = _Environment()


class _FixedDateZip:
    """python-docx's zip writer, but every entry dated FIXED_DATE (python-docx dates them now,
    so the same text would hash differently each second) and compressed fast (the default
    template's styles are 800 kB of XML)."""

    def __init__(self, out: IO[bytes]) -> None:
        self._zip = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1)

    def write(self, pack_uri: Any, blob: bytes) -> None:
        info = zipfile.ZipInfo(pack_uri.membername, date_time=FIXED_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        self._zip.writestr(info, blob, compresslevel=1)

    def close(self) -> None:
        self._zip.close()


def render_docx(template: bytes, context: dict[str, Any]) -> bytes:
    """The template rendered with the context, as DOCX bytes (deterministic). Raises what
    docxtpl, Jinja2 or python-docx raise: the caller judges."""
    document = DocxTemplate(io.BytesIO(template))
    document.render(context, jinja_env=ENVIRONMENT, autoescape=True)
    package = document.docx.part.package
    for part in package.parts:
        part.before_marshal()
    out = io.BytesIO()
    # PackageWriter.write with our zip writer (python-docx takes no writer of ours).
    writer: Any = _FixedDateZip(out)  # duck-typed as python-docx's PhysPkgWriter
    PackageWriter._write_content_types_stream(writer, package.parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, package.parts)
    writer.close()
    return out.getvalue()
