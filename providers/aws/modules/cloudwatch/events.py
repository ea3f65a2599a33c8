"""aws:cloudwatch EventBridge resource types (pulumi-aws keeps them in its cloudwatch module): EventBus,
EventRule and EventTarget."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.engine.provider import CheckResult
from envctl.errors import BadInput, OperationFailed
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props, as_string
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.documents import document_from_cloud, policies_equivalent
from envctl.providers.aws.errors import found_or_none, remove
from envctl.providers.aws.listing import listed
from envctl.providers.aws.modules.ecs import task_network_from_api, task_network_to_api
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.wire import Names, inverse, renamed

DEFAULT_BUS = "default"
_RULE_ID_SEPARATOR = "/"
_TARGET_ID_SEPARATOR = "-"  # Terraform's target ids are not parseable: state carries the parts
_TARGET_IMPORT_SEPARATOR = "/"
_RULE_STATES = ("ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
_UNSUPPORTED_TARGETS = (
    "appsyncTarget", "batchTarget", "redshiftTarget", "runCommandTargets", "sagemakerPipelineTarget",
)
_GONE = ("ResourceNotFoundException",)


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


# ---- ecsTarget: the task a target runs, in EventBridge's EcsParameters ------------------------

# Fields of ecsTarget EcsParameters has under a capitalised name, with the same value.
_ECS_FIELDS: Names = {"taskDefinitionArn": "TaskDefinitionArn", "taskCount": "TaskCount", "launchType": "LaunchType",
                      "platformVersion": "PlatformVersion", "group": "Group", "propagateTags": "PropagateTags",
                      "enableEcsManagedTags": "EnableECSManagedTags", "enableExecuteCommand": "EnableExecuteCommand"}
# Lists of blocks: the API's name, and each block's fields (pulumi-aws name -> API name).
_ECS_LISTS: dict[str, tuple[str, Names]] = {
    "capacityProviderStrategies": ("CapacityProviderStrategy",
                                   {"capacityProvider": "capacityProvider", "base": "base", "weight": "weight"}),
    "placementConstraints": ("PlacementConstraints", {"type": "type", "expression": "expression"}),
    "orderedPlacementStrategies": ("PlacementStrategy", {"type": "type", "field": "field"}),
}
_ECS_TARGET_DEFAULTS = {"taskCount": 1, "enableEcsManagedTags": False, "enableExecuteCommand": False}


def _ecs_to_api(target: Props) -> dict[str, Any]:
    params = renamed(target, _ECS_FIELDS)
    for key in ("enableEcsManagedTags", "enableExecuteCommand"):
        if target.get(key) is not None:
            params[_ECS_FIELDS[key]] = bool(target[key])
    params.update({api: [renamed(block, fields) for block in target[wire]]
                   for wire, (api, fields) in _ECS_LISTS.items() if target.get(wire)})
    if target.get("networkConfiguration"):
        params["NetworkConfiguration"] = task_network_to_api(target["networkConfiguration"])
    if target.get("tags"):
        params["Tags"] = tag_list(target["tags"])
    return params


def _ecs_from_api(params: dict[str, Any] | None) -> Props | None:
    if not params:
        return None
    return {
        **_ECS_TARGET_DEFAULTS,
        **{wire: params[api] for wire, api in _ECS_FIELDS.items() if api in params},
        **{wire: [renamed(block, inverse(fields)) for block in params.get(api) or []]
           for wire, (api, fields) in _ECS_LISTS.items()},
        "networkConfiguration": task_network_from_api(params.get("NetworkConfiguration")),
        "tags": tag_dict(params.get("Tags")) or None,
    }


def _ecs_target_checked(inputs: Props) -> Props:
    """ecsTarget with Terraform's defaults filled in and its sets sorted, so that diffs see what AWS keeps."""
    target = inputs.get("ecsTarget")
    if not isinstance(target, dict) or contains_unknown(target):
        return inputs
    filled = {**target, **{k: v for k, v in _ECS_TARGET_DEFAULTS.items() if target.get(k) is None}}
    if isinstance(filled.get("tags"), dict):  # tag values are strings, as pulumi-aws sends them
        filled["tags"] = {key: as_string(value) for key, value in filled["tags"].items()}
    network = filled.get("networkConfiguration")
    if isinstance(network, dict):
        filled["networkConfiguration"] = {**network, **{key: sorted(network[key]) for key in
                                                        ("subnets", "securityGroups") if network.get(key)}}
    return {**inputs, "ecsTarget": filled}


def _blocks_to_api(blocks: Iterable[_Block], inputs: Props) -> dict[str, Any]:
    return {b.api: b.to_api(inputs[b.wire]) for b in blocks if inputs.get(b.wire)}


def _blocks_from_api(blocks: Iterable[_Block], reported: dict[str, Any], state: Props) -> Props:
    """Blocks as EventBridge reports them; one it does not report (moto: logConfig) keeps its recorded value."""
    return {b.wire: b.from_api(reported[b.api]) if b.api in reported else state.get(b.wire) for b in blocks}


