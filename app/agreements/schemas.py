"""Request and response bodies for agreements (NK, PKS), parties, signatures and scope."""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from app.agreements.models import AgreementKind, AgreementStatus
from app.core.openapi import examples_with_nulls
from app.core.schemas import (
    AuthorityText,
    Day,
    Flag,
    Id,
    LongText,
    Name,
    Reason,
    RequestBody,
    ShortText,
    Title,
    Version,
)


class PartyIn(RequestBody):
    """One party (pihak) and the number it gave the document in its own letter book."""

    organization_id: Id
    document_number: ShortText | None = Field(
        default=None,
        description="The number this party gave the document, e.g. '30/ORI-MoU/X/2021' "
        "(Ombudsman RI) or '053/NK-PEMOTDA/2021' (Pemprov Kalsel). May be filled in later.",
    )
    signatory_name: Name | None = None
    signatory_title: Name | None = None
    signing_authority: AuthorityText | None = Field(
        default=None,
        description="By what authority the signatory signs, e.g. the surat kuasa by which a "
        "Kepala Dinas signs a PKS for the Governor.",
    )
    pending_reason: AuthorityText | None = Field(
        default=None,
        description="Why this party has not signed yet, e.g. Kotawaringin Barat on the Kalteng "
        "joint NK: 'masih ada beberapa penyesuaian yang perlu disepakati'. Cleared when it signs.",
    )


class ScopeItemIn(RequestBody):
    """One item of the ruang lingkup (scope), in the order given."""

    title: Title
    description: LongText | None = None


DRAFTED_ON_HELP = (
    "Tanggal penyusunan draft: since when the agreement is known (its drafting began), a date of "
    "record given by staff; records are often entered long after the fact. Reads as of a past "
    "day (coverage `as_of`) count the agreement from this day, never from when it was "
    "registered here. Not in the future, not after the day of finalisasi or the first signature."
)
FINALIZED_ON_HELP = (
    "Tanggal finalisasi draft: the day the parties agreed the final text, a date of record. "
    "From this day a past-day read shows the agreement awaiting signatures. Not in the future, "
    "not before drafted_on, not after the first signature (a signature dated earlier moves it "
    "back to that day, noted in the history)."
)


class AgreementCreate(RequestBody):
    """A new NK or PKS, created as a draft."""

    kind: AgreementKind = Field(description="`nk` (Nota Kesepahaman / MoU) or `pks`.")
    title: Title
    description: LongText | None = None
    parent_id: Id | None = Field(
        default=None, description="For a PKS: the NK it is derived from. An NK has none."
    )
    valid_from: Day | None = Field(
        default=None, description="Start of validity (jangka waktu); empty: from signing."
    )
    valid_until: Day | None = Field(default=None, description="End of validity; empty: unknown.")
    pks_due_on: Day | None = Field(
        default=None,
        description="For an NK: the date by which its PKS should be signed; after it, SKPD "
        "without a signed PKS are marked overdue in coverage.",
    )
    planned_signing_on: Day | None = Field(
        default=None,
        description="When the parties plan to sign; once it passes with a signature missing, "
        "it shows in the deadlines (and reminders) of the parties that have not signed.",
    )
    drafted_on: Day | None = Field(
        default=None, description=DRAFTED_ON_HELP + " Empty: today (tanggal pencatatan)."
    )
    parties: list[PartyIn] = Field(
        min_length=2, max_length=1000, description="At least two parties, each once."
    )
    scope_items: list[ScopeItemIn] = Field(
        default_factory=list, max_length=500, description="Ruang lingkup, in order."
    )


def _refuse_null(data: Any, fields: tuple[str, ...]) -> Any:
    if isinstance(data, dict):
        for field in fields:
            if field in data and data[field] is None:
                raise ValueError(f"{field} cannot be null")
    return data


class AgreementUpdate(RequestBody):
    """Fields to change, with the `version` you read; fields left out stay as they are.

    `parties` and `scope_items`, when given, replace the whole list. After finalisasi only each
    unsigned party's number and signatory may change.
    """

    version: Version
    title: Title | SkipJsonSchema[None] = None
    description: LongText | None = None
    parent_id: Id | None = None
    valid_from: Day | None = None
    valid_until: Day | None = None
    pks_due_on: Day | None = None
    planned_signing_on: Day | None = None
    drafted_on: Day | SkipJsonSchema[None] = Field(
        default=None,
        description=DRAFTED_ON_HELP + " Correctable in any status but cancelled; the history "
        "keeps the old value.",
    )
    finalized_on: Day | SkipJsonSchema[None] = Field(
        default=None,
        description=FINALIZED_ON_HELP + " Correctable once finalised (a draft has none: use "
        "finalize); the history keeps the old value.",
    )
    parties: (
        Annotated[list[PartyIn], Field(min_length=2, max_length=1000)] | SkipJsonSchema[None]
    ) = None
    scope_items: Annotated[list[ScopeItemIn], Field(max_length=500)] | SkipJsonSchema[None] = None

    @model_validator(mode="before")
    @classmethod
    def _required_fields_not_null(cls, data: Any) -> Any:
        return _refuse_null(
            data, ("title", "parties", "scope_items", "version", "drafted_on", "finalized_on")
        )


