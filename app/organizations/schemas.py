"""Request and response bodies for organizations."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    PlainSerializer,
    UrlConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from app.core.schemas import Email, Flag, Id, Name, RequestBody, ShortText, Version
from app.organizations.models import OrganizationKind

# Checked as an http(s) URL of at most 2000 characters; stored and shown as text.
# http(s) only, with a host: what the document states is what the validator takes.
WEBHOOK_URL_PATTERN = (
    r"^[Hh][Tt][Tt][Pp][Ss]?://(?:[A-Za-z0-9._~%!$&'()*+,;=:-]*@)?"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]{1,4})?(?:[/?#][!-~]*)?$"
)
WebhookUrl = Annotated[
    HttpUrl,
    UrlConstraints(max_length=2000, allowed_schemes=["http", "https"]),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "format": "uri",
            "minLength": 1,
            "maxLength": 2000,
            "pattern": WEBHOOK_URL_PATTERN,
        }
    ),
]


REGION_DESCRIPTION = (
    "The provincial government of the province the organization lies in (wilayah). For a "
    "regency or city government it groups outcomes (a province and its regencies) and gives no "
    "rights over the regency. For a regional office (Perwakilan) it is the province the office "
    "acts in: it may be a party only with organizations of that province (422 "
    "`party-outside-office-region`), and not at all until its region is set (422 "
    "`regional-office-without-region`). Set by admins only (403 for an editor)."
)
ACTS_FOR_PARENT_DESCRIPTION = (
    "The unit coordinates cooperation for its parent (e.g. the Biro Pemerintahan dan Kerja Sama "
    "of a provincial government): its editors edit what an editor of the parent may, i.e. the "
    "parent's NK and the PKS of every SKPD under it, nothing of another government. Needs a "
    "parent. Set by admins only (403 for an editor)."
)


class OrganizationCreate(RequestBody):
    """A new organization (pihak): a state institution, a Perwakilan, a government or an SKPD."""

    name: Name = Field(description="Full official name, e.g. 'Dinas Komunikasi dan Informatika'.")
    short_name: ShortText | None = Field(default=None, description="e.g. 'Diskominfo Kalsel'.")
    kind: OrganizationKind = Field(
        description="state_institution (lembaga negara), regional_office (Perwakilan), "
        "provincial_government, regency_government, city_government, regional_agency "
        "(SKPD / OPD / Perangkat Daerah), university, other."
    )
    parent_id: Id | None = Field(
        default=None,
        description="The organization this one belongs to: an SKPD under its provincial "
        "government, a Perwakilan under Ombudsman RI.",
    )
    region_id: Id | None = Field(default=None, description=REGION_DESCRIPTION)
    acts_for_parent: Flag = Field(default=False, description=ACTS_FOR_PARENT_DESCRIPTION)
    email: Email | None = Field(default=None, description="Where reminder digests are sent.")
    webhook_url: WebhookUrl | None = Field(
        default=None, description="Where each reminder is POSTed as JSON (http or https)."
    )


class OrganizationUpdate(RequestBody):
    """Fields to change, with the `version` you read; fields left out stay as they are."""

    version: Version
    name: Name | SkipJsonSchema[None] = None
    short_name: ShortText | None = None
    kind: OrganizationKind | SkipJsonSchema[None] = Field(
        default=None,
        description="Set by admins only (403 for an editor): a kind confers rights (a state "
        "institution or a Perwakilan records compliance results).",
    )
    parent_id: Id | None = Field(
        default=None,
        description="An editor moves an organization only under another organization it edits, "
        "and never its own organization nor to the top level (`null`): 403. Admins move any.",
    )
    region_id: Id | None = Field(default=None, description=REGION_DESCRIPTION)
    acts_for_parent: Flag | SkipJsonSchema[None] = Field(
        default=None, description=ACTS_FOR_PARENT_DESCRIPTION
    )
    email: Email | None = None
    webhook_url: WebhookUrl | None = None

    @model_validator(mode="before")
    @classmethod
    def _required_fields_not_null(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for field in ("name", "kind", "acts_for_parent", "version"):
                if field in data and data[field] is None:
                    raise ValueError(f"{field} cannot be null")
        return data


class OrganizationPublic(BaseModel):
    """An organization as the registry holds it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    short_name: str | None
    kind: OrganizationKind
    parent_id: int | None
    region_id: int | None
    acts_for_parent: bool = Field(description=ACTS_FOR_PARENT_DESCRIPTION)
    email: str | None
    webhook_url: str | None = Field(
        description="Shown to admins as saved; to others without its user, password and query."
    )
    version: int
    created_at: datetime
    updated_at: datetime


ORGANIZATION_EXAMPLES: dict[str, dict[str, Any]] = {
    "perwakilan": {
        "summary": "A Perwakilan under Ombudsman RI (1)",
        "value": {
            "name": "Ombudsman Republik Indonesia Perwakilan Provinsi Kalimantan Timur",
            "short_name": "Ombudsman RI Perwakilan Kaltim",
            "kind": "regional_office",
            "parent_id": 1,
        },
    },
    "skpd": {
        "summary": "An SKPD under Pemerintah Provinsi Kalimantan Tengah (40)",
        "value": {
            "name": "Dinas Komunikasi, Informatika, Persandian dan Statistik",
            "short_name": "Diskominfosantik Kalteng",
            "kind": "regional_agency",
            "parent_id": 40,
        },
    },
    "duplicate": {
        "summary": "A name already used under the same parent is refused (409)",
        "x-expected-status": 409,
        "value": {"name": "Inspektorat", "kind": "regional_agency", "parent_id": 4},
    },
}
