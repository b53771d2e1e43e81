"""organizations and agreements

Revision ID: ef46b8e01351
Revises:
Create Date: 2026-11-23 07:45:44.839066
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

import app.core.types

revision: str = "ef46b8e01351"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "nk",
                "pks",
                name="agreementkind",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("finalized_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'nk' AND parent_id IS NULL) OR (kind = 'pks' AND parent_id IS NOT NULL)",
            name=op.f("agreement_parent_by_kind_check"),
        ),
        sa.CheckConstraint(
            "valid_from IS NULL OR valid_until IS NULL OR valid_from <= valid_until",
            name=op.f("agreement_validity_order_check"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["agreement.id"],
            name=op.f("agreement_parent_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("agreement_pkey")),
    )
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreement_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreement_valid_until"), ["valid_until"], unique=False)

    op.create_table(
        "organization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("short_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "state_institution",
                "regional_office",
                "provincial_government",
                "regency_government",
                "city_government",
                "regional_agency",
                "university",
                "other",
                name="organizationkind",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["organization.id"],
            name=op.f("organization_parent_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("organization_pkey")),
    )
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organization_parent_id"), ["parent_id"], unique=False)
    # A name is unique under the same parent; a NULL parent (a root) counts as one parent.
    op.create_index(
        "uq_organization_parent_name",
        "organization",
        [sa.text("coalesce(parent_id, 0)"), sa.text("lower(name)")],
        unique=True,
    )

    op.create_table(
        "agreement_party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("document_number", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("signatory_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("signatory_title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column(
            "signing_authority", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True
        ),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column(
            "signature_recorded_at", app.core.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("agreement_party_agreement_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("agreement_party_organization_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("agreement_party_pkey")),
        sa.UniqueConstraint(
            "agreement_id",
            "organization_id",
            name=op.f("agreement_party_agreement_id_organization_id_key"),
        ),
    )
    with op.batch_alter_table("agreement_party", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_party_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agreement_party_organization_id"), ["organization_id"], unique=False
        )
    # A document number is unique for the organization that issued it (case-insensitive).
    op.create_index(
        "uq_agreement_party_issuer_number",
        "agreement_party",
        [sa.text("organization_id"), sa.text("lower(document_number)")],
        unique=True,
    )

    op.create_table(
        "scope_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("scope_item_agreement_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("scope_item_pkey")),
        sa.UniqueConstraint(
            "agreement_id", "position", name=op.f("scope_item_agreement_id_position_key")
        ),
    )
    with op.batch_alter_table("scope_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scope_item_agreement_id"), ["agreement_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("scope_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scope_item_agreement_id"))

    op.drop_table("scope_item")
    with op.batch_alter_table("agreement_party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_party_organization_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_party_agreement_id"))

    op.drop_table("agreement_party")
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organization_parent_id"))

    op.drop_table("organization")
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_valid_until"))
        batch_op.drop_index(batch_op.f("ix_agreement_parent_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_kind"))

    op.drop_table("agreement")
