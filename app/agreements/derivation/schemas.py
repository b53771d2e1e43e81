"""Bodies for deriving PKS from an NK and for the NK's coverage of SKPD."""

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from app.agreements.models import AgreementStatus
from app.agreements.schemas import DRAFTED_ON_HELP
from app.core.schemas import Day, Id, LongText, RequestBody, Title


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
    drafted_on: Day | None = Field(
        default=None,
        description=DRAFTED_ON_HELP + " The same day for every PKS derived. Empty: today "
        "(tanggal pencatatan).",
    )


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
    pks: CoveredPks | None = Field(
        description="The PKS that counts: its live one under this NK, else the newest it held; "
        "null: none."
    )
    agreements: list[CoveredPks] = Field(
        description="Every PKS it holds or held under this NK, newest first (a cancelled or "
        "terminated one stays listed beside its replacement)."
    )
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
        "summary": "A PKS for the Biro Pemerintahan dan Kerja Sama (the SKPD without one yet)",
        "value": {
            "counterpart_organization_id": 2,
            "organization_ids": [5],
            "title": "Perjanjian Kerja Sama Ombudsman RI Perwakilan Provinsi Kalimantan Selatan "
            "dengan {organization}",
            "valid_from": "2026-12-01",
        },
    },
    "kalsel_after_the_fact": {
        "summary": "Entered after the fact: drafted on 4 July 2022, the morning of the signing",
        "value": {
            "counterpart_organization_id": 2,
            "organization_ids": [5],
            "title": "Perjanjian Kerja Sama Ombudsman RI Perwakilan Provinsi Kalimantan Selatan "
            "dengan {organization}",
            "drafted_on": "2022-07-04",
        },
    },
}
