"""Tables of the local engine's state: one row per resource, so a checkpoint writes one row."""

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Table, Text

from envctl.ledger.db import metadata

state_resources = Table(
    "state_resources",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("stack", String(200), nullable=False),
    Column("urn", Text, nullable=False),
    # An old resource replaced create-before-delete, kept (with the same URN as its replacement)
    # until its deletion succeeds.
    Column("doomed", Boolean, nullable=False, default=False),
    # Registration order; exports list resources in it so parents and dependencies come first.
    Column("position", Integer, nullable=False),
    Column("body", Text, nullable=False),  # the resource in Pulumi's ResourceV3 form, secrets encrypted
    Column("modified", DateTime(timezone=True), nullable=False),
)
Index("ix_state_resources_stack_urn", state_resources.c.stack, state_resources.c.urn)

# An operation is recorded here before its cloud call starts and removed when its outcome is
# checkpointed, so a crash leaves no resource unknown to state.
state_pending = Table(
    "state_pending",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("stack", String(200), nullable=False, index=True),
    Column("urn", Text, nullable=False),
    Column("operation", String(20), nullable=False),
    Column("started", DateTime(timezone=True), nullable=False),
    Column("body", Text, nullable=False),
)

state_stacks = Table(
    "state_stacks",
    metadata,
    Column("stack", String(200), primary_key=True),
    Column("project", String(200), nullable=False),
    Column("outputs", Text, nullable=False, default="{}"),
    Column("updated", DateTime(timezone=True), nullable=False),
)

locks = Table(
    "locks",
    metadata,
    Column("env", String(200), primary_key=True),
    Column("pid", Integer, nullable=False),
    Column("host", String(255), nullable=False),
    Column("operation", String(40), nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
)
