"""The default draft template of each kind, built in code with python-docx (Bahasa Indonesia,
laid out as a real NK or PKS: the heading "PERJANJIAN KERJA SAMA ANTARA … DAN … TENTANG …",
the numbers of each party, the parties, then a Pasal for the ruang lingkup, one for the
validity and a closing one, and the signatures). An admin's upload for a kind replaces it.

The placeholders are those of app/drafts/render.py (`PLACEHOLDERS`); an admin's template may
use the same. Paragraph tags `{%p … %}` are docxtpl's: the paragraph holding one disappears.
"""

import io
from functools import cache

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from app.agreements.models import AgreementKind

HEADINGS = {
    AgreementKind.nk: "NOTA KESEPAHAMAN",
    AgreementKind.pks: "PERJANJIAN KERJA SAMA",
    AgreementKind.amendment: "ADENDUM",
}


def _centred(document: object, text: str, *, bold: bool = False) -> None:
    paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = bold


@cache
def default_template(kind: AgreementKind) -> bytes:
    """The default template of a kind, as DOCX bytes (built once per process)."""
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"  # type: ignore[attr-defined]
    style.font.size = Pt(11)  # type: ignore[attr-defined]
    add = document.add_paragraph
    _centred(document, "{{ heading }}", bold=True)
    _centred(document, "ANTARA")
    add("{%p for party in parties %}")
    _centred(document, "{{ party.name|upper }}", bold=True)
    add("{%p if not loop.last %}")
    _centred(document, "DAN")
    add("{%p endif %}")
    add("{%p endfor %}")
    _centred(document, "TENTANG")
    _centred(document, "{{ subject|upper }}", bold=True)
    add("{%p for party in parties %}")
    _centred(document, "NOMOR: {{ party.number or '……………' }}")
    add("{%p endfor %}")
    add("{%p if nk %}")
    add(
        "Berdasarkan Nota Kesepahaman tentang {{ nk.subject }} Nomor {{ nk.numbers_text }}"
        "{% if nk.signed_on %} tanggal {{ nk.signed_on }}{% endif %}, para pihak sepakat "
        "menyusun Perjanjian Kerja Sama ini."
    )
    add("{%p endif %}")
    add("{%p if amended %}")
    add(
        "Adendum ini mengubah {{ amended.title }}"
        "{% if amended.numbers_text %} Nomor {{ amended.numbers_text }}{% endif %}."
    )
    add("{%p endif %}")
    add("Yang bertanda tangan di bawah ini:")
    add("{%p for party in parties %}")
    add(
        "{{ loop.index }}. {{ party.signatory_name or '……………' }}, "
        "{{ party.signatory_title or '……………' }}, dalam hal ini bertindak untuk dan atas nama "
        "{{ party.name }}{% if party.signing_authority %} berdasarkan "
        "{{ party.signing_authority }}{% endif %}, selanjutnya disebut {{ party.role }}."
    )
    add("{%p endfor %}")
    add(
        "Para pihak sepakat mengadakan {{ heading|title }} tentang {{ subject }} dengan "
        "ketentuan sebagai berikut:"
    )
    _centred(document, "Pasal 1", bold=True)
    _centred(document, "RUANG LINGKUP", bold=True)
    add("Ruang lingkup {{ heading|title }} ini meliputi:")
    add("{%p for item in scope_items %}")
    add(
        "{{ item.number }}. {{ item.title }}"
        "{% if item.description %}: {{ item.description }}{% endif %};"
    )
    add("{%p endfor %}")
    _centred(document, "Pasal 2", bold=True)
    _centred(document, "JANGKA WAKTU", bold=True)
    add("{{ heading|title }} ini berlaku {{ validity }}.")
    _centred(document, "Pasal 3", bold=True)
    _centred(document, "PENUTUP", bold=True)
    add(
        "{{ heading|title }} ini dibuat dalam rangkap {{ parties|length }} asli, masing-masing "
        "bermeterai cukup dan mempunyai kekuatan hukum yang sama, untuk para pihak."
    )
    add("{%p for party in parties %}")
    add("{{ party.role }},")
    add("{{ party.name }}")
    add("")
    add("")
    add("{{ party.signatory_name or '……………' }}")
    add("{%p endfor %}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
