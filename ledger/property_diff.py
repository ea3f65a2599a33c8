"""Differences between two JSON values as property paths (`tags.env`, `ingress[0].fromPort`), secrets redacted."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from envctl.ledger.redaction import is_secret_marker, redact

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SCALARS = frozenset({str, int, float, bool})
_ABSENT = object()  # a member one side does not have (None is a JSON value)


@dataclass(frozen=True)
class PropertyChange:
    path: str
    kind: str  # added | removed | changed
    before: Any  # None when added
    after: Any  # None when removed

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "from": self.before, "to": self.after}


def property_changes(before: Any, after: Any, path: str = "") -> list[PropertyChange]:
    """The leaf-level changes from `before` to `after`; a secret is a leaf that changed iff its fingerprint did."""
    secret = is_secret_marker(before) or is_secret_marker(after)
    if isinstance(before, dict) and isinstance(after, dict) and not secret:
        keys = sorted(before.keys() | after.keys())
        members = ((key, before.get(key, _ABSENT), after.get(key, _ABSENT)) for key in keys)
        return _member_changes(members, lambda key: _key_path(path, key))
    if isinstance(before, list) and isinstance(after, list):
        indexes = range(max(len(before), len(after)))
        members = ((i, _item(before, i), _item(after, i)) for i in indexes)
        return _member_changes(members, lambda index: f"{path}[{index}]")
    if same_value(before, after):
        return []
    return [PropertyChange(path, "changed", redact(before), redact(after))]


def _member_changes(members: Iterable[tuple[Any, Any, Any]], path_of: Callable[[Any], str]) -> list[PropertyChange]:
    changes: list[PropertyChange] = []
    for member, old, new in members:
        if _identical(old, new):
            continue  # the common case, decided before building a path
        path = path_of(member)
        if new is _ABSENT:
            changes.append(PropertyChange(path, "removed", redact(old), None))
        elif old is _ABSENT:
            changes.append(PropertyChange(path, "added", None, redact(new)))
        else:
            changes.extend(property_changes(old, new, path))
    return changes


def _identical(a: Any, b: Any) -> bool:
    """A fast exact check at C speed; a False here still gets the full comparison."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    # `==` alone takes True for 1 inside containers; their reprs tell the two apart.
    return a == b if type(a) in _SCALARS else a == b and repr(a) == repr(b)


def _item(items: list[Any], index: int) -> Any:
    return items[index] if index < len(items) else _ABSENT


def same_value(a: Any, b: Any) -> bool:
    """JSON equality: 80 equals 80.0 (Pulumi numbers are doubles), but true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[key], b[key]) for key in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if _both_numbers(a, b):
        return a == b
    return type(a) is type(b) and a == b


def _key_path(parent: str, key: str) -> str:
    if _IDENTIFIER.match(key):
        return f"{parent}.{key}" if parent else key
    return f"{parent}[{json.dumps(key, ensure_ascii=False)}]"


def _both_numbers(a: Any, b: Any) -> bool:
    return isinstance(a, int | float) and isinstance(b, int | float)
