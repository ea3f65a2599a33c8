"""Canonical JSON (sorted keys, no whitespace, UTF-8) and sha256 digests over it: what the ledger hashes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_json(value: Any) -> str:
    """The one text of `value` that everybody hashing it agrees on."""
    return _ENCODER.encode(value)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def join_object(members: Mapping[str, str]) -> str:
    """canonical_json of an object given its members' canonical texts (stored blobs are reused verbatim)."""
    return "{" + ",".join(f"{_ENCODER.encode(key)}:{members[key]}" for key in sorted(members)) + "}"


def join_array(items: Iterable[str]) -> str:
    """canonical_json of an array given its items' canonical texts."""
    return "[" + ",".join(items) + "]"
