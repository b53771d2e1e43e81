"""Agreements (NK and PKS), their parties with numbers and signatures, and their scope items."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from app.core.schemas import AUTHORITY_MAX, NAME_MAX, SHORT_MAX, TITLE_MAX
from app.core.types import UTCDateTime, enum_column_type, utcnow
from app.organizations.models import Organization


class AgreementKind(StrEnum):
    """nk: Nota Kesepahaman / Nota Kesepakatan (MoU); pks: Perjanjian Kerja Sama under an NK."""

    nk = "nk"
    pks = "pks"
    amendment = "amendment"  # adendum: changes a signed NK or PKS once fully signed itself


class AgreementStatus(StrEnum):
    """Where an agreement stands; derived from stored facts, never stored."""

    draft = "draft"  # being drafted; everything can change
    awaiting_signatures = "awaiting_signatures"  # finalisasi draft done, nobody has signed
    partially_signed = "partially_signed"  # some parties signed (e.g. Kotawaringin Barat pending)
    signed = "signed"  # all signed, validity starts later
    active = "active"  # all signed and today within validity (berlaku)
    expired = "expired"  # past valid_until (masa berlaku habis)
    terminated = "terminated"  # ended early (diakhiri) from terminated_on
    superseded = "superseded"  # its renewal (perpanjangan) is in force
    cancelled = "cancelled"  # withdrawn before anyone signed (dibatalkan); kept with its history


class Agreement(SQLModel, table=True):
    """An NK or a PKS."""

    __tablename__ = "agreement"
    __table_args__ = (
        sa.CheckConstraint(
            "valid_from IS NULL OR valid_until IS NULL OR valid_from <= valid_until",
            name="validity_order",
        ),
        sa.CheckConstraint(
            "(kind = 'nk' AND parent_id IS NULL AND amends_id IS NULL)"
            " OR (kind = 'pks' AND parent_id IS NOT NULL AND amends_id IS NULL)"
            " OR (kind = 'amendment' AND parent_id IS NULL AND amends_id IS NOT NULL)",
            name="parent_by_kind",
        ),
        # The planned signing days still to be met (a deadline until every party signed): the
        # reminder run and the registry's deadlines read them by day without scanning every
        # agreement; signed ones (the bulk) are not in it.
        sa.Index(
            "ix_agreement_open_planned_signing_on",
            "planned_signing_on",
            postgresql_where=sa.text("parties_unsigned > 0"),
            sqlite_where=sa.text("parties_unsigned > 0"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: AgreementKind = Field(sa_type=enum_column_type(AgreementKind, 10), index=True)
    title: str = Field(max_length=TITLE_MAX)
    description: str | None = Field(default=None, sa_type=sa.Text)
    parent_id: int | None = Field(
        default=None, foreign_key="agreement.id", index=True, ondelete="RESTRICT"
    )
    # For an amendment: the agreement it amends; its valid_until is the new one for that agreement.
    amends_id: int | None = Field(
        default=None, foreign_key="agreement.id", index=True, ondelete="RESTRICT"
    )
    # A renewal names the agreement it replaces; an agreement is renewed at most once.
    supersedes_id: int | None = Field(
        default=None, foreign_key="agreement.id", unique=True, ondelete="RESTRICT"
    )
    valid_from: date | None = None
    valid_until: date | None = Field(default=None, index=True)
    terminated_on: date | None = None
    termination_reason: str | None = Field(default=None, sa_type=sa.Text)
    # Withdrawn before anyone signed (a stray draft): status `cancelled`, kept with its history.
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancellation_reason: str | None = Field(default=None, sa_type=sa.Text)
    # For an NK: the date by which its PKS should be signed (NK texts often give six months).
    pks_due_on: date | None = None
    # When the parties plan to sign (the Kalsel PKS: "awal Juli" 2022); a plan that passes while
    # the agreement is not fully signed shows in the deadlines.
    planned_signing_on: date | None = None
    # Finalisasi draft: set when the text is agreed; null while in draft.
    finalized_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Dates of record, given by staff (records are often entered after the fact): since when
    # the agreement is known (its drafting began) and the day of finalisasi draft. "As of a
    # day" reads these, never created_at or finalized_at. drafted_on <= finalized_on <= the
    # first signature's day (lifecycle keeps it so); finalized_on is null exactly while
    # finalized_at is.
    drafted_on: date = Field(sa_column_kwargs={"server_default": sa.text("CURRENT_DATE")})
    finalized_on: date | None = None
    # SHA-256 of the draft as rendered at finalisasi (the final text, kept in final_draft), so
    # that a signed copy can be compared with it; null in draft and for agreements finalised
    # before the registry rendered drafts.
    final_text_sha256: str | None = Field(default=None, max_length=64)
    # Shown in the public list (keterbukaan informasi publik) once signed; off by default, set
    # by an editor of a party or an admin (app/public).
    public_listing: bool = Field(
        default=False, index=True, sa_column_kwargs={"server_default": sa.false()}
    )
    # A stored copy of facts about the parties' signatures, for list speed at national scale.
    # Kept by parties.store_signature_facts only, called by every writer of parties; a test
    # checks that it agrees with the party rows.
    parties_signed: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    parties_unsigned: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_signed_on: date | None = None
    # A stored copy of two validity facts that depend on other agreements, so that status is
    # derived from this row alone: valid_until as amended by its fully signed amendments, and the
    # day its fully signed renewal takes effect (0001-01-01 when the renewal gives no day).
    # Kept by status.store_validity_facts only; the same test checks them.
    effective_valid_until: date | None = Field(default=None, index=True)
    superseded_from: date | None = None
    # Raised by every change; PATCH must carry the version it read (optimistic locking).
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    parties: list["AgreementParty"] = Relationship(
        back_populates="agreement",
        cascade_delete=True,
        sa_relationship_kwargs={"lazy": "raise", "order_by": "AgreementParty.position"},
    )
    scope_items: list["ScopeItem"] = Relationship(
        back_populates="agreement",
        cascade_delete=True,
        sa_relationship_kwargs={"lazy": "raise", "order_by": "ScopeItem.position"},
    )


class AgreementParty(SQLModel, table=True):
    """One party (pihak) to an agreement: its own number for the document and its signature."""

    __tablename__ = "agreement_party"
    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "organization_id"),
        # A document number identifies a document together with the party that issued it.
        sa.Index(
            "uq_agreement_party_issuer_number",
            sa.text("organization_id"),
            sa.func.lower(sa.text("document_number")),
            unique=True,
        ),
        # ?number= looks a number up without knowing who issued it.
        sa.Index("ix_agreement_party_number_lower", sa.func.lower(sa.text("document_number"))),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organization.id", index=True, ondelete="RESTRICT")
    position: int
    document_number: str | None = Field(default=None, max_length=SHORT_MAX)
    signatory_name: str | None = Field(default=None, max_length=NAME_MAX)
    signatory_title: str | None = Field(default=None, max_length=NAME_MAX)
    signing_authority: str | None = Field(default=None, max_length=AUTHORITY_MAX)
    # Why this party has not signed yet (Kotawaringin Barat: "masih ada beberapa penyesuaian
    # yang perlu disepakati"); cleared when it signs.
    pending_reason: str | None = Field(default=None, max_length=AUTHORITY_MAX)
    # The day this party signed; may stay null when the source says it signed but not when.
    signed_on: date | None = None
    # When the signature was recorded here; null means this party has not signed.
    signature_recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    agreement: Agreement = Relationship(
        back_populates="parties", sa_relationship_kwargs={"lazy": "raise"}
    )
    organization: Organization = Relationship(sa_relationship_kwargs={"lazy": "raise"})

    @property
    def signed(self) -> bool:
        return self.signature_recorded_at is not None


class ScopeItem(SQLModel, table=True):
    """One numbered item of the ruang lingkup (scope)."""

    __tablename__ = "scope_item"
    __table_args__ = (sa.UniqueConstraint("agreement_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="CASCADE")
    position: int
    title: str = Field(max_length=TITLE_MAX)
    description: str | None = Field(default=None, sa_type=sa.Text)
    # For a PKS item copied from its NK: the NK item it came from.
    source_item_id: int | None = Field(
        default=None, foreign_key="scope_item.id", index=True, ondelete="SET NULL"
    )

    agreement: Agreement = Relationship(
        back_populates="scope_items", sa_relationship_kwargs={"lazy": "raise"}
    )


class ScopeWithdrawal(SQLModel, table=True):
    """A scope item of the amended agreement that an amendment withdraws."""

    __tablename__ = "scope_withdrawal"
    __table_args__ = (sa.UniqueConstraint("amendment_id", "scope_item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    amendment_id: int = Field(foreign_key="agreement.id", index=True, ondelete="CASCADE")
    scope_item_id: int = Field(foreign_key="scope_item.id", index=True, ondelete="CASCADE")


class AgreementEvent(SQLModel, table=True):
    """One entry of an agreement's history, written in the same transaction as the change."""

    __tablename__ = "agreement_event"

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True, ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    action: str = Field(max_length=40)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id", ondelete="SET NULL")
    actor: str | None = Field(default=None, max_length=NAME_MAX)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class AgreementSearch(SQLModel, table=True):
    """What `q` searches in an agreement, as one folded text (search.py keeps it): its title,
    every party's number, every party's names, and its ruang lingkup items, one per line."""

    __tablename__ = "agreement_search"

    agreement_id: int = Field(foreign_key="agreement.id", primary_key=True, ondelete="CASCADE")
    # On PostgreSQL one trigram GIN index serves `q` (migration 2026-11-26_search_document.py).
    document: str = Field(default="", sa_type=sa.Text)
