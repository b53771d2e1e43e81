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
