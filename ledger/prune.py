"""Retention: drop the content of an env's older snapshots, keeping their headers (and so the chain).

The head's `pruned_below` is what lets verify tell pruning from removal, so it is signed: the prune statement
names the env, the new mark and the hash of the first snapshot whose content is kept, binding the mark to
this chain. A prune only ever raises the mark to what the user asked for; it never signs a mark it found.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection, func, select, update

from envctl.errors import BadInput
from envctl.ledger.blobs import delete_blobs_except, load_blobs
from envctl.ledger.canonical import canonical_json
from envctl.ledger.content import RESOURCES
from envctl.ledger.db.ledger_tables import ledger_heads, ledger_snapshots
from envctl.ledger.locking import lock_ledger
from envctl.ledger.model import PruneReport
from envctl.ledger.queries import unknown_env
from envctl.ledger.signing import SigningKey


def prune_statement(env: str, pruned_below: int, kept_hash: str | None) -> bytes:
    """What a prune signs: `env`'s content is dropped below `pruned_below`, whose snapshot has hash `kept_hash`."""
    return canonical_json({"type": "envctl-prune/v1", "env": env, "pruned_below": pruned_below,
                           "kept_hash": kept_hash}).encode()


def prune(conn: Connection, env: str, keep: int, key: SigningKey) -> PruneReport:
    """Keep the content of `env`'s newest `keep` snapshots; delete blobs no snapshot refers to any more."""
    if keep < 1:
        raise BadInput(f"--keep must be at least 1 (got {keep}): the latest snapshot's content is always kept")
    lock_ledger(conn)
    head = conn.execute(select(ledger_heads).where(ledger_heads.c.env == env)).first()
    if head is None or head.seq == 0:
        raise unknown_env(conn, env)
    kept_from = head.seq - keep + 1
    if kept_from <= head.pruned_below:  # content cannot come back; the mark (and its signature) stay as they are
        return PruneReport(env=env, snapshots_pruned=0, blobs_deleted=0, kept_from=head.pruned_below)
    kept_hash = conn.scalar(select(ledger_snapshots.c.hash).where(ledger_snapshots.c.env == env,
                                                                  ledger_snapshots.c.seq == kept_from))
    signature = key.sign(prune_statement(env, kept_from, kept_hash))
    pruned = conn.execute(
        update(ledger_snapshots)
        .where(
            ledger_snapshots.c.env == env,
            ledger_snapshots.c.seq < kept_from,
            ledger_snapshots.c.tree_digest.is_not(None),
        )
        .values(tree_digest=None)
    ).rowcount
    # Verify takes a missing tree at or after pruned_below as tampering, before it as pruning.
    conn.execute(update(ledger_heads).where(ledger_heads.c.env == env).values(
        pruned_below=kept_from, prune_signer=signature.signer, prune_signature=signature.signature))
    deleted = delete_blobs_except(conn, _live_digests(conn))
    return PruneReport(env=env, snapshots_pruned=pruned, blobs_deleted=deleted, kept_from=kept_from)


def _live_digests(conn: Connection) -> set[str]:
    """Every blob an unpruned snapshot refers to: trees, their parts, and the resources in their lists."""
    trees = set(conn.scalars(select(func.distinct(ledger_snapshots.c.tree_digest)).where(
        ledger_snapshots.c.tree_digest.is_not(None))))
    live = set(trees)
    resource_lists: set[str] = set()
    for body in load_blobs(conn, trees).values():
        parts = json.loads(body)
        live.update(parts.values())
        resource_lists.add(parts[RESOURCES])
    for body in load_blobs(conn, resource_lists).values():
        live.update(json.loads(body))
    return live
