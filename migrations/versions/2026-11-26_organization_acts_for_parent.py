"""organization acts_for_parent: the unit that coordinates cooperation for its government

Revision ID: 5d2c7a91e4b0
Revises: 5a1e7d3c9b20
Create Date: 2026-11-26 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

import app.core.types  # noqa: F401

revision: str = "5d2c7a91e4b0"
down_revision: str | None = "5a1e7d3c9b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every existing organization acts for itself only (false), as before; an admin sets the
    # flag on the Biro (or `registry seed` on the seeded one). A plain ADD COLUMN on both
    # databases: a batch copy of the table on SQLite would lose its expression index
    # (uq_organization_parent_name).
    op.add_column(
        "organization",
        sa.Column("acts_for_parent", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    # SQLite ≥ 3.35 drops a column in place too.
    op.drop_column("organization", "acts_for_parent")
