"""The Step Functions and RDS providers against the session's moto server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from envctl.engine.properties import is_secret
from envctl.errors import OperationFailed
from envctl.providers.aws.context import AwsContext

from engine_support import aws
from provider_steps import (
    Provision,
    Provisioned,
    assert_up_again_changes_nothing_and_destroy_deletes,
    failures,
    provider,
    tag_map,
    up_program,
)

STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
INSTANCE = "aws:rds/instance:Instance"

ROLE_ARN = "arn:aws:iam::123456789012:role/states"
HELLO = {"Comment": "hello", "StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "End": True}}}
GOODBYE = {"StartAt": "Bye", "States": {"Bye": {"Type": "Succeed"}}}


# ---- Step Functions -------------------------------------------------------------------------


def test_state_machine_lifecycle(provision: Provision, aws_ctx: AwsContext) -> None:
    sfn = aws_ctx.client("stepfunctions")
    machine = provision(STATE_MACHINE, "orders", definition=json.dumps(HELLO), roleArn=ROLE_ARN, publish=True,
                        tags={"flow": "orders"})
    name = machine.inputs["name"]
    assert name.startswith("orders-") and machine.inputs["type"] == "STANDARD"
    assert machine.id == f"arn:aws:states:us-east-1:123456789012:stateMachine:{name}"
    described = sfn.describe_state_machine(stateMachineArn=machine.id)
    assert json.loads(described["definition"]) == HELLO and described["roleArn"] == ROLE_ARN
    assert tag_map(sfn.list_tags_for_resource(resourceArn=machine.id)["tags"], "key", "value")["flow"] == "orders"
    assert machine.outputs["status"] == "ACTIVE"
    assert machine.outputs["stateMachineVersionArn"] == f"{machine.id}:1"
    assert machine.outputs["creationDate"].endswith("Z")
    assert machine.read() == machine.outputs

    assert not machine.diff(definition=json.dumps(HELLO, indent=2, sort_keys=True)).has_changes
    assert machine.diff(type="EXPRESS").replaces == ("type",)
    assert machine.diff(name="renamed").replaces == ("name",)
    log_group = "arn:aws:logs:us-east-1:123456789012:log-group:/sfn/orders:*"
    diff = machine.update(definition=json.dumps(GOODBYE), tracingConfiguration={"enabled": True},
                          loggingConfiguration={"level": "ERROR", "includeExecutionData": True,
                                                "logDestination": log_group})
    assert set(diff.changed) == {"definition", "tracingConfiguration", "loggingConfiguration"}
    described = sfn.describe_state_machine(stateMachineArn=machine.id)
    assert json.loads(described["definition"]) == GOODBYE
    assert described["tracingConfiguration"] == {"enabled": True}
    assert machine.outputs["loggingConfiguration"] == {"level": "ERROR", "includeExecutionData": True,
                                                       "logDestination": log_group}
    assert machine.outputs["stateMachineVersionArn"] == f"{machine.id}:2"
    assert machine.read() == machine.outputs
    machine.assert_deleted()


def test_state_machine_check_requires_a_json_definition_and_a_role() -> None:
    assert set(failures(STATE_MACHINE, definition="StartAt: x")) == {"definition", "roleArn"}


# ---- RDS ------------------------------------------------------------------------------------


def test_subnet_group_lifecycle(provision: Provision, aws_ctx: AwsContext, default_network: tuple) -> None:
    rds = aws_ctx.client("rds")
    vpc_id, subnets = default_network
    group = provision(SUBNET_GROUP, "Database-Subnets", subnetIds=list(reversed(subnets)), tags={"tier": "data"})
    assert group.id == group.inputs["name"] and group.id.startswith("database-subnets-")
    assert group.inputs["description"] == "Managed by Pulumi"
    described = rds.describe_db_subnet_groups(DBSubnetGroupName=group.id)["DBSubnetGroups"][0]
    assert sorted(s["SubnetIdentifier"] for s in described["Subnets"]) == sorted(subnets)
    assert tag_map(rds.list_tags_for_resource(ResourceName=described["DBSubnetGroupArn"])["TagList"])["tier"] == "data"
    assert group.outputs["vpcId"] == vpc_id and group.outputs["arn"] == described["DBSubnetGroupArn"]
    assert group.read() == group.outputs

    assert not group.diff(subnetIds=subnets).has_changes
    assert group.diff(name="other-name").replaces == ("name",)
    group.update(description="database tier", subnetIds=subnets[:1], tags={"tier": "db"})
    described = rds.describe_db_subnet_groups(DBSubnetGroupName=group.id)["DBSubnetGroups"][0]
    assert described["DBSubnetGroupDescription"] == "database tier"
    assert [s["SubnetIdentifier"] for s in described["Subnets"]] == subnets[:1]
    assert group.outputs["tags"] == {"tier": "db"}
    group.assert_deleted()
    assert "name" in failures(SUBNET_GROUP, name="Upper_Case", subnetIds=["subnet-1"])


def postgres(**extra: Any) -> dict[str, Any]:
    return {"engine": "postgres", "engineVersion": "16", "instanceClass": "db.t3.micro", "allocatedStorage": 20,
            "dbName": "app", "username": "app", "password": "correct-horse-battery", "skipFinalSnapshot": True,
            **extra}


def assert_reads_as_created(db: Provisioned) -> None:
    """Read finds what the write returned; only the latest restorable time moves on by itself."""
    read = db.read()
    assert read is not None
    assert {**read, "latestRestorableTime": None} == {**db.outputs, "latestRestorableTime": None}


def test_instance_lifecycle(provision: Provision, aws_ctx: AwsContext, default_network: tuple) -> None:
    rds = aws_ctx.client("rds")
    _, subnets = default_network
    group = provision(SUBNET_GROUP, "db-subnets", subnetIds=subnets)
    db = provision(INSTANCE, "Orders-DB", **postgres(dbSubnetGroupName=group.id, backupRetentionPeriod=1),
                   tags={"data": "orders"})
    identifier = db.inputs["identifier"]
    assert identifier.startswith("orders-db-")
    described = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    assert db.id == described["DbiResourceId"] == db.outputs["resourceId"]  # the id is the resource id
    assert described["Engine"] == "postgres" and described["DBInstanceClass"] == "db.t3.micro"
    assert described["DBSubnetGroup"]["DBSubnetGroupName"] == group.id
    assert tag_map(described["TagList"])["data"] == "orders"
    assert db.outputs["address"] == described["Endpoint"]["Address"]
    assert db.outputs["endpoint"] == f"{described['Endpoint']['Address']}:5432" and db.outputs["port"] == 5432
    assert db.outputs["engineVersion"] == "16" and db.outputs["engineVersionActual"].startswith("16")
    assert db.outputs["status"] == "available"
    assert db.outputs["password"] == "correct-horse-battery"  # kept from the inputs: AWS never returns it
    assert_reads_as_created(db)

    assert db.diff(engine="mysql").replaces == ("engine",)
    assert db.diff(dbName="other").replaces == ("dbName",)
    renamed = f"{identifier}-v2"
    diff = db.update(instanceClass="db.t3.small", allocatedStorage=30, backupRetentionPeriod=7,
                     identifier=renamed, applyImmediately=True, tags={"data": "orders", "pii": "yes"})
    assert not diff.needs_replace and db.id == described["DbiResourceId"]
    described = rds.describe_db_instances(DBInstanceIdentifier=renamed)["DBInstances"][0]
    assert described["DBInstanceClass"] == "db.t3.small" and described["AllocatedStorage"] == 30
    assert described["BackupRetentionPeriod"] == 7
    assert tag_map(described["TagList"])["pii"] == "yes"
    assert db.outputs["identifier"] == renamed and db.outputs["arn"].endswith(f":db:{renamed}")
    assert_reads_as_created(db)
    db.assert_deleted()


def test_instance_delete_needs_a_final_snapshot_unless_skipped(provision: Provision, aws_ctx: AwsContext) -> None:
    rds = aws_ctx.client("rds")
    db = provision(INSTANCE, "kept", **postgres(skipFinalSnapshot=False))
    with pytest.raises(OperationFailed, match="finalSnapshotIdentifier"):
        db.delete()
    assert db.read() is not None

    snapshot = f"{db.inputs['identifier']}-final"
    db.update(finalSnapshotIdentifier=snapshot)
    db.assert_deleted()
    assert rds.describe_db_snapshots(DBSnapshotIdentifier=snapshot)["DBSnapshots"][0]["Status"] == "available"


def test_instance_log_exports_managed_password_and_network_type(provision: Provision, aws_ctx: AwsContext) -> None:
    rds = aws_ctx.client("rds")
    key_metadata = aws_ctx.client("kms").create_key(Description="database secrets")["KeyMetadata"]
    key = key_metadata["Arn"]
    settings = {k: v for k, v in postgres().items() if k != "password"}
    db = provision(INSTANCE, "managed-db", **settings, manageMasterUserPassword=True, masterUserSecretKmsKeyId=key,
                   networkType="DUAL", enabledCloudwatchLogsExports=["postgresql"])
    described = rds.describe_db_instances(DBInstanceIdentifier=db.inputs["identifier"])["DBInstances"][0]
    assert described["EnabledCloudwatchLogsExports"] == ["postgresql"] and described["NetworkType"] == "DUAL"
    secret = described["MasterUserSecret"]
    assert secret["KmsKeyId"] == key == db.outputs["masterUserSecretKmsKeyId"]
    assert db.outputs["masterUserSecrets"] == [{"kmsKeyId": secret["KmsKeyId"], "secretArn": secret["SecretArn"],
                                                "secretStatus": secret["SecretStatus"]}]
    assert (db.outputs["manageMasterUserPassword"], db.outputs["networkType"]) == (True, "DUAL")
    assert (db.outputs["replicas"], db.outputs["listenerEndpoints"]) == ([], [])
    assert_reads_as_created(db)

    db.update(enabledCloudwatchLogsExports=["upgrade", "postgresql"], manageMasterUserPassword=False,
              password="another-horse-battery", applyImmediately=True)
    described = rds.describe_db_instances(DBInstanceIdentifier=db.inputs["identifier"])["DBInstances"][0]
    assert sorted(described["EnabledCloudwatchLogsExports"]) == ["postgresql", "upgrade"]
    assert "MasterUserSecret" not in described and db.outputs["masterUserSecrets"] == []
    assert db.outputs["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    db.update(enabledCloudwatchLogsExports=["upgrade"], applyImmediately=True)
    described = rds.describe_db_instances(DBInstanceIdentifier=db.inputs["identifier"])["DBInstances"][0]
    assert described["EnabledCloudwatchLogsExports"] == ["upgrade"]
    assert_reads_as_created(db)
    db.assert_deleted()
    aws_ctx.client("kms").schedule_key_deletion(KeyId=key_metadata["KeyId"], PendingWindowInDays=7)


def test_instance_port_change_the_cloud_does_not_apply_stops_the_update(provision: Provision) -> None:
    db = provision(INSTANCE, "ported", **postgres())
    with pytest.raises(OperationFailed, match="change of port to 5433 was not applied"):
        db.update(port=5433, applyImmediately=True)


def test_instance_check_requires_engine_and_class_and_a_valid_identifier() -> None:
    assert set(failures(INSTANCE)) == {"engine", "instanceClass"}
    assert "identifier" in failures(INSTANCE, **postgres(identifier="bad_identifier"))
    assert "identifier" in {f.property for f in provider(INSTANCE).check("under_score", None, postgres()).failures}
    assert "restoreToPointInTime" in failures(INSTANCE, **postgres(restoreToPointInTime={"useLatest": True}))
    refused = failures(INSTANCE, **postgres(performanceInsightsEnabled=True, timezone="UTC"))
    assert set(refused) == {"performanceInsightsEnabled", "timezone"}
    assert "moto does not report it" in refused["performanceInsightsEnabled"]
    assert "manageMasterUserPassword" in failures(INSTANCE, **postgres(manageMasterUserPassword=True))


# A database and a workflow that reads its address, as programs write them: a secret password, Output-built JSON.
DATA_PROGRAM = """\
import json

