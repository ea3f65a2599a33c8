"""The traceability ledger: one hash-chained snapshot per operation, diffable, auditable, deduplicated.

Does not import envctl.engine or envctl.cli: the engine hands it plain data (SnapshotInput).
"""

from envctl.ledger.api import Ledger
from envctl.ledger.diff import LedgerDiff
from envctl.ledger.manifest import capture_manifest
from envctl.ledger.model import (
    Problem,
    PruneReport,
    Recorded,
    SnapshotContent,
    SnapshotInput,
    SnapshotSummary,
    StoredSnapshot,
    VerifyReport,
)
from envctl.ledger.sources import capture_sources

__all__ = [
    "Ledger",
    "LedgerDiff",
    "Problem",
    "PruneReport",
    "Recorded",
    "SnapshotContent",
    "SnapshotInput",
    "SnapshotSummary",
    "StoredSnapshot",
    "VerifyReport",
    "capture_manifest",
    "capture_sources",
]
