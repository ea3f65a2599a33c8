"""Audit: a snapshot's full provenance, or a resource's lineage (the snapshots that created, changed and deleted it).

A resource is found by URN, physical id or ARN at query time, without an index: one pattern scan of the
stored resource bodies finds the versions of a resource (canonical JSON spells `"urn":"..."` one way), and
one pass over its env's content trees and resource lists, compared by digest, places those versions in the
env's history. Unchanged resources share one blob, and snapshots that changed no resource share one list.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, select

from envctl.errors import BadInput
from envctl.ledger.anchors import Anchors
from envctl.ledger.blobs import load_blobs
from envctl.ledger.canonical import canonical_json, sha256_hex
from envctl.ledger.chain import snapshot_hash
from envctl.ledger.checkpoint import stored_checkpoints
from envctl.ledger.content import RESOURCES, ContentReader
from envctl.ledger.db.ledger_tables import ledger_blobs, ledger_heads, ledger_snapshots
from envctl.ledger.model import SnapshotHeader
from envctl.ledger.property_diff import property_changes
from envctl.ledger.queries import summary_from_row
from envctl.ledger.refs import resolve_ref
from envctl.ledger.trusted_keys import TrustedKeys
from envctl.ledger.verify import content_problem, signature_problem

URN_PREFIX = "urn:pulumi:"
ARN_PREFIX = "arn:"
_URN_TAG_HASH = "sha256:"  # how envctl tags a resource whose URN is too long for a tag value
_LINEAGE_FIELDS = ("urn", "type", "id", "inputs", "outputs")  # the rest (parent, provider, ...) is "meta"
_ORIGIN_COLUMNS = [ledger_snapshots.c[name] for name in (
    "env", "seq", "operation", "status", "started", "actor", "host", "ci_run_id", "hash")]


class NotRecorded(BadInput):
    """Nothing in the ledger matches what was asked for."""


@dataclass(frozen=True)
class ChainStatus:
    ok: bool
    problems: list[str]


@dataclass(frozen=True)
class Provenance(SnapshotHeader):
    """Everything a snapshot says about where an environment came from."""

    sources: dict[str, Any] | None  # None once pruned
    config_digest: str | None
    manifest_digest: str | None
    manifest: dict[str, Any] | None
    chain: ChainStatus

    def to_json(self) -> dict[str, Any]:
        document = self.summary.to_json()
        document.update({key: value for key, value in asdict(self).items() if key != "summary"})
        return document


@dataclass(frozen=True)
class Origin:
    """The snapshot a lineage event happened in: which operation, who, when, from which commit."""

    ref: str
    operation: str
    status: str
    started: str
    actor: str
    host: str
    ci_run_id: str | None
    commit: str | None
    branch: str | None
    dirty: bool | None
    hash: str


@dataclass(frozen=True)
class LineageEvent:
    event: str  # created | present (history before it pruned) | updated | replaced | deleted
    snapshot: Origin
    id: str | None
    id_from: str | None = None  # replaced: the id before
    changes: dict[str, list[dict[str, Any]]] | None = None  # updated/replaced: inputs, outputs, meta


@dataclass(frozen=True)
class Lineage:
    env: str
    urn: str
    type: str
    events: list[LineageEvent]
    unreadable: list[str] = field(default_factory=list)  # snapshots whose content could not be read

    @property
    def id(self) -> str | None:
        """The last physical id the ledger knows."""
        return next((event.id for event in reversed(self.events) if event.id), None)


@dataclass(frozen=True)
class AuditResult:
    query: str
    matched_by: str  # ref | urn | id | arn | cloud-tags
    provenance: Provenance | None = None
    lineages: list[Lineage] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "snapshot" if self.provenance is not None else "resource"

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"query": self.query, "kind": self.kind, "matched_by": self.matched_by}
        if self.provenance is not None:
            document["snapshot"] = self.provenance.to_json()
        else:
            document["resources"] = [{**asdict(lineage), "id": lineage.id} for lineage in self.lineages]
        return document


def audit(conn: Connection, thing: str) -> AuditResult:
    """What `thing` is (snapshot reference, URN, ARN or physical id) and its provenance or lineage."""
    if thing.startswith(URN_PREFIX):
        return _resources(conn, thing, "urn", [thing])
    if thing.startswith(ARN_PREFIX):
        # A log group's ARN as CloudWatch lists it ends in ":*" (all its streams); the group's own does not.
        return _resources(conn, thing, "arn", _urns_with(conn, "arn", thing.removesuffix(":*")))
    try:
        row = resolve_ref(conn, thing)
    except BadInput as not_a_ref:
        urns = _urns_with(conn, "id", thing)
        if not urns:
            raise NotRecorded(f"{thing!r} is not a snapshot ({not_a_ref}), nor the physical id of a resource "
                              "in the ledger") from None
        return _resources(conn, thing, "id", urns)
    return AuditResult(thing, "ref", provenance=_provenance(conn, row))


def audit_tagged(conn: Connection, thing: str, env: str, urn_tag: str) -> AuditResult:
    """The lineage of a resource found in the cloud, by envctl's tags (`envctl:env`, `envctl:urn`)."""
    urn = _urn_of_hash(conn, env, urn_tag) if urn_tag.startswith(_URN_TAG_HASH) else urn_tag
    lineage = _lineage(conn, urn) if urn is not None else None
    if lineage is None:
        raise NotRecorded(f"{thing!r} is tagged by envctl as {urn_tag} of environment {env!r}, but no snapshot in "
                          "this ledger records it: was it deployed with another ledger?")
    return AuditResult(thing, "cloud-tags", lineages=[lineage])


