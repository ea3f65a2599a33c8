"""Parity between a source snapshot and the environment rebuilt from it: the same resources, of the same types,
with the same inputs, once what a rebuild cannot keep is set aside.

A rebuild cannot keep physical ids, the `<name>-<7 hex>` suffix of auto-generated names, or any value
derived from them (a subnet's `vpcId`, a queue URL inside a redrive policy, an ARN in a policy). Each
side's ids and ARNs are therefore replaced, wherever they occur in inputs, by a token naming the resource
they belong to, so a subnet still has to point at *the* VPC. Rebuilt into another environment, the
environment's name (in URNs, tags, parameter paths) is set aside too. Secrets compare by fingerprint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from envctl.ledger.property_diff import PropertyChange, property_changes
from envctl.ledger.redaction import is_secret_marker

_AUTO_NAME_SUFFIX = re.compile(r"(?<=[A-Za-z0-9])-[0-9a-f]{7}(?![A-Za-z0-9])")
_ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
# Shorter physical values are only recognized as a whole value: as a substring, a "1" is everywhere.
_MIN_EMBEDDED_LENGTH = 6


@dataclass(frozen=True)
class Mismatch:
    """A resource present on both sides whose inputs differ beyond physical identity."""

    urn: str  # the rebuilt resource's URN
    type: str
    changes: list[PropertyChange]

    def to_json(self) -> dict[str, Any]:
        return {"urn": self.urn, "type": self.type, "inputs": [change.to_json() for change in self.changes]}


@dataclass(frozen=True)
class Parity:
    compared: int  # resources paired
    missing: list[dict[str, str]]  # {urn, type} in the source, not rebuilt
    extra: list[dict[str, str]]  # rebuilt, not in the source
    mismatches: list[Mismatch]

    @property
    def holds(self) -> bool:
        return not (self.missing or self.extra or self.mismatches)

    def to_json(self) -> dict[str, Any]:
        return {"holds": self.holds, "compared": self.compared, "missing": self.missing, "extra": self.extra,
                "mismatches": [mismatch.to_json() for mismatch in self.mismatches]}


def compare(source: list[dict[str, Any]], rebuilt: list[dict[str, Any]], source_env: str,
            rebuilt_env: str) -> Parity:
    """Compare two snapshots' resources (as the ledger stores them) by logical URN, type and inputs."""
    other_env = source_env != rebuilt_env
    before = _Side(source, source_env if other_env else None)
    after = _Side(rebuilt, rebuilt_env if other_env else None)
    shared = before.resources.keys() & after.resources.keys()
    mismatches = []
    for key in sorted(shared):
        old, new = before.resources[key], after.resources[key]
        changes = property_changes(before.normalize(old.get("inputs") or {}), after.normalize(new.get("inputs") or {}))
        if changes:
            mismatches.append(Mismatch(new["urn"], new["type"], changes))
    return Parity(
        compared=len(shared),
        missing=[_identity(before.resources[key]) for key in sorted(before.resources.keys() - shared)],
        extra=[_identity(after.resources[key]) for key in sorted(after.resources.keys() - shared)],
        mismatches=mismatches,
    )


class _Side:
    """One snapshot's live resources by logical key, and how to normalize a value of that snapshot."""

    def __init__(self, resources: list[dict[str, Any]], env: str | None) -> None:
        self.resources = {_logical_key(r["urn"]): r for r in resources if not r.get("delete")}
        self.tokens: dict[str, str] = {}
        # Several resources can share an id (a bucket and its versioning): the first by key names it on both sides.
        for key, resource in sorted(self.resources.items()):
            outputs = resource.get("outputs") or {}
            for field, value in (("id", resource.get("id")), ("arn", outputs.get("arn"))):
                if isinstance(value, str) and value:
                    self.tokens.setdefault(value, f"<{field} of {key}>")
        embedded = sorted((v for v in self.tokens if len(v) >= _MIN_EMBEDDED_LENGTH), key=len, reverse=True)
        self._embedded = re.compile("|".join(map(re.escape, embedded))) if embedded else None
        self._env = re.compile(rf"(?<![A-Za-z0-9]){re.escape(env)}(?![A-Za-z0-9])") if env else None

    def normalize(self, value: Any) -> Any:
        if is_secret_marker(value):
            return value
        if isinstance(value, dict):
            return {key: self.normalize(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.normalize(item) for item in value]
        if not isinstance(value, str):
            return value
        if value in self.tokens:
            return self.tokens[value]
        if self._embedded is not None:
            value = self._embedded.sub(lambda match: self.tokens[match.group()], value)
        value = _AUTO_NAME_SUFFIX.sub("-<auto>", value)
        return self._env.sub("<env>", value) if self._env is not None else value


def _logical_key(urn: str) -> str:
    """A URN without stack and project: `type::name`; the root stack (named after its stack) by type alone."""
    type_, name = urn.split("::")[-2:]
    return type_ if type_ == _ROOT_STACK_TYPE else f"{type_}::{name}"


def _identity(resource: dict[str, Any]) -> dict[str, str]:
    return {"urn": resource["urn"], "type": resource["type"]}
