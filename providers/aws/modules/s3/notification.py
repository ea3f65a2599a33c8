"""aws:s3 BucketNotification: the events of a bucket that S3 sends to SQS queues, SNS topics, Lambda functions and
EventBridge. The bucket has one notification configuration; this resource owns all of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envctl.providers.aws.base import CheckResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.modules.s3.configuration import BucketConfiguration, with_sets_sorted
from envctl.providers.aws.naming import prefixed_unique_id
from envctl.providers.aws.registry import resource_type


@dataclass(frozen=True)
class _Destination:
    """One kind of destination: its input, the API's list of configurations and the field holding its ARN."""

    wire: str
    api: str
    arn_wire: str
    arn_api: str
    id_prefix: str  # Terraform names a configuration without an id with this prefix and a unique suffix


_DESTINATIONS = (
    _Destination("queues", "QueueConfigurations", "queueArn", "QueueArn", "tf-s3-queue-"),
    _Destination("topics", "TopicConfigurations", "topicArn", "TopicArn", "tf-s3-topic-"),
    _Destination("lambdaFunctions", "LambdaFunctionConfigurations", "lambdaFunctionArn", "LambdaFunctionArn",
                 "tf-s3-lambda-"),
)
_FILTERS = (("filterPrefix", "prefix"), ("filterSuffix", "suffix"))


def _to_api(destination: _Destination, item: Props) -> dict[str, Any]:
    api: dict[str, Any] = {
        "Id": item.get("id") or prefixed_unique_id(destination.id_prefix),
        destination.arn_api: item[destination.arn_wire],
        "Events": list(item["events"]),
    }
    rules = [{"Name": name, "Value": item[wire]} for wire, name in _FILTERS if item.get(wire)]
    if rules:
        api["Filter"] = {"Key": {"FilterRules": rules}}
    return api


def _from_api(destination: _Destination, api: dict[str, Any]) -> Props:
    rules = {rule["Name"].lower(): rule["Value"]
             for rule in ((api.get("Filter") or {}).get("Key") or {}).get("FilterRules") or ()}
    return {
        "id": api.get("Id"),
        destination.arn_wire: api[destination.arn_api],
        "events": sorted(api.get("Events") or ()),
        **{wire: rules.get(name) for wire, name in _FILTERS},
    }


@resource_type
class BucketNotification(BucketConfiguration):
    token = "aws:s3/bucketNotification:BucketNotification"
    force_new = frozenset({"bucket"})
    defaults = {"eventbridge": False}
    handled = frozenset(destination.wire for destination in _DESTINATIONS)
    unsupported = {"eventbridge": "the local cloud does not report a bucket's EventBridge notifications, so they "
                                  "could not be read back; EventBridge delivery is not emulated"}

    def check(self, logical_name: str, olds: Props | None, news: Props) -> CheckResult:
        sorted_events = {d.wire: with_sets_sorted(news[d.wire], ("events",)) for d in _DESTINATIONS if d.wire in news}
        news = {**news, **sorted_events}
        return super().check(logical_name, olds, news)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        """Gone when the bucket sends no events anywhere."""
        found = super().read(ctx, id, state)
        configured = found and any(found[d.wire] for d in _DESTINATIONS)
        return found if configured else None

    def put(self, s3: Any, bucket: str, inputs: Props) -> None:
        config: dict[str, Any] = {destination.api: [_to_api(destination, item) for item in inputs[destination.wire]]
                                  for destination in _DESTINATIONS if inputs.get(destination.wire)}
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)

    def get(self, s3: Any, bucket: str, state: Props) -> Props:
        answer = s3.get_bucket_notification_configuration(Bucket=bucket)
        return {
            "eventbridge": False,  # refused when true, see `unsupported`
            **{destination.wire: [_from_api(destination, api) for api in answer.get(destination.api) or ()] or None
               for destination in _DESTINATIONS},
        }

    def remove(self, s3: Any, bucket: str, state: Props) -> None:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})