# ---- resources ---------------------------------------------------------------------------------


def _resources(conn: Connection, thing: str, matched_by: str, urns: list[str]) -> AuditResult:
    lineages = [lineage for urn in urns if (lineage := _lineage(conn, urn)) is not None]
    if not lineages:
        raise NotRecorded(f"no snapshot records a resource with {matched_by} {thing!r}")
    return AuditResult(thing, matched_by, lineages=lineages)


def _urns_with(conn: Connection, key: str, value: str) -> list[str]:
    """The URNs of recorded resources whose `id` (or whose output `arn`) is `value`."""
    docs, _ = _resource_versions(conn, key, value)
    return sorted({doc["urn"] for doc in docs.values()})


def _resource_versions(conn: Connection, key: str, value: str) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """Digest -> body of every stored resource whose `key` is exactly `value` (urn, id, or arn among outputs);
    and the digests of blobs that mention it but are not one JSON value (merged or split, so unreadable)."""
    needle = f"{canonical_json(key)}:{canonical_json(value)}"
    query = select(ledger_blobs.c.digest, ledger_blobs.c.body).where(ledger_blobs.c.body.contains(needle,
                                                                                                  autoescape=True))
    found, broken = {}, set()
    for digest, body in conn.execute(query):
        doc = _json_or_none(body)
        if doc is None:
            broken.add(digest)
        elif isinstance(doc, dict) and isinstance(doc.get("urn"), str) and _field(doc, key) == value:
            found[digest] = doc
    return found, broken


