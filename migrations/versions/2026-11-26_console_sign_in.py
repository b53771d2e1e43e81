"""console sign-in: a user's password hash and the console's server-side sessions

Revision ID: e5c0a9d41f7b
Revises: 5d2c7a91e4b0
Create Date: 2026-11-26 15:40:00

Merges the two heads of 26 November (dates of record, idempotency lease).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import app.core.types

revision: str = "e5c0a9d41f7b"
down_revision: str | Sequence[str] | None = "5d2c7a91e4b0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Not batch: SQLite's batch copy of app_user would lose its functional e-mail index.
    op.add_column(
        "app_user",
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    )
    op.create_table(
        "console_session",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_console_session_user_id", "console_session", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_console_session_user_id", table_name="console_session")
    op.drop_table("console_session")
    op.drop_column("app_user", "password_hash")  # SQLite >= 3.35 drops a column in place
