"""The traceability ledger: one hash-chained, signed snapshot per operation, diffable, auditable, deduplicated,
with checkpoints kept outside the database (see envctl.ledger.verify for what that makes evident).

Does not import envctl.engine or envctl.cli: the engine hands it plain data (SnapshotInput), and may ask
`Ledger.compare_state(env)` whether an env's state still holds what its last snapshot recorded.
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
from envctl.ledger.state_check import StateComparison

__all__ = [
    "Ledger",
    "LedgerDiff",
    "Problem",
    "PruneReport",
    "Recorded",
    "SnapshotContent",
    "SnapshotInput",
    "SnapshotSummary",
    "StateComparison",
    "StoredSnapshot",
    "VerifyReport",
    "capture_manifest",
    "capture_sources",
]
