"""What every aws:* resource type shares, written once: check (defaults, auto-naming, required
properties), diff (by declared properties, replacement by declared force-new properties) and tags.

A type is a subclass that declares its token and rules and implements create, read, update and
delete with boto3. Providers see plain values: the engine unwraps secrets, turns resource
references into ids and re-marks secret outputs. Unknown values (preview) appear as UNKNOWN.
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from envctl.engine.aws.context import AwsContext

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

Props = dict[str, Any]


@dataclass(frozen=True)
class CheckFailure:
    """An input the provider rejects before any call is made."""

    property: str
    reason: str


@dataclass(frozen=True)
class DiffResult:
    """Top-level properties that changed, and those of them whose change forces a replacement."""

    changed: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()

    @property
    def has_changes(self) -> bool:
        return bool(self.changed)

    @property
    def needs_replace(self) -> bool:
        return bool(self.replaces)


@dataclass
class CheckResult:
    inputs: Props
    failures: list[CheckFailure] = field(default_factory=list)


def auto_name(logical_name: str, max_length: int = 255, lowercase: bool = False) -> str:
    """pulumi-aws's auto-name: `<name>-<7 random hex>`, truncated to the property's maximum length."""
    suffix = "-" + secrets.token_hex(4)[:7]
    base = logical_name.lower() if lowercase else logical_name
    return base[: max_length - len(suffix)] + suffix


def contains_unknown(value: Any) -> bool:
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def tag_list(tags: dict[str, str], key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    """AWS's list-of-pairs tag form: [{"Key": k, "Value": v}, ...]."""
    return [{key: k, value: v} for k, v in sorted(tags.items())]


def tag_dict(pairs: Iterable[dict[str, str]] | None, key: str = "Key", value: str = "Value") -> dict[str, str]:
    return {p[key]: p.get(value, "") for p in pairs or ()}


def tag_changes(old: dict[str, str], new: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The tags to set and the keys to remove to go from `old` to `new`."""
    to_set = {k: v for k, v in new.items() if old.get(k) != v}
    to_remove = sorted(k for k in old if k not in new)
    return to_set, to_remove


class AwsResource(ABC):
    """One aws:* resource type. Subclasses declare rules as class attributes and implement CRUD."""

    token: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()
    # Property that is auto-named when neither it nor `name_prefix_property` is given.
    name_property: ClassVar[str | None] = None
    name_prefix_property: ClassVar[str | None] = None
    name_max_length: ClassVar[int] = 255
    name_lowercase: ClassVar[bool] = False
    required: ClassVar[tuple[str, ...]] = ()
    # Input defaults pulumi-aws's check fills in, so that state and diffs carry them.
    defaults: ClassVar[Props] = {}
    # Input properties whose change forces a replacement (Terraform's ForceNew).
    force_new: ClassVar[frozenset[str]] = frozenset()
    # Inputs that are not sent to AWS and never force anything (e.g. forceDestroy).
    taggable: ClassVar[bool] = True
    # The input whose value is the resource's id, where it is one: how a create whose outcome a crash left
    # unknown is looked up on the next run.
    id_property: ClassVar[str | None] = None

    # ---- shared behaviour ------------------------------------------------------------------

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        """Fill defaults and the auto-name (kept from the old inputs so updates keep the name)."""
        inputs = dict(news)
        for key, value in self.defaults.items():
            if inputs.get(key) is None:
                inputs[key] = value
        name_key = self.name_property
        if name_key and inputs.get(name_key) is None and not (
            self.name_prefix_property and inputs.get(self.name_prefix_property)
        ):
            if olds and olds.get(name_key):
                inputs[name_key] = olds[name_key]
            else:
                inputs[name_key] = auto_name(logical_name, self.name_max_length, self.name_lowercase)
        failures = [CheckFailure(key, f"missing required property '{key}'")
                    for key in self.required if inputs.get(key) is None]
        failures.extend(self.validate(inputs))
        return CheckResult(inputs, failures)

    def validate(self, inputs: Props) -> list[CheckFailure]:
        """Type-specific checks of input values; override where AWS would reject a value."""
        return []

    def diff(
        self,
        olds: Props,
        news: Props,
        ignore_changes: Iterable[str] = (),
        replace_on_changes: Iterable[str] = (),
    ) -> DiffResult:
        """Compare old and new inputs property by property."""
        ignored = set(ignore_changes)
        replace_keys = set(replace_on_changes)
        keys = sorted((set(olds) | set(news)) - ignored)
        changed = tuple(
            k for k in keys if contains_unknown(news.get(k)) or _normal(olds.get(k)) != _normal(news.get(k))
        )
        replaces = tuple(
            k for k in changed if k in self.force_new or k in replace_keys or "*" in replace_keys
        )
        return DiffResult(changed, replaces)

    def tags_all(self, ctx: AwsContext, urn: str, inputs: Props) -> dict[str, str]:
        return ctx.tags_all(urn, inputs.get("tags"))

    def find(self, ctx: AwsContext, urn: str, inputs: Props, known_ids: set[str]) -> tuple[str, Props] | None:
        """The resource a create with these inputs made, if it exists and is not one of `known_ids`."""
        for candidate in self.candidate_ids(ctx, urn, inputs):
            if candidate in known_ids:
                continue
            outputs = self.read(ctx, candidate, inputs)
            if outputs is not None:
                return str(outputs.get("id") or candidate), outputs
        return None

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        """Ids the resource may have; override where the id is not an input (e.g. found by envctl's tags)."""
        value = inputs.get(self.id_property) if self.id_property else None
        return [str(value)] if value else []

    # ---- what each type implements ---------------------------------------------------------

    @abstractmethod
    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        """Create the resource; return its id and all outputs (inputs plus computed values)."""

    @abstractmethod
    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        """The resource as it is in the cloud now, in output form; None when it no longer exists."""

    @abstractmethod
    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        """Change the properties named in diff.changed in place; return all outputs."""

    @abstractmethod
    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        """Delete the resource; succeed quietly when it is already gone."""


def _normal(value: Any) -> Any:
    """Treat absent, None and empty containers alike, as Pulumi's diff of optional inputs does."""
    if value in (None, "", [], {}):
        return None
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items() if _normal(v) is not None}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value
