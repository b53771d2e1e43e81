"""pks due date and scope item source

Revision ID: e44256565129
Revises: ef46b8e01351
Create Date: 2026-11-23 07:57:45.025719
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

revision: str = "e44256565129"
down_revision: str | None = "ef46b8e01351"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pks_due_on", sa.Date(), nullable=True))

    with op.batch_alter_table("scope_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_item_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_scope_item_source_item_id"), ["source_item_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("scope_item_source_item_id_fkey"),
            "scope_item",
            ["source_item_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("scope_item", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("scope_item_source_item_id_fkey"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_scope_item_source_item_id"))
        batch_op.drop_column("source_item_id")

    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.drop_column("pks_due_on")
