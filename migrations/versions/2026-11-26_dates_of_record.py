"""dates of record: an agreement's drafted_on and finalized_on, given by staff

Revision ID: d4a7e2c9f1b6
Revises: b3e81f04c9d2
Create Date: 2026-11-26 15:20:00

Records are entered after the fact (the 21 Kalsel PKS, finalised in June 2022, were registered
in 2026); reads as of a past day now use these days instead of created_at and finalized_at.
Existing rows get the best days the registry has: the day the row was registered or finalised,
moved back to the first signature when a party signed earlier (a signature proves the text was
final, and known, by then), so that drafted_on <= finalized_on <= first signature holds.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4a7e2c9f1b6"
down_revision: str | None = "b3e81f04c9d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The UTC day of a stored moment: PostgreSQL keeps timestamptz, SQLite the UTC text.
DAY = {
    "postgresql": "CAST(({}) AT TIME ZONE 'UTC' AS DATE)",
    "sqlite": "date({})",
}
# The smaller of two days, either of which may be NULL (SQLite's min() would answer NULL).
EARLIER = {"postgresql": "LEAST({}, {})", "sqlite": "min(COALESCE({0}, {1}), COALESCE({1}, {0}))"}

FIRST_SIGNATURE = """(SELECT min(COALESCE(p.signed_on, {recorded_day})) FROM agreement_party p
  WHERE p.agreement_id = agreement.id AND p.signature_recorded_at IS NOT NULL)"""


def _backfill(dialect: str) -> None:
    day, earlier = DAY[dialect], EARLIER[dialect]
    first = FIRST_SIGNATURE.format(recorded_day=day.format("p.signature_recorded_at"))
    op.execute(
        f"UPDATE agreement SET finalized_on = {earlier.format(day.format('finalized_at'), first)}"
        " WHERE finalized_at IS NOT NULL"
    )
    op.execute(
        "UPDATE agreement SET drafted_on = "
        + earlier.format(earlier.format(day.format("created_at"), "finalized_on"), first)
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # SQLite adds a NOT NULL column only with a constant default (not CURRENT_DATE); every
        # writer of the registry gives the day, and the backfill below replaces this one.
        op.execute("ALTER TABLE agreement ADD COLUMN drafted_on DATE NOT NULL DEFAULT '0001-01-01'")
        op.execute("ALTER TABLE agreement ADD COLUMN finalized_on DATE")
        _backfill(dialect)
        return
    op.add_column("agreement", sa.Column("drafted_on", sa.Date(), nullable=True))
    op.add_column("agreement", sa.Column("finalized_on", sa.Date(), nullable=True))
    _backfill(dialect)
    op.alter_column(
        "agreement", "drafted_on", nullable=False, server_default=sa.text("CURRENT_DATE")
    )


def downgrade() -> None:
    with op.batch_alter_table("agreement") as batch:
        batch.drop_column("finalized_on")
        batch.drop_column("drafted_on")
