"""stored signature facts

Revision ID: 61baed62f174
Revises: bc5076758552
Create Date: 2026-11-23 08:53:06.898430
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

revision: str = "61baed62f174"
down_revision: str | None = "bc5076758552"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


BACKFILL = """
UPDATE agreement SET
    parties_signed = (SELECT count(*) FROM agreement_party p
                      WHERE p.agreement_id = agreement.id AND p.signature_recorded_at IS NOT NULL),
    parties_unsigned = (SELECT count(*) FROM agreement_party p
                        WHERE p.agreement_id = agreement.id AND p.signature_recorded_at IS NULL),
    last_signed_on = (SELECT max(p.signed_on) FROM agreement_party p
                      WHERE p.agreement_id = agreement.id)
"""


def upgrade() -> None:
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("parties_signed", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("parties_unsigned", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("last_signed_on", sa.Date(), nullable=True))
    # Fill the copy from the party rows (the same definition as lifecycle.store_signature_facts).
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.drop_column("last_signed_on")
        batch_op.drop_column("parties_unsigned")
        batch_op.drop_column("parties_signed")