def _retag(events: Any, arn: str, old: dict[str, str], new: dict[str, str]) -> None:
    sync_tags(old, new, lambda tags: events.tag_resource(ResourceARN=arn, Tags=tag_list(tags)),
              lambda keys: events.untag_resource(ResourceARN=arn, TagKeys=keys))


def _tags(ctx: AwsContext, arn: str, base: Props) -> Props:
    return tags_from_cloud(ctx, base, tag_dict(ctx.client("events").list_tags_for_resource(ResourceARN=arn)["Tags"]))


# ---- EventBus ------------------------------------------------------------------------------

_BUS_SETTINGS: Names = {"description": "Description", "kmsKeyIdentifier": "KmsKeyIdentifier"}


@resource_type
class EventBus(AwsResource):
    token = "aws:cloudwatch/eventBus:EventBus"
    id_property = "name"
    name_property = "name"  # required by Terraform, auto-named by pulumi-aws
    force_new = frozenset({"name", "eventSourceName", "region"})
    handled = frozenset({*_BUS_SETTINGS, "eventSourceName", *(b.wire for b in _BUS_BLOCKS)})
    outputs = frozenset({"arn"})
    gone_codes = _GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        events = ctx.client("events")
        params: dict[str, Any] = {
            "Name": inputs["name"],
            **renamed(inputs, {**_BUS_SETTINGS, "eventSourceName": "EventSourceName"}),
            **_blocks_to_api(_BUS_BLOCKS, inputs),
        }
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        events.create_event_bus(**params)
        return inputs["name"], self.describe(ctx, inputs["name"], inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        events = ctx.client("events")
        if set(diff.changed) - {"tags"}:
            events.update_event_bus(
                Name=id,
                Description=news.get("description") or "",  # only an empty description removes it
                **renamed(news, {"kmsKeyIdentifier": "KmsKeyIdentifier"}),
                **_blocks_to_api(_BUS_BLOCKS, news),
            )
        _retag(events, olds["arn"], olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        remove(ctx.client("events").delete_event_bus, gone=_GONE, Name=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        bus = ctx.client("events").describe_event_bus(Name=id)
        return {
            **state,
            "id": bus["Name"],
            "name": bus["Name"],
            "arn": bus["Arn"],
            "description": bus.get("Description"),
            "kmsKeyIdentifier": bus.get("KmsKeyIdentifier"),
            **_blocks_from_api(_BUS_BLOCKS, bus, state),
            "region": ctx.region,
            **_tags(ctx, bus["Arn"], state),
        }


# ---- EventRule -----------------------------------------------------------------------------

_RULE_SETTINGS: Names = {
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
    handled = frozenset({*_RULE_SETTINGS, "eventBusName", "state", "isEnabled", "forceDestroy"})
    outputs = frozenset({"arn"})
    documents = {"eventPattern": policies_equivalent}
    gone_codes = _GONE

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = []
        if inputs.get("scheduleExpression") is None and inputs.get("eventPattern") is None:
            failures.append(CheckFailure("eventPattern", "one of 'eventPattern' and 'scheduleExpression' is required"))
        if inputs.get("state") is not None and inputs.get("isEnabled") is not None:
            failures.append(CheckFailure("isEnabled", "'isEnabled' conflicts with 'state'; use 'state'"))
        state = inputs.get("state")
        if isinstance(state, str) and not contains_unknown(state) and state not in _RULE_STATES:
            failures.append(CheckFailure("state", f"state must be one of {', '.join(_RULE_STATES)}"))
        return failures

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        # As Terraform: removing `state` from the program leaves the rule as it is.
        return diff.without(["state"]) if news.get("state") is None else diff

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        name = self.physical_name(inputs)
        params = self._put_params(name, inputs, _rule_state(inputs))
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        ctx.client("events").put_rule(**params)
        id = _rule_id(inputs["eventBusName"], name)
        return id, self.describe(ctx, id, inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        events = ctx.client("events")
        if set(diff.changed) - {"tags", "forceDestroy"}:
            # PutRule replaces the whole rule: everything is sent again, state included.
            events.put_rule(**self._put_params(_split_rule_id(id)[1], news, _rule_state(news, olds.get("state"))))
        _retag(events, olds["arn"], olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        bus, rule = _split_rule_id(id)
        remove(ctx.client("events").delete_rule, gone=_GONE, Name=rule, EventBusName=bus,
               Force=bool(state.get("forceDestroy")))

    @staticmethod
    def _put_params(name: str, inputs: Props, state: str | None) -> dict[str, Any]:
        params = {"Name": name, "EventBusName": inputs["eventBusName"], **renamed(inputs, _RULE_SETTINGS)}
        if state:
            params["State"] = state
        return params

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        bus, name = _split_rule_id(id)
        rule = ctx.client("events").describe_rule(Name=name, EventBusName=bus)
        pattern = rule.get("EventPattern")
        return {
            **state,
            "id": id,
            "name": rule["Name"],
            "namePrefix": state.get("namePrefix"),  # not stored by EventBridge
            "arn": rule["Arn"],
            "eventBusName": bus,  # as the id has it: EventBridge reports an ARN given here as a name
            "eventPattern": document_from_cloud(state.get("eventPattern"), pattern) if pattern else None,
            "scheduleExpression": rule.get("ScheduleExpression"),
            "description": rule.get("Description"),
            "roleArn": rule.get("RoleArn"),
            "state": rule.get("State"),
            "isEnabled": rule.get("State") != "DISABLED",
            "region": ctx.region,
            **_tags(ctx, rule["Arn"], state),
        }


# ---- EventTarget ---------------------------------------------------------------------------

_TARGET_SETTINGS: Names = {"input": "Input", "inputPath": "InputPath", "roleArn": "RoleArn"}


@resource_type
class EventTarget(AwsResource):
    token = "aws:cloudwatch/eventTarget:EventTarget"
    name_property = "targetId"  # pulumi-aws auto-names it (Terraform would generate a unique id)
    required = ("rule", "arn")
    defaults = {"eventBusName": DEFAULT_BUS, "forceDestroy": False}
    force_new = frozenset({"rule", "targetId", "eventBusName", "region"})
    handled = frozenset({*_TARGET_SETTINGS, "eventBusName", "forceDestroy", "ecsTarget",
                         *(b.wire for b in _TARGET_BLOCKS)})
    taggable = False
    documents = {"input": policies_equivalent}
    unsupported = dict.fromkeys(_UNSUPPORTED_TARGETS, "only targets given by arn, with ecsTarget, sqsTarget, "
                                                      "kinesisTarget or httpTarget parameters, are implemented")

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        return super().check(logical_name, olds, _ecs_target_checked(news))

    def validate(self, inputs: Props) -> list[CheckFailure]:
        given = [key for key in ("input", "inputPath", "inputTransformer") if inputs.get(key)]
        failures = [CheckFailure(given[1], f"only one of {', '.join(given)} can be set")] if len(given) > 1 else []
        target = inputs.get("ecsTarget")
        if isinstance(target, dict) and not target.get("taskDefinitionArn"):
            failures.append(CheckFailure("ecsTarget", "ecsTarget.taskDefinitionArn is required"))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        self._put(ctx, inputs)
        bus, rule, target_id = inputs["eventBusName"], inputs["rule"], inputs["targetId"]
        parts = (rule, target_id) if bus in ("", DEFAULT_BUS) else (bus, rule, target_id)
        return _TARGET_ID_SEPARATOR.join(parts), self._outputs(ctx, inputs, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        parts = _target_parts(id, state)
        target = found_or_none(_find_target, _GONE, ctx, parts)  # gone with its rule, or on its own
        return None if target is None else self._outputs_of(ctx, parts, target, state)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        self._put(ctx, news)  # PutTargets replaces the target with the same id
        return self._outputs(ctx, news, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        parts = _target_parts(id, state)
        answer = found_or_none(
            ctx.client("events").remove_targets, _GONE, Rule=parts["rule"], EventBusName=parts["eventBusName"],
            Ids=[parts["targetId"]], Force=bool(state.get("forceDestroy")),
        )
        if answer is not None:  # None: the rule is gone, and its targets with it
            _raise_failed_entries(answer, "remove")

    @staticmethod
    def _put(ctx: AwsContext, inputs: Props) -> None:
        target = {
            "Id": inputs["targetId"],
            "Arn": inputs["arn"],
            **renamed(inputs, _TARGET_SETTINGS),
            **_blocks_to_api(_TARGET_BLOCKS, inputs),
        }
        if inputs.get("ecsTarget"):
            target["EcsParameters"] = _ecs_to_api(inputs["ecsTarget"])
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
            "input": document_from_cloud(base.get("input"), input_text) if input_text else None,
            "inputPath": target.get("InputPath"),
            "roleArn": target.get("RoleArn"),
            **_blocks_from_api(_TARGET_BLOCKS, target, {}),
            "ecsTarget": _ecs_from_api(target.get("EcsParameters")),
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
    targets = listed(ctx.client("events"), "list_targets_by_rule", "Targets", Rule=parts["rule"],
                     EventBusName=parts["eventBusName"])
    return next((target for target in targets if target["Id"] == parts["targetId"]), None)


def _raise_failed_entries(answer: dict[str, Any], action: str) -> None:
    """PutTargets and RemoveTargets report failures per target instead of raising."""
    failed = answer.get("FailedEntries") or []
    if failed:
        reasons = "; ".join(f"{f.get('TargetId')}: {f.get('ErrorCode')} {f.get('ErrorMessage')}" for f in failed)
        raise OperationFailed(f"EventBridge could not {action} target(s): {reasons}")
