"""A snapshot's content as blobs, and back.

The content document is {"config", "manifest", "outputs", "resources", "sources"}. Each part is a blob,
each resource is its own blob (unchanged resources are shared between snapshots), a list blob holds the
resources' digests, and a tree blob names the parts. The snapshot header keeps the tree's digest (to
find the content) and `content_digest`, the sha256 of the canonical JSON of the whole resolved
document: the hash chain covers the content through it, and it survives pruning.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from envctl.errors import OperationFailed
from envctl.ledger.blobs import load_blobs
from envctl.ledger.canonical import canonical_json, join_array, join_object, sha256_hex
from envctl.ledger.model import SnapshotContent, SnapshotInput
from envctl.ledger.redaction import SECRET_SIG_KEY, Fingerprint, fingerprint_config, fingerprint_secrets

RESOURCES = "resources"
PARTS = frozenset({"config", "manifest", "outputs", RESOURCES, "sources"})


@dataclass(frozen=True)
class EncodedContent:
    tree_digest: str
    content_digest: str
    blobs: dict[str, str]  # digest -> canonical JSON body, every blob the snapshot refers to


class MissingContent(Exception):
    """A blob the snapshot refers to is not stored (or is unreadable)."""


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
    resource_bodies = [_resource_body(resource, fingerprint) for resource in snapshot.resources]
    tree[RESOURCES] = put(canonical_json([put(body) for body in resource_bodies]))
    texts[RESOURCES] = join_array(resource_bodies)
    return EncodedContent(
        tree_digest=put(canonical_json(tree)),
        content_digest=sha256_hex(join_object(texts)),
        blobs=blobs,
    )


def _resource_body(resource: dict[str, Any], fingerprint: Fingerprint) -> str:
    body = canonical_json(resource)
    # Most resources hold no secret: their text, free of the secret signature, is already the stored body.
    return canonical_json(fingerprint_secrets(resource, fingerprint)) if SECRET_SIG_KEY in body else body


class ContentReader:
    """Resolves tree digests to content through one connection.

    Parsed resources are cached by digest, so snapshots read through one reader share the objects of
    the resources they have in common (treat them as read-only): `a is b` means unchanged.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._resources: dict[str, Any] = {}

    def texts(self, tree_digest: str) -> dict[str, str]:
        """Each part's canonical JSON text, the resources part resolved into the array of resources."""
        texts, resource_digests = self._parts(tree_digest)
        bodies = self._load(resource_digests)
        texts[RESOURCES] = join_array(bodies[digest] for digest in resource_digests)
        return texts

    def content_digest(self, tree_digest: str) -> str:
        return sha256_hex(join_object(self.texts(tree_digest)))

    def content(self, tree_digest: str) -> SnapshotContent:
        texts, resource_digests = self._parts(tree_digest)
        unread = [digest for digest in resource_digests if digest not in self._resources]
        self._resources.update((digest, self._parse(body, digest)) for digest, body in self._load(unread).items())
        parts = {name: self._parse(text, name) for name, text in texts.items()}
        return SnapshotContent(**parts, resources=[self._resources[digest] for digest in resource_digests])

    def _parts(self, tree_digest: str) -> tuple[dict[str, str], list[str]]:
        """The texts of every part but resources, and the resources' digests in order."""
        tree = self._parse(self._load([tree_digest])[tree_digest], tree_digest)
        if not isinstance(tree, dict) or set(tree) != PARTS:
            raise MissingContent(f"blob {tree_digest} is not a content tree")
        bodies = self._load(tree.values())
        resource_digests = self._parse(bodies[tree[RESOURCES]], tree[RESOURCES])
        return {name: bodies[digest] for name, digest in tree.items() if name != RESOURCES}, resource_digests

    def _load(self, digests: Iterable[str]) -> dict[str, str]:
        wanted = list(digests)
        found = load_blobs(self._conn, wanted)
        missing = [digest for digest in wanted if digest not in found]
        if missing:
            raise MissingContent(f"blob {missing[0]} is missing")
        return found

    @staticmethod
    def _parse(body: str, name: str) -> Any:
        try:
            return json.loads(body)
        except ValueError as exc:
            raise MissingContent(f"blob {name} is not JSON") from exc


def content_unavailable(ref: str, reason: str) -> OperationFailed:
    return OperationFailed(f"the content of {ref} cannot be read ({reason}); run `envctl ledger verify`")