class FinalizeIn(RequestBody):
    """Finalisasi draft, with the day it happened if not today."""

    finalized_on: Day | None = Field(default=None, description=FINALIZED_ON_HELP + " Empty: today.")


class SignatureIn(RequestBody):
    """One party's signature (penandatanganan)."""

    organization_id: Id = Field(description="The party that signs.")
    signed_on: Day | None = Field(
        description="The day it signed; null when the source says the party signed but not "
        "when (e.g. the Kalteng joint NK). Not in the future."
    )
    signatory_name: Name | None = None
    signatory_title: Name | None = None
    document_number: ShortText | None = Field(
        default=None, description="The number this party gave the document, if not yet recorded."
    )


BULK_SIGNATURES_MAX = 1000


class BulkSignatureItem(RequestBody):
    """One party's signature of one PKS, in a bulk signing."""

    agreement_id: Id = Field(description="A PKS of the NK in the path.")
    organization_id: Id = Field(description="The party that signs.")
    signatory_name: Name | None = None
    signatory_title: Name | None = None
    document_number: ShortText | None = Field(
        default=None, description="The number this party gave the document, if not yet recorded."
    )


class BulkSignatureIn(RequestBody):
    """One morning's signatures of PKS under one NK (e.g. the 21 Kalsel PKS on 4 July 2022)."""

    signed_on: Day | None = Field(
        description="The day they signed; null when the source says they signed but not when. "
        "Not in the future."
    )
    signatures: list[BulkSignatureItem] = Field(
        min_length=1, max_length=BULK_SIGNATURES_MAX, description="At most 1,000."
    )


class PartyPublic(BaseModel):
    """A party with its number and signature."""

    organization_id: int
    organization_name: str
    position: int
    document_number: str | None
    signatory_name: str | None
    signatory_title: str | None
    signing_authority: str | None
    pending_reason: str | None = Field(description="Why it has not signed yet, if said.")
    signed: bool
    signed_on: date | None
    signature_recorded_at: datetime | None


class ScopeItemPublic(BaseModel):
    """One item of the ruang lingkup."""

    id: int
    position: int
    title: str
    description: str | None
    source_item_id: int | None = Field(description="For a PKS item: the NK item it came from.")
    from_nk: bool = Field(description="Whether this item was copied from the NK.")
    added_by_amendment_id: int | None = Field(
        default=None, description="Set when an amendment in effect added this item."
    )


class AgreementSummary(BaseModel):
    """Another agreement, in brief."""

    id: int
    title: str
    status: AgreementStatus


class BulkSignatureResult(BaseModel):
    """The PKS signed, each with its status now."""

    signed_on: date | None
    recorded: int = Field(description="How many signatures were recorded.")
    agreements: list[AgreementSummary]


class AgreementWarning(BaseModel):
    """Something staff should look at; not an error."""

    code: str
    message: str


class AgreementPublic(BaseModel):
    """An NK or a PKS with its parties, scope and derived status."""

    id: int
    kind: AgreementKind
    status: AgreementStatus
    title: str
    description: str | None
    parent_id: int | None
    parent: AgreementSummary | None = Field(description="For a PKS: its NK.")
    amends_id: int | None = Field(description="For an amendment: the agreement it amends.")
    supersedes_id: int | None = Field(description="The agreement this one renews.")
    superseded_by_id: int | None = Field(description="The renewal of this agreement.")
    children_count: int | None = Field(description="For an NK: how many PKS it has.")
    valid_from: date | None
    valid_until: date | None = Field(description="As amended by the amendments in effect.")
    valid_until_as_signed: date | None = Field(description="As the agreement itself says.")
    pks_due_on: date | None
    planned_signing_on: date | None = Field(description="When the parties plan to sign.")
    signed_on: date | None = Field(description="The day the last party signed; null until all.")
    terminated_on: date | None
    termination_reason: str | None
    cancelled_at: datetime | None = Field(description="Withdrawn before anyone signed.")
    cancellation_reason: str | None
    finalized_at: datetime | None = Field(
        description="When the finalisasi was recorded here (not its day: see finalized_on)."
    )
    drafted_on: date = Field(description=DRAFTED_ON_HELP)
    finalized_on: date | None = Field(description=FINALIZED_ON_HELP + " Null while in draft.")
    final_text_sha256: str | None = Field(
        description="SHA-256 of the final text (naskah final): the draft as rendered from its "
        "kind's template at finalisasi, kept as `GET …/final-draft.docx`, so that the copy the "
        "parties signed can be compared with it. Null in draft, for agreements finalised "
        "before drafts were rendered, and for finalisations recorded by an import or the seeds "
        "(agreed outside the registry)."
    )
    public_listing: bool = Field(
        description="Shown in the public list (daftar publik, keterbukaan informasi publik) "
        "once signed: `POST …/public-listing`. Off by default."
    )
    version: int
    created_at: datetime = Field(
        description="When the record was entered here; past-day reads never use it."
    )
    updated_at: datetime
    parties: list[PartyPublic]
    scope_items: list[ScopeItemPublic] = Field(
        description="The ruang lingkup in effect: as signed, less items withdrawn and plus items "
        "added by amendments in effect."
    )
    amendments: list["AmendmentSummary"]
    warnings: list[AgreementWarning]


