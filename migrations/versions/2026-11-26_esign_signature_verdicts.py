"""electronic signatures verified: the verdicts on the signatures each uploaded PDF embeds

Revision ID: 7e51a9c0d2b4
Revises: 5e7a9d1c3b48
Create Date: 2026-11-26 21:35:42

Issue 23, item 3: one check per document (outcome, reason, trust roots counted, when) and one
row per embedded signature (signer, serial, signing time, integrity, trust, coverage), kept so
that reads never validate again; a party confirmed from a signature is named on its row.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.core.types

revision: str = "7e51a9c0d2b4"
down_revision: str | Sequence[str] | None = "5e7a9d1c3b48"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("field_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("signer_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column(
            "signer_organization", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True
        ),
        sa.Column(
            "certificate_serial", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True
        ),
        sa.Column("issuer_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("signed_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("timestamped", sa.Boolean(), nullable=False),
        sa.Column(
            "integrity",
            sa.Enum(
                "intact",
                "modified",
                name="integrity",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "trust",
            sa.Enum(
                "trusted",
                "untrusted",
                "revoked",
                name="trust",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("trust_problem", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column(
            "coverage",
            sa.Enum(
                "entire_file",
                "entire_revision",
                "partial",
                name="coverage",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "later_changes",
            sa.Enum(
                "none",
                "signature_upkeep",
                "form_filling",
                "annotations",
                "other",
                "unknown",
                name="laterchanges",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("confirmed_organization_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["confirmed_organization_id"],
            ["organization.id"],
            name=op.f("document_signature_confirmed_organization_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["agreement_document.id"],
            name=op.f("document_signature_document_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("document_signature_pkey")),
        sa.UniqueConstraint(
            "document_id", "position", name=op.f("document_signature_document_id_position_key")
        ),
    )
    with op.batch_alter_table("document_signature", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_signature_document_id"), ["document_id"], unique=False
        )

    op.create_table(
        "document_signature_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "verified",
                "no_signatures",
                "cannot_verify",
                name="checkoutcome",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("trust_roots", sa.Integer(), nullable=False),
        sa.Column("checked_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["agreement_document.id"],
            name=op.f("document_signature_check_document_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("document_signature_check_pkey")),
        sa.UniqueConstraint("document_id", name=op.f("document_signature_check_document_id_key")),
    )


def downgrade() -> None:
    op.drop_table("document_signature_check")
    with op.batch_alter_table("document_signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_signature_document_id"))

    op.drop_table("document_signature")
