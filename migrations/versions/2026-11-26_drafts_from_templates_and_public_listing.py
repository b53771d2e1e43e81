"""drafts from templates (the template per kind, the final text at finalisasi) and the public
list's opt-in per agreement

Revision ID: d7a3f1c2b8e4
Revises: 7e51a9c0d2b4
Create Date: 2026-11-26 21:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.core.types

revision: str = "d7a3f1c2b8e4"
down_revision: str | None = "7e51a9c0d2b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "final_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("template_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("rendered_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("final_draft_agreement_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("final_draft_pkey")),
    )
    op.create_index(
        op.f("ix_final_draft_agreement_id"), "final_draft", ["agreement_id"], unique=False
    )
    op.create_table(
        "draft_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "nk",
                "pks",
                "amendment",
                name="agreementkind",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["app_user.id"],
            name=op.f("draft_template_uploaded_by_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("draft_template_pkey")),
        sa.UniqueConstraint("kind", name=op.f("draft_template_kind_key")),
    )
    # Plain ADD COLUMN on both databases (no batch copy of the agreement table on SQLite).
    # Agreements finalised before have no final text kept (null); none is listed publicly
    # until an editor opts in.
    op.add_column(
        "agreement",
        sa.Column("final_text_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.add_column(
        "agreement",
        sa.Column("public_listing", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_index(
        op.f("ix_agreement_public_listing"), "agreement", ["public_listing"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_agreement_public_listing"), table_name="agreement")
    # SQLite >= 3.35 drops a column in place.
    op.drop_column("agreement", "public_listing")
    op.drop_column("agreement", "final_text_sha256")
    op.drop_table("draft_template")
    op.drop_index(op.f("ix_final_draft_agreement_id"), table_name="final_draft")
    op.drop_table("final_draft")