KALSEL_SCOPE = [
    "Percepatan penanganan dan penyelesaian laporan masyarakat",
    "Pencegahan maladministrasi",
    "Pengawasan penyelenggaraan pelayanan publik yang diselenggarakan Pemerintah Provinsi "
    "Kalimantan Selatan",
    "Pertukaran informasi/data sesuai ketentuan peraturan perundang-undangan",
    "Peningkatan dan pengembangan kompetensi SDM terkait peningkatan kualitas layanan publik",
    "Pendampingan secara berkala dalam peningkatan kualitas layanan publik",
]

# Examples run as they are on a freshly seeded database (`make run`): ids 1 Ombudsman RI,
# 2 its Perwakilan Kalsel, 4 Pemprov Kalsel, 5 its Biro Pemerintahan dan Kerja Sama (no PKS yet),
# 12 Diskominfo Kalsel, 35 Pemkab Kotabaru, 48 Pemkab Kotawaringin Barat; agreement 1 the Kalsel
# NK of 2021, 3 the Kalteng joint NK, 4 the Inspektorat's PKS. tests/test_openapi_examples.py
# executes each one. "x-expected-status" marks an example that shows a refusal.
AGREEMENT_CREATE_EXAMPLES: dict[str, dict[str, Any]] = {
    "nk_kotabaru": {
        "summary": "NK Ombudsman RI – Pemerintah Kabupaten Kotabaru (numbers not known yet)",
        "value": {
            "kind": "nk",
            "title": "Nota Kesepakatan Ombudsman Republik Indonesia dan Pemerintah Kabupaten "
            "Kotabaru tentang Peningkatan Kualitas Pelayanan Publik",
            "parties": [{"organization_id": 1}, {"organization_id": 35}],
            "scope_items": [
                {"title": "Pencegahan maladministrasi"},
                {"title": "Koordinasi penyelesaian laporan"},
            ],
        },
    },
    "pks_biro": {
        "summary": "PKS Perwakilan Kalsel – Biro Pemerintahan dan Kerja Sama under the 2021 NK",
        "value": {
            "kind": "pks",
            "title": "Perjanjian Kerja Sama Ombudsman RI Perwakilan Provinsi Kalimantan Selatan "
            "dengan Biro Pemerintahan dan Kerja Sama Setda Provinsi Kalimantan Selatan",
            "parent_id": 1,
            "parties": [
                {"organization_id": 2, "signatory_name": "Hadi Rahman"},
                {"organization_id": 5},
            ],
            "scope_items": [{"title": t} for t in KALSEL_SCOPE[:2]],
        },
    },
    "second_pks_refused": {
        "summary": "A second PKS for Diskominfo under the same NK is refused (409)",
        "x-expected-status": 409,
        "value": {
            "kind": "pks",
            "title": "PKS kedua Diskominfo Kalsel",
            "parent_id": 1,
            "parties": [{"organization_id": 2}, {"organization_id": 12}],
        },
    },
}

AGREEMENT_UPDATE_EXAMPLES: dict[str, dict[str, Any]] = {
    "description": {
        "summary": "Add a note to the Kalsel NK (send the version you read)",
        "value": {
            "version": 4,
            "description": "Nota Kesepahaman tertanggal 28 Oktober 2021; naskah asli di Biro "
            "Pemerintahan dan Kerja Sama Setda Provinsi Kalimantan Selatan.",
        },
    },
    "dates_of_record": {
        "summary": "Correct a date of record from the archive: drafting (penyusunan draft) "
        "began on 1 October 2021 (the history keeps the old day)",
        "value": {"version": 4, "drafted_on": "2021-10-01"},
    },
    "dates_out_of_order": {
        "summary": "A finalisasi after the first signature (28 October 2021) is refused (422)",
        "x-expected-status": 422,
        "value": {"version": 4, "finalized_on": "2021-11-01"},
    },
    "stale": {
        "summary": "A version someone else has already changed is refused (409)",
        "x-expected-status": 409,
        "value": {"version": 1, "description": "Catatan"},
    },
}

