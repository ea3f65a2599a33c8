"""The local engine's state tables (the first released schema).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "state_resources",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("stack", sa.String(200), nullable=False),
        sa.Column("urn", sa.Text(), nullable=False),
        sa.Column("doomed", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_state_resources_stack_urn", "state_resources", ["stack", "urn"])
    op.create_table(
        "state_pending",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("stack", sa.String(200), nullable=False),
        sa.Column("urn", sa.Text(), nullable=False),
        sa.Column("operation", sa.String(20), nullable=False),
        sa.Column("started", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
    )
    op.create_index("ix_state_pending_stack", "state_pending", ["stack"])
    op.create_table(
        "state_stacks",
        sa.Column("stack", sa.String(200), primary_key=True),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("outputs", sa.Text(), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "locks",
        sa.Column("env", sa.String(200), primary_key=True),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("operation", sa.String(40), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("locks", "state_stacks", "state_pending", "state_resources"):
        op.drop_table(table)
