"""an index of the planned signing days still to be met (parties_unsigned > 0), read by the
reminder run and the registry's deadlines

Revision ID: e3b9c6a1f4d2
Revises: d7a3f1c2b8e4
Create Date: 2026-11-27 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e3b9c6a1f4d2"
down_revision: str | None = "d7a3f1c2b8e4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_agreement_open_planned_signing_on",
        "agreement",
        ["planned_signing_on"],
        unique=False,
        postgresql_where=sa.text("parties_unsigned > 0"),
        sqlite_where=sa.text("parties_unsigned > 0"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_agreement_open_planned_signing_on",
        table_name="agreement",
        postgresql_where=sa.text("parties_unsigned > 0"),
        sqlite_where=sa.text("parties_unsigned > 0"),
    )
