"""The plain data that crosses the ledger's border: what the engine records and what queries return."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

# The runs of the engine, then the edits of the state commands (each recorded as its own operation).
OPERATIONS = ("up", "destroy", "rebuild", "refresh", "import", "state-delete", "state-unprotect", "state-rename", "rm")
# Pulumi's stack-name characters; "@" and "~" stay free for references (dev@3, dev~1).
STATUSES = ("succeeded", "failed", "interrupted")


@dataclass
class SnapshotInput:
    """One operation's outcome, filled by the engine/CLI and recorded once at the operation's end."""

    env: str
    project: str
    operation: str  # up|destroy|rebuild|refresh
    status: str  # succeeded|failed|interrupted
    started: datetime  # tz-aware
    finished: datetime
    actor: str
    host: str
    ci_run_id: str | None
    engine: str
    cloud: str
    envctl_version: str
    sources: dict[str, Any]  # from capture_sources()
    manifest: dict[str, Any]  # from capture_manifest()
    config: dict[str, Any]  # full key -> plain value; the secret ones are fingerprinted, never stored
    secret_keys: list[str]
    resources: list[dict[str, Any]]  # urn, type, id, provider, parent, custom, inputs, outputs, dependencies
    outputs: dict[str, Any]  # stack outputs
    changes: dict[str, int]  # create/update/replace/delete/same counts
    error: str | None = None
    source_ref: str | None = None  # for rebuild: the snapshot it was rebuilt from


@dataclass(frozen=True)
class Recorded:
    ref: str  # "dev@3"
    seq: int
    hash: str
    signed: bool = True
    witnessed: bool | None = None  # None: no witness is set


@dataclass(frozen=True)
class SnapshotSummary:
    """A snapshot's header as `history` lists it."""

    ref: str
    env: str
    seq: int
    operation: str
    status: str
    started: datetime
    finished: datetime
    actor: str
    hash: str
    changes: dict[str, int]
    pruned: bool

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["started"] = self.started.isoformat()
        document["finished"] = self.finished.isoformat()
        return document


@dataclass(frozen=True)
class SnapshotContent:
    """What a snapshot recorded besides its header; secrets appear as {"secret": <fingerprint>}."""

    sources: dict[str, Any]
    manifest: dict[str, Any]
    config: dict[str, Any]
    resources: list[dict[str, Any]]
    outputs: dict[str, Any]


@dataclass(frozen=True)
class SnapshotHeader:
    """What a snapshot's header row says, beyond its summary."""

    summary: SnapshotSummary
    project: str
    host: str
    ci_run_id: str | None
    engine: str
    cloud: str
    envctl_version: str
    source_ref: str | None
    error: str | None
    prev_hash: str | None
    content_digest: str
    signer: str | None  # the public key that signed it; None: unsigned


@dataclass(frozen=True)
class StoredSnapshot(SnapshotHeader):
    """A whole snapshot as stored; `content` is None once pruned."""

    content: SnapshotContent | None

    def to_json(self) -> dict[str, Any]:
        document = self.summary.to_json()
        document.update(
            {name: getattr(self, name) for name in (
                "project", "host", "ci_run_id", "engine", "cloud", "envctl_version", "source_ref", "error",
                "prev_hash", "content_digest", "signer",
            )}
        )
        if self.content is not None:
            document.update(asdict(self.content))
        return document


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with one env's chain (or with a checkpoint, or with an env's state)."""

    env: str  # for a checkpoint's own problem: where the checkpoint was read
    seq: int | None  # None: the env as a whole
    # removed | truncated | rewritten | merged | inserted | content-missing | unsigned | untrusted | state-differs
    kind: str
    detail: str
    vouchable: bool = False  # a missing or untrusted signature, which `envctl ledger checkpoint --vouch` accepts

    @property
    def ref(self) -> str:
        return self.env if self.seq is None else f"{self.env}@{self.seq}"


@dataclass(frozen=True)
class VerifyReport:
    checked: int  # snapshots whose header hash was recomputed
    content_checked: int  # of those, the ones whose content was resolved and rehashed (not pruned)
    signed: int = 0  # of those, the ones with a valid signature
    checkpoints: int = 0  # checkpoints whose claims were compared with the database
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what verify could not check, and why

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "content_checked": self.content_checked,
            "signed": self.signed,
            "checkpoints": self.checkpoints,
            "problems": [{"ref": p.ref, **asdict(p)} for p in self.problems],
            "notes": self.notes,
        }


@dataclass(frozen=True)
class PruneReport:
    env: str
    snapshots_pruned: int  # snapshots whose content was dropped by this call
    blobs_deleted: int
    kept_from: int  # first seq whose content is kept
