"""What every aws:* resource type shares, written once: check (defaults, auto-naming, required properties,
inputs the type does not implement, JSON documents, lists AWS keeps as sets), diff (by declared properties,
replacement by declared force-new properties, documents compared by meaning), reads that take AWS's
"not found" for gone, reading back after a write, and tags.

A type is a subclass that declares its token and rules and implements create, update and delete with
boto3, and read (or describe, with the error codes that mean the resource is gone). Providers see plain
values: the engine unwraps secrets, turns resource references into ids and re-marks secret outputs.
Unknown values (preview) appear as the engine's UNKNOWN.
"""

from __future__ import annotations

import functools
import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from envctl.engine.properties import contains_unknown, empty_as_none
from envctl.engine.provider import CheckFailure, CheckResult, DiffResult
from envctl.errors import OperationFailed
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.documents import Equivalence, json_problem, means_the_same
from envctl.providers.aws.errors import found_or_none
from envctl.providers.aws.naming import auto_name, prefixed_unique_id
from envctl.providers.aws.schema import TypeSchema
from envctl.providers.aws.waiting import CONSISTENCY_TIMEOUT, attempts

Props = dict[str, Any]

_EMPTY = (None, False, "", [], {})  # an input with one of these values is not set


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
    taggable: ClassVar[bool] = True
    # Whether the type lives in a region (pulumi-aws 7's per-resource `region` input and output); IAM is global.
    regional: ClassVar[bool] = True
    # The input whose value is the resource's id, where it is one: how a create whose outcome a crash left
    # unknown is looked up on the next run.
    id_property: ClassVar[str | None] = None
    # The schema (see schema.py): the inputs the type implements besides its required, document, name and tag
    # inputs (and `region`, which every type honours), and the inputs pulumi-aws has that envctl does not implement,
    # each with a hint for the user ("" for none). Check refuses any input outside `handled` that has a value: an
    # input is never silently dropped.
    handled: ClassVar[frozenset[str] | None] = None
    unsupported: ClassVar[Mapping[str, str]] = {}
    # Output-only properties the type returns (besides `id` and its inputs), and properties pulumi-aws marks secret.
    outputs: ClassVar[frozenset[str]] = frozenset()
    secret: ClassVar[frozenset[str]] = frozenset()
    # JSON document inputs, with when two texts mean the same: check turns a PolicyDocument map into its text
    # and rejects text that is not JSON, and diff ignores changes of form only.
    documents: ClassVar[Mapping[str, Equivalence]] = {}
    # Lists AWS keeps as sets (dotted paths reach into blocks): sorted in check, so order never shows as a diff.
    set_properties: ClassVar[tuple[str, ...]] = ()
    # AWS error codes (shell patterns) with which the default read learns that the resource is gone.
    gone_codes: ClassVar[tuple[str, ...]] = ()

    @classmethod
    @functools.cache  # asked at every registration; a type's class attributes are its declaration, never changed
    def schema(cls) -> TypeSchema:
        """Every input and output property of the type, and what envctl does with each."""
        implemented = set(cls.handled or ()) | set(cls.required) | set(cls.documents)
        implemented |= {k for k in (cls.name_property, cls.name_prefix_property) if k}
        force_new, outputs = set(cls.force_new), set(cls.outputs)
        if cls.regional:
            implemented.add("region")
            force_new.add("region")
        if cls.taggable:
            implemented.add("tags")
            outputs.add("tagsAll")
        return TypeSchema(cls.token, frozenset(implemented - set(cls.unsupported)), dict(cls.unsupported),
                          frozenset(cls.required), frozenset(force_new), frozenset(cls.secret), frozenset(outputs),
                          dict(cls.defaults))

    # ---- shared behaviour ------------------------------------------------------------------

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        """Normalise documents and set-valued lists, fill defaults and the auto-name (kept from the old inputs so
        updates keep the name), and report the inputs the type rejects."""
        inputs = self._normalised(news)
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
        failures.extend(self._declared_failures(inputs))
        failures.extend(self.validate(inputs))
        return CheckResult(inputs, tuple(failures))

    def validate(self, inputs: Props) -> list[CheckFailure]:
        """Type-specific checks of input values; override where AWS would reject a value."""
        return []

    def diff(self, olds: Props, news: Props) -> DiffResult:
        """Compare old and new inputs property by property (the engine applies ignoreChanges and
        replaceOnChanges around this, as Pulumi's does)."""
        olds, news = self.diff_form(olds), self.diff_form(news)
        keys = sorted(set(olds) | set(news))
        changed = tuple(k for k in keys if self._differs(k, olds.get(k), news.get(k)))
        replaces = tuple(k for k in changed if k in self.force_new)
        return self.amend_diff(olds, news, DiffResult(changed, replaces))

    def diff_form(self, props: Props) -> Props:
        """The inputs as diff compares them; override where one value has several forms (e.g. assets)."""
        return props

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        """The type's own rules on top of the declared ones (a change that is none after all, a replacement
        only some changes force); override where AWS is irregular."""
        return diff

    def tags_all(self, ctx: AwsContext, urn: str, inputs: Props) -> dict[str, str]:
        return ctx.tags_all(urn, inputs.get("tags"))

    def physical_name(self, inputs: Props) -> str:
        """The name to create under: the given or auto-name, else Terraform's unique name from the prefix."""
        name = inputs.get(self.name_property) if self.name_property else None
        return name or prefixed_unique_id(inputs[str(self.name_prefix_property)])

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

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        """The resource as it is in the cloud now, in output form; None when it no longer exists. By default
        `describe`, with an error answer in `gone_codes` meaning that the resource no longer exists."""
        return found_or_none(self.describe, self.gone_codes, ctx, id, state)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        """All outputs as AWS reports them (inputs AWS does not keep come from `state`), for the default read."""
        raise NotImplementedError(f"{self.token} implements neither read nor describe")

    def read_back(self, ctx: AwsContext, id: str, state: Props) -> Props:
        """Read after a write, waiting while AWS does not show the resource yet (its reads catch up later)."""
        for last in attempts(CONSISTENCY_TIMEOUT):
            outputs = self.read(ctx, id, state)
            if outputs is not None:
                return outputs
            if last:
                break
        raise OperationFailed(f"{self.token} {id} was written but AWS does not show it; run refresh")

    # ---- what each type implements ---------------------------------------------------------

    @abstractmethod
    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        """Create the resource; return its id and all outputs (inputs plus computed values)."""

    @abstractmethod
    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        """Change the properties named in diff.changed in place; return all outputs."""

    @abstractmethod
    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        """Delete the resource; succeed quietly when it is already gone."""

    # ---- helpers ---------------------------------------------------------------------------

    def _normalised(self, news: Props) -> Props:
        """The inputs with documents given as maps (PolicyDocument objects) as JSON text, as pulumi-aws sends
        them, tag values as strings, and set-valued lists sorted."""
        inputs = dict(news)
        if isinstance(inputs.get("tags"), dict):
            inputs["tags"] = {key: as_string(value) for key, value in inputs["tags"].items()}
        for key in self.documents:
            if isinstance(inputs.get(key), dict) and not contains_unknown(inputs[key]):
                inputs[key] = json.dumps(inputs[key])
        for path in self.set_properties:
            _sort_at(inputs, path.split("."))
        return inputs

    def _declared_failures(self, inputs: Props) -> list[CheckFailure]:
        """Inputs the type does not implement, and documents that are not JSON."""
        failures = [unsupported_input(self.token, key, hint) for key, hint in self.unsupported.items()
                    if inputs.get(key) not in _EMPTY]
        if self.handled is not None:
            known = self.schema().implemented
            failures.extend(unsupported_input(self.token, key) for key in sorted(inputs)
                            if key not in known and key not in self.unsupported and inputs[key] not in _EMPTY)
        for key in self.documents:
            value = inputs.get(key)
            problem = None if value in (None, "") or contains_unknown(value) else json_problem(value)
            if problem:
                failures.append(CheckFailure(key, f"'{key}' is not valid JSON: {problem}"))
        return failures

    def _differs(self, key: str, old: Any, new: Any) -> bool:
        if contains_unknown(new):
            return True
        if empty_as_none(old) == empty_as_none(new):
            return False
        equivalent = self.documents.get(key)
        return not (equivalent and isinstance(old, str) and isinstance(new, str)
                    and means_the_same(equivalent, old, new))


