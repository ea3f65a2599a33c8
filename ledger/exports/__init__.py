"""A snapshot in standard formats: a CycloneDX SBOM, in-toto/SLSA provenance, a Pulumi deployment.

What the exports share: the name a snapshot goes by outside envctl, and its recorded content.
"""

from __future__ import annotations

from envctl.errors import BadInput
from envctl.ledger import SnapshotContent, StoredSnapshot


def snapshot_name(snapshot: StoredSnapshot) -> str:
    """`<project>/<env>@<seq>`: unique across projects sharing a ledger, stable across exports."""
    return f"{snapshot.project}/{snapshot.summary.ref}"


def recorded_content(snapshot: StoredSnapshot) -> SnapshotContent:
    """The snapshot's content; BadInput when `ledger prune` dropped it (the header alone says too little)."""
    if snapshot.content is None:
        env = snapshot.summary.env
        raise BadInput(f"the content of {snapshot.summary.ref} was pruned, only its header is kept: export a "
                       f"snapshot that still has its content (`envctl history {env}` marks pruned ones)")
    return snapshot.content
