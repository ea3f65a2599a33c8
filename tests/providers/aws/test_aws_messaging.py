"""SNS topics and subscriptions, Kinesis streams and EventBridge buses, rules and targets, against the session's
moto server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from envctl.errors import BadInput
from envctl.providers.aws.context import AwsContext

from engine_support import aws
from provider_steps import (
    Provisioner,
    assert_up_again_changes_nothing_and_destroy_deletes,
    failed_properties,
    failures,
    provider,
    unique,
    up_program,
)

TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
STREAM = "aws:kinesis/stream:Stream"
BUS = "aws:cloudwatch/eventBus:EventBus"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"


@pytest.fixture
def queue(aws_ctx: AwsContext) -> Iterator[tuple[str, str]]:
    """An SQS queue made outside envctl, as a delivery target: (url, arn)."""
    sqs = aws_ctx.client("sqs")
    url = sqs.create_queue(QueueName=unique("inbox"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    yield url, arn
    sqs.delete_queue(QueueUrl=url)


def received(ctx: AwsContext, queue_url: str) -> list[str]:
    messages = ctx.client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    return [m["Body"] for m in messages.get("Messages", [])]


# ---- SNS Topic ------------------------------------------------------------------------------


def test_topic_lifecycle(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    sns = aws_ctx.client("sns")
    topic = provisioner.create(TOPIC, "alerts", {"displayName": "Alerts", "tags": {"team": "ops"}})

    assert topic.id == topic.outputs["arn"] == sns.get_topic_attributes(TopicArn=topic.id)["Attributes"]["TopicArn"]
    assert topic.inputs["name"].startswith("alerts-") and len(topic.inputs["name"]) == len("alerts-") + 7
    assert sns.get_topic_attributes(TopicArn=topic.id)["Attributes"]["DisplayName"] == "Alerts"
    cloud_tags = {t["Key"]: t["Value"] for t in sns.list_tags_for_resource(ResourceArn=topic.id)["Tags"]}
    assert cloud_tags["team"] == "ops" and cloud_tags["envctl:urn"] == topic.urn
    assert topic.outputs["owner"] == aws_ctx.account_id
    assert topic.outputs["tags"] == {"team": "ops"} and topic.outputs["tagsAll"]["envctl:env"] == "test"
    assert provisioner.read(topic)["displayName"] == "Alerts"

    policy = json.loads(topic.outputs["policy"])  # SNS's default policy, recorded as the cloud has it
    reformatted = json.dumps(policy, indent=2)
    assert provisioner.plan(topic, {"policy": topic.outputs["policy"]}).changed == ("policy",)
    with_policy = replace(topic, inputs={**topic.inputs, "policy": topic.outputs["policy"]})
    assert not provisioner.plan(with_policy, {"policy": reformatted}).has_changes
    assert set(provisioner.plan(topic, {"fifoTopic": True}).replaces) == {"fifoTopic", "name"}  # a new .fifo name
    assert provisioner.plan(topic, {"name": unique("other")}).replaces == ("name",)

    topic = provisioner.update(topic, {"displayName": "Pager", "tags": {"team": "sre"}})
    assert sns.get_topic_attributes(TopicArn=topic.id)["Attributes"]["DisplayName"] == "Pager"
    cloud_tags = {t["Key"]: t["Value"] for t in sns.list_tags_for_resource(ResourceArn=topic.id)["Tags"]}
    assert cloud_tags["team"] == "sre"
    assert provisioner.read(topic)["displayName"] == "Pager"

    provisioner.assert_deleted(topic)


def test_fifo_topic_auto_name_and_checks(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    topic = provisioner.create(TOPIC, "orders", {"fifoTopic": True, "contentBasedDeduplication": True})
    assert topic.id.endswith(".fifo") and topic.outputs["name"].startswith("orders-")
    attributes = aws_ctx.client("sns").get_topic_attributes(TopicArn=topic.id)["Attributes"]
    assert attributes["FifoTopic"] == "true" and attributes["ContentBasedDeduplication"] == "true"
    assert topic.outputs["fifoTopic"] is True
    assert failed_properties(TOPIC, {"contentBasedDeduplication": True}) == {"contentBasedDeduplication"}
    assert failed_properties(TOPIC, {"name": "bad name"}) == {"name"}
    assert failed_properties(TOPIC, {"name": "plain", "fifoTopic": True}) == {"name"}


def test_name_prefix_topic(provisioner: Provisioner) -> None:
    topic = provisioner.create(TOPIC, "prefixed", {"namePrefix": "billing-"})
    assert topic.outputs["name"].startswith("billing-") and "name" not in topic.inputs


# ---- SNS TopicSubscription ------------------------------------------------------------------


def test_subscription_fans_out_to_sqs(provisioner: Provisioner, aws_ctx: AwsContext, queue: tuple[str, str]) -> None:
    queue_url, queue_arn = queue
    sns = aws_ctx.client("sns")
    topic = provisioner.create(TOPIC, "events", {})
    subscription = provisioner.create(SUBSCRIPTION, "to-queue", {
        "topic": topic.id, "protocol": "sqs", "endpoint": queue_arn, "rawMessageDelivery": True,
        "filterPolicy": json.dumps({"kind": ["order"]}),
    })

    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription.id)["Attributes"]
    assert attributes["TopicArn"] == topic.id and attributes["Endpoint"] == queue_arn
    assert attributes["RawMessageDelivery"] == "true"
    assert subscription.outputs["arn"] == subscription.id and subscription.outputs["pendingConfirmation"] is False
    assert subscription.outputs["ownerId"] == aws_ctx.account_id

    kind = {"kind": {"DataType": "String", "StringValue": "order"}}
    sns.publish(TopicArn=topic.id, Message="order placed", MessageAttributes=kind)
    other = {"kind": {"DataType": "String", "StringValue": "audit"}}
    sns.publish(TopicArn=topic.id, Message="filtered out", MessageAttributes=other)
    assert received(aws_ctx, queue_url) == ["order placed"]

    reordered = json.dumps({"kind": ["order"]}, indent=4)
    assert not provisioner.plan(subscription, {"filterPolicy": reordered}).has_changes
    assert provisioner.plan(subscription, {"endpoint": queue_arn + "-2"}).replaces == ("endpoint",)
    assert provisioner.plan(subscription, {"protocol": "lambda"}).replaces == ("protocol",)

    subscription = provisioner.update(subscription, {"rawMessageDelivery": False, "filterPolicy": None})
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription.id)["Attributes"]
    assert attributes["RawMessageDelivery"] == "false"
    sns.publish(TopicArn=topic.id, Message="wrapped", MessageAttributes=other)
    [body] = received(aws_ctx, queue_url)
    assert json.loads(body)["Message"] == "wrapped"  # the SNS envelope, now that delivery is not raw

    provisioner.assert_deleted(subscription)


def test_subscription_requires_topic_protocol_endpoint() -> None:
    assert failed_properties(SUBSCRIPTION, {}) == {"topic", "protocol", "endpoint"}


# ---- Kinesis Stream -------------------------------------------------------------------------


def test_stream_lifecycle(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    kinesis = aws_ctx.client("kinesis")
    stream = provisioner.create(STREAM, "clicks", {
        "shardCount": 1, "retentionPeriod": 48, "shardLevelMetrics": ["OutgoingBytes", "IncomingBytes"],
        "tags": {"team": "data"},
    })
    name = stream.inputs["name"]
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert stream.id == summary["StreamARN"] == stream.outputs["arn"]
    assert summary["RetentionPeriodHours"] == 48 and summary["OpenShardCount"] == 1
    assert sorted(summary["EnhancedMonitoring"][0]["ShardLevelMetrics"]) == ["IncomingBytes", "OutgoingBytes"]
    cloud_tags = {t["Key"]: t["Value"] for t in kinesis.list_tags_for_stream(StreamName=name)["Tags"]}
    assert cloud_tags["team"] == "data" and cloud_tags["envctl:urn"] == stream.urn
    assert stream.outputs["encryptionType"] == "NONE" and stream.outputs["tagsAll"]["envctl:env"] == "test"

    read = provisioner.read(stream)
    assert read["shardCount"] == 1 and read["retentionPeriod"] == 48
    assert not provisioner.plan(stream, {"shardLevelMetrics": ["IncomingBytes", "OutgoingBytes"]}).has_changes
    assert provisioner.plan(stream, {"name": unique("renamed")}).replaces == ("name",)

    stream = provisioner.update(stream, {"shardCount": 2, "retentionPeriod": 24, "shardLevelMetrics": ["IncomingBytes"],
                                       "tags": {"team": "analytics"}})
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 2 and summary["RetentionPeriodHours"] == 24
    assert summary["EnhancedMonitoring"][0]["ShardLevelMetrics"] == ["IncomingBytes"]
    assert stream.outputs["tags"] == {"team": "analytics"}

    provisioner.assert_deleted(stream)


def test_stream_checks_shard_count_against_mode() -> None:
    assert failed_properties(STREAM, {}) == {"shardCount"}
    assert failed_properties(STREAM, {"shardCount": 2, "streamModeDetails": {"streamMode": "ON_DEMAND"}}) == {
        "shardCount"
    }
    assert failed_properties(STREAM, {"shardCount": 1, "retentionPeriod": 12}) == {"retentionPeriod"}
    assert failed_properties(STREAM, {"shardCount": 1, "encryptionType": "KMS"}) == {"kmsKeyId"}


def test_stream_refuses_an_arn_and_warm_throughput() -> None:
    refused = failures(STREAM, shardCount=1, arn="arn:aws:kinesis:us-east-1:123456789012:stream/clicks",
                       warmThroughputMibPs=100)
    assert set(refused) == {"arn", "warmThroughputMibPs"}
    assert "read the `arn` output" in refused["arn"]


def test_on_demand_stream_records_no_shard_count(provisioner: Provisioner) -> None:
    stream = provisioner.create(STREAM, "firehose", {"streamModeDetails": {"streamMode": "ON_DEMAND"}})
    assert stream.outputs["streamModeDetails"] == {"streamMode": "ON_DEMAND"}
    assert stream.outputs["shardCount"] is None


# ---- EventBridge ----------------------------------------------------------------------------


def test_event_bus_lifecycle(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    events = aws_ctx.client("events")
    bus = provisioner.create(BUS, "orders", {"description": "order events", "tags": {"team": "shop"}})
    described = events.describe_event_bus(Name=bus.id)
    assert bus.id == bus.inputs["name"] and bus.id.startswith("orders-")
    assert bus.outputs["arn"] == described["Arn"] and described["Description"] == "order events"
    assert provisioner.read(bus)["description"] == "order events"
    assert provisioner.plan(bus, {"eventSourceName": "aws.partner/x/y"}).replaces == ("eventSourceName",)

    # moto has no UpdateEventBus, so the in-place change here is to the tags.
    bus = provisioner.update(bus, {"tags": {"team": "checkout"}})
    cloud_tags = {t["Key"]: t["Value"] for t in events.list_tags_for_resource(ResourceARN=bus.outputs["arn"])["Tags"]}
    assert cloud_tags["team"] == "checkout" and cloud_tags["envctl:urn"] == bus.urn

    provisioner.assert_deleted(bus)


def test_rule_on_default_bus(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    events = aws_ctx.client("events")
    rule = provisioner.create(RULE, "nightly", {"scheduleExpression": "rate(1 day)", "description": "nightly"})
    assert rule.id == rule.inputs["name"] and rule.inputs["eventBusName"] == "default"
    described = events.describe_rule(Name=rule.id)
    assert described["ScheduleExpression"] == "rate(1 day)" and described["State"] == "ENABLED"
    assert rule.outputs["state"] == "ENABLED" and rule.outputs["arn"] == described["Arn"]

    rule = provisioner.update(rule, {"scheduleExpression": "rate(2 days)", "state": "DISABLED"})
    described = events.describe_rule(Name=rule.id)
    assert described["ScheduleExpression"] == "rate(2 days)" and described["State"] == "DISABLED"
    assert not provisioner.plan(rule, {"state": None}).has_changes  # as Terraform: removing state changes nothing

    provisioner.assert_deleted(rule)


def test_rule_target_delivers_bus_events_to_sqs(
    provisioner: Provisioner, aws_ctx: AwsContext, queue: tuple[str, str]
) -> None:
    queue_url, queue_arn = queue
    events = aws_ctx.client("events")
    bus = provisioner.create(BUS, "shop", {})
    pattern = {"source": ["shop.orders"], "detail-type": ["OrderPlaced"]}
    rule = provisioner.create(RULE, "placed", {"eventBusName": bus.id, "eventPattern": json.dumps(pattern),
                                             "tags": {"team": "shop"}})
    assert rule.id == f"{bus.id}/{rule.inputs['name']}"
    assert json.loads(events.describe_rule(Name=rule.inputs["name"], EventBusName=bus.id)["EventPattern"]) == pattern
    assert not provisioner.plan(rule, {"eventPattern": json.dumps(pattern, indent=2, sort_keys=True)}).has_changes
    assert provisioner.plan(rule, {"eventBusName": "default"}).replaces == ("eventBusName",)

    target = provisioner.create(TARGET, "to-queue", {
        "rule": rule.inputs["name"], "eventBusName": bus.id, "arn": queue_arn,
        "retryPolicy": {"maximumRetryAttempts": 3},
    })
    target_id = target.inputs["targetId"]
    assert target_id.startswith("to-queue-")
    assert target.id == f"{bus.id}-{rule.inputs['name']}-{target_id}"
    [listed] = events.list_targets_by_rule(Rule=rule.inputs["name"], EventBusName=bus.id)["Targets"]
    assert listed["Arn"] == queue_arn and listed["RetryPolicy"] == {"MaximumRetryAttempts": 3}
    assert target.outputs["retryPolicy"] == {"maximumEventAgeInSeconds": None, "maximumRetryAttempts": 3}

    entry = {"EventBusName": bus.id, "Source": "shop.orders", "DetailType": "OrderPlaced", "Detail": '{"id": 7}'}
    events.put_events(Entries=[entry])
    [body] = received(aws_ctx, queue_url)
    assert json.loads(body)["detail"] == {"id": 7}

    assert provisioner.plan(target, {"rule": "another"}).replaces == ("rule",)
    assert provisioner.plan(target, {"targetId": "fixed"}).replaces == ("targetId",)
    target = provisioner.update(target, {"input": json.dumps({"fixed": True})})
    [listed] = events.list_targets_by_rule(Rule=rule.inputs["name"], EventBusName=bus.id)["Targets"]
    assert json.loads(listed["Input"]) == {"fixed": True}
    assert not provisioner.plan(target, {"input": json.dumps({"fixed": True}, indent=1)}).has_changes

    # Reading by import id, with nothing in state, finds the same target.
    imported = provider(TARGET).read(aws_ctx, f"{bus.id}/{rule.inputs['name']}/{target_id}", {})
    assert imported is not None and imported["arn"] == queue_arn and imported["eventBusName"] == bus.id
    with pytest.raises(BadInput):
        provider(TARGET).read(aws_ctx, "no-separators", {})

    provisioner.assert_deleted(target)
    provisioner.assert_deleted(rule)
    provisioner.assert_deleted(bus)


def test_rule_and_target_checks() -> None:
    assert failed_properties(RULE, {}) == {"eventPattern"}
    assert failed_properties(RULE, {"eventPattern": "{not json"}) == {"eventPattern"}
    assert failed_properties(RULE, {"scheduleExpression": "rate(1 day)", "state": "ON"}) == {"state"}
    assert failed_properties(RULE, {"scheduleExpression": "rate(1 day)", "state": "ENABLED", "isEnabled": True}) == {
        "isEnabled"
    }
    target: dict[str, Any] = {"rule": "r", "arn": "arn:aws:sqs:us-east-1:123456789012:q"}
    assert failed_properties(TARGET, {**target, "batchTarget": {"jobDefinition": "x"}}) == {"batchTarget"}
    assert failed_properties(TARGET, {**target, "input": "{}", "inputPath": "$.detail"}) == {"inputPath"}
    assert failed_properties(TARGET, {"arn": target["arn"]}) == {"rule"}


# ---- an unmodified program through the local engine --------------------------------------

FAN_OUT_PROGRAM = """
import json
import pulumi
import pulumi_aws as aws