def as_string(value: Any) -> Any:
    """A scalar where AWS takes a string, as pulumi-aws converts it: booleans as `true`/`false`, numbers as their
    text (an integral float without its `.0`); anything else as it is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return value


def unsupported_input(token: str, path: str, hint: str = "") -> CheckFailure:
    """An input (or a field inside a block input, named by its dotted path) that envctl does not implement: refused,
    never dropped. The failure's property is the top-level input."""
    return CheckFailure(path.split(".")[0].split("[")[0], f"'{path}' is not supported by envctl's local engine for "
                        f"{token}" + (f"; {hint}" if hint else ""), unsupported=True)


def unsupported_fields(token: str, key: str, value: Any, implemented: Iterable[str],
                       hints: Mapping[str, str] | None = None) -> list[CheckFailure]:
    """The fields of a block input (or of each block of a list input) that envctl does not implement and that
    have a value: refused, as check refuses a top-level input, so that none is dropped."""
    known = set(implemented)
    blocks = value if isinstance(value, list) else [value]
    failures = []
    for index, block in enumerate(blocks):
        path = f"{key}[{index}]" if isinstance(value, list) else key
        for field in sorted(block) if isinstance(block, dict) else ():
            if field not in known and block[field] not in _EMPTY:
                failures.append(unsupported_input(token, f"{path}.{field}", (hints or {}).get(field, "")))
    return failures


def _sort_at(props: Props, path: list[str]) -> None:
    """Sort the list of strings at `path` in place; blocks on the way are copied, not changed."""
    key, rest = path[0], path[1:]
    value = props.get(key)
    if rest and isinstance(value, dict):
        props[key] = dict(value)
        _sort_at(props[key], rest)
    elif not rest and isinstance(value, list) and all(isinstance(item, str) for item in value) \
            and not contains_unknown(value):
        props[key] = sorted(value)


