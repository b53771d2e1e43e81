"""cancel an unsigned agreement; one record per file and agreement

Revision ID: b3918cf7abc0
Revises: 61baed62f174
Create Date: 2026-11-24 07:41:04.271397
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

import app.core.types

revision: str = "b3918cf7abc0"
down_revision: str | None = "61baed62f174"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Uploads of the same file to the same agreement were kept twice before; keep the first.
DEDUPLICATE_DOCUMENTS = """
DELETE FROM agreement_document
WHERE id NOT IN (
    SELECT min(id) FROM agreement_document GROUP BY agreement_id, sha256
)
"""


def upgrade() -> None:
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cancelled_at", app.core.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("cancellation_reason", sa.Text(), nullable=True))
    op.execute(DEDUPLICATE_DOCUMENTS)
    with op.batch_alter_table("agreement_document", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("agreement_document_agreement_id_sha256_key"), ["agreement_id", "sha256"]
        )


def downgrade() -> None:
    with op.batch_alter_table("agreement_document", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("agreement_document_agreement_id_sha256_key"), type_="unique"
        )
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.drop_column("cancellation_reason")
        batch_op.drop_column("cancelled_at")
