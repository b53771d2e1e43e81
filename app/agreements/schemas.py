"""Request and response bodies for agreements (NK, PKS), parties, signatures and scope."""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, model_validator

from app.agreements.models import AgreementKind, AgreementStatus
from app.core.schemas import Day, Id, LongText, Name, RequestBody, ShortText

Title = Annotated[Name, StringConstraints(max_length=500)]
Authority = Annotated[LongText, StringConstraints(max_length=1000)]


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
    signing_authority: Authority | None = Field(
        default=None,
        description="By what authority the signatory signs, e.g. the surat kuasa by which a "
        "Kepala Dinas signs a PKS for the Governor.",
    )


class ScopeItemIn(RequestBody):
    """One item of the ruang lingkup (scope), in the order given."""

    title: Title
    description: LongText | None = None


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

    version: int = Field(ge=1, description="The version you read; a stale one is refused (409).")
    title: Title | None = None
    description: LongText | None = None
    parent_id: Id | None = None
    valid_from: Day | None = None
    valid_until: Day | None = None
    pks_due_on: Day | None = None
    parties: list[PartyIn] | None = Field(default=None, min_length=2, max_length=1000)
    scope_items: list[ScopeItemIn] | None = Field(default=None, max_length=500)

    @model_validator(mode="before")
    @classmethod
    def _required_fields_not_null(cls, data: Any) -> Any:
        return _refuse_null(data, ("title", "parties", "scope_items", "version"))


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


class PartyPublic(BaseModel):
    """A party with its number and signature."""

    organization_id: int
    organization_name: str
    position: int
    document_number: str | None
    signatory_name: str | None
    signatory_title: str | None
    signing_authority: str | None
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
    signed_on: date | None = Field(description="The day the last party signed; null until all.")
    terminated_on: date | None
    termination_reason: str | None
    finalized_at: datetime | None
    version: int
    created_at: datetime
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

AGREEMENT_CREATE_EXAMPLES: dict[str, dict[str, Any]] = {
    "nk_kalsel": {
        "summary": "NK Ombudsman RI – Pemprov Kalimantan Selatan (two numbers)",
        "value": {
            "kind": "nk",
            "title": "Peningkatan Kualitas Pelayanan Publik di Lingkungan Pemerintah Provinsi "
            "Kalimantan Selatan",
            "parties": [
                {"organization_id": 1, "document_number": "30/ORI-MoU/X/2021"},
                {"organization_id": 2, "document_number": "053/NK-PEMOTDA/2021"},
            ],
            "scope_items": [{"title": "Pencegahan maladministrasi"}],
        },
    },
    "pks_diskominfo": {
        "summary": "PKS Ombudsman RI Perwakilan Kalsel – Diskominfo Kalsel under that NK",
        "value": {
            "kind": "pks",
            "title": "Perjanjian Kerja Sama Ombudsman RI Perwakilan Kalimantan Selatan dengan "
            "Dinas Komunikasi dan Informatika Provinsi Kalimantan Selatan",
            "parent_id": 1,
            "parties": [
                {"organization_id": 3, "signatory_name": "Hadi Rahman"},
                {"organization_id": 10, "signatory_name": "Muhamad Muslim"},
            ],
            "scope_items": [{"title": t} for i, t in enumerate(KALSEL_SCOPE) if i != 2],
        },
    },
}

SIGNATURE_EXAMPLES: dict[str, dict[str, Any]] = {
    "dated": {
        "summary": "Diskominfo Kalsel signs on 4 July 2022",
        "value": {
            "organization_id": 10,
            "signed_on": "2022-07-04",
            "signatory_name": "Muhamad Muslim",
            "signatory_title": "Kepala Dinas Komunikasi dan Informatika Provinsi Kalimantan "
            "Selatan",
        },
    },
    "undated": {
        "summary": "A Kalteng regency signed the joint NK; the date is not known",
        "value": {"organization_id": 20, "signed_on": None},
    },
}


