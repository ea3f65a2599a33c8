"""The policies of queues and topics that have resources of their own (QueuePolicy, RedrivePolicy,
RedriveAllowPolicy, TopicPolicy) and the getQueue and getTopic invokes, against the session's moto server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pulumi_aws_results import result_fields

from envctl.errors import BadInput
from envctl.providers.aws.context import AwsContext

from provider_steps import Provisioner, failures, invoke, provider, unique

QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
REDRIVE_POLICY = "aws:sqs/redrivePolicy:RedrivePolicy"
REDRIVE_ALLOW_POLICY = "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"



def allow(action: str, resource: str, principal: str = "*") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": principal} if principal != "*" else "*",
         "Action": action, "Resource": resource}]})


@pytest.fixture
def sqs(aws_ctx: AwsContext) -> Any:
    return aws_ctx.client("sqs")


@pytest.fixture
def queue(provisioner: Provisioner) -> Any:
    return provisioner.create(QUEUE, "uploads", {})


def attribute(sqs: Any, url: str, name: str) -> str | None:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"].get(name)


# ---- QueuePolicy -----------------------------------------------------------------------------

def test_queue_policy_sets_changes_and_clears_the_queue_policy(provisioner: Provisioner, sqs: Any, queue: Any) -> None:
    arn = queue.outputs["arn"]
    policy = allow("sqs:SendMessage", arn, "s3.amazonaws.com")
    made = provisioner.create(QUEUE_POLICY, "uploads", {"queueUrl": queue.id, "policy": policy})
    assert made.id == queue.id
    [statement] = json.loads(attribute(sqs, queue.id, "Policy"))["Statement"]
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"} and statement["Action"] == "sqs:SendMessage"
    assert provisioner.read(made) == made.outputs
    assert not provisioner.plan(made, {}).has_changes
    reordered = json.dumps({"Statement": json.loads(policy)["Statement"], "Version": "2012-10-17"})
    assert not provisioner.plan(made, {"policy": reordered}).has_changes  # documents compare by meaning
    other = provisioner.create(QUEUE, "other", {})
    assert provisioner.plan(made, {"queueUrl": other.id}).replaces == ("queueUrl",)

    made = provisioner.update(made, {"policy": allow("sqs:*", arn, "sns.amazonaws.com")})
    assert json.loads(attribute(sqs, queue.id, "Policy"))["Statement"][0]["Action"] == "sqs:*"
    # The queue leaves its policy to this resource: its next plan shows no change (Optional+Computed), and an update
    # of the queue keeps the policy.
    assert not provisioner.plan(queue, {}).has_changes
    provisioner.update(queue, {"visibilityTimeoutSeconds": 90})
    assert attribute(sqs, queue.id, "VisibilityTimeout") == "90"
    assert json.loads(attribute(sqs, queue.id, "Policy"))["Statement"][0]["Action"] == "sqs:*"
    provisioner.assert_deleted(made)
    assert attribute(sqs, queue.id, "Policy") is None
    assert "not valid JSON" in failures(QUEUE_POLICY, queueUrl=queue.id, policy="{nope")["policy"]


# ---- RedrivePolicy ---------------------------------------------------------------------------

def test_redrive_policy_sends_failed_messages_to_the_dead_letter_queue_and_keeps_the_queue_policy(
    provisioner: Provisioner, sqs: Any, queue: Any
) -> None:
    dead = provisioner.create(QUEUE, "dead", {})
    policy = allow("sqs:SendMessage", queue.outputs["arn"], "s3.amazonaws.com")
    provisioner.create(QUEUE_POLICY, "uploads", {"queueUrl": queue.id, "policy": policy})
    redrive = json.dumps({"deadLetterTargetArn": dead.outputs["arn"], "maxReceiveCount": 1})
    made = provisioner.create(REDRIVE_POLICY, "uploads", {"queueUrl": queue.id, "redrivePolicy": redrive})
    assert json.loads(attribute(sqs, queue.id, "RedrivePolicy")) == json.loads(redrive)
    assert attribute(sqs, queue.id, "Policy") is not None  # the other document stays
    assert provisioner.read(made) == made.outputs and not provisioner.plan(made, {}).has_changes

    sqs.send_message(QueueUrl=queue.id, MessageBody="poison")
    first = sqs.receive_message(QueueUrl=queue.id, VisibilityTimeout=0)["Messages"]
    assert [m["Body"] for m in first] == ["poison"]
    sqs.receive_message(QueueUrl=queue.id)  # the second receive moves it to the dead-letter queue
    moved = sqs.receive_message(QueueUrl=dead.id, WaitTimeSeconds=1).get("Messages", [])
    assert [m["Body"] for m in moved] == ["poison"]

    made = provisioner.update(made, {"redrivePolicy": json.dumps({"deadLetterTargetArn": dead.outputs["arn"],
                                                                  "maxReceiveCount": 5})})
    assert json.loads(attribute(sqs, queue.id, "RedrivePolicy"))["maxReceiveCount"] == 5
    provisioner.assert_deleted(made)
    assert attribute(sqs, queue.id, "RedrivePolicy") is None


def test_redrive_allow_policy_is_refused_naming_what_the_local_cloud_does_not_keep() -> None:
    reason = failures(REDRIVE_ALLOW_POLICY, queueUrl="https://q", redriveAllowPolicy='{"redrivePermission":"allowAll"}')
    assert "does not keep a queue's redrive allow policy" in reason["redriveAllowPolicy"]


# ---- TopicPolicy -----------------------------------------------------------------------------

def test_topic_policy_sets_changes_and_puts_back_the_default_policy(
    provisioner: Provisioner, aws_ctx: AwsContext
) -> None:
    sns = aws_ctx.client("sns")
    topic = provisioner.create(TOPIC, "events", {})
    policy = allow("sns:Publish", topic.id, "s3.amazonaws.com")
    made = provisioner.create(TOPIC_POLICY, "events", {"arn": topic.id, "policy": policy})
    reported = sns.get_topic_attributes(TopicArn=topic.id)["Attributes"]
    assert json.loads(reported["Policy"])["Statement"][0]["Principal"] == {"Service": "s3.amazonaws.com"}
    assert made.id == topic.id and made.outputs["owner"] == reported["Owner"] == "123456789012"
    assert provisioner.read(made) == made.outputs and not provisioner.plan(made, {}).has_changes
    assert provisioner.plan(made, {"arn": topic.id + "-other"}).replaces == ("arn",)

    made = provisioner.update(made, {"policy": allow("sns:Subscribe", topic.id)})
    assert json.loads(sns.get_topic_attributes(TopicArn=topic.id)["Attributes"]["Policy"])["Statement"][0][
        "Action"] == "sns:Subscribe"
    assert not provisioner.plan(topic, {}).has_changes
    provider(TOPIC_POLICY).delete(aws_ctx, made.id, made.outputs)
    [statement] = json.loads(sns.get_topic_attributes(TopicArn=topic.id)["Attributes"]["Policy"])["Statement"]
    assert statement["Sid"] == "__default_statement_ID"
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceOwner": "123456789012"}}


# ---- getQueue, getTopic ----------------------------------------------------------------------

@pytest.fixture
def named_queue(sqs: Any) -> Iterator[tuple[str, str]]:
    name = unique("lookup")
    url = sqs.create_queue(QueueName=name, tags={"team": "data"})["QueueUrl"]
    yield name, url
    sqs.delete_queue(QueueUrl=url)


def test_get_queue_finds_the_queue_by_name_with_its_tags(aws_ctx: AwsContext, named_queue: tuple[str, str]) -> None:
    name, url = named_queue
    found = invoke("aws:sqs/getQueue:getQueue", aws_ctx, {"name": name})
    assert found["url"] == found["id"] == url and found["arn"] == f"arn:aws:sqs:us-east-1:123456789012:{name}"
    assert found["tags"] == {"team": "data"} and found["region"] == "us-east-1"
    assert set(found) >= result_fields("sqs", "get_queue")
    with pytest.raises(BadInput, match="no SQS queue named"):
        invoke("aws:sqs/getQueue:getQueue", aws_ctx, {"name": "no-such-queue"})
    with pytest.raises(BadInput, match="provider's region"):
        invoke("aws:sqs/getQueue:getQueue", aws_ctx, {"name": name, "region": "eu-west-1"})


def test_get_topic_finds_the_topic_by_name(aws_ctx: AwsContext) -> None:
    sns = aws_ctx.client("sns")
    name = unique("lookup")
    arn = sns.create_topic(Name=name, Tags=[{"Key": "team", "Value": "data"}])["TopicArn"]
    try:
        found = invoke("aws:sns/getTopic:getTopic", aws_ctx, {"name": name})
        assert found["arn"] == found["id"] == arn and found["tags"] == {"team": "data"}
        assert set(found) >= result_fields("sns", "get_topic")
        with pytest.raises(BadInput, match="no SNS topic named"):
            invoke("aws:sns/getTopic:getTopic", aws_ctx, {"name": name + "-missing"})
    finally:
        sns.delete_topic(TopicArn=arn)


def test_redrive_policy_on_a_queue_without_a_policy_sets_only_the_redrive_policy(
    provisioner: Provisioner, sqs: Any, queue: Any
) -> None:
    dead = provisioner.create(QUEUE, "dead", {})
    redrive = json.dumps({"deadLetterTargetArn": dead.outputs["arn"], "maxReceiveCount": 2})
    made = provisioner.create(REDRIVE_POLICY, "uploads", {"queueUrl": queue.id, "redrivePolicy": redrive})
    assert json.loads(attribute(sqs, queue.id, "RedrivePolicy"))["maxReceiveCount"] == 2
    assert attribute(sqs, queue.id, "Policy") is None
    provisioner.assert_deleted(made)
