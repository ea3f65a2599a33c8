"""Tables of the traceability ledger: snapshot headers, content-addressed blobs, one head per env, checkpoints.

Timestamps and JSON are stored as the exact text that was hashed, so verification hashes what is
stored byte for byte (a DateTime column would be re-rendered by the driver).
"""

from sqlalchemy import Column, Integer, String, Table, Text

from envctl.ledger.db import metadata

# Signatures are not hashed (a hash cannot cover its own signature); each signs a statement naming the hash.
_SIGNER = 60  # "ed25519:" + base64 of 32 bytes
_SIGNATURE = 100  # base64 of 64 bytes

# Content stored once however many snapshots share it: manifests, resource states, the lists and
# trees that tie a snapshot's content together. `digest` is the sha256 of `body` (canonical JSON).
ledger_blobs = Table(
    "ledger_blobs",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("body", Text, nullable=False),
)

ledger_snapshots = Table(
    "ledger_snapshots",
    metadata,
    Column("env", String(200), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False, unique=True),
    Column("prev_hash", String(64), nullable=True),  # the env's previous snapshot; None for seq 1
    Column("content_digest", String(64), nullable=False),  # sha256 of the resolved content document
    Column("tree_digest", String(64), nullable=True),  # where the content is; None once pruned
    Column("project", String(200), nullable=False),
    Column("operation", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("started", String(40), nullable=False),  # ISO 8601, UTC
    Column("finished", String(40), nullable=False),
    Column("actor", Text, nullable=False),
    Column("host", Text, nullable=False),
    Column("ci_run_id", Text, nullable=True),
    Column("engine", String(40), nullable=False),
    Column("cloud", String(40), nullable=False),
    Column("envctl_version", String(80), nullable=False),
    Column("source_ref", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("changes", Text, nullable=False),  # canonical JSON of the step counts
    Column("signer", String(_SIGNER), nullable=True),  # the public key; None: recorded before snapshots were signed
    Column("signature", String(_SIGNATURE), nullable=True),  # over chain.snapshot_statement
)

# One row per env: recorders lock it so sequence numbers stay consecutive, and verify compares it
# with the last snapshot so a deleted or appended tail is noticed.
ledger_heads = Table(
    "ledger_heads",
    metadata,
    Column("env", String(200), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=True),
    Column("pruned_below", Integer, nullable=False),  # snapshots before this seq had their content pruned
    Column("prune_signer", String(_SIGNER), nullable=True),  # who pruned (None while nothing is pruned)
    Column("prune_signature", String(_SIGNATURE), nullable=True),  # over prune.prune_statement
)

# Checkpoints written by `envctl ledger checkpoint`, each the signed line also written to a file or witness.
# Their copy here cannot stop someone who can write this table; it lets verify find what a trusted
# checkpoint vouched for (snapshots recorded before signing) without being handed the file.
ledger_checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("line", Text, nullable=False),
)
