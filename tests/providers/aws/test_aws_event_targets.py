"""EventBridge targets with their delivery settings (sqsTarget, inputTransformer, retryPolicy, deadLetterConfig),
against the session's moto server: what the target's queue receives."""

from __future__ import annotations

import json

from envctl.providers.aws.context import AwsContext

from provider_steps import Provisioner, unique

BUS = "aws:cloudwatch/eventBus:EventBus"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
TRANSFORMER = {"inputPaths": {"order": "$.detail.id", "kind": "$.detail-type"},
               "inputTemplate": '{"order": <order>, "kind": "<kind>"}'}


def test_a_fifo_queue_target_gets_transformed_events_in_its_group(provisioner: Provisioner,
                                                                  aws_ctx: AwsContext) -> None:
    sqs, events = aws_ctx.client("sqs"), aws_ctx.client("events")
    url = sqs.create_queue(QueueName=f"{unique('orders')}.fifo",
                           Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    dead_letters = sqs.get_queue_attributes(QueueUrl=sqs.create_queue(QueueName=unique("undelivered"))["QueueUrl"],
                                            AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus = provisioner.create(BUS, "shop", {})
    rule = provisioner.create(RULE, "orders", {"eventBusName": bus.id,
                                               "eventPattern": json.dumps({"source": ["shop.orders"]})})
    target = provisioner.create(TARGET, "to-fifo", {
        "rule": rule.inputs["name"], "eventBusName": bus.id, "arn": queue_arn,
        "sqsTarget": {"messageGroupId": "orders"}, "inputTransformer": TRANSFORMER,
        "retryPolicy": {"maximumEventAgeInSeconds": 600, "maximumRetryAttempts": 4},
        "deadLetterConfig": {"arn": dead_letters}})
    [listed] = events.list_targets_by_rule(Rule=rule.inputs["name"], EventBusName=bus.id)["Targets"]
    assert listed["SqsParameters"] == {"MessageGroupId": "orders"}
    assert listed["InputTransformer"] == {"InputPathsMap": TRANSFORMER["inputPaths"],
                                          "InputTemplate": TRANSFORMER["inputTemplate"]}
    assert listed["RetryPolicy"] == {"MaximumEventAgeInSeconds": 600, "MaximumRetryAttempts": 4}
    assert listed["DeadLetterConfig"] == {"Arn": dead_letters}
    assert target.outputs["inputTransformer"] == TRANSFORMER
    assert target.outputs["sqsTarget"] == {"messageGroupId": "orders"}
    assert provisioner.read(target) == target.outputs

    events.put_events(Entries=[{"EventBusName": bus.id, "Source": "shop.orders", "DetailType": "OrderPlaced",
                                "Detail": json.dumps({"id": 7})}])
    [message] = sqs.receive_message(QueueUrl=url, AttributeNames=["MessageGroupId"], WaitTimeSeconds=1)["Messages"]
    assert json.loads(message["Body"]) == {"order": 7, "kind": "OrderPlaced"}
    assert message["Attributes"]["MessageGroupId"] == "orders"

    target = provisioner.update(target, {"inputTransformer": None, "input": json.dumps({"ping": True}),
                                         "sqsTarget": {"messageGroupId": "pings"}})
    [listed] = events.list_targets_by_rule(Rule=rule.inputs["name"], EventBusName=bus.id)["Targets"]
    assert "InputTransformer" not in listed and json.loads(listed["Input"]) == {"ping": True}
    assert listed["SqsParameters"] == {"MessageGroupId": "pings"}
    provisioner.assert_deleted(target)
