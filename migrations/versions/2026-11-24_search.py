"""search: organizations' folded names, trigram indexes on PostgreSQL, number lookups

Revision ID: 5a7c1e9b2d40
Revises: 28d2659d8d6b
Create Date: 2026-11-24 13:40:00
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

revision: str = "5a7c1e9b2d40"
down_revision: str | None = "28d2659d8d6b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# On PostgreSQL, `q` (any part of a text) is served by trigram GIN indexes (pg_trgm, a trusted
# extension: the database's owner may create it). SQLite scans, with the same answers.
TRIGRAM_INDEXES = {
    "ix_organization_search_trgm": ("organization", "lower(search_text)"),
    "ix_agreement_title_trgm": ("agreement", "lower(title)"),
    "ix_agreement_party_number_trgm": ("agreement_party", "lower(document_number)"),
    "ix_scope_item_title_trgm": ("scope_item", "lower(title)"),
    "ix_scope_item_description_trgm": ("scope_item", "lower(description)"),
}


def _fold(*texts: str | None) -> str:
    # A copy of app.core.text.fold as it is today: a migration must not change with the code.
    joined = " ".join(t for t in texts if t)
    bare = "".join(c for c in unicodedata.normalize("NFKD", joined) if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def upgrade() -> None:
    with op.batch_alter_table("organization") as batch:
        batch.add_column(
            sa.Column(
                "search_text",
                sqlmodel.sql.sqltypes.AutoString(length=401),
                nullable=False,
                server_default="",
            )
        )
    connection = op.get_bind()
    organization = sa.table(
        "organization",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("short_name", sa.String),
        sa.column("search_text", sa.String),
    )
    rows = connection.execute(
        sa.select(organization.c.id, organization.c.name, organization.c.short_name)
    ).all()
    if rows:
        connection.execute(
            organization.update()
            .where(organization.c.id == sa.bindparam("oid"))
            .values(search_text=sa.bindparam("folded")),
            [{"oid": r.id, "folded": _fold(r.name, r.short_name)} for r in rows],
        )
    # An exact number (?number=) is looked up by its lower case alone, on both databases.
    op.execute(
        "CREATE INDEX ix_agreement_party_number_lower ON agreement_party (lower(document_number))"
    )
    if connection.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, (table, expression) in TRIGRAM_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON {table} USING gin ({expression} gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("DROP INDEX IF EXISTS ix_agreement_party_number_lower")
    with op.batch_alter_table("organization") as batch:
        batch.drop_column("search_text")
