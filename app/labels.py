"""What the screens say: the Indonesian label of every enum value, in one place.

Exports, the calendar feed, reminder texts and the staff console all read `label(member)`;
none keeps a table of its own. Every StrEnum defined under `app/` has a complete table here
(tests/test_labels.py walks them all, so a new enum or value without a label fails the suite).

It sits beside `app/models.py`, not in `app/core/`: it imports the enums of every domain, and
`core` imports none.
"""

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from app.activities.models import Verification
from app.agreements.models import AgreementKind, AgreementStatus
from app.agreements.queries import AgreementSort
from app.compliance.models import Zone
from app.compliance.schemas import OutcomeAgreementState
from app.core.config import settings
from app.core.sheets import ExportFormat
from app.documents.models import DocumentType
from app.documents.signatures.verify import CheckOutcome, Coverage, Integrity, LaterChanges, Trust
from app.evaluations.models import Recommendation
from app.imports.columns import SheetKind
from app.imports.schemas import RowAction
from app.obligations.models import ObligationStatus, Recurrence
from app.organizations.models import OrganizationKind
from app.reminders.models import DeadlineType, ReminderStatus
from app.stages.schemas import StageTiming
from app.users.models import Role

E = TypeVar("E", bound=StrEnum)

LABELS: dict[type[StrEnum], Mapping[Any, str]] = {
    AgreementKind: {
        AgreementKind.nk: "NK",
        AgreementKind.pks: "PKS",
        AgreementKind.amendment: "Adendum",
    },
    AgreementStatus: {
        AgreementStatus.draft: "Draf",
        AgreementStatus.awaiting_signatures: "Menunggu penandatanganan",
        AgreementStatus.partially_signed: "Sebagian sudah menandatangani",
        AgreementStatus.signed: "Ditandatangani, belum berlaku",
        AgreementStatus.active: "Berlaku",
        AgreementStatus.expired: "Masa berlaku habis",
        AgreementStatus.terminated: "Diakhiri",
        AgreementStatus.superseded: "Diperpanjang (digantikan)",
        AgreementStatus.cancelled: "Dibatalkan",
    },
    AgreementSort: {
        AgreementSort.newest: "Terbaru didaftarkan",
        AgreementSort.valid_until: "Paling awal berakhir",
        AgreementSort.signed_on: "Terbaru ditandatangani",
        AgreementSort.alphabetical: "Judul (A–Z)",
    },
    ObligationStatus: {
        ObligationStatus.open: "Belum jatuh tempo",
        ObligationStatus.overdue: "Terlambat",
        ObligationStatus.done: "Selesai",
        ObligationStatus.waived: "Tidak diwajibkan lagi",
    },
    Recurrence: {
        Recurrence.none: "Sekali",
        Recurrence.monthly: "Bulanan",
        Recurrence.quarterly: "Triwulanan",
        Recurrence.semiannual: "Semesteran",
        Recurrence.annual: "Tahunan",
    },
    DeadlineType: {
        DeadlineType.obligation_due: "Jatuh tempo kewajiban",
        DeadlineType.agreement_expiry: "Berakhirnya masa berlaku",
        DeadlineType.pks_due: "Batas penandatanganan PKS",
        DeadlineType.planned_signing: "Rencana penandatanganan",
        DeadlineType.evaluation_due: "Evaluasi tahunan (monev)",
        DeadlineType.stage_due: "Batas waktu tahap",
    },
    DocumentType: {
        DocumentType.signed: "Naskah yang ditandatangani",
        DocumentType.application_letter: "Surat permohonan",
        DocumentType.draft: "Rancangan naskah (draf)",
        DocumentType.terms_of_reference: "KAK atau studi kelayakan",
        DocumentType.profile: "Profil",
        DocumentType.legal_standing: "Legal standing (dasar hukum)",
        DocumentType.power_of_attorney: "Surat kuasa",
        DocumentType.other: "Dokumen lain",
    },
    StageTiming: {
        StageTiming.on_time: "Dalam batas waktu",
        StageTiming.warning: "Batas waktu segera tiba",
        StageTiming.overdue: "Melewati batas waktu",
        StageTiming.no_limit: "Tanpa batas waktu",
    },
    ReminderStatus: {
        ReminderStatus.pending: "Menunggu dikirim",
        ReminderStatus.delivered: "Terkirim",
        ReminderStatus.failed: "Gagal dikirim (dicoba lagi)",
        ReminderStatus.undeliverable: "Tidak dapat dikirim (tanpa saluran)",
    },
    OrganizationKind: {
        OrganizationKind.state_institution: "Lembaga negara",
        OrganizationKind.regional_office: "Perwakilan",
        OrganizationKind.provincial_government: "Pemerintah provinsi",
        OrganizationKind.regency_government: "Pemerintah kabupaten",
        OrganizationKind.city_government: "Pemerintah kota",
        OrganizationKind.regional_agency: "Perangkat daerah (SKPD/OPD)",
        OrganizationKind.university: "Perguruan tinggi",
        OrganizationKind.other: "Lainnya",
    },
    Zone: {
        Zone.green: "Zona hijau (kepatuhan tinggi)",
        Zone.yellow: "Zona kuning (kepatuhan sedang)",
        Zone.red: "Zona merah (kepatuhan rendah)",
    },
    OutcomeAgreementState: {
        OutcomeAgreementState.in_force: "Berlaku",
        OutcomeAgreementState.signed_awaiting_others: "Ditandatangani, menunggu pihak lain",
        OutcomeAgreementState.none: "Tanpa perjanjian",
    },
    Verification: {
        Verification.pending: "Menunggu verifikasi",
        Verification.verified: "Terverifikasi",
        Verification.rejected: "Ditolak",
    },
    Recommendation: {
        Recommendation.continue_: "Dilanjutkan",
        Recommendation.extend: "Diperpanjang",
        Recommendation.revise: "Direvisi (adendum)",
        Recommendation.stop: "Dihentikan",
    },
    Role: {
        Role.admin: "Administrator",
        Role.editor: "Penyunting",
        Role.viewer: "Pembaca",
    },
    RowAction: {
        RowAction.create: "Baru",
        RowAction.exists: "Sudah ada",
        RowAction.error: "Ditolak",
    },
    SheetKind: {
        SheetKind.organizations: "Organisasi",
        SheetKind.agreements: "Perjanjian",
    },
    ExportFormat: {
        ExportFormat.xlsx: "Excel (.xlsx)",
        ExportFormat.csv: "CSV (.csv)",
    },
    # Electronic signatures of a PDF (tanda tangan elektronik).
    CheckOutcome: {
        CheckOutcome.verified: "Tanda tangan elektronik diperiksa",
        CheckOutcome.no_signatures: "Tidak memuat tanda tangan elektronik",
        CheckOutcome.cannot_verify: "Tanda tangan elektronik tidak dapat diperiksa",
    },
    Integrity: {
        Integrity.intact: "utuh",
        Integrity.modified: "diubah setelah ditandatangani",
    },
    Trust: {
        Trust.trusted: "tepercaya",
        Trust.untrusted: "tidak tepercaya",
        Trust.revoked: "sertifikat dicabut",
    },
    Coverage: {
        Coverage.entire_file: "seluruh berkas",
        Coverage.entire_revision: "seluruh revisinya (ada tambahan setelahnya)",
        Coverage.partial: "sebagian berkas saja",
    },
    LaterChanges: {
        LaterChanges.none: "tidak ada",
        LaterChanges.signature_upkeep: "hanya data validasi dan cap waktu",
        LaterChanges.form_filling: "tanda tangan lain atau isian formulir",
        LaterChanges.annotations: "anotasi atau komentar",
        LaterChanges.other: "isi dokumen diubah",
        LaterChanges.unknown: "tidak diketahui",
    },
}

