"""obligations and reminders

Revision ID: bc5076758552
Revises: 8de3e100bd65
Create Date: 2026-11-23 08:22:02.793004
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

import app.core.types

revision: str = "bc5076758552"
down_revision: str | None = "8de3e100bd65"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "obligation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("responsible_organization_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "recurrence",
            sa.Enum(
                "none",
                "monthly",
                "quarterly",
                "semiannual",
                "annual",
                name="recurrence",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("repeat_until", sa.Date(), nullable=True),
        sa.Column("scope_item_id", sa.Integer(), nullable=True),
        sa.Column("series_start", sa.Date(), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("completion_note", sa.Text(), nullable=True),
        sa.Column("waived_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("waiver_reason", sa.Text(), nullable=True),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "repeat_until IS NULL OR repeat_until >= due_on",
            name=op.f("obligation_repeat_after_due_check"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("obligation_agreement_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"],
            ["obligation.id"],
            name=op.f("obligation_previous_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["responsible_organization_id"],
            ["organization.id"],
            name=op.f("obligation_responsible_organization_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["scope_item_id"],
            ["scope_item.id"],
            name=op.f("obligation_scope_item_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("obligation_pkey")),
        sa.UniqueConstraint("previous_id", name=op.f("obligation_previous_id_key")),
    )
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_obligation_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(
            "ix_obligation_open_due_on",
            ["due_on"],
            unique=False,
            postgresql_where=sa.text("completed_on IS NULL AND waived_at IS NULL"),
            sqlite_where=sa.text("completed_on IS NULL AND waived_at IS NULL"),
        )
        batch_op.create_index(
            batch_op.f("ix_obligation_responsible_organization_id"),
            ["responsible_organization_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_obligation_scope_item_id"), ["scope_item_id"], unique=False
        )

    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deadline_key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("point", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column(
            "deadline_type",
            sa.Enum(
                "obligation_due",
                "agreement_expiry",
                "pks_due",
                name="deadlinetype",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("obligation_id", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "delivered",
                "failed",
                "undeliverable",
                name="reminderstatus",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("webhook_delivered_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("email_delivered_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("reminder_agreement_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["obligation_id"],
            ["obligation.id"],
            name=op.f("reminder_obligation_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("reminder_organization_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("reminder_pkey")),
        sa.UniqueConstraint(
            "deadline_key",
            "point",
            "organization_id",
            name=op.f("reminder_deadline_key_point_organization_id_key"),
        ),
        sa.UniqueConstraint("idempotency_key", name=op.f("reminder_idempotency_key_key")),
    )
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reminder_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reminder_obligation_id"), ["obligation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reminder_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reminder_status"), ["status"], unique=False)
        batch_op.create_index(
            "ix_reminder_undelivered",
            ["next_attempt_at"],
            unique=False,
            postgresql_where=sa.text("status <> 'delivered'"),
            sqlite_where=sa.text("status <> 'delivered'"),
        )

    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("webhook_url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_column("webhook_url")

    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_reminder_undelivered",
            postgresql_where=sa.text("status <> 'delivered'"),
            sqlite_where=sa.text("status <> 'delivered'"),
        )
        batch_op.drop_index(batch_op.f("ix_reminder_status"))
        batch_op.drop_index(batch_op.f("ix_reminder_organization_id"))
        batch_op.drop_index(batch_op.f("ix_reminder_obligation_id"))
        batch_op.drop_index(batch_op.f("ix_reminder_agreement_id"))

    op.drop_table("reminder")
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_obligation_scope_item_id"))
        batch_op.drop_index(batch_op.f("ix_obligation_responsible_organization_id"))
        batch_op.drop_index(
            "ix_obligation_open_due_on",
            postgresql_where=sa.text("completed_on IS NULL AND waived_at IS NULL"),
            sqlite_where=sa.text("completed_on IS NULL AND waived_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_obligation_agreement_id"))

    op.drop_table("obligation")
