"""Reading snapshot headers: which envs exist, an env's history."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from envctl.errors import BadInput
from envctl.ledger.canonical import join_array
from envctl.ledger.db.ledger_tables import ledger_heads, ledger_snapshots
from envctl.ledger.model import SnapshotSummary

_SUMMARY_COLUMNS = [
    ledger_snapshots.c[name]
    for name in ("env", "seq", "operation", "status", "started", "finished", "actor", "hash", "changes", "tree_digest")
]


def envs(conn: Connection) -> list[str]:
    """The environments that have snapshots, sorted."""
    query = select(ledger_heads.c.env).where(ledger_heads.c.seq > 0).order_by(ledger_heads.c.env)
    return list(conn.scalars(query))


def history(conn: Connection, env: str, limit: int | None = None) -> list[SnapshotSummary]:
    """`env`'s snapshots, newest first; the newest `limit` when given."""
    query = select(*_SUMMARY_COLUMNS).where(ledger_snapshots.c.env == env).order_by(ledger_snapshots.c.seq.desc())
    rows = conn.execute(query.limit(limit) if limit is not None else query).all()
    if not rows:
        raise unknown_env(conn, env)
    # One parse of all the change counts costs a tenth of one parse per row.
    changes = json.loads(join_array(row.changes for row in rows))
    return [summary_from_row(row, counts) for row, counts in zip(rows, changes, strict=True)]


def latest(conn: Connection) -> dict[str, tuple[SnapshotSummary, str]]:
    """Each environment's newest snapshot and the cloud it was made in, by environment."""
    newest = ledger_snapshots.join(ledger_heads, (ledger_heads.c.env == ledger_snapshots.c.env)
                                   & (ledger_heads.c.seq == ledger_snapshots.c.seq))
    rows = conn.execute(select(*_SUMMARY_COLUMNS, ledger_snapshots.c.cloud).select_from(newest)).all()
    return {row.env: (summary_from_row(row), row.cloud) for row in rows}


def summary_from_row(row: Row[Any], changes: dict[str, int] | None = None) -> SnapshotSummary:
    """The summary of a ledger_snapshots row; `changes` when its counts are already parsed."""
    return SnapshotSummary(
        ref=f"{row.env}@{row.seq}",
        env=row.env,
        seq=row.seq,
        operation=row.operation,
        status=row.status,
        started=datetime.fromisoformat(row.started),
        finished=datetime.fromisoformat(row.finished),
        actor=row.actor,
        hash=row.hash,
        changes=json.loads(row.changes) if changes is None else changes,
        pruned=row.tree_digest is None,
    )


def unknown_env(conn: Connection, env: str) -> BadInput:
    return BadInput(f"no snapshots of environment {env!r}; {known_envs(conn)}")


def known_envs(conn: Connection) -> str:
    """What exists, for error messages."""
    names = envs(conn)
    return f"environments with snapshots: {', '.join(names)}" if names else "the ledger has no snapshots yet"
