"""Steps as values: what the engine decided to do with one resource, decided before anything is done.

A step carries the URN, the resource's state before (`old`), its goal (`new`: checked inputs and options) and
the property diff: which properties change and which of them force a replacement. The generator makes steps
(pure), the executor takes them (the only code that calls providers), and a preview is the steps untaken.
Replacement is create-before-delete unless `delete_before_replace`: then the old resource (and whatever must be
replaced with it) is deleted first.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from envctl.engine.properties import UNKNOWN, contains_secret, reveal_redacted
from envctl.engine.provider import DiffResult
from envctl.engine.state import PendingOperation, ResourceState


class Op(StrEnum):
    SAME = "same"
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    READ = "read"  # a resource the program reads (`get`), not managed
    REFRESH = "refresh"  # the state of a resource read back from the cloud
    SETTLE = "settle"  # a pending operation of an interrupted run, settled by looking in the cloud
    SKIP = "skip"  # a new resource left out of a run that targets others: not created, not recorded


SAME, CREATE, UPDATE, REPLACE, DELETE, READ = Op.SAME, Op.CREATE, Op.UPDATE, Op.REPLACE, Op.DELETE, Op.READ
_PROVIDER_PREFIX = "pulumi:providers:"
# The operations a change summary counts, in display order.
OPERATIONS: tuple[Op, ...] = (CREATE, UPDATE, REPLACE, DELETE, SAME)
CHANGING: frozenset[Op] = frozenset({CREATE, UPDATE, REPLACE, DELETE})


@dataclass(frozen=True)
class PropertyChange:
    """One top-level property a step changes: its old and new value (secrets stay wrapped), and whether its
    change forces the replacement."""

    key: str
    old: Any
    new: Any
    replaces: bool = False

    def shown(self) -> tuple[Any, Any]:
        """Old and new value for display: secrets as "[secret]"."""
        return reveal_redacted(self.old), reveal_redacted(self.new)

    @property
    def secret(self) -> bool:
        return contains_secret(self.old) or contains_secret(self.new)


@dataclass(frozen=True)
class Step:
    op: Op
    urn: str
    type: str
    old: ResourceState | None = None
    new: ResourceState | None = None
    diff: DiffResult = field(default_factory=DiffResult)
    changes: tuple[PropertyChange, ...] = ()
    delete_before_replace: bool = False  # replace: delete the old resource before creating the new one
    replaced: bool = False  # delete: of a resource being replaced (its new copy exists, or is about to)
    pending: PendingOperation | None = None  # settle: the interrupted operation

    @property
    def name(self) -> str:
        return self.urn.split("::", 3)[3] if self.urn.count("::") >= 3 else self.urn

    @property
    def changes_anything(self) -> bool:
        return self.op in CHANGING

    @property
    def counted(self) -> bool:
        """Provider resources are bookkeeping, not part of a change summary (which, as Pulumi's, counts the
        stack and components)."""
        return not self.type.startswith("pulumi:providers:")

    def describe(self) -> str:
        """`<op> <type> '<name>'`, as messages name a step."""
        return f"{self.op} {self.type} {self.name!r}"

    def document(self) -> dict[str, Any]:
        """The step as `--json` and plan files show it: its diff old → new, secrets as "[secret]"."""
        document: dict[str, Any] = {"op": str(self.op), "type": self.type, "urn": self.urn}
        if self.changes:
            document["diff"] = [{"property": c.key, "old": c.shown()[0], "new": c.shown()[1],
                                 "replaces": c.replaces} for c in self.changes]
        if self.diff.replaces:
            document["replaceReasons"] = list(self.diff.replaces)
        return document


def property_changes(olds: dict[str, Any], news: dict[str, Any], diff: DiffResult) -> tuple[PropertyChange, ...]:
    """The changed properties of `diff` with their old and new values (as stored: secrets wrapped)."""
    replaces = set(diff.replaces)
    return tuple(PropertyChange(key, olds.get(key), news.get(key), key in replaces) for key in diff.changed)


def planned_state(step: Step) -> ResourceState | None:
    """The resource as it would be after `step`: outputs the cloud computes are not known yet (the SDK treats an
    output missing from the answer as unknown in a preview)."""
    if step.op == DELETE:
        return None
    new = step.new
    assert new is not None
    if step.op == SAME or not new.custom:
        return new
    if new.type.startswith(_PROVIDER_PREFIX):
        return new if step.op != CREATE else replace(new, id=UNKNOWN)
    if step.op == UPDATE and step.old is not None:
        return replace(new, id=step.old.id, outputs={**step.old.outputs, **new.inputs})
    return replace(new, id=None, outputs=dict(new.inputs))
