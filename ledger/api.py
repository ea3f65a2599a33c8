"""The ledger as the CLI and engine use it: one object over one database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from envctl.ledger import diff as diff_module
from envctl.ledger import prune as prune_module
from envctl.ledger import queries, recorder, stored, verify
from envctl.ledger.content import ContentReader
from envctl.ledger.db import connect
from envctl.ledger.model import PruneReport, Recorded, SnapshotInput, SnapshotSummary, StoredSnapshot, VerifyReport
from envctl.ledger.redaction import Fingerprint


class Ledger:
    """Append-only snapshots per env, hash-chained; content deduplicated across snapshots."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str) -> Ledger:
        """The ledger in the database at `url`, its schema upgraded to the current revision."""
        return cls(connect(url))

    def record(self, snapshot: SnapshotInput, fingerprint: Fingerprint) -> Recorded:
        """Append one operation's snapshot; `fingerprint` is the stack's keyed digest for secret values."""
        return recorder.record(self.engine, snapshot, fingerprint)

    def envs(self) -> list[str]:
        with self.engine.connect() as conn:
            return queries.envs(conn)

    def history(self, env: str, limit: int | None = None) -> list[SnapshotSummary]:
        """`env`'s snapshots, newest first (the newest `limit` of them when given)."""
        with self.engine.connect() as conn:
            return queries.history(conn, env, limit)

    def load(self, ref: str) -> StoredSnapshot:
        """The snapshot `ref` names (dev, dev@7, dev~2, hash prefix), with its content unless pruned."""
        with self.engine.connect() as conn:
            return stored.load_snapshot(conn, ref)

    def show(self, ref: str) -> dict[str, Any]:
        """The snapshot `ref` names as one JSON-able document; secrets appear as {"secret": <fingerprint>}."""
        return self.load(ref).to_json()

    def diff(self, a: str, b: str, repo_dir: Path | None = None) -> diff_module.LedgerDiff:
        """What changed from snapshot `a` to snapshot `b`."""
        with self.engine.connect() as conn:
            reader = ContentReader(conn)
            before, after = stored.load_snapshot(conn, a, reader), stored.load_snapshot(conn, b, reader)
        return diff_module.diff(before, after, repo_dir)

    def verify(self) -> VerifyReport:
        with self.engine.connect() as conn:
            return verify.verify(conn)

    def prune(self, env: str, keep: int) -> PruneReport:
        """Drop the content of all but `env`'s newest `keep` snapshots; headers and the chain stay."""
        with self.engine.begin() as conn:
            return prune_module.prune(conn, env, keep)
