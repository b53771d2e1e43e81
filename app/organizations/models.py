"""Organizations: the parties to agreements, in one tree (an SKPD under its government)."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.schemas import NAME_MAX, SHORT_MAX, URL_MAX
from app.core.text import fold
from app.core.types import UTCDateTime, enum_column_type, utcnow


class OrganizationKind(StrEnum):
    """What kind of public body an organization is."""

    state_institution = "state_institution"  # lembaga negara, e.g. Ombudsman RI
    regional_office = "regional_office"  # Perwakilan, e.g. Ombudsman RI Perwakilan Kalsel
    provincial_government = "provincial_government"  # Pemerintah Provinsi
    regency_government = "regency_government"  # Pemerintah Kabupaten
    city_government = "city_government"  # Pemerintah Kota
    regional_agency = "regional_agency"  # SKPD / OPD / Perangkat Daerah
    university = "university"
    other = "other"


GOVERNMENT_KINDS = (
    OrganizationKind.provincial_government,
    OrganizationKind.regency_government,
    OrganizationKind.city_government,
)


class Organization(SQLModel, table=True):
    """A public body that can be a party (pihak) to an agreement."""

    __tablename__ = "organization"
    __table_args__ = (
        # A name is unique under the same parent (roots included: NULL parent counts as one).
        sa.Index(
            "uq_organization_parent_name",
            sa.func.coalesce(sa.text("parent_id"), 0),
            sa.func.lower(sa.text("name")),
            unique=True,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX)
    short_name: str | None = Field(default=None, max_length=SHORT_MAX)
    kind: OrganizationKind = Field(sa_type=enum_column_type(OrganizationKind, 40))
    parent_id: int | None = Field(
        default=None, foreign_key="organization.id", index=True, ondelete="RESTRICT"
    )
    # The provincial government of the province an organization lies in (wilayah): for a
    # regency or city government, and for a regional office (a Perwakilan acts in its province
    # only: parties.py). Not its parent: a regency is autonomous, and a province's editors do not
    # edit its agreements; for a regency the region only groups outcomes. Set by admins only.
    region_id: int | None = Field(
        default=None, foreign_key="organization.id", index=True, ondelete="RESTRICT"
    )
    # The unit that coordinates cooperation for its parent (the Biro Pemerintahan dan Kerja Sama
    # of a province): its editors act for the whole parent (users/access.py). Set by admins only.
    acts_for_parent: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    email: str | None = Field(default=None, max_length=320)
    # name and short name folded for search (lower case, no accents): kept by the mapper events
    # below, whoever writes the row. On PostgreSQL a trigram index serves `q` (migration).
    search_text: str = Field(default="", max_length=NAME_MAX + SHORT_MAX + 1)
    # Where reminders are POSTed as JSON (one request per reminder).
    webhook_url: str | None = Field(default=None, max_length=URL_MAX)
    # Raised by every change; PATCH must carry the version it read (optimistic locking).
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@sa.event.listens_for(Organization, "before_insert")
@sa.event.listens_for(Organization, "before_update")
def _keep_search_text(_mapper: object, _connection: object, organization: Organization) -> None:
    organization.search_text = fold(organization.name, organization.short_name)