# An SKPD without a PKS under the NK (coverage: the count `none`).
# The score of a monev (EvaluationCreate.score), as the form offers it.
MONEV_SCORES: Mapping[int, str] = {
    1: "1 — Tidak berjalan: tidak ada ruang lingkup yang dilaksanakan",
    2: "2 — Kurang: sebagian dilaksanakan, dengan kendala besar",
    3: "3 — Baik: dilaksanakan sesuai kesepakatan",
    4: "4 — Sangat baik: sesuai kesepakatan, dengan hasil terukur melebihinya",
}
NO_PKS = "Belum ada PKS"

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def label(member: StrEnum) -> str:
    """The Indonesian label of an enum value, as staff read it (`AgreementKind.amendment` →
    "Adendum")."""
    return LABELS[type(member)][member]


def labels_of(enum: type[E]) -> dict[E, str]:
    """Every value of an enum with its label, in the enum's order (for a choice list)."""
    return {member: label(member) for member in enum}


def day_text(day: date) -> str:
    """A date as written in an Indonesian letter: 3 Juli 2022."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def moment_text(moment: datetime) -> str:
    """A moment in the registry's time zone, as staff write it: 4 Juli 2022 pukul 10.15 WITA."""
    local = moment.astimezone(settings.zone)
    return f"{day_text(local.date())} pukul {local:%H.%M} {local.tzname()}"


def number_text(value: float | int, decimals: int = 2) -> str:
    """A number as Indonesian staff write it: a decimal comma and a thousands point, with at
    most `decimals` places and no trailing zeros (86,6; 1.024; 100)."""
    written = f"{value:,.{decimals}f}"
    if "." in written:
        written = written.rstrip("0").rstrip(".")
    return written.replace(",", "\0").replace(".", ",").replace("\0", ".")


