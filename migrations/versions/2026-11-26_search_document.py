"""search document: one folded text per agreement for `q`, one trigram index on PostgreSQL

Revision ID: 3c8e5f1a7d92
Revises: e5c0a9d41f7b
Create Date: 2026-11-26 22:00:00.000000
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c8e5f1a7d92"
down_revision: str | None = "e5c0a9d41f7b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The four indexes that served `q` on agreements before (2026-11-24_search.py); the document's one
# index replaces them. The organizations' own (ix_organization_search_trgm) stays: it serves the
# organization list's `q`.
OLD_INDEXES = {
    "ix_agreement_title_trgm": ("agreement", "lower(title)"),
    "ix_agreement_party_number_trgm": ("agreement_party", "lower(document_number)"),
    "ix_scope_item_title_trgm": ("scope_item", "lower(title)"),
    "ix_scope_item_description_trgm": ("scope_item", "lower(description)"),
}
BATCH = 5_000


def _fold(text: str | None) -> str:
    # A copy of app.core.text.fold as it is today: a migration must not change with the code.
    bare = "".join(
        c for c in unicodedata.normalize("NFKD", text or "") if not unicodedata.combining(c)
    )
    return " ".join(bare.casefold().split())


def _backfill(connection: sa.Connection) -> None:
    """The documents of the agreements there are, as app/agreements/search.py writes them."""
    ids = [r[0] for r in connection.execute(sa.text("SELECT id FROM agreement ORDER BY id"))]
    target = sa.table("agreement_search", sa.column("agreement_id"), sa.column("document"))
    for start in range(0, len(ids), BATCH):
        low, high = ids[start], ids[min(start + BATCH, len(ids)) - 1]
        window = {"low": low, "high": high}
        parts: dict[int, list[str]] = {}
        for agreement_id, title in connection.execute(
            sa.text("SELECT id, title FROM agreement WHERE id BETWEEN :low AND :high"), window
        ):
            parts[agreement_id] = [_fold(title)]
        for agreement_id, number, names in connection.execute(
            sa.text(
                "SELECT p.agreement_id, p.document_number, o.search_text FROM agreement_party p "
                "JOIN organization o ON o.id = p.organization_id "
                "WHERE p.agreement_id BETWEEN :low AND :high ORDER BY p.agreement_id, p.position"
            ),
            window,
        ):
            parts[agreement_id] += [_fold(number), names]
        for agreement_id, title, description in connection.execute(
            sa.text(
                "SELECT agreement_id, title, description FROM scope_item "
                "WHERE agreement_id BETWEEN :low AND :high ORDER BY agreement_id, position"
            ),
            window,
        ):
            parts[agreement_id] += [_fold(title), _fold(description)]
        connection.execute(
            target.insert(),
            [
                {"agreement_id": i, "document": "\n".join(p for p in texts if p)}
                for i, texts in parts.items()
            ],
        )


def upgrade() -> None:
    op.create_table(
        "agreement_search",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("agreement_search_agreement_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agreement_id", name=op.f("agreement_search_pkey")),
    )
    connection = op.get_bind()
    _backfill(connection)
    if connection.dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_agreement_search_document_trgm ON agreement_search "
            "USING gin (document gin_trgm_ops)"
        )
        for name in OLD_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, (table, expression) in OLD_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON {table} USING gin ({expression} gin_trgm_ops)")
        op.execute("DROP INDEX IF EXISTS ix_agreement_search_document_trgm")
    op.drop_table("agreement_search")
