"""SQS queues and DynamoDB tables made, changed and read the way the engine does (through the provider steps),
against the session's moto server: every input they implement reaches AWS, and the outputs are AWS's."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.context import AwsContext

from provider_steps import Provisioner, failures

QUEUE = "aws:sqs/queue:Queue"
TABLE = "aws:dynamodb/table:Table"

# ---- Queue ---------------------------------------------------------------------------------


def queue_attributes(ctx: AwsContext, url: str) -> dict[str, str]:
    return ctx.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


def test_a_fifo_queue_takes_its_deduplication_and_throughput_settings(
    provisioner: Provisioner, aws_ctx: AwsContext
) -> None:
    queue = provisioner.create(QUEUE, "orders", {
        "fifoQueue": True, "contentBasedDeduplication": True, "deduplicationScope": "messageGroup",
        "fifoThroughputLimit": "perMessageGroupId", "tags": {"urgent": True, "tier": 2},
    })
    attributes = queue_attributes(aws_ctx, queue.id)
    assert (attributes["FifoQueue"], attributes["ContentBasedDeduplication"]) == ("true", "true")
    assert (attributes["DeduplicationScope"], attributes["FifoThroughputLimit"]) == ("messageGroup",
                                                                                     "perMessageGroupId")
    assert queue.outputs["url"] == queue.id and queue.outputs["arn"] == attributes["QueueArn"]
    cloud_tags = aws_ctx.client("sqs").list_queue_tags(QueueUrl=queue.id)["Tags"]
    assert (cloud_tags["urgent"], cloud_tags["tier"]) == ("true", "2")  # as pulumi-aws sends them

    queue = provisioner.update(queue, {"deduplicationScope": "queue", "fifoThroughputLimit": "perQueue"})
    attributes = queue_attributes(aws_ctx, queue.id)
    assert (attributes["DeduplicationScope"], attributes["FifoThroughputLimit"]) == ("queue", "perQueue")
    assert provisioner.read(queue) == queue.outputs
    provisioner.assert_deleted(queue)


def test_a_queue_takes_its_encryption_key_and_key_reuse_period(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    queue = provisioner.create(QUEUE, "sealed", {"kmsMasterKeyId": "alias/aws/sqs",
                                                 "kmsDataKeyReusePeriodSeconds": 600})
    attributes = queue_attributes(aws_ctx, queue.id)
    assert (attributes["KmsMasterKeyId"], attributes["KmsDataKeyReusePeriodSeconds"]) == ("alias/aws/sqs", "600")
    assert queue.outputs["kmsDataKeyReusePeriodSeconds"] == 600

    queue = provisioner.update(queue, {"kmsDataKeyReusePeriodSeconds": 900, "delaySeconds": 5})
    attributes = queue_attributes(aws_ctx, queue.id)
    assert (attributes["KmsDataKeyReusePeriodSeconds"], attributes["DelaySeconds"]) == ("900", "5")
    assert provisioner.read(queue) == queue.outputs
    provisioner.assert_deleted(queue)


# ---- Table ---------------------------------------------------------------------------------

KEYED: dict[str, Any] = {"hashKey": "id", "attributes": [{"name": "id", "type": "S"}], "billingMode": "PAY_PER_REQUEST"}


def test_a_table_reports_its_stream_and_takes_deletion_protection(
    provisioner: Provisioner, aws_ctx: AwsContext
) -> None:
    dynamodb = aws_ctx.client("dynamodb")
    table = provisioner.create(TABLE, "events", {
        **KEYED, "streamEnabled": True, "streamViewType": "KEYS_ONLY", "deletionProtectionEnabled": True,
    })
    described = dynamodb.describe_table(TableName=table.id)["Table"]
    assert described["DeletionProtectionEnabled"] is True
    assert table.outputs["arn"] == described["TableArn"]
    assert table.outputs["streamArn"] == described["LatestStreamArn"]
    assert table.outputs["streamLabel"] == described["LatestStreamLabel"]

    table = provisioner.update(table, {"deletionProtectionEnabled": False})
    assert dynamodb.describe_table(TableName=table.id)["Table"]["DeletionProtectionEnabled"] is False
    assert table.outputs["deletionProtectionEnabled"] is False
    assert provisioner.read(table) == table.outputs
    provisioner.assert_deleted(table)


def test_a_table_needs_its_key_as_pulumi_aws_takes_no_restore_or_import_here() -> None:
    missing = failures(TABLE, billingMode="PAY_PER_REQUEST")
    assert missing == {"hashKey": "missing required property 'hashKey'",
                       "attributes": "missing required property 'attributes'"}
    restored = failures(TABLE, billingMode="PAY_PER_REQUEST", restoreSourceName="orders")
    assert set(restored) == {"hashKey", "attributes", "restoreSourceName"}
    assert "restoring a table" in restored["restoreSourceName"]


def test_a_table_refuses_the_settings_envctl_does_not_implement() -> None:
    refused = failures(TABLE, **KEYED, serverSideEncryption={"enabled": True}, replicas=[{"regionName": "eu-west-1"}])
    assert set(refused) == {"serverSideEncryption", "replicas"}
    assert "not supported by envctl's local engine" in refused["serverSideEncryption"]
    index = {"name": "byOwner", "hashKey": "owner", "projectionType": "ALL",
             "onDemandThroughput": {"maxReadRequestUnits": 10}}
    refused = failures(TABLE, **{**KEYED, "attributes": [*KEYED["attributes"], {"name": "owner", "type": "S"}]},
                       globalSecondaryIndexes=[index])
    assert set(refused) == {"globalSecondaryIndexes"}
    assert "'globalSecondaryIndexes[0].onDemandThroughput' is not supported" in refused["globalSecondaryIndexes"]
    assert "not emulated by the local cloud" in refused["globalSecondaryIndexes"]