# What a history entry's `action` says (GET …/history of agreements, organizations,
# obligations, activities, users), as staff read it on Riwayat and an agreement's page.
EVENT_ACTIONS: Mapping[str, str] = {
    "created": "Didaftarkan",
    "updated": "Diubah",
    "finalized": "Difinalisasi",
    "reopened": "Dibuka kembali",
    "signed": "Ditandatangani",
    "amended": "Diubah dengan adendum",
    "amendment_created": "Adendum didaftarkan",
    "renewed": "Diperpanjang",
    "relinked": "Dipindahkan ke NK pembaruan",
    "pks_derived": "PKS disusun dari NK",
    "pks_relinked": "PKS dipindahkan ke NK ini",
    "terminated": "Diakhiri",
    "cancelled": "Dibatalkan",
    "document_attached": "Dokumen dilampirkan",
    "stage_started": "Tahapan dimulai",
    "stage_advanced": "Lanjut ke tahap berikutnya",
    "stage_returned": "Kembali ke tahap sebelumnya",
    "signatures_verified": "Tanda tangan elektronik diperiksa ulang",
    "signature_confirmed_electronically": "Dikonfirmasi dari tanda tangan elektronik",
    "public_listing_set": "Tampilan di daftar publik diubah",
    "activity_reported": "Kegiatan dilaporkan",
    "activity_verified": "Laporan kegiatan diverifikasi",
    "activity_rejected": "Laporan kegiatan ditolak",
    "reported": "Dilaporkan",
    "verified": "Diverifikasi",
    "rejected": "Ditolak",
    "evidence_attached": "Bukti dilampirkan",
    "evaluated": "Evaluasi (monev) dicatat",
    "completed": "Diselesaikan",
    "waived": "Tidak diwajibkan lagi",
    "disabled": "Dinonaktifkan",
    "key_issued": "Kunci API diterbitkan",
    "key_revoked": "Kunci API dicabut",
    "password_set": "Kata sandi ditetapkan",
    "signed_in": "Masuk",
    "sign_in_failed": "Gagal masuk",
    "signed_out": "Keluar",
}


def action_text(action: str) -> str:
    """A history entry's action in Indonesian; an action without a label shows as recorded."""
    return EVENT_ACTIONS.get(action, action.replace("_", " "))


# The fields a history entry names (its `changes` and details), as staff read them.
FIELD_NAMES: Mapping[str, str] = {
    "title": "Judul",
    "description": "Uraian",
    "name": "Nama",
    "short_name": "Nama singkat",
    "kind": "Jenis",
    "email": "E-mail",
    "webhook_url": "Webhook",
    "role": "Peran",
    "active": "Aktif",
    "valid_from": "Berlaku sejak",
    "valid_until": "Berlaku sampai",
    "pks_due_on": "Batas penandatanganan PKS",
    "planned_signing_on": "Rencana penandatanganan",
    "drafted_on": "Tanggal penyusunan draf",
    "finalized_on": "Tanggal finalisasi",
    "was_finalized_on": "Semula difinalisasi",
    "signed_on": "Tanggal tanda tangan",
    "signatory_name": "Penandatangan",
    "signatory_title": "Jabatan penandatangan",
    "signing_authority": "Dasar kewenangan",
    "document_number": "Nomor",
    "pending_reason": "Alasan belum menandatangani",
    "organization_name": "Pihak",
    "parties": "Para pihak",
    "scope_items": "Ruang lingkup",
    "reason": "Alasan",
    "terminated_on": "Diakhiri sejak",
    "due_on": "Jatuh tempo",
    "recurrence": "Pengulangan",
    "repeat_until": "Berulang sampai",
    "status": "Status",
    "held_from": "Dilaksanakan sejak",
    "held_to": "Dilaksanakan sampai",
    "verdict": "Hasil verifikasi",
    "filename": "Nama berkas",
    "address": "Alamat",
    "period": "Periode",
    "score": "Nilai",
    "findings": "Temuan",
    "recommendation": "Rekomendasi",
    "from": "Kode tahap asal",
    "to": "Kode tahap tujuan",
    "stage": "Kode tahap",
    "on": "Sejak",
    "from_name": "Dari tahap",
    "to_name": "Ke tahap",
    "stage_name": "Tahap",
    "note": "Catatan",
    "document_type": "Jenis dokumen",
}


def field_text(name: str) -> str:
    """A recorded field's name in Indonesian; one without a label shows as recorded."""
    return FIELD_NAMES.get(name, name.replace("_", " "))


