"""The public list's bodies: what anyone may read of a signed NK or PKS, nothing more."""

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from app.agreements.models import AgreementKind, AgreementStatus
from app.core.schemas import Flag, RequestBody


class PublicListingIn(RequestBody):
    """Whether the agreement is shown in the public list once signed."""

    listed: Flag = Field(
        description="true: tampilkan di daftar publik (shown once every party has signed); "
        "false: not shown."
    )


PUBLIC_LISTING_EXAMPLES: dict[str, dict[str, Any]] = {
    "show": {
        "summary": "Show the Kalsel NK of 2021 in the public list",
        "value": {"listed": True},
    },
    "hide": {"summary": "Take it off the public list", "value": {"listed": False}},
}


class PublicParty(BaseModel):
    """A party as the public sees it: its name, its number for the document, when it signed."""

    name: str
    document_number: str | None
    signed_on: date | None


class PublicAgreement(BaseModel):
    """A signed NK or PKS as the public sees it (keterbukaan informasi publik): no documents,
    contacts, notes or users."""

    id: int
    kind: AgreementKind
    status: AgreementStatus
    title: str
    parties: list[PublicParty]
    scope_items: list[str] = Field(description="The ruang lingkup in effect, in order.")
    valid_from: date | None
    valid_until: date | None = Field(description="As amended by the amendments in effect.")
    signed_on: date | None = Field(description="The day the last party signed.")


class PublicPage(BaseModel):
    """One page of the public list."""

    items: list[PublicAgreement]
    total: int = Field(description="How many agreements the public list holds.")
    limit: int
    offset: int