SIGNATURE_EXAMPLES: dict[str, dict[str, Any]] = examples_with_nulls(
    {
        "undated": {
            "summary": "Kotawaringin Barat signs the Kalteng joint NK; the date is not known",
            "value": {"organization_id": 48, "signed_on": None},
        },
        "dated": {
            "summary": "Kotawaringin Barat signs the Kalteng joint NK on a given day",
            "value": {
                "organization_id": 48,
                "signed_on": "2024-03-01",
                "signatory_name": "Nama Bupati",
                "signatory_title": "Bupati Kotawaringin Barat",
            },
        },
    }
)

BULK_SIGNATURE_EXAMPLES: dict[str, dict[str, Any]] = examples_with_nulls(
    {
        "kalsel_morning": {
            "summary": "The Perwakilan and two SKPD sign their PKS on 4 July 2022 (seeded: "
            "already signed, so 422 naming each entry)",
            "x-expected-status": 422,
            "value": {
                "signed_on": "2022-07-04",
                "signatures": [
                    {"agreement_id": 4, "organization_id": 2},
                    {"agreement_id": 4, "organization_id": 6, "signatory_name": "Nama Inspektur"},
                    {"agreement_id": 10, "organization_id": 12},
                ],
            },
        },
    }
)

CANCEL_EXAMPLES: dict[str, dict[str, Any]] = {
    "stray_draft": {
        "summary": "Withdraw a mistaken draft (the seeded agreements are all signed: 409 here)",
        "x-expected-status": 409,
        "value": {"reason": "Draf ganda: PKS untuk SKPD ini sudah ada"},
    }
}

TERMINATE_EXAMPLES: dict[str, dict[str, Any]] = {
    "pks": {
        "summary": "End the Inspektorat's PKS early",
        "value": {
            "terminated_on": "2026-01-27",
            "reason": "Digantikan oleh Perjanjian Kerja Sama baru setelah Nota Kesepahaman 2026",
        },
    }
}

AMENDMENT_EXAMPLES: dict[str, dict[str, Any]] = {
    "extend": {
        "summary": "Extend the Inspektorat's PKS and add an item to its ruang lingkup",
        "value": {
            "title": "Adendum PKS Ombudsman RI Perwakilan Kalsel – Inspektorat",
            "valid_until": "2027-07-03",
            "scope_items_added": [{"title": "Integrasi pengaduan dengan Ombudsman"}],
        },
    }
}


class TerminateIn(RequestBody):
    """End an agreement early (pengakhiran)."""

    terminated_on: Day = Field(description="From this day the agreement is terminated.")
    reason: Reason
    cascade: Flag = Field(
        default=False,
        description="For an NK: terminate its live PKS too, in the same transaction. Without it "
        "they stay as they are and show the warning `parent_inactive`.",
    )


class CancelIn(RequestBody):
    """Withdraw an agreement nobody has signed (a stray or mistaken draft)."""

    reason: Reason = Field(description="Why it is withdrawn, e.g. 'Duplikat dari PKS 12'.")


class TerminateResult(BaseModel):
    agreement: "AgreementPublic"
    affected_pks: list[AgreementSummary] = Field(
        description="For an NK: its PKS that were live; terminated too if cascade."
    )
    cascaded: bool


class AmendmentPartyIn(RequestBody):
    """The number and signatory a party gives the amendment."""

    organization_id: Id
    document_number: ShortText | None = None
    signatory_name: Name | None = None
    signatory_title: Name | None = None


class AmendmentIn(RequestBody):
    """An adendum: what changes once it is fully signed."""

    title: Title
    description: LongText | None = None
    valid_until: Day | None = Field(default=None, description="The new end of validity.")
    scope_items_added: list[ScopeItemIn] = Field(default_factory=list, max_length=100)
    scope_item_ids_withdrawn: list[Id] = Field(default_factory=list, max_length=100)
    parties: list[AmendmentPartyIn] = Field(
        default_factory=list,
        max_length=1000,
        description="Numbers and signatories per party; the parties are those of the agreement.",
    )


class AmendmentSummary(BaseModel):
    id: int
    title: str
    status: AgreementStatus
    signed_on: date | None
    in_effect: bool = Field(description="Fully signed: its changes apply.")
    valid_until: date | None
    scope_items_added: list[str]
    scope_item_ids_withdrawn: list[int]


class EventPublic(BaseModel):
    """One entry of the history."""

    id: int
    at: datetime
    action: str
    actor_id: int | None
    actor: str | None
    details: dict[str, Any]
