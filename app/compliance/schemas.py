"""Request and response bodies of compliance assessments and of the outcomes view."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict

from app.agreements.models import AgreementKind
from app.compliance.models import Zone
from app.core.schemas import Id, Number, RequestBody, ShortText, UrlText, json_integer
from app.evaluations.models import Recommendation

Year = Annotated[
    int,
    Strict(),
    Field(ge=2000, le=2100, description="The assessment's year, e.g. 2023."),
    BeforeValidator(json_integer),
]


class ComplianceAssessmentCreate(RequestBody):
    """One organization's result in one year's compliance assessment (penilaian kepatuhan
    penyelenggaraan pelayanan publik), as published."""

    organization_id: Id = Field(description="The assessed organization (a government, an SKPD).")
    year: Year
    score: Number | None = Field(
        default=None, ge=0, le=100, description="0-100, where the result gives one; else null."
    )
    zone: Zone = Field(
        description="`green` (zona hijau: kepatuhan tinggi), `yellow` (zona kuning: kepatuhan "
        "sedang), `red` (zona merah: kepatuhan rendah)."
    )
    category: ShortText | None = Field(
        default=None,
        description="The result's own words, e.g. 'kepatuhan tertinggi' or "
        "'Opini Kualitas Tinggi'.",
    )
    source: UrlText = Field(
        description="Where the result was published: an article, a report or a URL."
    )


class ComplianceAssessmentPublic(BaseModel):
    """A recorded compliance result."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    organization_id: int
    organization_name: str
    year: int
    score: float | None
    zone: Zone
    category: str | None
    source: str
    version: int
    created_at: datetime
    updated_at: datetime


COMPLIANCE_EXAMPLES: dict[str, dict[str, Any]] = {
    "kalteng_2023": {
        "summary": "Pemprov Kalteng, 2023: 86.6, green (seeded already: 409 naming it)",
        "x-expected-status": 409,
        "value": {
            "organization_id": 40,
            "year": 2023,
            "score": 86.6,
            "zone": "green",
            "category": "Opini Kualitas Tinggi",
            "source": "LIPUTANSBM.COM, Palangka Raya: Penilaian Kepatuhan 2023, nilai 86,6",
        },
    },
    "kotabaru_2024": {
        "summary": "A later year's result of Kabupaten Kotabaru (35), without a score",
        "value": {
            "organization_id": 35,
            "year": 2024,
            "zone": "green",
            "source": "Ombudsman RI Perwakilan Kalsel, penyerahan hasil penilaian kepatuhan 2024",
        },
    },
}


class EvaluationBrief(BaseModel):
    """An agreement's evaluation (monev) of a year, in brief."""

    period: str
    score: int
    recommendation: Recommendation


class AgreementInForce(BaseModel):
    """An agreement in force in a year, and which organization of the view holds it."""

    id: int
    kind: AgreementKind
    title: str
    held_by: int = Field(description="The organization of the view that is its party.")
    evaluation: EvaluationBrief | None = Field(
        description="Its evaluation of that year (the whole year's, else the later half's); "
        "null when none is recorded."
    )
    activities_reported: int = Field(
        default=0, description="Activities begun that year under it, reported and not rejected."
    )
    activities_verified: int = Field(default=0, description="Of them, verified by another party.")


class OutcomeAgreementState(StrEnum):
    """An organization's agreements in a year, as the outcomes summary counts it."""

    in_force = "in_force"  # berlaku
    signed_awaiting_others = "signed_awaiting_others"  # ditandatangani, menunggu pihak lain
    none = "none"  # tanpa perjanjian


class AgreementAwaitingOthers(BaseModel):
    """An agreement signed by an organization of the view while other parties have still to
    sign (sudah ditandatangani, menunggu pihak lain): the Kalteng joint NK, signed by Pemprov
    Kalteng, awaits Kabupaten Kotawaringin Barat."""

    id: int
    kind: AgreementKind
    title: str
    signed_by: int = Field(description="The organization of the view that signed it.")
    signed_by_this_organization: bool = Field(
        description="Signed by the organization of this entry itself (not by one under it)."
    )
    signed_on: date | None = Field(
        description="The day it signed; null when the source says it signed but not when."
    )
    awaiting_signatures_of: int = Field(description="How many parties have still to sign.")
    awaiting: list[str] = Field(description="Their names, in the order of the parties.")


class OutcomeEntry(BaseModel):
    """One organization in one year: its result beside the agreements it held in force."""

    organization_id: int
    organization_name: str
    zone: Zone | None = Field(description="Null when no result is recorded for that year.")
    score: float | None
    category: str | None
    agreements_in_force: list[AgreementInForce] = Field(
        description="Agreements in force that year with it, or an organization under it (its "
        "SKPD), as a party."
    )
    signed_awaiting_others: list[AgreementAwaitingOthers] = Field(
        default_factory=list,
        description="Agreements it (or an organization under it) had signed by that year (an "
        "undated signature: every year) that still await other parties' signatures, and that "
        "have not ended.",
    )
    agreement_state: OutcomeAgreementState = Field(
        description="Its own state that year, as the summary counts it: `in_force` (an "
        "agreement in force), `signed_awaiting_others` (none in force, but it signed one "
        "that awaits other parties: not counted as without an agreement), or `none`."
    )


class ZoneCounts(BaseModel):
    green: int = 0
    yellow: int = 0
    red: int = 0
    unknown: int = Field(default=0, description="No result recorded.")


class OutcomeYear(BaseModel):
    """One year of the outcomes view."""

    year: int
    entries: list[OutcomeEntry]
    with_agreement: ZoneCounts = Field(
        description="Zones of the organizations holding an agreement in force that year."
    )
    signed_awaiting_others: ZoneCounts = Field(
        description="Zones of the organizations without an agreement in force that year that "
        "had signed one still awaiting other parties (e.g. Pemprov Kalteng: the joint NK awaits "
        "Kotawaringin Barat)."
    )
    without_agreement: ZoneCounts = Field(
        description="Zones of the organizations assessed that year without one: neither in "
        "force nor signed by them."
    )


class OutcomesPublic(BaseModel):
    """Compliance results beside agreements in force, year by year."""

    organization_id: int
    organization_name: str
    from_year: int
    to_year: int
    years: list[OutcomeYear]