def _json_or_none(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _field(doc: dict[str, Any], key: str) -> Any:
    return (doc.get("outputs") or {}).get("arn") if key == "arn" else doc.get(key)


def _lineage(conn: Connection, urn: str) -> Lineage | None:
    """The events of `urn` in its env's history, oldest first; None when no snapshot records it."""
    versions, broken = _resource_versions(conn, "urn", urn)
    env = _env_of(urn)
    if not versions or env is None:
        return None
    rows = conn.execute(
        select(*_ORIGIN_COLUMNS, ledger_snapshots.c.tree_digest, ledger_blobs.c.body.label("tree_body"))
        .outerjoin(ledger_blobs, ledger_blobs.c.digest == ledger_snapshots.c.tree_digest)
        .where(ledger_snapshots.c.env == env)
        .order_by(ledger_snapshots.c.seq)
    ).all()
    trees = {row.seq: json.loads(row.tree_body) for row in rows if row.tree_body is not None}
    lists = load_blobs(conn, {tree[RESOURCES] for tree in trees.values()})
    present = {digest: _version_in(text, versions) for digest, text in lists.items()
               if not broken & set(json.loads(text))}
    unreadable: list[str] = []
    steps = []
    previous, known = None, True  # before an env's first snapshot nothing of it existed
    for row in rows:
        if row.tree_digest is None:
            previous, known = None, False  # pruned: what happened before the kept history is unknown
            continue
        if row.seq not in trees or trees[row.seq][RESOURCES] not in present:
            unreadable.append(f"{env}@{row.seq}")
            continue
        current = present[trees[row.seq][RESOURCES]]
        if current != previous:
            steps.append((row, _event_kind(versions, previous, current, known), versions.get(previous or ""),
                          versions.get(current or "")))
        previous, known = current, True
    origins = _origins(conn, [row for row, *_ in steps], trees)
    events = [_event(kind, origins[row.seq], before, after) for row, kind, before, after in steps]
    return Lineage(env, urn, next(iter(versions.values())).get("type", ""), events, unreadable)


def _env_of(urn: str) -> str | None:
    stack, separator, _ = urn.removeprefix(URN_PREFIX).partition("::")
    return stack if separator else None


def _version_in(resource_list: str, versions: dict[str, dict[str, Any]]) -> str | None:
    """Which version of the resource a snapshot's resource list (a JSON array of digests) holds."""
    present = sorted(versions.keys() & json.loads(resource_list))
    # A copy replaced create-before-delete shares the URN: the live one is the resource.
    live = [digest for digest in present if not versions[digest].get("delete")]
    return (live or present or [None])[0]


def _event_kind(versions: dict[str, dict[str, Any]], previous: str | None, current: str | None,
                known: bool) -> str:
    if current is None:
        return "deleted"
    if previous is None:
        return "created" if known else "present"
    return "replaced" if versions[previous].get("id") != versions[current].get("id") else "updated"


def _event(kind: str, origin: Origin, before: dict[str, Any] | None, after: dict[str, Any] | None) -> LineageEvent:
    if after is None or before is None:
        return LineageEvent(kind, origin, (after or before or {}).get("id"))
    id_from = before.get("id") if kind == "replaced" else None
    return LineageEvent(kind, origin, after.get("id"), id_from, _changes(before, after))


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    def meta(doc: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in doc.items() if key not in _LINEAGE_FIELDS}

    return {
        section: [change.to_json() for change in property_changes(old, new)]
        for section, old, new in (
            ("inputs", before.get("inputs") or {}, after.get("inputs") or {}),
            ("outputs", before.get("outputs") or {}, after.get("outputs") or {}),
            ("meta", meta(before), meta(after)),
        )
    }


def _origins(conn: Connection, rows: list[Row[Any]], trees: dict[int, dict[str, str]]) -> dict[int, Origin]:
    sources = _parsed(conn, {trees[row.seq]["sources"] for row in rows})
    origins = {}
    for row in rows:
        git = sources.get(trees[row.seq]["sources"]) or {}
        origins[row.seq] = Origin(
            ref=f"{row.env}@{row.seq}", operation=row.operation, status=row.status, started=row.started,
            actor=row.actor, host=row.host, ci_run_id=row.ci_run_id, commit=git.get("commit"),
            branch=git.get("branch"), dirty=git.get("dirty"), hash=row.hash,
        )
    return origins


def _urn_of_hash(conn: Connection, env: str, urn_tag: str) -> str | None:
    """The URN of `env` whose sha256 is in the tag (URNs longer than a tag value are tagged by hash)."""
    needle = f'"urn":{canonical_json(URN_PREFIX + env + "::")}'[:-1]  # the URNs of env: an open string prefix
    query = select(ledger_blobs.c.body).where(ledger_blobs.c.body.contains(needle, autoescape=True))
    for body in conn.scalars(query):
        doc = _json_or_none(body)
        urn = doc.get("urn") if isinstance(doc, dict) else None
        if isinstance(urn, str) and _URN_TAG_HASH + sha256_hex(urn) == urn_tag:
            return urn
    return None


# ---- snapshots ---------------------------------------------------------------------------------


def _provenance(conn: Connection, row: Row[Any]) -> Provenance:
    tree = _parsed(conn, [row.tree_digest]).get(row.tree_digest) if row.tree_digest else None
    parts = _parsed(conn, [tree["sources"], tree["manifest"]]) if tree else {}
    return Provenance(
        summary=summary_from_row(row), project=row.project, host=row.host, ci_run_id=row.ci_run_id,
        engine=row.engine, cloud=row.cloud, envctl_version=row.envctl_version, source_ref=row.source_ref,
        error=row.error, prev_hash=row.prev_hash, content_digest=row.content_digest, signer=row.signer,
        sources=parts.get(tree["sources"]) if tree else None,
        config_digest=tree["config"] if tree else None,
        manifest_digest=tree["manifest"] if tree else None,
        manifest=parts.get(tree["manifest"]) if tree else None,
        chain=_chain_status(conn, row),
    )


def _chain_status(conn: Connection, row: Row[Any]) -> ChainStatus:
    """This snapshot's place in its env's chain: its hash, both links, its signature and its content."""
    ref, env, seq = f"{row.env}@{row.seq}", row.env, row.seq
    problems = []
    if snapshot_hash(row._mapping) != row.hash:
        problems.append(f"{ref}'s header does not match its hash: it was modified")
    neighbours = {r.seq: r for r in conn.execute(
        select(ledger_snapshots.c.seq, ledger_snapshots.c.hash, ledger_snapshots.c.prev_hash)
        .where(ledger_snapshots.c.env == env, ledger_snapshots.c.seq.in_([seq - 1, seq + 1])))}
    before = neighbours.get(seq - 1)
    if seq > 1 and (before is None or before.hash != row.prev_hash):
        problems.append(f"{ref} does not link to {env}@{seq - 1}" + (": it is missing" if before is None else ""))
    head = conn.execute(select(ledger_heads.c.seq, ledger_heads.c.hash).where(ledger_heads.c.env == env)).first()
    after = neighbours.get(seq + 1)
    if after is not None and after.prev_hash != row.hash:
        problems.append(f"{env}@{seq + 1} does not link to {ref}")
    elif after is None and (head is None or head.seq != seq or head.hash != row.hash):
        problems.append(f"{ref} is the last snapshot, but {env}'s head record does not end at it")
    if row.signature is None and not _vouched_for(conn, row):
        problems.append(f"{ref} is not signed, and no checkpoint in the ledger vouches for it")
    invalid = signature_problem(row)
    found = [(invalid.kind, invalid.detail) if invalid else None]
    if row.tree_digest is not None:
        found.append(content_problem(ContentReader(conn, keep=False), row.tree_digest, row.content_digest))
    problems += [f"{ref} {kind}: {detail}" for kind, detail in filter(None, found)]
    return ChainStatus(not problems, problems)


def _vouched_for(conn: Connection, row: Row[Any]) -> bool:
    """Whether a verified checkpoint kept in the ledger covers the snapshot (whose key verify, knowing the
    project's trusted keys, judges; audit checks that the checkpoint's signature holds)."""
    hashes = dict(conn.execute(select(ledger_snapshots.c.seq, ledger_snapshots.c.hash)
                               .where(ledger_snapshots.c.env == row.env, ledger_snapshots.c.seq >= row.seq)).all())
    return Anchors(stored_checkpoints(conn)[0], TrustedKeys(None)).vouched_through(row.env, hashes) >= row.seq


def _parsed(conn: Connection, digests: Iterable[str]) -> dict[str, Any]:
    return {digest: json.loads(body) for digest, body in load_blobs(conn, digests).items()}
