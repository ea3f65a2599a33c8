"""The hash chain: each snapshot's hash covers its header, its content digest and its env's previous hash;
its signature covers its hash.

The chain is per env (prev_hash is the previous snapshot of the same env), so environments record
without contending and `dev@N` is a position in one chain. The hashed header is the stored column
text itself, so any edit of a stored byte changes the hash.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from envctl.ledger.canonical import canonical_json, sha256_hex

HASHED_COLUMNS = (
    "env", "seq", "project", "operation", "status", "started", "finished", "actor", "host", "ci_run_id",
    "engine", "cloud", "envctl_version", "source_ref", "error", "changes", "content_digest", "prev_hash",
)  # fmt: skip


def snapshot_hash(row: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of the hashed header columns."""
    return sha256_hex(canonical_json({column: row[column] for column in HASHED_COLUMNS}))


def snapshot_statement(env: str, seq: int, hash_: str) -> bytes:
    """What a snapshot's signature signs: its hash, which covers its header, its content and its chain before it."""
    return canonical_json({"type": "envctl-snapshot/v1", "env": env, "seq": seq, "hash": hash_}).encode()
