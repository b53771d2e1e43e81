"""stored validity facts: an agreement's valid_until as amended and the day its renewal takes effect

Revision ID: b3e81f04c9d2
Revises: ac5dd622574b
Create Date: 2026-11-24 20:20:00

Status is then derived from the agreement's own row (no subquery per row over its amendments
and renewals), so that a filter by status can be served by an index and a count stays cheap at
national size. status.store_validity_facts keeps both columns from here on.
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "b3e81f04c9d2"
down_revision: str | None = "ac5dd622574b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy of the rule as it is today (app.agreements.status): a migration must not change with the
# code. The newest fully signed, live amendment that sets valid_until wins; a renewal that is
# fully signed and not cancelled takes effect on its valid_from, else on its last signing day,
# else (no day recorded) always.
BACKFILL = """
UPDATE agreement SET
  effective_valid_until = COALESCE(
    (SELECT a.valid_until FROM agreement a
      WHERE a.amends_id = agreement.id AND a.valid_until IS NOT NULL
        AND a.terminated_on IS NULL AND a.cancelled_at IS NULL
        AND a.finalized_at IS NOT NULL AND a.parties_unsigned = 0
      ORDER BY a.id DESC LIMIT 1),
    agreement.valid_until),
  superseded_from = (
    SELECT min(COALESCE(s.valid_from, s.last_signed_on, :always)) FROM agreement s
     WHERE s.supersedes_id = agreement.id AND s.cancelled_at IS NULL
       AND s.finalized_at IS NOT NULL AND s.parties_unsigned = 0)
"""


def upgrade() -> None:
    with op.batch_alter_table("agreement") as batch:
        batch.add_column(sa.Column("effective_valid_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("superseded_from", sa.Date(), nullable=True))
    op.get_bind().execute(
        sa.text(BACKFILL).bindparams(sa.bindparam("always", date(1, 1, 1), type_=sa.Date))
    )
    op.create_index(
        "ix_agreement_effective_valid_until", "agreement", ["effective_valid_until"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_agreement_effective_valid_until", table_name="agreement")
    with op.batch_alter_table("agreement") as batch:
        batch.drop_column("superseded_from")
        batch.drop_column("effective_valid_until")
