"""idempotency lease: an in-progress key is held until locked_until, by one attempt

Revision ID: 5a1e7d3c9b20
Revises: d4a7e2c9f1b6
Create Date: 2026-11-26 15:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

import app.core.types

revision: str = "5a1e7d3c9b20"
down_revision: str | None = "d4a7e2c9f1b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Keys claimed before this migration have no lease: an unanswered one is free to take over.
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("locked_until", app.core.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("attempt", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )


def downgrade() -> None:
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_column("attempt")
        batch_op.drop_column("locked_until")
