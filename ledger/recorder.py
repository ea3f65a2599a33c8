"""Appending a snapshot: content to blobs, header to the env's chain with consecutive sequence numbers, signed;
then a checkpoint to the witness."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from envctl.errors import BadInput
from envctl.ledger.blobs import store_blobs
from envctl.ledger.canonical import canonical_json
from envctl.ledger.chain import snapshot_hash, snapshot_statement
from envctl.ledger.content import EncodedContent, encode_content
from envctl.ledger.db.ledger_tables import ledger_heads, ledger_snapshots
from envctl.ledger.locking import lock_env
from envctl.ledger.model import OPERATIONS, STATUSES, Recorded, SnapshotInput
from envctl.ledger.redaction import Fingerprint
from envctl.ledger.sealing import Sealing
from envctl.ledger.signing import SigningKey
from envctl.names import check_env_name

# Two recorders of a new env can both try to create its head row; the loser retries and then queues.
_ATTEMPTS = 6
_BACKOFF_SECONDS = 0.05


def record(
    engine: Engine, snapshot: SnapshotInput, fingerprint: Fingerprint, sealing: Sealing | None = None
) -> Recorded:
    """Append `snapshot` to its env's chain, signed with `sealing`'s key (default: the user's, see
    envctl.ledger.signing), and append a checkpoint to its witness (default: ENVCTL_WITNESS).

    A snapshot is never lost to the sealing: without a usable key it is stored unsigned and BadInput then
    says so; a witness that cannot be written is a warning (`Recorded.witnessed` is False).
    """
    _check(snapshot)
    sealing = sealing or Sealing.from_environment()
    content = encode_content(snapshot, fingerprint)  # before any lock is taken
    attempt = 1
    while True:
        try:
            with engine.begin() as conn:
                recorded = _append(conn, snapshot, content, sealing.key)
            break
        except (IntegrityError, OperationalError):
            if attempt == _ATTEMPTS:
                raise
            time.sleep(_BACKOFF_SECONDS * attempt)
            attempt += 1
    witnessed = sealing.witness_heads(engine, recorded.ref)
    if sealing.problem:
        raise BadInput(f"{recorded.ref} was recorded, but {sealing.problem}. Once that is fixed, "
                       f"`envctl ledger checkpoint --vouch` can vouch for {recorded.ref}")
    return replace(recorded, witnessed=witnessed)


def _append(conn: Connection, snapshot: SnapshotInput, content: EncodedContent, key: SigningKey | None) -> Recorded:
    lock_env(conn, snapshot.env)
    head = conn.execute(select(ledger_heads.c.seq, ledger_heads.c.hash).where(ledger_heads.c.env == snapshot.env)).one()
    store_blobs(conn, content.blobs)
    row = _header_row(snapshot, head.seq + 1, head.hash, content)
    row["hash"] = snapshot_hash(row)
    if key is not None:
        signature = key.sign(snapshot_statement(snapshot.env, row["seq"], row["hash"]))
        row.update(signer=signature.signer, signature=signature.signature)
    conn.execute(insert(ledger_snapshots), row)
    conn.execute(
        update(ledger_heads).where(ledger_heads.c.env == snapshot.env).values(seq=row["seq"], hash=row["hash"])
    )
    return Recorded(ref=f"{snapshot.env}@{row['seq']}", seq=row["seq"], hash=row["hash"], signed=key is not None)


def _header_row(snapshot: SnapshotInput, seq: int, prev_hash: str | None, content: EncodedContent) -> dict[str, Any]:
    return {
        "env": snapshot.env,
        "seq": seq,
        "project": snapshot.project,
        "operation": snapshot.operation,
        "status": snapshot.status,
        "started": _utc_text(snapshot.started),
        "finished": _utc_text(snapshot.finished),
        "actor": snapshot.actor,
        "host": snapshot.host,
        "ci_run_id": snapshot.ci_run_id,
        "engine": snapshot.engine,
        "cloud": snapshot.cloud,
        "envctl_version": snapshot.envctl_version,
        "source_ref": snapshot.source_ref,
        "error": snapshot.error,
        "changes": canonical_json(snapshot.changes),
        "content_digest": content.content_digest,
        "tree_digest": content.tree_digest,
        "prev_hash": prev_hash,
    }


def _utc_text(moment: datetime) -> str:
    """The stored (and hashed) form of a timestamp: ISO 8601 in UTC."""
    if moment.tzinfo is None:
        raise ValueError(f"snapshot timestamps must be timezone-aware, got {moment!r}")
    return moment.astimezone(UTC).isoformat()


def _check(snapshot: SnapshotInput) -> None:
    check_env_name(snapshot.env)
    if snapshot.operation not in OPERATIONS:
        raise ValueError(f"operation {snapshot.operation!r} is not one of {', '.join(OPERATIONS)}")
    if snapshot.status not in STATUSES:
        raise ValueError(f"status {snapshot.status!r} is not one of {', '.join(STATUSES)}")
