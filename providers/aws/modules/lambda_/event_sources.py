"""aws:lambda EventSourceMapping: a function polling an SQS queue, a Kinesis stream or a DynamoDB stream."""

from __future__ import annotations

import contextlib
from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import sync_tags, tags_from_cloud
from envctl.providers.aws.wire import api_keys, timestamp, wire_keys

_GONE = ("ResourceNotFoundException",)
_SOURCES = ("sqs", "kinesis", "dynamodb")  # the event sources the local cloud polls for
# Settings CreateEventSourceMapping and UpdateEventSourceMapping both take: wire name -> API name.
_SETTINGS = {
    "batchSize": "BatchSize",
    "bisectBatchOnFunctionError": "BisectBatchOnFunctionError",
    "destinationConfig": "DestinationConfig",
    "enabled": "Enabled",
    "filterCriteria": "FilterCriteria",
    "functionResponseTypes": "FunctionResponseTypes",
    "kmsKeyArn": "KMSKeyArn",
    "maximumBatchingWindowInSeconds": "MaximumBatchingWindowInSeconds",
    "maximumRecordAgeInSeconds": "MaximumRecordAgeInSeconds",
    "maximumRetryAttempts": "MaximumRetryAttempts",
    "metricsConfig": "MetricsConfig",
    "parallelizationFactor": "ParallelizationFactor",
    "provisionedPollerConfig": "ProvisionedPollerConfig",
    "scalingConfig": "ScalingConfig",
    "tumblingWindowInSeconds": "TumblingWindowInSeconds",
}
# What removes a block setting, as Terraform sends it (scalar settings are Optional+Computed: AWS keeps them).
_CLEARED = {
    "destinationConfig": {"OnFailure": {}},
    "filterCriteria": {"Filters": []},
    "functionResponseTypes": [],
    "scalingConfig": {},
}
_CREATE_ONLY = {"eventSourceArn": "EventSourceArn", "startingPosition": "StartingPosition"}
_NOT_POLLED = "the local cloud polls only SQS queues, Kinesis streams and DynamoDB streams"
_UNSUPPORTED = {
    **dict.fromkeys(("amazonManagedKafkaEventSourceConfig", "selfManagedEventSource",
                     "selfManagedKafkaEventSourceConfig", "topics"), f"Kafka sources are not emulated: {_NOT_POLLED}"),
    "queues": f"Amazon MQ sources are not emulated: {_NOT_POLLED}",
    "sourceAccessConfigurations": f"MQ and Kafka credentials are not emulated: {_NOT_POLLED}",
    "documentDbEventSourceConfig": f"DocumentDB change streams are not emulated: {_NOT_POLLED}",
    "useResourceTimeoutForPropagation": "resource timeouts do not reach envctl's Lambda calls",
}


def _to_api(wire: str, value: Any) -> Any:
    if wire == "destinationConfig":  # the one field whose API name is not its capitalised wire name
        failure = (value or {}).get("onFailure") or {}
        return {"OnFailure": {"Destination": failure.get("destinationArn") or ""}}
    return api_keys(value)


def _from_api(wire: str, value: Any) -> Any:
    """A setting as the API reports it, in wire form; None where it is unset or cleared."""
    if value in (None, {}, []) or (isinstance(value, dict) and all(v in (None, {}, []) for v in value.values())):
        return None
    if wire == "destinationConfig":
        destination = (value.get("OnFailure") or {}).get("Destination")
        return {"onFailure": {"destinationArn": destination}} if destination else None
    return wire_keys(value)


