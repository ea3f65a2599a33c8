"""aws:scheduler resource types (EventBridge Scheduler): ScheduleGroup and Schedule, a one-time or recurring
invocation of a target (a queue, a function, an ECS task, any API call) with its retry and dead-letter settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.engine.provider import CheckResult
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props, as_string
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import found_or_none, remove
from envctl.providers.aws.modules.ecs import task_network_from_api, task_network_to_api
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import sync_tags, tag_dict, tag_list, tags_from_cloud
from envctl.providers.aws.wire import block_from_api, block_to_api, timestamp

_GONE = ("ResourceNotFoundException",)
_DEFAULT_GROUP = "default"
_SCHEDULE_ID_SEPARATOR = "/"  # Terraform's id: <group name>/<schedule name>


def _tags(ctx: AwsContext, arn: str, state: Props) -> Props:
    pairs = ctx.client("scheduler").list_tags_for_resource(ResourceArn=arn)["Tags"]
    return tags_from_cloud(ctx, state, tag_dict(pairs))


def _date(value: Any) -> str | None:
    return timestamp(value) if isinstance(value, datetime) else value


# ---- ScheduleGroup --------------------------------------------------------------------------


@resource_type
class ScheduleGroup(AwsResource):
    token = "aws:scheduler/scheduleGroup:ScheduleGroup"
    id_property = "name"
    name_property = "name"
    name_prefix_property = "namePrefix"
    name_max_length = 64
    force_new = frozenset({"name", "namePrefix"})
    handled = frozenset()
    outputs = frozenset({"arn", "creationDate", "lastModificationDate", "state"})
    gone_codes = _GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        name = self.physical_name(inputs)
        params: dict[str, Any] = {"Name": name}
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        ctx.client("scheduler").create_schedule_group(**params)
        return name, {**inputs, **self.read_back(ctx, name, inputs)}

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        group = ctx.client("scheduler").get_schedule_group(Name=id)
        return {
            "id": group["Name"],
            "name": group["Name"],
            "namePrefix": state.get("namePrefix"),  # not stored by AWS
            "arn": group["Arn"],
            "state": group.get("State"),
            "creationDate": _date(group.get("CreationDate")),
            "lastModificationDate": _date(group.get("LastModificationDate")),
            **_tags(ctx, group["Arn"], state),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        scheduler, arn = ctx.client("scheduler"), olds["arn"]
        sync_tags(olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news),
                  lambda tags: scheduler.tag_resource(ResourceArn=arn, Tags=tag_list(tags)),
                  lambda keys: scheduler.untag_resource(ResourceArn=arn, TagKeys=keys))
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        if self.read(ctx, id, state) is not None:  # moto fails on a group it does not have
            remove(ctx.client("scheduler").delete_schedule_group, gone=_GONE, Name=id)


# ---- Schedule -------------------------------------------------------------------------------

_ECS = "target.ecsParameters"
# API names that are not the wire name capitalised, by the wire path (list items share their list's path).
_TARGET_RENAMES = {
    f"{_ECS}.enableEcsManagedTags": "EnableECSManagedTags",
    f"{_ECS}.capacityProviderStrategies": "CapacityProviderStrategy",
    f"{_ECS}.placementStrategies": "PlacementStrategy",
    **{f"{_ECS}.capacityProviderStrategies.{key}": key for key in ("capacityProvider", "base", "weight")},
    **{f"{_ECS}.placementConstraints.{key}": key for key in ("type", "expression")},
    **{f"{_ECS}.placementStrategies.{key}": key for key in ("type", "field")},
    "target.eventbridgeParameters": "EventBridgeParameters",
    "target.sagemakerPipelineParameters": "SageMakerPipelineParameters",
    "target.sagemakerPipelineParameters.pipelineParameters": "PipelineParameterList",
}
# The fields pulumi-aws has at each path (ecsParameters' networkConfiguration and tags are converted on their own).
_TARGET_FIELDS: dict[str, tuple[str, ...]] = {
    "target": ("arn", "roleArn", "deadLetterConfig", "ecsParameters", "eventbridgeParameters", "input",
               "kinesisParameters", "retryPolicy", "sagemakerPipelineParameters", "sqsParameters"),
    "target.deadLetterConfig": ("arn",),
    _ECS: ("taskDefinitionArn", "capacityProviderStrategies", "enableEcsManagedTags", "enableExecuteCommand",
           "group", "launchType", "placementConstraints", "placementStrategies", "platformVersion", "propagateTags",
           "referenceId", "taskCount"),
    f"{_ECS}.capacityProviderStrategies": ("capacityProvider", "base", "weight"),
    f"{_ECS}.placementConstraints": ("type", "expression"),
    f"{_ECS}.placementStrategies": ("type", "field"),
    "target.eventbridgeParameters": ("detailType", "source"),
    "target.kinesisParameters": ("partitionKey",),
    "target.retryPolicy": ("maximumEventAgeInSeconds", "maximumRetryAttempts"),
    "target.sagemakerPipelineParameters": ("pipelineParameters",),
    "target.sagemakerPipelineParameters.pipelineParameters": ("name", "value"),
    "target.sqsParameters": ("messageGroupId",),
}
_ECS_SPECIAL = ("networkConfiguration", "tags")
# Inputs CreateSchedule and UpdateSchedule take as they are, by their API name.
_SCHEDULE_FIELDS = {
    "description": "Description", "scheduleExpression": "ScheduleExpression",
    "scheduleExpressionTimezone": "ScheduleExpressionTimezone", "state": "State", "kmsKeyArn": "KmsKeyArn",
    "actionAfterCompletion": "ActionAfterCompletion",
}
_DATES = {"startDate": "StartDate", "endDate": "EndDate"}


def _ecs_to_api(ecs: Props) -> dict[str, Any]:
    api = block_to_api({k: v for k, v in ecs.items() if k not in _ECS_SPECIAL}, _ECS, _TARGET_RENAMES)
    if ecs.get("networkConfiguration"):
        api["NetworkConfiguration"] = task_network_to_api(ecs["networkConfiguration"])
    if ecs.get("tags"):
        api["Tags"] = [{"key": key, "value": value} for key, value in sorted(ecs["tags"].items())]
    return api


def _ecs_from_api(api: dict[str, Any]) -> Props:
    ecs = block_from_api(api, _ECS, _TARGET_RENAMES, _TARGET_FIELDS)
    ecs["networkConfiguration"] = task_network_from_api(api.get("NetworkConfiguration"))
    ecs["tags"] = {tag["key"]: tag["value"] for tag in api.get("Tags") or []} or None
    return ecs


def _target_to_api(target: Props) -> dict[str, Any]:
    api = block_to_api({k: v for k, v in target.items() if k != "ecsParameters"}, "target", _TARGET_RENAMES)
    if target.get("ecsParameters"):
        api["EcsParameters"] = _ecs_to_api(target["ecsParameters"])
    return api


def _target_from_api(api: dict[str, Any]) -> Props:
    target = block_from_api({k: v for k, v in api.items() if k != "EcsParameters"}, "target", _TARGET_RENAMES,
                            _TARGET_FIELDS)
    if api.get("EcsParameters"):
        target["ecsParameters"] = _ecs_from_api(api["EcsParameters"])
    return target


def _split_id(id: str, state: Props) -> tuple[str, str]:
    if state.get("name"):
        return state.get("groupName") or _DEFAULT_GROUP, state["name"]
    group, _, name = id.rpartition(_SCHEDULE_ID_SEPARATOR)
    return group or _DEFAULT_GROUP, name


@resource_type
class Schedule(AwsResource):
    token = "aws:scheduler/schedule:Schedule"
    name_property = "name"
    name_prefix_property = "namePrefix"
    name_max_length = 64
    required = ("flexibleTimeWindow", "scheduleExpression", "target")
    # groupName is Terraform's computed "default", the group AWS puts a schedule in without one.
    defaults = {"groupName": _DEFAULT_GROUP, "scheduleExpressionTimezone": "UTC", "state": "ENABLED"}
    force_new = frozenset({"name", "namePrefix", "groupName"})
    handled = frozenset({*_SCHEDULE_FIELDS, *_DATES, "groupName"})
    outputs = frozenset({"arn"})
    taggable = False
    set_properties = (f"{_ECS}.networkConfiguration.subnets", f"{_ECS}.networkConfiguration.securityGroups")

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        """As Terraform, an ECS target starts one task unless it says otherwise; its tag values are strings."""
        target = news.get("target")
        ecs = target.get("ecsParameters") if isinstance(target, dict) else None
        if isinstance(ecs, dict) and not contains_unknown(ecs):
            checked = {**ecs, "taskCount": 1 if ecs.get("taskCount") is None else ecs["taskCount"]}
            if isinstance(ecs.get("tags"), dict):
                checked["tags"] = {key: as_string(value) for key, value in ecs["tags"].items()}
            news = {**news, "target": {**target, "ecsParameters": checked}}
        return super().check(logical_name, olds, news)

    def validate(self, inputs: Props) -> list[CheckFailure]:
        target = inputs.get("target")
        if isinstance(target, dict) and not contains_unknown(target) and not (target.get("arn") and
                                                                              target.get("roleArn")):
            return [CheckFailure("target", "target needs its arn and the roleArn the scheduler assumes")]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        name = self.physical_name(inputs)
        ctx.client("scheduler").create_schedule(**self._params(name, inputs))
        id = f"{inputs['groupName']}{_SCHEDULE_ID_SEPARATOR}{name}"
        return id, {**inputs, **self.read_back(ctx, id, {**inputs, "name": name})}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        group, name = _split_id(id, state)
        schedule = found_or_none(ctx.client("scheduler").get_schedule, _GONE, GroupName=group, Name=name)
        if schedule is None:
            return None
        window = schedule.get("FlexibleTimeWindow") or {}
        return {
            "id": f"{schedule.get('GroupName') or group}{_SCHEDULE_ID_SEPARATOR}{schedule['Name']}",
            "arn": schedule["Arn"],
            "name": schedule["Name"],
            "namePrefix": state.get("namePrefix"),  # not stored by AWS
            "groupName": schedule.get("GroupName") or group,
            **{wire: schedule.get(api) for wire, api in _SCHEDULE_FIELDS.items()},
            **{wire: _date(schedule.get(api)) for wire, api in _DATES.items()},
            "flexibleTimeWindow": {"mode": window.get("Mode"),
                                   "maximumWindowInMinutes": window.get("MaximumWindowInMinutes")},
            "target": _target_from_api(schedule["Target"]),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        # UpdateSchedule replaces the whole schedule: everything is sent again.
        group, name = _split_id(id, olds)
        ctx.client("scheduler").update_schedule(**self._params(name, {**news, "groupName": group}))
        return {**news, **self.read_back(ctx, id, {**news, "name": name})}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        group, name = _split_id(id, state)
        remove(ctx.client("scheduler").delete_schedule, gone=_GONE, GroupName=group, Name=name)

    @staticmethod
    def _params(name: str, inputs: Props) -> dict[str, Any]:
        window = inputs["flexibleTimeWindow"]
        params: dict[str, Any] = {
            "Name": name,
            "GroupName": inputs["groupName"],
            "FlexibleTimeWindow": {"Mode": window["mode"], **({"MaximumWindowInMinutes": window[
                "maximumWindowInMinutes"]} if window.get("maximumWindowInMinutes") else {})},
            "Target": _target_to_api(inputs["target"]),
            **{api: inputs[wire] for wire, api in _SCHEDULE_FIELDS.items() if inputs.get(wire) is not None},
        }
        params.update({api: datetime.fromisoformat(inputs[wire].replace("Z", "+00:00"))
                       for wire, api in _DATES.items() if inputs.get(wire)})
        return params