# What a refusal says on a console form (app/console/forms.py): for the problem types where staff
# need more than the type's title (PROBLEM_TITLES below, which names every type), a sentence
# saying what is wrong and what to do. Any other type says its title.
PROBLEM_TEXTS: Mapping[str, str] = {
    "forbidden": "Anda tidak berwenang melakukan ini.",
    "not-found": "Catatan ini tidak ada (lagi).",
    "agreement-not-found": "Perjanjian ini tidak ada (lagi).",
    "organization-not-found": "Organisasi ini tidak ada (lagi).",
    "unknown-organization": "Organisasi ini tidak dikenal.",
    "unknown-parent-agreement": "NK induk ini tidak dikenal.",
    "validation-error": "Periksa isian yang ditandai.",
    "rule-violation": "Isian ini melanggar aturan registri.",
    "conflict": "Perubahan ini bertentangan dengan keadaan catatan saat ini.",
    "concurrent-conflict": "Catatan yang sama diubah orang lain pada saat yang sama. Muat ulang "
    "halaman, lalu coba lagi.",
    "stale-version": "Catatan ini sudah diubah orang lain sejak Anda membukanya.",
    "not-a-draft": "Hanya draf yang dapat difinalisasi.",
    "cannot-reopen": "Hanya perjanjian yang belum ditandatangani satu pihak pun yang dapat "
    "dibuka kembali.",
    "cannot-cancel": "Hanya perjanjian yang belum ditandatangani satu pihak pun yang dapat "
    "dibatalkan; yang sudah ditandatangani diakhiri.",
    "not-open-for-signature": "Perjanjian ini tidak sedang menunggu penandatanganan.",
    "signer-not-a-party": "Organisasi ini bukan pihak perjanjian.",
    "already-signed": "Pihak ini sudah menandatangani.",
    "signature-in-future": "Tanggal tanda tangan tidak boleh setelah hari ini.",
    "esign-modified-after-signing": "Dokumen diubah setelah ditandatangani secara elektronik: "
    "dokumen yang diubah tidak pernah diterima sebagai ditandatangani.",
    "esign-signature-untrusted": "Sertifikat penanda tangan tidak berujung pada akar "
    "kepercayaan yang dipasang (mis. Root CA Indonesia dan BSrE).",
    "esign-signer-mismatch": "Nama pada sertifikat tidak sesuai dengan penanda tangan pihak ini "
    "yang tercatat.",
    "parent-not-signed": "PKS baru dapat ditandatangani setelah NK-nya ditandatangani semua pihak.",
    "signed-before-parent": "PKS tidak dapat ditandatangani sebelum tanggal tanda tangan NK-nya.",
    "signatures-refused": "Tidak ada tanda tangan yang dicatat: periksa baris yang ditandai.",
    "derive-refused": "Tidak ada PKS yang disusun: periksa SKPD yang ditandai.",
    "pks-already-held": "SKPD ini sudah memiliki PKS yang masih hidup di bawah NK ini.",
    "duplicate-document-number": "Nomor ini sudah dipakai pihak yang sama untuk dokumen lain.",
    "duplicate-party": "Satu organisasi hanya boleh sekali menjadi pihak.",
    "title-too-long": "Judul PKS untuk SKPD ini akan melebihi 500 karakter.",
    "too-few-parties": "Perjanjian memerlukan sedikitnya dua pihak.",
    "dates-of-record-order": "Urutan tanggal harus: penyusunan draf, finalisasi, tanda tangan "
    "pertama, hari ini.",
    "validity-order": "Tanggal mulai berlaku tidak boleh setelah tanggal berakhirnya.",
    "agreement-frozen": "Setelah finalisasi, judul, para pihak, ruang lingkup dan masa berlaku "
    "tidak dapat diubah lagi; buka kembali drafnya dahulu.",
    "not-finalized-yet": "Perjanjian ini masih draf dan belum memiliki tanggal finalisasi.",
    "pks-needs-parent": "PKS harus menyebut NK induknya.",
    "pks-parent-not-nk": "Induk PKS harus sebuah NK.",
    "nk-has-no-parent": "NK tidak memiliki induk.",
    "pks-party-outside-nk": "Setiap pihak PKS harus pihak NK-nya atau organisasi di bawahnya.",
    "pks-validity-outside-nk": "Masa berlaku PKS harus berada dalam masa berlaku NK-nya.",
    "party-outside-office-region": "Perwakilan hanya bekerja sama dengan pihak di provinsinya.",
    "not-an-nk": "Ini bukan NK.",
    "nk-only": "Hanya NK yang dapat melakukan ini.",
    "cannot-terminate": "Perjanjian ini tidak dapat diakhiri.",
    "terminated-before-signed": "Tanggal pengakhiran tidak boleh sebelum perjanjian "
    "ditandatangani.",
    "cannot-amend": "Perjanjian ini tidak dapat diubah dengan adendum.",
    "amendment-changes-nothing": "Adendum harus mengubah sesuatu: masa berlaku baru, atau butir "
    "ruang lingkup yang ditambah atau ditarik.",
    "amendment-past-nk": "Adendum PKS tidak boleh melewati masa berlaku NK-nya.",
    "scope-item-not-in-agreement": "Butir ini bukan ruang lingkup perjanjian yang berlaku.",
    "cannot-renew": "Perjanjian ini tidak dapat diperpanjang.",
    "already-renewed": "Perjanjian ini sudah diperpanjang; perpanjangannya ada di halamannya.",
    "not-a-renewed-nk": "NK yang dipilih bukan hasil perpanjangan NK lain: PKS hanya dapat "
    "dipindahkan ke perpanjangan NK-nya.",
    "relink-refused": "PKS tidak dipindahkan: NK yang dipilih harus perpanjangan NK-nya, dengan "
    "para pihak yang sesuai dan masa berlaku yang mencakup akhir PKS ini, dan SKPD-nya belum "
    "memegang PKS lain di bawah NK itu.",
    "agreement-ended": "Perjanjian ini sudah berakhir.",
    "agreement-cancelled": "Perjanjian ini sudah dibatalkan.",
    "obligation-rule": "Kewajiban ini melanggar aturan: jatuh tempo dalam masa berlaku "
    "perjanjian, penanggung jawab pihak perjanjian atau organisasi di bawahnya, pengulangan "
    "sampai tanggal setelah jatuh tempo.",
    "obligation-not-found": "Kewajiban ini tidak ada (lagi).",
    "obligation-closed": "Kewajiban ini sudah selesai atau dibebaskan.",
    "completed-in-future": "Tanggal selesai tidak boleh setelah hari ini.",
    "not-signed-yet": "Perjanjian ini belum ditandatangani semua pihak.",
    "adendum-goes-with-its-agreement": "Kegiatan dan evaluasi adendum dicatat pada perjanjian "
    "yang diubahnya.",
    "activity-dates": "Isi tanggal pelaksanaan, atau tanggal mulai dan selesai (selesai tidak "
    "sebelum mulai), tidak keduanya.",
    "activity-in-future": "Kegiatan dilaporkan setelah dilaksanakan: tanggalnya tidak boleh "
    "setelah hari ini.",
    "activity-before-signing": "Kegiatan tidak boleh sebelum perjanjian ditandatangani.",
    "activity-after-end": "Kegiatan tidak boleh setelah perjanjian berakhir.",
    "reporter-not-a-party": "Pelapor harus pihak perjanjian ini.",
    "unknown-scope-item": "Butir ini bukan ruang lingkup perjanjian yang berlaku pada tanggal "
    "kegiatan.",
    "obligation-of-another-agreement": "Kewajiban ini milik perjanjian lain.",
    "obligation-of-another-party": "Kewajiban ini milik pihak lain, bukan pihak yang melapor.",
    "activity-not-found": "Kegiatan ini tidak ada (lagi).",
    "same-verdict": "Kegiatan ini sudah berstatus demikian.",
    "verdict-given-meanwhile": "Pihak lain baru saja memberi putusan atas kegiatan ini. Muat "
    "ulang halaman.",
    "rejection-needs-note": "Penolakan memerlukan catatan: apa yang kurang.",
    "stage-documents-missing": "Dokumen wajib tahap ini belum lengkap: unggah dahulu dokumen "
    "yang ditandai belum ada, dengan jenis dokumennya, lalu lanjutkan lagi.",
    "stages-not-done": "Perjanjian ini masih dalam tahap sebelum finalisasi: lanjutkan dahulu "
    "tahapannya sampai finalisasi draf.",
    "document-too-large": "Berkas terlalu besar.",
    "document-type-not-allowed": "Hanya PDF atau gambar (PNG, JPEG, TIFF, WebP) yang diterima, "
    "dinilai dari isi berkasnya.",
    "evaluation-period-in-future": "Periode evaluasi tidak boleh setelah tahun ini.",
    "evaluation-before-signing": "Periode evaluasi tidak boleh sebelum perjanjian ditandatangani.",
    "duplicate-evaluation": "Periode ini sudah dievaluasi untuk perjanjian ini.",
    "duplicate-assessment": "Hasil penilaian organisasi ini untuk tahun itu sudah tercatat.",
    "import-refused": "Tidak ada yang diimpor: periksa kesalahan per baris.",
    "import-file-unreadable": "Berkas ini tidak dapat dibaca sebagai register (.xlsx atau .csv "
    "menurut templat).",
    "import-too-large": "Berkas ini melampaui batas impor.",
    "import-too-slow": "Berkas ini terlalu lama dibaca.",
    "idempotency-key-reused": "Formulir ini sudah dikirim dengan isi lain. Muat ulang halaman, "
    "lalu kirim lagi.",
    "idempotency-key-in-progress": "Formulir ini masih diproses. Tunggu sebentar, lalu muat "
    "ulang halaman.",
}
GENERIC_PROBLEM = "Permintaan ini ditolak oleh aturan registri."


