"""The local engine against a real moto server: the reference environment and small programs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine_support import aws, copy_reference_project, deployment, destroy, mutating, recorded_calls, up, write_program


@pytest.fixture
def reference(tmp_path: Path, moto_endpoint: str) -> Iterator[Path]:
    """A copy of the reference project; its stacks are destroyed afterwards, since SSM parameter names are
    fixed per stack and the moto server is shared."""
    project = copy_reference_project(tmp_path / "project")
    yield project
    for stack in ("dev", "staging"):
        destroy(project, stack, moto_endpoint)


def _set_config(project: Path, stack: str, key: str, value: str) -> None:
    path = project / "stacks" / f"Pulumi.{stack}.yaml"
    text = path.read_text()
    text, count = re.subn(rf"(envctl-reference:{key}:).*", rf"\g<1> {value}", text)
    assert count == 1
    path.write_text(text)


def test_up_creates_the_environment_and_a_second_up_changes_nothing(
    reference: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = up(reference, "dev", moto_endpoint)
    assert result.succeeded, result.error
    assert result.changes["create"] == 22 and result.changes["same"] == 0
    out = {k: v for k, v in result.outputs.items()}

    ec2 = aws(moto_endpoint, "ec2")
    vpc = ec2.describe_vpcs(VpcIds=[out["vpcId"]])["Vpcs"][0]
    assert vpc["CidrBlock"] == "10.10.0.0/16"
    subnets = ec2.describe_subnets(SubnetIds=out["subnetIds"])["Subnets"]
    assert len({s["AvailabilityZone"] for s in subnets}) == 2
    assert {t["Key"]: t["Value"] for t in vpc["Tags"]}["envctl:env"] == "dev"
    s3 = aws(moto_endpoint, "s3")
    assert s3.get_bucket_versioning(Bucket=out["bucketName"])["Status"] == "Enabled"
    block = s3.get_public_access_block(Bucket=out["bucketName"])["PublicAccessBlockConfiguration"]
    assert all(block.values())
    assert aws(moto_endpoint, "dynamodb").describe_table(TableName=out["tableName"])["Table"]["KeySchema"]
    sqs = aws(moto_endpoint, "sqs")
    redrive = sqs.get_queue_attributes(QueueUrl=out["queueUrl"], AttributeNames=["RedrivePolicy"])
    dlq_arn = sqs.get_queue_attributes(QueueUrl=out["dlqUrl"], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert json.loads(redrive["Attributes"]["RedrivePolicy"])["deadLetterTargetArn"] == dlq_arn
    iam = aws(moto_endpoint, "iam")
    role_name = out["roleArn"].split("/")[-1]
    attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["CloudWatchLogsReadOnlyAccess"]
    groups = aws(moto_endpoint, "logs").describe_log_groups(logGroupNamePrefix=out["logGroupName"])["logGroups"]
    assert groups[0]["retentionInDays"] == 7
    parameter = aws(moto_endpoint, "ssm").get_parameter(Name=out["parameterName"])["Parameter"]
    assert parameter["Value"] == "debug"

    with recorded_calls(monkeypatch) as calls:
        again = up(reference, "dev", moto_endpoint)
    assert again.succeeded, again.error
    assert again.changes == {"create": 0, "update": 0, "replace": 0, "delete": 0, "same": 22}
    assert calls, "the program's invokes should still run"
    assert mutating(calls) == []


def test_an_updatable_config_edit_is_previewed_then_updated_in_place(
    reference: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = up(reference, "dev", moto_endpoint)
    assert first.succeeded, first.error
    log_group = first.outputs["logGroupName"]
    _set_config(reference, "dev", "logRetentionDays", "14")

    with recorded_calls(monkeypatch) as calls:
        plan = deployment(reference, "dev", moto_endpoint).preview()
    assert plan.succeeded, plan.error
    assert [(s.op, s.type) for s in plan.planned] == [("update", "aws:cloudwatch/logGroup:LogGroup")]
    assert mutating(calls) == []
    logs = aws(moto_endpoint, "logs")
    assert logs.describe_log_groups(logGroupNamePrefix=log_group)["logGroups"][0]["retentionInDays"] == 7

    result = up(reference, "dev", moto_endpoint)
    assert result.succeeded, result.error
    assert result.changes["update"] == 1 and result.changes["replace"] == 0
    assert result.outputs["logGroupName"] == log_group
    assert logs.describe_log_groups(logGroupNamePrefix=log_group)["logGroups"][0]["retentionInDays"] == 14


def test_a_force_new_edit_replaces_the_resource_and_its_dependents_follow(reference: Path, moto_endpoint: str) -> None:
    first = up(reference, "dev", moto_endpoint)
    assert first.succeeded, first.error
    _set_config(reference, "dev", "vpcCidr", "10.11.0.0/16")

    result = up(reference, "dev", moto_endpoint)
    assert result.succeeded, result.error
    replaced = {s.type for s in result.planned if s.op == "replace"}
    assert {"aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/securityGroup:SecurityGroup"} <= replaced
    ec2 = aws(moto_endpoint, "ec2")
    new_vpc = result.outputs["vpcId"]
    assert new_vpc != first.outputs["vpcId"]
    assert ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [first.outputs["vpcId"]]}])["Vpcs"] == []
    subnets = ec2.describe_subnets(SubnetIds=result.outputs["subnetIds"])["Subnets"]
    assert {s["VpcId"] for s in subnets} == {new_vpc}
    # The replaced resources are gone from state too (the reference program has no secrets to decrypt).
    state = deployment(reference, "dev", moto_endpoint).store.load()
    assert [r.urn for r in state if r.delete] == []


def test_dev_and_staging_coexist_and_destroy_removes_only_dev(reference: Path, moto_endpoint: str) -> None:
    dev = up(reference, "dev", moto_endpoint)
    staging = up(reference, "staging", moto_endpoint)
    assert dev.succeeded and staging.succeeded, (dev.error, staging.error)
    assert dev.outputs["bucketName"] != staging.outputs["bucketName"]

    destroyed = destroy(reference, "dev", moto_endpoint)
    assert destroyed.succeeded, destroyed.error
    assert destroyed.changes["delete"] == 22
    ec2 = aws(moto_endpoint, "ec2")
    assert ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [dev.outputs["vpcId"]]}])["Vpcs"] == []
    buckets = {b["Name"] for b in aws(moto_endpoint, "s3").list_buckets()["Buckets"]}
    assert dev.outputs["bucketName"] not in buckets and staging.outputs["bucketName"] in buckets
    assert ec2.describe_vpcs(VpcIds=[staging.outputs["vpcId"]])["Vpcs"]


QUEUES = """
import pulumi
import pulumi_aws as aws

