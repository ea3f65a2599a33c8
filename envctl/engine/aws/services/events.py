"""aws:cloudwatch EventBridge resource types (pulumi-aws keeps them in its cloudwatch module): EventBus,
EventRule and EventTarget."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from envctl.engine.aws.base import (
    AwsResource,
    CheckFailure,
    DiffResult,
    Props,
    contains_unknown,
    tag_changes,
    tag_dict,
    tag_list,
)
from envctl.engine.aws.context import AwsContext
from envctl.engine.aws.registry import resource_type
from envctl.engine.aws.services.iam import (  # _invalid_json: shared until base.py has it
    _invalid_json,
    policy_from_cloud,
    prefixed_unique_id,
    tags_from_cloud,
    without_equivalent_policies,
)
from envctl.errors import BadInput, OperationFailed

DEFAULT_BUS = "default"
_RULE_ID_SEPARATOR = "/"
_TARGET_ID_SEPARATOR = "-"  # Terraform's target ids are not parseable: state carries the parts
_TARGET_IMPORT_SEPARATOR = "/"
_RULE_STATES = ("ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
_UNSUPPORTED_TARGETS = (
    "appsyncTarget", "batchTarget", "ecsTarget", "redshiftTarget", "runCommandTargets", "sagemakerPipelineTarget",
)


@dataclass(frozen=True)
class _Block:
    """A nested object and its EventBridge form; only field names differ, values (maps, lists) pass as they are."""

    wire: str
    api: str
    fields: dict[str, str]

    def to_api(self, value: Props) -> dict[str, Any]:
        return {api: value[wire] for wire, api in self.fields.items() if value.get(wire) is not None}

    def from_api(self, value: dict[str, Any] | None) -> Props | None:
        if not value:
            return None
        return {wire: value.get(api) for wire, api in self.fields.items()}


_DEAD_LETTER_CONFIG = _Block("deadLetterConfig", "DeadLetterConfig", {"arn": "Arn"})
_BUS_BLOCKS = (
    _DEAD_LETTER_CONFIG,
    _Block("logConfig", "LogConfig", {"includeDetail": "IncludeDetail", "level": "Level"}),
)
_TARGET_BLOCKS = (
    _DEAD_LETTER_CONFIG,
    _Block("retryPolicy", "RetryPolicy",
           {"maximumEventAgeInSeconds": "MaximumEventAgeInSeconds", "maximumRetryAttempts": "MaximumRetryAttempts"}),
    _Block("inputTransformer", "InputTransformer", {"inputPaths": "InputPathsMap", "inputTemplate": "InputTemplate"}),
    _Block("sqsTarget", "SqsParameters", {"messageGroupId": "MessageGroupId"}),
    _Block("kinesisTarget", "KinesisParameters", {"partitionKeyPath": "PartitionKeyPath"}),
    _Block("httpTarget", "HttpParameters", {"headerParameters": "HeaderParameters",
                                            "pathParameterValues": "PathParameterValues",
                                            "queryStringParameters": "QueryStringParameters"}),
)


def _blocks_to_api(blocks: Iterable[_Block], inputs: Props) -> dict[str, Any]:
    return {b.api: b.to_api(inputs[b.wire]) for b in blocks if inputs.get(b.wire)}


def _blocks_from_api(blocks: Iterable[_Block], reported: dict[str, Any], state: Props) -> Props:
    """Blocks as EventBridge reports them; one it does not report (moto: logConfig) keeps its recorded value."""
    return {b.wire: b.from_api(reported[b.api]) if b.api in reported else state.get(b.wire) for b in blocks}


def _optional_params(inputs: Props, names: dict[str, str]) -> dict[str, Any]:
    return {api: inputs[wire] for wire, api in names.items() if inputs.get(wire) not in (None, "")}


def _is_not_found(error: ClientError) -> bool:
    return error.response["Error"]["Code"] == "ResourceNotFoundException"


def _retag(events: Any, arn: str, old: dict[str, str], new: dict[str, str]) -> None:
    to_set, to_remove = tag_changes(old, new)
    if to_set:
        events.tag_resource(ResourceARN=arn, Tags=tag_list(to_set))
    if to_remove:
        events.untag_resource(ResourceARN=arn, TagKeys=to_remove)


def _tags(ctx: AwsContext, arn: str, base: Props) -> Props:
    return tags_from_cloud(ctx, base, tag_dict(ctx.client("events").list_tags_for_resource(ResourceARN=arn)["Tags"]))


# ---- EventBus ------------------------------------------------------------------------------

_BUS_SETTINGS = {"description": "Description", "kmsKeyIdentifier": "KmsKeyIdentifier"}


@resource_type
class EventBus(AwsResource):
    token = "aws:cloudwatch/eventBus:EventBus"
    id_property = "name"
    name_property = "name"  # required by Terraform, auto-named by pulumi-aws
    force_new = frozenset({"name", "eventSourceName", "region"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        events = ctx.client("events")
        params: dict[str, Any] = {
            "Name": inputs["name"],
            **_optional_params(inputs, {**_BUS_SETTINGS, "eventSourceName": "EventSourceName"}),
            **_blocks_to_api(_BUS_BLOCKS, inputs),
        }
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        events.create_event_bus(**params)
        return inputs["name"], self._outputs(ctx, inputs["name"], inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        try:
            return self._outputs(ctx, id, state)
        except ClientError as error:
            if _is_not_found(error):
                return None
            raise

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        events = ctx.client("events")
        if set(diff.changed) - {"tags"}:
            events.update_event_bus(
                Name=id,
                Description=news.get("description") or "",  # only an empty description removes it
                **_optional_params(news, {"kmsKeyIdentifier": "KmsKeyIdentifier"}),
                **_blocks_to_api(_BUS_BLOCKS, news),
            )
        _retag(events, olds["arn"], olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return self._outputs(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        events = ctx.client("events")
        try:
            events.delete_event_bus(Name=id)
        except ClientError as error:
            if not _is_not_found(error):
                raise

    def _outputs(self, ctx: AwsContext, name: str, base: Props) -> Props:
        bus = ctx.client("events").describe_event_bus(Name=name)
        return {
            **base,
            "id": bus["Name"],
            "name": bus["Name"],
            "arn": bus["Arn"],
            "description": bus.get("Description"),
            "kmsKeyIdentifier": bus.get("KmsKeyIdentifier"),
            **_blocks_from_api(_BUS_BLOCKS, bus, base),
            "region": ctx.region,
            **_tags(ctx, bus["Arn"], base),
        }


# ---- EventRule -----------------------------------------------------------------------------

_RULE_SETTINGS = {
    "description": "Description",
    "eventPattern": "EventPattern",
    "scheduleExpression": "ScheduleExpression",
    "roleArn": "RoleArn",
}


def _rule_id(bus: str, rule: str) -> str:
    """Terraform's rule id: the rule name on the default bus, `<bus>/<rule>` on another."""
    return rule if bus in ("", DEFAULT_BUS) else f"{bus}{_RULE_ID_SEPARATOR}{rule}"