@resource_type
class EventSourceMapping(AwsResource):
    token = "aws:lambda/eventSourceMapping:EventSourceMapping"
    required = ("functionName",)
    defaults = {"enabled": True}
    force_new = frozenset({"eventSourceArn", "startingPosition", "startingPositionTimestamp", "queues", "topics",
                           "selfManagedEventSource", "amazonManagedKafkaEventSourceConfig",
                           "selfManagedKafkaEventSourceConfig"})
    handled = frozenset({*_SETTINGS, *_CREATE_ONLY, "startingPositionTimestamp"})
    unsupported = _UNSUPPORTED
    outputs = frozenset({"arn", "functionArn", "lastModified", "lastProcessingResult", "state",
                         "stateTransitionReason", "uuid"})
    set_properties = ("functionResponseTypes",)
    gone_codes = _GONE

    def validate(self, inputs: Props) -> list[CheckFailure]:
        source = inputs.get("eventSourceArn")
        if source is None:
            return [CheckFailure("eventSourceArn", f"eventSourceArn is required: {_NOT_POLLED}")]
        service = source.split(":")[2] if isinstance(source, str) and source.count(":") >= 2 else None
        if service not in (None, *_SOURCES) and not contains_unknown(source):
            return [CheckFailure("eventSourceArn", f"{source!r} is not emulated: {_NOT_POLLED}")]
        return []

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        """A function given by name or by ARN is the same function (Terraform's diff suppression)."""
        old, new = olds.get("functionName"), news.get("functionName")
        if "functionName" in diff.changed and isinstance(old, str) and isinstance(new, str) \
                and _function_name(old) == _function_name(new):
            return diff.without(["functionName"])
        return diff

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        params: dict[str, Any] = {"FunctionName": inputs["functionName"]}
        params.update({api: inputs[wire] for wire, api in _CREATE_ONLY.items() if inputs.get(wire) is not None})
        params.update(_settings(inputs, {wire for wire in _SETTINGS if inputs.get(wire) is not None}))
        if inputs.get("startingPositionTimestamp"):
            params["StartingPositionTimestamp"] = inputs["startingPositionTimestamp"]
        if tags := self.tags_all(ctx, urn, inputs):
            params["Tags"] = tags
        uuid = ctx.client("lambda").create_event_source_mapping(**params)["UUID"]
        return uuid, self.describe(ctx, uuid, inputs)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        client = ctx.client("lambda")
        changed = set(diff.changed)
        params = _settings(news, changed)
        if "functionName" in changed:
            params["FunctionName"] = news["functionName"]
        if params:
            client.update_event_source_mapping(UUID=id, **params)
        sync_tags(olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news),
                  lambda tags: client.tag_resource(Resource=olds["arn"], Tags=tags),
                  lambda keys: client.untag_resource(Resource=olds["arn"], TagKeys=keys))
        return self.describe(ctx, id, news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        client = ctx.client("lambda")
        with contextlib.suppress(client.exceptions.ResourceNotFoundException):
            client.delete_event_source_mapping(UUID=id)

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        client = ctx.client("lambda")
        mapping = client.get_event_source_mapping(UUID=id)
        configured = state.get("functionName")
        function_arn = mapping["FunctionArn"]
        same_function = isinstance(configured, str) and _function_name(configured) == _function_name(function_arn)
        started = mapping.get("StartingPositionTimestamp")
        return {
            **state,
            **{wire: _from_api(wire, mapping.get(api)) for wire, api in _SETTINGS.items()},
            "id": id,
            "uuid": mapping["UUID"],
            "arn": mapping["EventSourceMappingArn"],
            "eventSourceArn": mapping.get("EventSourceArn"),
            "functionArn": function_arn,
            "functionName": configured if same_function else function_arn,
            "startingPosition": mapping.get("StartingPosition"),
            "startingPositionTimestamp": timestamp(started) if started else state.get("startingPositionTimestamp"),
            "enabled": mapping.get("State") in ("Enabled", "Enabling", "Creating"),
            "lastModified": timestamp(mapping["LastModified"]) if mapping.get("LastModified") else None,
            "lastProcessingResult": mapping.get("LastProcessingResult"),
            "state": mapping.get("State"),
            "stateTransitionReason": mapping.get("StateTransitionReason"),
            **{key: None for key in _UNSUPPORTED},
            **tags_from_cloud(ctx, state, client.list_tags(Resource=mapping["EventSourceMappingArn"])["Tags"]),
        }


def _settings(props: Props, keys: set[str]) -> dict[str, Any]:
    """The settings named in `keys`, in the API's form; a removed block is sent in the form that clears it."""
    given = {api: _to_api(wire, props[wire]) for wire, api in _SETTINGS.items()
             if wire in keys and props.get(wire) is not None}
    cleared = {_SETTINGS[wire]: empty for wire, empty in _CLEARED.items() if wire in keys and props.get(wire) is None}
    return {**given, **cleared}


def _function_name(name_or_arn: str) -> str:
    """A function's name from its name or its (unqualified) ARN."""
    return name_or_arn.split(":")[6] if name_or_arn.startswith("arn:") else name_or_arn