class DeriveIn(RequestBody):
    """Derive one draft PKS per SKPD from an NK, all or nothing."""

    counterpart_organization_id: Id = Field(
        description="The party on the other side of every PKS, e.g. Ombudsman RI Perwakilan "
        "Provinsi Kalimantan Selatan."
    )
    organization_ids: list[Id] = Field(
        min_length=1, max_length=1000, description="The SKPD, one PKS each."
    )
    title: Title = Field(description="May use {organization} for each SKPD's name.")
    description: LongText | None = None
    scope_item_ids: list[Id] | None = Field(
        default=None,
        max_length=500,
        description="Which items of the NK's ruang lingkup to copy; default all.",
    )
    valid_from: Day | None = None
    valid_until: Day | None = None


class DerivedPks(BaseModel):
    id: int
    organization_id: int
    title: str
    status: AgreementStatus


class DeriveResult(BaseModel):
    """The PKS created, in the order of organization_ids."""

    nk_id: int
    count: int
    created: list[DerivedPks]


class CoveredPks(BaseModel):
    id: int
    status: AgreementStatus
    signed_on: date | None
    warnings: list[str] = Field(
        default_factory=list,
        description="`parent_inactive`: the NK has ended (terminated, expired, superseded) while "
        "this PKS has not.",
    )


class AgencyCoveragePublic(BaseModel):
    organization_id: int
    organization_name: str
    pks: CoveredPks | None = Field(description="The PKS it holds under this NK; null: none.")
    overdue: bool = Field(description="pks_due_on has passed and it holds no signed PKS.")


class GovernmentCoveragePublic(BaseModel):
    organization_id: int
    organization_name: str
    agencies: list[AgencyCoveragePublic]


class CoveragePublic(BaseModel):
    """Which SKPD of each government party hold a PKS under the NK, and in what state."""

    nk_id: int
    nk_status: AgreementStatus
    as_of: date
    pks_due_on: date | None
    counts: dict[str, int] = Field(
        description="Agencies per PKS status; `none` for agencies without a PKS, `overdue` too."
    )
    governments: list[GovernmentCoveragePublic]


DERIVE_EXAMPLES: dict[str, dict[str, Any]] = {
    "kalsel_skpd": {
        "summary": "PKS for SKPD of Pemprov Kalsel with the Ombudsman's Perwakilan",
        "value": {
            "counterpart_organization_id": 3,
            "organization_ids": [5, 6, 10],
            "title": "Perjanjian Kerja Sama Ombudsman RI Perwakilan Provinsi Kalimantan Selatan "
            "dengan {organization}",
            "valid_from": "2022-07-04",
        },
    }
}


class TerminateIn(RequestBody):
    """End an agreement early (pengakhiran)."""

    terminated_on: Day = Field(description="From this day the agreement is terminated.")
    reason: LongText = Field(min_length=1)
    cascade: bool = Field(
        default=False,
        description="For an NK: terminate its live PKS too, in the same transaction. Without it "
        "they stay as they are and show the warning `parent_inactive`.",
    )


class TerminateResult(BaseModel):
    agreement: "AgreementPublic"
    affected_pks: list[AgreementSummary] = Field(
        description="For an NK: its PKS that were live; terminated too if cascade."
    )
    cascaded: bool


class RenewIn(RequestBody):
    """Create the successor (perpanjangan) as a draft: same kind, parties and scope."""

    title: Title | None = Field(default=None, description="Default: the same title.")
    description: LongText | None = None
    valid_from: Day | None = None
    valid_until: Day | None = None


class RelinkIn(RequestBody):
    """Move PKS of the renewed NK under its successor."""

    pks_ids: list[Id] | None = Field(
        default=None, max_length=1000, description="Default: every live PKS of the old NK."
    )


class RelinkResult(BaseModel):
    nk_id: int
    relinked: list[int]


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
    actor: str | None
    details: dict[str, Any]