def _split_rule_id(id: str) -> tuple[str, str]:
    """Bus and rule of a rule id; the bus may be an ARN, which contains '/' itself."""
    bus, _, rule = id.rpartition(_RULE_ID_SEPARATOR)
    return bus or DEFAULT_BUS, rule


def _rule_state(inputs: Props, current: str | None = None) -> str | None:
    """`state`, else the deprecated `isEnabled`, else the rule's current state (so PutRule keeps it)."""
    if inputs.get("state"):
        return inputs["state"]
    if inputs.get("isEnabled") is not None:
        return "ENABLED" if inputs["isEnabled"] else "DISABLED"
    return current


@resource_type
class EventRule(AwsResource):
    token = "aws:cloudwatch/eventRule:EventRule"
    name_property = "name"
    name_prefix_property = "namePrefix"
    name_max_length = 64
    defaults = {"eventBusName": DEFAULT_BUS, "forceDestroy": False}
    force_new = frozenset({"name", "namePrefix", "eventBusName", "region"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = _invalid_json(inputs, "eventPattern")
        if inputs.get("scheduleExpression") is None and inputs.get("eventPattern") is None:
            failures.append(CheckFailure("eventPattern", "one of 'eventPattern' and 'scheduleExpression' is required"))
        if inputs.get("state") is not None and inputs.get("isEnabled") is not None:
            failures.append(CheckFailure("isEnabled", "'isEnabled' conflicts with 'state'; use 'state'"))
        state = inputs.get("state")
        if isinstance(state, str) and not contains_unknown(state) and state not in _RULE_STATES:
            failures.append(CheckFailure("state", f"state must be one of {', '.join(_RULE_STATES)}"))
        return failures

    def diff(
        self,
        olds: Props,
        news: Props,
        ignore_changes: Iterable[str] = (),
        replace_on_changes: Iterable[str] = (),
    ) -> DiffResult:
        result = without_equivalent_policies(
            super().diff(olds, news, ignore_changes, replace_on_changes), olds, news, ("eventPattern",)
        )
        # As Terraform: removing `state` from the program leaves the rule as it is.
        if "state" in result.changed and news.get("state") is None:
            return DiffResult(tuple(k for k in result.changed if k != "state"), result.replaces)
        return result

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        name = inputs.get("name") or prefixed_unique_id(inputs["namePrefix"])
        params = self._put_params(name, inputs, _rule_state(inputs))
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        ctx.client("events").put_rule(**params)
        id = _rule_id(inputs["eventBusName"], name)
        return id, self._outputs(ctx, id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        try:
            return self._outputs(ctx, id, state)
        except ClientError as error:
            if _is_not_found(error):
                return None
            raise

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        events = ctx.client("events")
        if set(diff.changed) - {"tags", "forceDestroy"}:
            # PutRule replaces the whole rule: everything is sent again, state included.
            events.put_rule(**self._put_params(_split_rule_id(id)[1], news, _rule_state(news, olds.get("state"))))
        _retag(events, olds["arn"], olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return self._outputs(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        bus, rule = _split_rule_id(id)
        try:
            ctx.client("events").delete_rule(Name=rule, EventBusName=bus, Force=bool(state.get("forceDestroy")))
        except ClientError as error:
            if not _is_not_found(error):
                raise

    @staticmethod
    def _put_params(name: str, inputs: Props, state: str | None) -> dict[str, Any]:
        params = {"Name": name, "EventBusName": inputs["eventBusName"], **_optional_params(inputs, _RULE_SETTINGS)}
        if state:
            params["State"] = state
        return params

    def _outputs(self, ctx: AwsContext, id: str, base: Props) -> Props:
        bus, name = _split_rule_id(id)
        rule = ctx.client("events").describe_rule(Name=name, EventBusName=bus)
        pattern = rule.get("EventPattern")
        return {
            **base,
            "id": id,
            "name": rule["Name"],
            "namePrefix": base.get("namePrefix"),  # not stored by EventBridge
            "arn": rule["Arn"],
            "eventBusName": bus,  # as the id has it: EventBridge reports an ARN given here as a name
            "eventPattern": policy_from_cloud(base.get("eventPattern"), pattern) if pattern else None,
            "scheduleExpression": rule.get("ScheduleExpression"),
            "description": rule.get("Description"),
            "roleArn": rule.get("RoleArn"),
            "state": rule.get("State"),
            "isEnabled": rule.get("State") != "DISABLED",
            "region": ctx.region,
            **_tags(ctx, rule["Arn"], base),
        }


# ---- EventTarget ---------------------------------------------------------------------------

_TARGET_SETTINGS = {"input": "Input", "inputPath": "InputPath", "roleArn": "RoleArn"}


@resource_type
class EventTarget(AwsResource):
    token = "aws:cloudwatch/eventTarget:EventTarget"
    name_property = "targetId"  # pulumi-aws auto-names it (Terraform would generate a unique id)
    required = ("rule", "arn")
    defaults = {"eventBusName": DEFAULT_BUS, "forceDestroy": False}
    force_new = frozenset({"rule", "targetId", "eventBusName", "region"})
    taggable = False

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = [CheckFailure(key, f"'{key}' is not supported by envctl's local engine")
                    for key in _UNSUPPORTED_TARGETS if inputs.get(key)]
        failures.extend(_invalid_json(inputs, "input"))
        given = [key for key in ("input", "inputPath", "inputTransformer") if inputs.get(key)]
        if len(given) > 1:
            failures.append(CheckFailure(given[1], f"only one of {', '.join(given)} can be set"))
        return failures

    def diff(
        self,
        olds: Props,
        news: Props,
        ignore_changes: Iterable[str] = (),
        replace_on_changes: Iterable[str] = (),
    ) -> DiffResult:
        result = super().diff(olds, news, ignore_changes, replace_on_changes)
        return without_equivalent_policies(result, olds, news, ("input",))

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self._put(ctx, inputs)
        bus, rule, target_id = inputs["eventBusName"], inputs["rule"], inputs["targetId"]
        parts = (rule, target_id) if bus in ("", DEFAULT_BUS) else (bus, rule, target_id)
        return _TARGET_ID_SEPARATOR.join(parts), self._outputs(ctx, inputs, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        parts = _target_parts(id, state)
        try:
            target = _find_target(ctx, parts)
        except ClientError as error:
            if _is_not_found(error):  # the rule itself is gone
                return None
            raise
        return None if target is None else self._outputs_of(ctx, parts, target, state)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._put(ctx, news)  # PutTargets replaces the target with the same id
        return self._outputs(ctx, news, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        parts = _target_parts(id, state)
        try:
            answer = ctx.client("events").remove_targets(
                Rule=parts["rule"], EventBusName=parts["eventBusName"], Ids=[parts["targetId"]],
                Force=bool(state.get("forceDestroy")),
            )
        except ClientError as error:
            if _is_not_found(error):
                return
            raise
        _raise_failed_entries(answer, "remove")

    @staticmethod
    def _put(ctx: AwsContext, inputs: Props) -> None:
        target = {
            "Id": inputs["targetId"],
            "Arn": inputs["arn"],
            **_optional_params(inputs, _TARGET_SETTINGS),
            **_blocks_to_api(_TARGET_BLOCKS, inputs),
        }
        answer = ctx.client("events").put_targets(
            Rule=inputs["rule"], EventBusName=inputs["eventBusName"], Targets=[target]
        )
        _raise_failed_entries(answer, "put")

    def _outputs(self, ctx: AwsContext, parts: Props, base: Props) -> Props:
        """Outputs of the target just put (`parts` names its rule, targetId and eventBusName)."""
        target = _find_target(ctx, parts)
        if target is None:
            raise OperationFailed(f"EventBridge does not list target {parts['targetId']} of rule {parts['rule']}")
        return self._outputs_of(ctx, parts, target, base)

    @staticmethod
    def _outputs_of(ctx: AwsContext, parts: Props, target: dict[str, Any], base: Props) -> Props:
        input_text = target.get("Input")
        return {
            **base,
            "rule": parts["rule"],
            "targetId": target["Id"],
            "eventBusName": parts["eventBusName"],
            "arn": target["Arn"],
            # Not every target's input is JSON (Terraform does not normalise it either).
            "input": policy_from_cloud(base.get("input"), input_text) if input_text else None,
            "inputPath": target.get("InputPath"),
            "roleArn": target.get("RoleArn"),
            **_blocks_from_api(_TARGET_BLOCKS, target, {}),
            "region": ctx.region,
        }


def _target_parts(id: str, state: Props) -> Props:
    """Rule, target id and bus from state, or from an import id `[<bus>/]<rule>/<target id>`."""
    if state.get("rule") and state.get("targetId"):
        return {"rule": state["rule"], "targetId": state["targetId"],
                "eventBusName": state.get("eventBusName") or DEFAULT_BUS}
    head, _, target_id = id.rpartition(_TARGET_IMPORT_SEPARATOR)
    bus, _, rule = head.rpartition(_TARGET_IMPORT_SEPARATOR)
    if not rule or not target_id:
        raise BadInput(f"cannot find the rule and target id in '{id}': use the import id [<bus>/]<rule>/<target id>")
    return {"rule": rule, "targetId": target_id, "eventBusName": bus or DEFAULT_BUS}


def _find_target(ctx: AwsContext, parts: Props) -> dict[str, Any] | None:
    pages = ctx.client("events").get_paginator("list_targets_by_rule").paginate(
        Rule=parts["rule"], EventBusName=parts["eventBusName"]
    )
    for page in pages:
        for target in page["Targets"]:
            if target["Id"] == parts["targetId"]:
                return target
    return None


def _raise_failed_entries(answer: dict[str, Any], action: str) -> None:
    """PutTargets and RemoveTargets report failures per target instead of raising."""
    failed = answer.get("FailedEntries") or []
    if failed:
        reasons = "; ".join(f"{f.get('TargetId')}: {f.get('ErrorCode')} {f.get('ErrorMessage')}" for f in failed)
        raise OperationFailed(f"EventBridge could not {action} target(s): {reasons}")