import pulumi
import pulumi_aws as aws

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])
db_subnets = aws.rds.SubnetGroup("db-subnets", subnet_ids=subnets.ids, tags={"tier": "data"})
db = aws.rds.Instance(
    "orders",
    engine="postgres",
    engine_version="16.3",
    instance_class=aws.rds.InstanceType.T3_MICRO,
    allocated_storage=20,
    db_name="orders",
    username="orders",
    password=pulumi.Output.secret("s3cret-passw0rd"),
    db_subnet_group_name=db_subnets.name,
    skip_final_snapshot=True,
)
role = aws.iam.Role("states", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}))
flow = aws.sfn.StateMachine("nightly-export", role_arn=role.arn, definition=pulumi.Output.json_dumps({
    "StartAt": "Export",
    "States": {"Export": {"Type": "Pass", "Result": {"host": db.address}, "End": True}},
}))
pulumi.export("endpoint", db.endpoint)
pulumi.export("flow", flow.arn)
"""


def test_a_database_program_runs_unmodified_through_the_local_engine(tmp_path: Path, moto_endpoint: str) -> None:
    project, up = up_program(tmp_path, DATA_PROGRAM, moto_endpoint, name="orders-data")
    rds, sfn = aws(moto_endpoint, "rds"), aws(moto_endpoint, "stepfunctions")
    instance = next(r for r in up.resources if r.type == INSTANCE)
    assert is_secret(instance.outputs["password"])  # a secret input stays secret in the outputs
    identifier = instance.outputs["identifier"]
    described = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    assert up.outputs["endpoint"] == f"{described['Endpoint']['Address']}:5432"
    definition = json.loads(sfn.describe_state_machine(stateMachineArn=up.outputs["flow"])["definition"])
    assert definition["States"]["Export"]["Result"] == {"host": described["Endpoint"]["Address"]}

    assert_up_again_changes_nothing_and_destroy_deletes(project, moto_endpoint, up.changes["create"])
    assert rds.describe_db_instances(Filters=[{"Name": "db-instance-id", "Values": [identifier]}])["DBInstances"] == []