topic = aws.sns.Topic("orders", display_name="Orders")
inbox = aws.sqs.Queue("inbox")
aws.sns.TopicSubscription("orders-to-inbox", topic=topic.arn, protocol="sqs", endpoint=inbox.arn,
                          raw_message_delivery=True)
bus = aws.cloudwatch.EventBus("shop")
placed = aws.cloudwatch.EventRule("placed", event_bus_name=bus.name,
                                  event_pattern=json.dumps({"source": ["shop"]}))
aws.cloudwatch.EventTarget("placed-to-inbox", rule=placed.name, event_bus_name=bus.name, arn=inbox.arn)
clicks = aws.kinesis.Stream("clicks", shard_count=1, retention_period=48)
pulumi.export("topicArn", topic.arn)
pulumi.export("queueUrl", inbox.url)
pulumi.export("busName", bus.name)
pulumi.export("streamArn", clicks.arn)
"""


def test_a_fan_out_program_runs_unmodified(tmp_path: Path, moto_endpoint: str) -> None:
    project, result = up_program(tmp_path, FAN_OUT_PROGRAM, moto_endpoint)
    assert result.changes["create"] == 7 + 1  # and the stack
    out = result.outputs

    aws(moto_endpoint, "sns").publish(TopicArn=out["topicArn"], Message="from sns")
    aws(moto_endpoint, "events").put_events(Entries=[
        {"EventBusName": out["busName"], "Source": "shop", "DetailType": "OrderPlaced", "Detail": "{}"},
    ])
    sqs = aws(moto_endpoint, "sqs")
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=out["queueUrl"], MaxNumberOfMessages=10,
                                                     WaitTimeSeconds=1)["Messages"]]
    assert "from sns" in bodies and any(json.loads(b).get("source") == "shop" for b in bodies if b != "from sns")
    stream_name = out["streamArn"].rsplit("/", 1)[-1]
    kinesis = aws(moto_endpoint, "kinesis")
    assert kinesis.describe_stream_summary(StreamName=stream_name)["StreamDescriptionSummary"][
        "RetentionPeriodHours"] == 48

    assert_up_again_changes_nothing_and_destroy_deletes(project, moto_endpoint, 7 + 1)
    assert out["topicArn"] not in [t["TopicArn"] for t in aws(moto_endpoint, "sns").list_topics()["Topics"]]
    assert out["busName"] not in [b["Name"] for b in aws(moto_endpoint, "events").list_event_buses()["EventBuses"]]
