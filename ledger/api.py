"""The ledger as the CLI and engine use it: one object over one database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from envctl.ledger import diff as diff_module
from envctl.ledger import prune as prune_module
from envctl.ledger import queries, recorder, stored, verify
from envctl.ledger.checkpointing import CheckpointTaken, take_checkpoint
from envctl.ledger.content import ContentReader
from envctl.ledger.db import connect
from envctl.ledger.evidence import Evidence
from envctl.ledger.model import PruneReport, Recorded, SnapshotInput, SnapshotSummary, StoredSnapshot, VerifyReport
from envctl.ledger.redaction import Fingerprint
from envctl.ledger.sealing import Sealing
from envctl.ledger.signing import SigningKey, load_signing_key
from envctl.ledger.state_check import StateComparison, compare_state
from envctl.ledger.witness import Witness


class Ledger:
    """Append-only snapshots per env, hash-chained and signed; content deduplicated across snapshots.

    `sealing` is the key and witness recordings are sealed with; None means the user's (see Sealing).
    """

    def __init__(self, engine: Engine, sealing: Sealing | None = None) -> None:
        self.engine = engine
        self.sealing = sealing

    @classmethod
    def open(cls, url: str, sealing: Sealing | None = None) -> Ledger:
        """The ledger in the database at `url`, its schema upgraded to the current revision."""
        return cls(connect(url), sealing)

    def record(self, snapshot: SnapshotInput, fingerprint: Fingerprint) -> Recorded:
        """Append one operation's snapshot; `fingerprint` is the stack's keyed digest for secret values."""
        return recorder.record(self.engine, snapshot, fingerprint, self.sealing)

    def envs(self) -> list[str]:
        with self.engine.connect() as conn:
            return queries.envs(conn)

    def latest(self) -> dict[str, tuple[SnapshotSummary, str]]:
        """Each environment's newest snapshot and its cloud."""
        with self.engine.connect() as conn:
            return queries.latest(conn)

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

    def diff(self, a: str, b: str, repo_dir: Path | None = None, ids: bool = False) -> diff_module.LedgerDiff:
        """What changed from snapshot `a` to snapshot `b` (of two environments: by logical name, unless `ids`)."""
        with self.engine.connect() as conn:
            reader = ContentReader(conn)
            before, after = stored.load_snapshot(conn, a, reader), stored.load_snapshot(conn, b, reader)
        return diff_module.diff(before, after, repo_dir, ids)

    def verify(self, evidence: Evidence | None = None) -> VerifyReport:
        """Check every env's chain, signatures, content and state, and the claims of `evidence`'s checkpoints."""
        with self.engine.connect() as conn:
            return verify.verify(conn, evidence)

    def checkpoint(self, evidence: Evidence | None = None, vouch: bool = False,
                   witness: Witness | None = None) -> CheckpointTaken:
        """Verify, then sign every env's head; kept in the ledger and appended to `witness`."""
        return take_checkpoint(self.engine, self.signing_key(), evidence or Evidence(), vouch, witness)

    def prune(self, env: str, keep: int) -> PruneReport:
        """Drop the content of all but `env`'s newest `keep` snapshots; headers and the chain stay."""
        key = self.signing_key()
        with self.engine.begin() as conn:
            return prune_module.prune(conn, env, keep, key)

    def compare_state(self, env: str) -> StateComparison:
        """Whether `env`'s state rows hold the resources its last snapshot recorded (urn, type, id); for `up`
        and `drift` to refuse or warn. Needs no secrets key."""
        with self.engine.connect() as conn:
            return compare_state(conn, env)

    def signing_key(self) -> SigningKey:
        """The key this ledger signs with: the sealing's, else the user's; BadInput when there is none."""
        if self.sealing is not None and self.sealing.key is not None:
            return self.sealing.key
        return load_signing_key()
