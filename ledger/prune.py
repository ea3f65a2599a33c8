"""Retention: drop the content of an env's older snapshots, keeping their headers (and so the chain)."""

from __future__ import annotations

import json

from sqlalchemy import Connection, func, select, update

from envctl.errors import BadInput
from envctl.ledger.blobs import delete_blobs_except, load_blobs
from envctl.ledger.content import RESOURCES
from envctl.ledger.db.ledger_tables import ledger_heads, ledger_snapshots
from envctl.ledger.locking import lock_ledger
from envctl.ledger.model import PruneReport
from envctl.ledger.queries import unknown_env


def prune(conn: Connection, env: str, keep: int) -> PruneReport:
    """Keep the content of `env`'s newest `keep` snapshots; delete blobs no snapshot refers to any more."""
    if keep < 1:
        raise BadInput(f"--keep must be at least 1 (got {keep}): the latest snapshot's content is always kept")
    lock_ledger(conn)
    head = conn.execute(select(ledger_heads).where(ledger_heads.c.env == env)).first()
    if head is None or head.seq == 0:
        raise unknown_env(conn, env)
    kept_from = max(head.seq - keep + 1, head.pruned_below)
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
    conn.execute(update(ledger_heads).where(ledger_heads.c.env == env).values(pruned_below=kept_from))
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