def problem_text(type_slug: str) -> str:
    """What a refusal of this problem type says to staff, in Indonesian."""
    return PROBLEM_TEXTS.get(type_slug) or PROBLEM_TITLES.get(type_slug) or GENERIC_PROBLEM


# What a field's rule says when a form value breaks it: the validation error's type (pydantic's
# `type`) in Indonesian; `{…}` are filled from the error's context (its limits).
FIELD_RULE_TEXTS: Mapping[str, str] = {
    "missing": "Wajib diisi.",
    "string_too_short": "Wajib diisi.",
    "string_type": "Wajib diisi.",  # a form sends an empty text as "not given"
    "string_too_long": "Terlalu panjang: paling banyak {max_length} karakter.",
    "string_pattern_mismatch": "Mengandung karakter yang tidak diizinkan.",
    "date_from_datetime_parsing": "Tulis tanggal sebagai TTTT-BB-HH, mis. 2022-07-04.",
    "date_parsing": "Tulis tanggal sebagai TTTT-BB-HH, mis. 2022-07-04.",
    "date_type": "Tulis tanggal sebagai TTTT-BB-HH, mis. 2022-07-04.",
    "int_parsing": "Tulis bilangan bulat.",
    "float_parsing": "Tulis angka, mis. 86,6.",
    "int_from_float": "Tulis bilangan bulat.",
    "int_type": "Pilih dari daftar.",
    "greater_than_equal": "Paling kecil {ge}.",
    "less_than_equal": "Paling besar {le}.",
    "too_short": "Pilih sedikitnya {min_length}.",
    "too_long": "Paling banyak {max_length}.",
    "enum": "Pilih salah satu pilihan yang ada.",
    "bool_type": "Pilih ya atau tidak.",
    "value_error": "Isian ini tidak sah.",
    "extra_forbidden": "Isian ini tidak dikenal.",
    "choose": "Pilih dari daftar.",
    # A party named in a form (app/console/pages/perjanjian_daftar.py).
    "unknown_name": "Tidak ada organisasi bernama “{name}”: pilih dari saran.",
    "ambiguous_name": "Ada {count} organisasi bernama “{name}”: pilih salah satu di bawah.",
    # Passwords on Akun saya and Pengguna (app/console/pages/akun.py, pengguna.py).
    "wrong_password": "Kata sandi saat ini salah.",
    "password_mismatch": "Tidak sama dengan kata sandi baru.",
    # An NK named by its number or title (app/console/pages/perjanjian_tulis.py, moving a PKS).
    "unknown_nk": "Tidak ada NK bernomor atau berjudul “{name}”.",
    "ambiguous_nk": "Ada {count} NK bernomor atau berjudul “{name}”: tulis nomornya.",
}


