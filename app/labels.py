"""What the screens say: the Indonesian label of every enum value, in one place.

Exports, the calendar feed, reminder texts and the staff console all read `label(member)`;
none keeps a table of its own. Every StrEnum defined under `app/` has a complete table here
(tests/test_labels.py walks them all, so a new enum or value without a label fails the suite).

It sits beside `app/models.py`, not in `app/core/`: it imports the enums of every domain, and
`core` imports none.
"""

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from app.activities.models import Verification
from app.agreements.models import AgreementKind, AgreementStatus
from app.agreements.queries import AgreementSort
from app.compliance.models import Zone
from app.compliance.schemas import OutcomeAgreementState
from app.core.sheets import ExportFormat
from app.evaluations.models import Recommendation
from app.imports.columns import SheetKind
from app.imports.schemas import RowAction
from app.obligations.models import ObligationStatus, Recurrence
from app.organizations.models import OrganizationKind
from app.reminders.models import DeadlineType, ReminderStatus
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
}

# An SKPD without a PKS under the NK (coverage: the count `none`).
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
}


def field_text(name: str) -> str:
    """A recorded field's name in Indonesian; one without a label shows as recorded."""
    return FIELD_NAMES.get(name, name.replace("_", " "))