keep = aws.sqs.Queue("keep")
{extra}
pulumi.export("keep", keep.url)
"""


def test_a_resource_removed_from_the_program_is_deleted(tmp_path: Path, moto_endpoint: str) -> None:
    project = write_program(tmp_path, QUEUES.format(extra='drop = aws.sqs.Queue("drop", delay_seconds=3)\n'
                                                           'pulumi.export("drop", drop.url)'))
    first = up(project, "test", moto_endpoint)
    assert first.succeeded, first.error
    write_program(tmp_path, QUEUES.format(extra=""))

    result = up(project, "test", moto_endpoint)
    assert result.succeeded, result.error
    assert result.changes["delete"] == 1
    urls = aws(moto_endpoint, "sqs").list_queues(QueueNamePrefix="drop-").get("QueueUrls", [])
    assert first.outputs["drop"] not in urls


def test_protect_blocks_deletion_with_a_clear_message(tmp_path: Path, moto_endpoint: str) -> None:
    project = write_program(tmp_path, 'import pulumi, pulumi_aws as aws\n'
                                      'aws.sqs.Queue("guarded", opts=pulumi.ResourceOptions(protect=True))\n')
    assert up(project, "test", moto_endpoint).succeeded
    result = destroy(project, "test", moto_endpoint)
    assert not result.succeeded
    assert "protected" in (result.error or "") and "guarded" in (result.error or "")
    assert result.changes["delete"] == 0


def test_unsupported_types_fail_before_any_mutation(
    tmp_path: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_program(tmp_path, 'import pulumi_aws as aws\n'
                                      'aws.sqs.Queue("fine")\n'
                                      'aws.glue.CatalogDatabase("db")\n'
                                      'aws.mq.Broker("broker", engine_type="ActiveMQ", engine_version="5.17.6", '
                                      'host_instance_type="mq.t3.micro", users=[])\n')
    with recorded_calls(monkeypatch) as calls:
        result = up(project, "test", moto_endpoint)
    assert not result.succeeded and result.error_kind == "bad_input"
    assert "aws:glue/catalogDatabase:CatalogDatabase" in (result.error or "")
    assert "aws:mq/broker:Broker" in (result.error or "")
    assert mutating(calls) == []


def test_an_exception_in_the_program_names_file_and_line(tmp_path: Path, moto_endpoint: str) -> None:
    project = write_program(tmp_path, 'import pulumi_aws as aws\n\nraise ValueError("no such tier")\n')
    result = up(project, "test", moto_endpoint)
    assert not result.succeeded and result.error_kind == "failed"
    assert re.search(r"__main__\.py:3: ValueError: no such tier", result.error or "")


def test_components_nest_urns_and_stack_outputs_are_returned(tmp_path: Path, moto_endpoint: str) -> None:
    program = '''
import pulumi
import pulumi_aws as aws

class Queues(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("test:index:Queues", name, None, opts)
        self.main = aws.sqs.Queue(f"{name}-main", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"url": self.main.url})

q = Queues("work")
pulumi.export("url", q.main.url)
pulumi.export("arn", q.main.arn)
'''
    project = write_program(tmp_path, program)
    result = up(project, "test", moto_endpoint)
    assert result.succeeded, result.error
    urns = {r.urn for r in result.resources}
    assert "urn:pulumi:test::testproj::test:index:Queues$aws:sqs/queue:Queue::work-main" in urns
    assert "urn:pulumi:test::testproj::pulumi:providers:aws::default_7_51_1" in urns
    assert result.outputs["arn"].startswith("arn:aws:sqs:us-east-1:123456789012:work-main-")
