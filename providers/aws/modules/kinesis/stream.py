"""aws:kinesis resource types: Stream (Kinesis Data Streams)."""

from __future__ import annotations

from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import found_or_none, remove
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import sync_tags, tag_dict, tags_from_cloud

_PROVISIONED = "PROVISIONED"
_ON_DEMAND = "ON_DEMAND"
_KMS = "KMS"
_MIN_RETENTION_HOURS, _MAX_RETENTION_HOURS = 24, 8760
# A stream is ACTIVE again within seconds after most changes; resharding can take minutes.
_ACTIVE_WAITER = {"Delay": 2, "MaxAttempts": 300}
_GONE = ("ResourceNotFoundException",)
# What CreateStream leaves a stream with, for the properties it cannot set itself.
_NEW_STREAM: Props = {"retentionPeriod": _MIN_RETENTION_HOURS, "encryptionType": "NONE", "shardLevelMetrics": []}


def _stream_name(id: str) -> str:
    """The stream name in the id (the stream ARN, `arn:...:stream/<name>`)."""
    return id.rsplit("stream/", 1)[-1]


def _stream_mode(inputs: Props) -> str:
    return (inputs.get("streamModeDetails") or {}).get("streamMode") or _PROVISIONED


@resource_type
class Stream(AwsResource):
    token = "aws:kinesis/stream:Stream"
    name_property = "name"
    defaults = {"encryptionType": "NONE", "enforceConsumerDeletion": False, "retentionPeriod": _MIN_RETENTION_HOURS}
    force_new = frozenset({"name", "region"})
    set_properties = ("shardLevelMetrics",)
    handled = frozenset({
        "shardCount", "streamModeDetails", "retentionPeriod", "shardLevelMetrics", "encryptionType", "kmsKeyId",
        "maxRecordSizeInKib", "enforceConsumerDeletion",
    })
    unsupported = {
        "arn": "the stream's ARN is given by AWS: leave it out and read the `arn` output",
        "warmThroughputMibPs": "warm throughput is not implemented",
    }

    def validate(self, inputs: Props) -> list[CheckFailure]:
        if contains_unknown(inputs):
            return []
        failures = []
        mode, shards = _stream_mode(inputs), inputs.get("shardCount")
        if mode == _PROVISIONED and (shards is None or int(shards) < 1):
            failures.append(CheckFailure("shardCount", "shardCount must be at least 1 for a PROVISIONED stream"))
        if mode == _ON_DEMAND and shards:
            failures.append(CheckFailure("shardCount", "shardCount must not be set for an ON_DEMAND stream"))
        retention = inputs.get("retentionPeriod")
        if retention is not None and not _MIN_RETENTION_HOURS <= int(retention) <= _MAX_RETENTION_HOURS:
            failures.append(CheckFailure("retentionPeriod", "retentionPeriod must be between 24 and 8760 hours"))
        if inputs.get("encryptionType") == _KMS and not inputs.get("kmsKeyId"):
            failures.append(CheckFailure("kmsKeyId", "kmsKeyId is required when encryptionType is KMS"))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        kinesis = ctx.client("kinesis")
        name = inputs["name"]
        params: dict[str, Any] = {"StreamName": name}
        if inputs.get("streamModeDetails"):
            params["StreamModeDetails"] = {"StreamMode": _stream_mode(inputs)}
        if _stream_mode(inputs) == _PROVISIONED:
            params["ShardCount"] = int(inputs["shardCount"])
        if inputs.get("maxRecordSizeInKib"):
            params["MaxRecordSizeInKiB"] = int(inputs["maxRecordSizeInKib"])
        kinesis.create_stream(**params)
        _wait_until_active(kinesis, name)
        # Tagged separately: moto ignores CreateStream's tags (AWS takes both ways).
        _retag(kinesis, name, {}, self.tags_all(ctx, urn, inputs))
        # What CreateStream cannot set is changed from what every new stream has, as an update would.
        changed = {key for key, value in _NEW_STREAM.items() if inputs.get(key) != value}
        _reconcile(kinesis, name, _NEW_STREAM, inputs, changed)
        outputs = self._outputs(ctx, _summary(kinesis, name), inputs)
        return outputs["arn"], outputs

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        summary = found_or_none(_summary, _GONE, ctx.client("kinesis"), _stream_name(id))
        if summary is None or summary["StreamStatus"] == "DELETING":
            return None
        return self._outputs(ctx, summary, state)

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        kinesis = ctx.client("kinesis")
        name = _stream_name(id)
        _reconcile(kinesis, name, olds, news, set(diff.changed))
        _retag(kinesis, name, olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return self._outputs(ctx, _summary(kinesis, name), news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        kinesis = ctx.client("kinesis")
        name = _stream_name(id)
        remove(kinesis.delete_stream, gone=_GONE, StreamName=name,
               EnforceConsumerDeletion=bool(state.get("enforceConsumerDeletion")))
        kinesis.get_waiter("stream_not_exists").wait(StreamName=name, WaiterConfig=_ACTIVE_WAITER)

    def _outputs(self, ctx: AwsContext, summary: dict[str, Any], base: Props) -> Props:
        name = summary["StreamName"]
        mode = (summary.get("StreamModeDetails") or {}).get("StreamMode") or _PROVISIONED
        metrics = sorted(m for group in summary.get("EnhancedMonitoring") or () for m in group["ShardLevelMetrics"])
        tags = tag_dict(ctx.client("kinesis").list_tags_for_stream(StreamName=name)["Tags"])
        return {
            **base,
            "id": summary["StreamARN"],
            "arn": summary["StreamARN"],
            "name": name,
            "retentionPeriod": int(summary["RetentionPeriodHours"]),
            # Terraform records no shard count for an on-demand stream: AWS manages it.
            "shardCount": int(summary["OpenShardCount"]) if mode == _PROVISIONED else None,
            "streamModeDetails": {"streamMode": mode},
            "shardLevelMetrics": metrics,
            "encryptionType": summary.get("EncryptionType", "NONE"),
            "kmsKeyId": summary.get("KeyId"),
            "maxRecordSizeInKib": summary.get("MaxRecordSizeInKiB", base.get("maxRecordSizeInKib")),
            "region": ctx.region,
            **tags_from_cloud(ctx, base, tags),
        }


def _summary(kinesis: Any, name: str) -> dict[str, Any]:
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]


def _wait_until_active(kinesis: Any, name: str) -> None:
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig=_ACTIVE_WAITER)