def field_rule_text(error_type: str, context: Mapping[str, Any] | None = None) -> str:
    """A validation error of one field, in Indonesian (a rule of the registry checked by a
    schema, `registry_rule:<slug>`, says its problem's text)."""
    if error_type.startswith("registry_rule:"):
        return problem_text(error_type.removeprefix("registry_rule:"))
    text = FIELD_RULE_TEXTS.get(error_type, "Isian ini tidak sah.")
    # A limit of 100.0 reads as 100.
    values = {
        k: int(v) if isinstance(v, float) and v.is_integer() else v
        for k, v in (context or {}).items()
    }
    try:
        return text.format(**values)
    except (KeyError, IndexError):
        return text


# The Indonesian title of every problem type (the slug of `/problems/<slug>` in an error answer),
# as the console's error page and the field messages of its forms say it. tests/test_labels.py
# walks every slug the code can answer with, so a new rule without its title fails the suite.
PROBLEM_TITLES: Mapping[str, str] = {
    # General answers (app/core/errors.py and the middleware).
    "bad-request": "Permintaan tidak dapat diproses",
    "not-found": "Tidak ditemukan",
    "conflict": "Bertentangan dengan keadaan data saat ini",
    "rule-violation": "Aturan registri tidak terpenuhi",
    "unauthorized": "Belum masuk atau kunci API tidak sah",
    "forbidden": "Anda tidak berhak melakukan ini",
    "not-ready": "Layanan belum siap",
    "too-many-requests": "Terlalu banyak permintaan; tunggu sebentar",
    "validation-error": "Isian tidak sah",
    "invalid-json": "Isi permintaan bukan JSON yang sah",
    "invalid-body": "Isi permintaan tidak dapat dibaca",
    "invalid-cursor": "Penanda halaman berikutnya (cursor) tidak sah",
    "method-not-allowed": "Cara permintaan ini tidak dilayani di alamat ini",
    "body-too-large": "Isi permintaan terlalu besar",
    "http-error": "Permintaan tidak dapat dilayani",
    "concurrent-conflict": "Bertabrakan dengan perubahan lain pada saat yang sama",
    "stale-version": "Data sudah diubah orang lain; muat ulang lalu coba lagi",
    "database-busy": "Layanan sedang sibuk; coba lagi sebentar lagi",
    "database-unavailable": "Basis data tidak dapat dihubungi; coba lagi nanti",
    "internal-error": "Terjadi kesalahan pada sistem",
    "unknown-query-parameter": "Parameter alamat tidak dikenal",
    "metrics-token-required": "Token metrik diperlukan",
    "idempotency-key-invalid": "Idempotency-Key tidak sah",
    "idempotency-key-reused": "Idempotency-Key sudah dipakai untuk permintaan lain",
    "idempotency-key-in-progress": "Permintaan dengan Idempotency-Key ini masih diproses",
    # Not found.
    "agreement-not-found": "Perjanjian tidak ditemukan",
    "organization-not-found": "Organisasi tidak ditemukan",
    "obligation-not-found": "Kewajiban tidak ditemukan",
    "activity-not-found": "Laporan kegiatan tidak ditemukan",
    "document-not-found": "Dokumen tidak ditemukan",
    "document-file-missing": "Berkas dokumen tidak ada di penyimpanan",
    "final-draft-not-found": "Naskah final belum tersimpan",
    # Drafts from templates.
    "draft-template-too-large": "Templat draf terlalu besar",
    "draft-template-not-docx": "Templat draf bukan dokumen Word (.docx)",
    "draft-template-invalid": "Templat draf tidak dapat dipakai",
    "assessment-not-found": "Hasil penilaian kepatuhan tidak ditemukan",
    "user-not-found": "Pengguna tidak ditemukan",
    "api-key-not-found": "Kunci API tidak ditemukan",
    # Organizations and users.
    "duplicate-organization-name": "Nama organisasi sudah terdaftar",
    "unknown-organization": "Organisasi tidak dikenal",
    "unknown-parent-organization": "Organisasi induk tidak dikenal",
    "organization-parent-cycle": "Organisasi tidak dapat menjadi induk dirinya sendiri",
    "organization-move-refused": "Organisasi tidak boleh dipindahkan ke sana",
    "acts-for-parent-without-parent": "Bertindak untuk induk, tetapi tidak punya induk",
    "region-not-a-province": "Wilayah harus pemerintah provinsi",
    "webhook-target-refused": "Alamat webhook tidak diizinkan",
    "admin-only-field": "Isian ini hanya boleh diubah administrator",
    "duplicate-user-email": "E-mail pengguna sudah terdaftar",
    "user-rule": "Data pengguna tidak memenuhi aturan",
    "last-admin": "Administrator terakhir tidak boleh dinonaktifkan",
    "not-admin": "Pengguna ini bukan administrator aktif",
    "key-expired-already": "Tanggal kedaluwarsa kunci sudah lewat",
    "password-rule": "Kata sandi tidak memenuhi aturan",
    # Agreements: parties, validity, lifecycle.
    "too-few-parties": "Perjanjian memerlukan sedikitnya dua pihak",
    "duplicate-party": "Pihak yang sama disebut dua kali",
    "duplicate-document-number": "Nomor ini sudah dipakai pihak yang sama",
    "pks-party-outside-nk": "Pihak PKS harus berada di bawah pihak NK",
    "pks-already-held": "SKPD ini sudah memegang PKS di bawah NK ini",
    "party-outside-office-region": "Pihak berada di luar wilayah perwakilan",
    "regional-office-without-region": "Perwakilan belum punya wilayah",
    "nk-has-no-parent": "NK tidak berada di bawah perjanjian lain",
    "pks-needs-parent": "PKS harus berada di bawah sebuah NK",
    "pks-parent-not-nk": "Induk PKS harus sebuah NK",
    "unknown-parent-agreement": "NK induk tidak dikenal",
    "pks-validity-outside-nk": "Masa berlaku PKS melampaui masa berlaku NK-nya",
    "pks-due-on-nk-only": "Batas penandatanganan PKS hanya untuk NK",
    "validity-order": "Tanggal akhir berlaku sebelum tanggal mulai",
    "dates-of-record-order": "Urutan tanggal penyusunan, finalisasi dan tanda tangan keliru",
    "not-signed-yet": "Perjanjian belum ditandatangani",
    "not-finalized-yet": "Perjanjian belum difinalisasi",
    "not-a-draft": "Perjanjian ini bukan draf lagi",
    "agreement-frozen": "Isian ini tidak dapat diubah lagi setelah finalisasi",
    "agreement-cancelled": "Perjanjian sudah dibatalkan",
    "agreement-ended": "Perjanjian sudah berakhir",
    "cannot-reopen": "Perjanjian tidak dapat dibuka kembali",
    "cannot-cancel": "Perjanjian tidak dapat dibatalkan",
    "cannot-terminate": "Perjanjian tidak dapat diakhiri",
    "terminated-before-signed": "Tanggal pengakhiran sebelum tanggal tanda tangan",
    "not-open-for-signature": "Perjanjian belum terbuka untuk ditandatangani",
    "already-signed": "Pihak ini sudah menandatangani",
    "signature-in-future": "Tanggal tanda tangan belum tiba",
    "signatures-refused": "Tanda tangan tidak dicatat",
    "signed-before-parent": "PKS ditandatangani sebelum NK-nya",
    "parent-not-signed": "NK induk belum ditandatangani",
    "not-an-nk": "Perjanjian ini bukan NK",
    "nk-only": "Hanya untuk NK",
    "derive-refused": "PKS tidak disusun",
    "scope-item-not-in-nk": "Ruang lingkup ini tidak ada di NK",
    # Amendments and renewal.
    "amendment-via-its-agreement": "Adendum dibuat dari perjanjian yang diubahnya",
    "adendum-goes-with-its-agreement": "Adendum mengikuti perjanjian yang diubahnya",
    "amendment-has-no-parent": "Adendum tidak berada di bawah NK",
    "amendment-parties-fixed": "Para pihak adendum mengikuti perjanjiannya",
    "amendment-past-nk": "Adendum melampaui masa berlaku NK",
    "amendment-changes-nothing": "Adendum tidak mengubah apa pun",
    "cannot-amend": "Perjanjian ini tidak dapat diubah dengan adendum",
    "scope-item-not-in-agreement": "Ruang lingkup ini tidak ada di perjanjian",
    "signer-not-a-party": "Penanda tangan bukan pihak perjanjian",
    "cannot-renew": "Perjanjian ini tidak dapat diperpanjang",
    "already-renewed": "Perjanjian ini sudah diperpanjang",
    "not-a-renewed-nk": "NK ini bukan hasil perpanjangan",
    "relink-refused": "PKS tidak dipindahkan",
    # Obligations, activities, evaluations, compliance.
    "obligation-rule": "Kewajiban tidak memenuhi aturan",
    "obligation-closed": "Kewajiban sudah selesai atau tidak diwajibkan lagi",
    "completed-in-future": "Tanggal selesai belum tiba",
    "obligation-of-another-agreement": "Kewajiban ini milik perjanjian lain",
    "obligation-of-another-party": "Kewajiban ini milik pihak lain",
    "activity-dates": "Tanggal kegiatan tidak sah",
    "activity-in-future": "Kegiatan belum terlaksana",
    "activity-before-signing": "Kegiatan sebelum perjanjian ditandatangani",
    "activity-after-end": "Kegiatan setelah perjanjian berakhir",
    "reporter-not-a-party": "Pelapor bukan pihak perjanjian",
    "unknown-scope-item": "Ruang lingkup tidak dikenal",
    "rejection-needs-note": "Penolakan memerlukan catatan",
    "same-verdict": "Laporan ini sudah diverifikasi demikian",
    "verdict-given-meanwhile": "Laporan ini baru saja diverifikasi orang lain",
    "evaluation-period-in-future": "Periode evaluasi belum berakhir",
    "evaluation-before-signing": "Evaluasi sebelum perjanjian ditandatangani",
    "duplicate-evaluation": "Evaluasi periode ini sudah dicatat",
    "duplicate-assessment": "Penilaian tahun ini sudah dicatat",
    "bad-year-span": "Rentang tahun tidak sah",
    # Documents.
    "document-too-large": "Dokumen terlalu besar",
    "document-type-not-allowed": "Jenis berkas dokumen tidak diizinkan",
    # Stages before the draft (tahapan).
    "stage-not-found": "Tahap tidak dikenal",
    "lifecycle-stage-fixed": "Tahap finalisasi dan penandatanganan tidak dapat dinonaktifkan",
    "stage-documents-missing": "Dokumen wajib tahap ini belum lengkap",
    "not-in-stages": "Perjanjian ini tidak melalui tahapan",
    "stage-not-movable": "Tahap ini ditinggalkan lewat finalisasi atau tanda tangan",
    "stages-already-started": "Tahapan perjanjian ini sudah dimulai",
    "stage-day-in-future": "Tanggal mulai tahapan belum tiba",
    "no-earlier-stage": "Tidak ada tahap sebelumnya",
    "stages-not-done": "Tahapan sebelum finalisasi belum selesai",
    # Electronic signatures (tanda tangan elektronik) of a document.
    "esign-not-a-pdf": "Hanya PDF yang memuat tanda tangan elektronik",
    "esign-signature-not-found": "Tanda tangan elektronik tidak ditemukan",
    "esign-modified-after-signing": "Dokumen diubah setelah ditandatangani",
    "esign-signature-untrusted": "Tanda tangan elektronik tidak tepercaya",
    "esign-signer-mismatch": "Penanda tangan elektronik bukan penanda tangan pihak ini",
    "esign-signature-used": "Tanda tangan elektronik ini sudah mengonfirmasi pihak lain",
    # Deadlines and reminders.
    "window-order": "Tanggal akhir rentang sebelum tanggal awalnya",
    "window-too-long": "Rentang tanggal terlalu panjang",
    "as-of-twice": "Tanggal acuan disebut dua kali",
    "reminder-run-in-future": "Pengingat tidak dapat dijalankan untuk tanggal mendatang",
    "reminder-preview-not-allowed": "Anda tidak berhak melihat pengingat organisasi ini",
    # Imports (a row's problem in a workbook).
    "import-refused": "Impor ditolak; tidak ada yang disimpan",
    "import-too-large": "Berkas impor terlalu besar",
    "import-too-slow": "Berkas impor terlalu lama dibaca",
    "import-file-unreadable": "Berkas impor tidak dapat dibaca",
    "bad-date": "Tanggal tidak terbaca",
    "bad-value": "Nilai tidak dikenal",
    "missing-value": "Isian wajib kosong",
    "missing-number": "Nomor perjanjian kosong",
    "unknown-parent": "Induk tidak dikenal",
    "inconsistent-rows": "Baris-baris perjanjian yang sama tidak sesuai",
    "numbers-of-several-agreements": "Nomor-nomor ini milik perjanjian yang berbeda",
}


def problem_title(slug: str) -> str:
    """A problem type's title in Indonesian (`agreement-not-found` → "Perjanjian tidak
    ditemukan"); a slug without one (none, by the test) reads as the general answer."""
    return PROBLEM_TITLES.get(slug, PROBLEM_TITLES["bad-request"])
