"""A snapshot's content as blobs, and back.

The content document is {"config", "manifest", "outputs", "resources", "sources"}. Each part is a blob,
each resource is its own blob (unchanged resources are shared between snapshots), a list blob holds the
resources' digests, and a tree blob names the parts. The snapshot header keeps the tree's digest (to
find the content) and `content_digest`, the sha256 of the canonical JSON of the whole resolved
document: the hash chain covers the content through it, and it survives pruning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from envctl.errors import OperationFailed
from envctl.ledger.blobs import load_blobs
from envctl.ledger.canonical import canonical_json, join_array, join_object, parse_json, sha256_hex
from envctl.ledger.model import SnapshotContent, SnapshotInput
from envctl.ledger.redaction import (
    Fingerprint,
    SecretsInText,
    fingerprint_config,
    fingerprint_secrets,
)

RESOURCES = "resources"
PARTS = frozenset({"config", "manifest", "outputs", RESOURCES, "sources"})


@dataclass(frozen=True)
class EncodedContent:
    tree_digest: str
    content_digest: str
    blobs: dict[str, str]  # digest -> canonical JSON body, every blob the snapshot refers to


class MissingContent(Exception):
    """A blob the snapshot refers to is not stored (or is not what the snapshot needs)."""


class AlteredContent(MissingContent):
    """The resolved content is not the text the snapshot's content digest covers."""


class MergedContent(MissingContent):
    """The resolved text is the one hashed, but its blobs do not each hold one value: they were merged or split."""


def encode_content(snapshot: SnapshotInput, fingerprint: Fingerprint) -> EncodedContent:
    """The snapshot's content, secrets fingerprinted, as blobs plus its tree and content digests."""
    blobs: dict[str, str] = {}

    def put(body: str) -> str:
        digest = sha256_hex(body)
        blobs[digest] = body
        return digest

    texts = {
        "config": canonical_json(fingerprint_config(snapshot.config, snapshot.secret_keys, fingerprint)),
        # The engine fills manifest and sources from its own items too: a secret there is still not stored.
        "manifest": canonical_json(fingerprint_secrets(snapshot.manifest, fingerprint)),
        "outputs": canonical_json(fingerprint_secrets(snapshot.outputs, fingerprint)),
        "sources": canonical_json(fingerprint_secrets(snapshot.sources, fingerprint)),
    }
    tree = {name: put(body) for name, body in texts.items()}
    secrets_in = SecretsInText(fingerprint)
    resource_bodies = [secrets_in(canonical_json(resource)) for resource in snapshot.resources]
    tree[RESOURCES] = put(canonical_json([put(body) for body in resource_bodies]))
    texts[RESOURCES] = join_array(resource_bodies)
    return EncodedContent(
        tree_digest=put(canonical_json(tree)),
        content_digest=sha256_hex(join_object(texts)),
        blobs=blobs,
    )


class ContentReader:
    """Resolves tree digests to content through one connection, checking it against the snapshot's digest.

    The digest covers the joined text of the parts and resources. The text alone does not fix how it is cut
    into blobs (two resources merged into one blob join to the same text), so each blob must also hold exactly
    one JSON value of its kind: then the values read are the ones that were hashed. Show, diff, audit and
    verify all read through here, so none of them accepts content another rejects.

    With `keep` (reading content), parsed blobs are cached by digest, so snapshots read through one reader
    share the objects of the resources they have in common (treat them as read-only): `a is b` means
    unchanged. Without it (checking only), a blob is parsed once and only its digest is remembered.
    """

    def __init__(self, conn: Connection, keep: bool = True) -> None:
        self._conn = conn
        self._keep = keep
        self._values: dict[str, Any] = {}
        self._texts: dict[str, str] = {}
        self._checked: set[str] = set()

    def checked_content(self, tree_digest: str, content_digest: str) -> SnapshotContent:
        """The content, if it is what `content_digest` covers; else the MissingContent subclass saying how not."""
        if not self._keep:
            raise TypeError("a reader made with keep=False checks content but does not keep it")
        tree, resource_digests = self._check(tree_digest, content_digest)
        parts = {name: self._values[tree[name]] for name in PARTS - {RESOURCES}}
        return SnapshotContent(**parts, resources=[self._values[digest] for digest in resource_digests])

    def check(self, tree_digest: str, content_digest: str) -> None:
        """Raise the MissingContent subclass saying how the content is not what `content_digest` covers."""
        self._check(tree_digest, content_digest)

    def _check(self, tree_digest: str, content_digest: str) -> tuple[dict[str, str], list[str]]:
        tree = _structure(tree_digest, self._load([tree_digest])[tree_digest], dict)
        if set(tree) != PARTS or not all(isinstance(digest, str) for digest in tree.values()):
            raise MissingContent(f"blob {tree_digest} is not a content tree")
        texts = self._load(tree.values())
        resource_digests = _structure(tree[RESOURCES], texts[tree[RESOURCES]], list)
        if not all(isinstance(digest, str) for digest in resource_digests):
            raise MissingContent(f"blob {tree[RESOURCES]} is not a list of resource digests")
        bodies = self._load(resource_digests)
        joined = {name: texts[tree[name]] for name in PARTS - {RESOURCES}}
        joined[RESOURCES] = join_array(bodies[digest] for digest in resource_digests)
        if sha256_hex(join_object(joined)) != content_digest:
            raise AlteredContent("its content (resources, manifest, config, sources or outputs) does not match "
                                 "its content digest")
        for name in PARTS - {RESOURCES}:
            self._hold_one_value(tree[name], texts[tree[name]])
        for digest in resource_digests:
            self._hold_one_value(digest, bodies[digest])
        return tree, resource_digests

    def _load(self, digests: Iterable[str]) -> dict[str, str]:
        wanted = list(digests)
        found = {digest: self._texts[digest] for digest in wanted if digest in self._texts}
        found.update(load_blobs(self._conn, [digest for digest in wanted if digest not in found]))
        missing = [digest for digest in wanted if digest not in found]
        if missing:
            raise MissingContent(f"blob {missing[0]} is missing")
        if self._keep:
            self._texts.update(found)  # snapshots read through one reader share most blobs: fetched once
        return found

    def _hold_one_value(self, digest: str, body: str) -> None:
        """Check that blob `digest` is one JSON object (every part and resource is one)."""
        if digest in self._values or digest in self._checked:
            return
        try:
            value = parse_json(body)
        except ValueError:
            raise MergedContent(f"blob {digest} does not hold one JSON value: blobs were merged or split") from None
        if not isinstance(value, dict):
            raise MergedContent(f"blob {digest} holds a {type(value).__name__}, not one object: blobs were "
                                "merged or split")
        if self._keep:
            self._values[digest] = value
        else:
            self._checked.add(digest)


def _structure(digest: str, body: str, kind: type) -> Any:
    """A tree or resource list blob, parsed."""
    try:
        value = parse_json(body)
    except ValueError:
        raise MissingContent(f"blob {digest} is not JSON") from None
    if not isinstance(value, kind):
        raise MissingContent(f"blob {digest} is not a {kind.__name__}")
    return value


def content_unavailable(ref: str, reason: str) -> OperationFailed:
    return OperationFailed(f"the content of {ref} cannot be read ({reason}); run `envctl ledger verify`")
