"""Signatures: each snapshot's and each prune's signer and signature, and the checkpoints written so far.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Snapshots recorded before this revision stay unsigned: verify reports them until a checkpoint vouches for them.
    op.add_column("ledger_snapshots", sa.Column("signer", sa.String(60), nullable=True))
    op.add_column("ledger_snapshots", sa.Column("signature", sa.String(100), nullable=True))
    op.add_column("ledger_heads", sa.Column("prune_signer", sa.String(60), nullable=True))
    op.add_column("ledger_heads", sa.Column("prune_signature", sa.String(100), nullable=True))
    op.create_table(
        "ledger_checkpoints",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("line", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ledger_checkpoints")
    with op.batch_alter_table("ledger_heads") as batch:
        batch.drop_column("prune_signature")
        batch.drop_column("prune_signer")
    with op.batch_alter_table("ledger_snapshots") as batch:
        batch.drop_column("signature")
        batch.drop_column("signer")
