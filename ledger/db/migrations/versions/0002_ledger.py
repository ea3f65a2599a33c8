"""The traceability ledger: snapshot headers, content-addressed blobs, one head per env.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_blobs",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("body", sa.Text(), nullable=False),
    )
    op.create_table(
        "ledger_snapshots",
        sa.Column("env", sa.String(200), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prev_hash", sa.String(64), nullable=True),
        sa.Column("content_digest", sa.String(64), nullable=False),
        sa.Column("tree_digest", sa.String(64), nullable=True),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("operation", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started", sa.String(40), nullable=False),
        sa.Column("finished", sa.String(40), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("ci_run_id", sa.Text(), nullable=True),
        sa.Column("engine", sa.String(40), nullable=False),
        sa.Column("cloud", sa.String(40), nullable=False),
        sa.Column("envctl_version", sa.String(80), nullable=False),
        sa.Column("source_ref", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("changes", sa.Text(), nullable=False),
    )
    op.create_table(
        "ledger_heads",
        sa.Column("env", sa.String(200), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=True),
        sa.Column("pruned_below", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    for table in ("ledger_heads", "ledger_snapshots", "ledger_blobs"):
        op.drop_table(table)