def _change(kinesis: Any, name: str, operation: str, **params: Any) -> None:
    """One stream change; the stream is UPDATING until it is done and takes no other change meanwhile."""
    getattr(kinesis, operation)(StreamName=name, **params)
    _wait_until_active(kinesis, name)


def _reconcile(kinesis: Any, name: str, olds: Props, news: Props, changed: set[str]) -> None:
    """Apply the changed properties, one stream change at a time, in Terraform's order."""
    arn = _summary(kinesis, name)["StreamARN"]
    mode = _stream_mode(news)
    if "streamModeDetails" in changed and mode != _stream_mode(olds):
        kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": mode})
        _wait_until_active(kinesis, name)
    if "shardCount" in changed and mode == _PROVISIONED:
        _change(kinesis, name, "update_shard_count", TargetShardCount=int(news["shardCount"]),
                ScalingType="UNIFORM_SCALING")
    if "retentionPeriod" in changed:
        hours = int(news["retentionPeriod"])
        direction = "increase" if hours > int(olds.get("retentionPeriod") or 0) else "decrease"
        _change(kinesis, name, f"{direction}_stream_retention_period", RetentionPeriodHours=hours)
    if "shardLevelMetrics" in changed:
        old_metrics, new_metrics = set(olds.get("shardLevelMetrics") or ()), set(news.get("shardLevelMetrics") or ())
        if old_metrics - new_metrics:
            _change(kinesis, name, "disable_enhanced_monitoring", ShardLevelMetrics=sorted(old_metrics - new_metrics))
        if new_metrics - old_metrics:
            _change(kinesis, name, "enable_enhanced_monitoring", ShardLevelMetrics=sorted(new_metrics - old_metrics))
    if changed & {"encryptionType", "kmsKeyId"}:
        if news["encryptionType"] == _KMS:
            _change(kinesis, name, "start_stream_encryption", EncryptionType=_KMS, KeyId=news["kmsKeyId"])
        elif olds.get("encryptionType") == _KMS:
            _change(kinesis, name, "stop_stream_encryption", EncryptionType=_KMS, KeyId=olds["kmsKeyId"])
    if "maxRecordSizeInKib" in changed and news.get("maxRecordSizeInKib"):
        kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=int(news["maxRecordSizeInKib"]))
        _wait_until_active(kinesis, name)


def _retag(kinesis: Any, name: str, old: dict[str, str], new: dict[str, str]) -> None:
    sync_tags(old, new, lambda tags: kinesis.add_tags_to_stream(StreamName=name, Tags=tags),
              lambda keys: kinesis.remove_tags_from_stream(StreamName=name, TagKeys=keys))
