"""activities: implementation reports (realisasi kegiatan), their ruang lingkup items and evidence

Revision ID: ac5dd622574b
Revises: 7d3f0a2c9e61
Create Date: 2026-11-24 18:31:08.296517
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "ac5dd622574b"
down_revision: str | None = "7d3f0a2c9e61"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("held_from", sa.Date(), nullable=False),
        sa.Column("held_to", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("participants", sa.Text(), nullable=True),
        sa.Column("obligation_id", sa.Integer(), nullable=True),
        sa.Column(
            "verification",
            sa.Enum(
                "pending",
                "verified",
                "rejected",
                name="verification",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("verdict_note", sa.Text(), nullable=True),
        sa.Column("verdict_by", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("verdict_organization_id", sa.Integer(), nullable=True),
        sa.Column("verdict_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("held_to >= held_from", name=op.f("activity_held_in_order_check")),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("activity_agreement_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["obligation_id"],
            ["obligation.id"],
            name=op.f("activity_obligation_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("activity_organization_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["verdict_organization_id"],
            ["organization.id"],
            name=op.f("activity_verdict_organization_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("activity_pkey")),
        sa.UniqueConstraint("obligation_id", name=op.f("activity_obligation_id_key")),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_activity_held_from"), ["held_from"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_activity_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_activity_verification"), ["verification"], unique=False
        )

    op.create_table(
        "activity_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("activity_document_activity_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("activity_document_pkey")),
        sa.UniqueConstraint(
            "activity_id", "sha256", name=op.f("activity_document_activity_id_sha256_key")
        ),
    )
    with op.batch_alter_table("activity_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_document_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_activity_document_sha256"), ["sha256"], unique=False)

    op.create_table(
        "activity_scope_item",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("scope_item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("activity_scope_item_activity_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scope_item_id"],
            ["scope_item.id"],
            name=op.f("activity_scope_item_scope_item_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "activity_id", "scope_item_id", name=op.f("activity_scope_item_pkey")
        ),
    )
    with op.batch_alter_table("activity_scope_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_scope_item_scope_item_id"), ["scope_item_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("activity_scope_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_scope_item_scope_item_id"))

    op.drop_table("activity_scope_item")
    with op.batch_alter_table("activity_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_document_sha256"))
        batch_op.drop_index(batch_op.f("ix_activity_document_activity_id"))

    op.drop_table("activity_document")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_verification"))
        batch_op.drop_index(batch_op.f("ix_activity_organization_id"))
        batch_op.drop_index(batch_op.f("ix_activity_held_from"))
        batch_op.drop_index(batch_op.f("ix_activity_agreement_id"))

    op.drop_table("activity")
