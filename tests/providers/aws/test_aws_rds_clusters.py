"""The Aurora providers (clusters, their instances, parameter groups) and the RDS lookups against the session's moto
server."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from envctl.errors import BadInput, OperationFailed
from envctl.providers.aws.context import AwsContext

from provider_steps import Provision, failures, invoke, tag_map

CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"


def aurora_postgres(**extra: Any) -> dict[str, Any]:
    return {"engine": "aurora-postgresql", "engineVersion": "15.4", "databaseName": "app", "masterUsername": "app",
            "masterPassword": "correct-horse-battery", "skipFinalSnapshot": True, **extra}


def described_cluster(aws_ctx: AwsContext, identifier: str) -> dict:
    return aws_ctx.client("rds").describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]


def cluster_exists(aws_ctx: AwsContext, identifier: str) -> bool:
    try:
        described_cluster(aws_ctx, identifier)
    except ClientError:
        return False
    return True


# ---- Cluster --------------------------------------------------------------------------------


def test_cluster_lifecycle(provision: Provision, aws_ctx: AwsContext, default_network: tuple) -> None:
    _, subnets = default_network
    group = provision(SUBNET_GROUP, "aurora-subnets", subnetIds=subnets)
    cluster = provision(CLUSTER, "Orders-Aurora", **aurora_postgres(
        dbSubnetGroupName=group.id, backupRetentionPeriod=3, preferredBackupWindow="07:00-09:00",
        serverlessv2ScalingConfiguration={"minCapacity": 0.5, "maxCapacity": 2}), tags={"data": "orders"})
    identifier = cluster.inputs["clusterIdentifier"]
    assert identifier.startswith("orders-aurora-") and cluster.id == identifier
    described = described_cluster(aws_ctx, identifier)
    assert (described["Engine"], described["EngineVersion"], described["DatabaseName"]) == \
        ("aurora-postgresql", "15.4", "app")
    assert described["DBSubnetGroup"] == group.id and described["BackupRetentionPeriod"] == 3
    assert described["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 0.5, "MaxCapacity": 2.0}
    assert tag_map(described["TagList"])["data"] == "orders"
    assert cluster.outputs["arn"] == described["DBClusterArn"]
    assert cluster.outputs["endpoint"] == described["Endpoint"]
    assert cluster.outputs["readerEndpoint"] == described["ReaderEndpoint"] != described["Endpoint"]
    assert cluster.outputs["port"] == 5432 and cluster.outputs["clusterResourceId"].startswith("cluster-")
    assert cluster.outputs["masterPassword"] == "correct-horse-battery"  # kept from the inputs: AWS never returns it
    assert cluster.outputs["kmsKeyId"] == "" and cluster.outputs["clusterMembers"] == []
    assert cluster.read() == cluster.outputs
    assert cluster.resource.find(aws_ctx, cluster.urn, cluster.inputs, set())[0] == cluster.id

    assert not cluster.diff(engineVersion="15.4").has_changes
    assert cluster.diff(engine="aurora-mysql").replaces == ("engine",)
    assert cluster.diff(databaseName="other").replaces == ("databaseName",)
    assert cluster.diff(dbSubnetGroupName="other").replaces == ("dbSubnetGroupName",)
    cluster.update(backupRetentionPeriod=7, port=5433, applyImmediately=True, deletionProtection=True,
                   serverlessv2ScalingConfiguration={"minCapacity": 1, "maxCapacity": 4},
                   tags={"data": "orders", "pii": "yes"})
    described = described_cluster(aws_ctx, identifier)
    assert (described["BackupRetentionPeriod"], described["Port"], described["DeletionProtection"]) == (7, 5433, True)
    assert described["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 1.0, "MaxCapacity": 4.0}
    assert tag_map(described["TagList"])["pii"] == "yes"
    assert cluster.read() == cluster.outputs
    with pytest.raises(ClientError, match="deletion protection"):
        cluster.delete()
    cluster.update(deletionProtection=False)
    cluster.assert_deleted(lambda: cluster_exists(aws_ctx, identifier))


def test_cluster_managed_master_password_and_final_snapshot(provision: Provision, aws_ctx: AwsContext) -> None:
    rds = aws_ctx.client("rds")
    settings = {k: v for k, v in aurora_postgres(skipFinalSnapshot=False).items() if k != "masterPassword"}
    cluster = provision(CLUSTER, "managed", **settings, manageMasterUserPassword=True)
    described = described_cluster(aws_ctx, cluster.id)
    secret_arn = described["MasterUserSecret"]["SecretArn"]
    assert cluster.outputs["masterUserSecrets"] == [{"kmsKeyId": described["MasterUserSecret"]["KmsKeyId"],
                                                     "secretArn": secret_arn,
                                                     "secretStatus": described["MasterUserSecret"]["SecretStatus"]}]
    assert aws_ctx.client("secretsmanager").describe_secret(SecretId=secret_arn)["ARN"] == secret_arn
    with pytest.raises(OperationFailed, match="finalSnapshotIdentifier"):
        cluster.delete()
    snapshot = f"{cluster.id}-final"
    cluster.update(finalSnapshotIdentifier=snapshot)
    cluster.assert_deleted(lambda: cluster_exists(aws_ctx, cluster.id))
    assert rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=snapshot)["DBClusterSnapshots"]


def test_cluster_log_exports_the_cloud_does_not_change_stop_the_update(provision: Provision) -> None:
    cluster = provision(CLUSTER, "logged", **aurora_postgres(enabledCloudwatchLogsExports=["postgresql"]))
    assert cluster.outputs["enabledCloudwatchLogsExports"] == ["postgresql"]
    with pytest.raises(OperationFailed, match="does not change a cluster's log exports"):
        cluster.update(enabledCloudwatchLogsExports=["postgresql", "instance"])


def test_cluster_check_refuses_what_the_local_cloud_does_not_emulate() -> None:
    refused = failures(CLUSTER, engine="aurora-postgresql", masterUsername="app", enableHttpEndpoint=True,
                       globalClusterIdentifier="global", snapshotIdentifier="snap")
    assert "Data API" in refused["enableHttpEndpoint"] and "global databases" in refused["globalClusterIdentifier"]
    assert "snapshot" in refused["snapshotIdentifier"]
    assert set(failures(CLUSTER, engine="aurora-mysql")) == {"masterUsername"}
    assert "clusterIdentifier" in failures(CLUSTER, engine="aurora-mysql", masterUsername="a",
                                           clusterIdentifier="Bad--Name")
    assert "manageMasterUserPassword" in failures(CLUSTER, engine="aurora-mysql", masterUsername="a",
                                                  masterPassword="x" * 8, manageMasterUserPassword=True)


# ---- ClusterInstance ------------------------------------------------------------------------


def test_cluster_instances_lifecycle(provision: Provision, aws_ctx: AwsContext) -> None:
    rds = aws_ctx.client("rds")
    cluster = provision(CLUSTER, "fleet", **aurora_postgres())
    common = {"clusterIdentifier": cluster.id, "engine": "aurora-postgresql", "instanceClass": "db.r6g.large"}
    writer = provision(CLUSTER_INSTANCE, "fleet-1", **common, tags={"role": "writer"})
    reader = provision(CLUSTER_INSTANCE, "fleet-2", **common, promotionTier=2)
    assert writer.id == writer.inputs["identifier"] and writer.id.startswith("fleet-1-")
    described = rds.describe_db_instances(DBInstanceIdentifier=writer.id)["DBInstances"][0]
    assert described["DBClusterIdentifier"] == cluster.id and described["DBInstanceClass"] == "db.r6g.large"
    assert tag_map(described["TagList"])["role"] == "writer"
    assert writer.outputs["writer"] is True and writer.outputs["dbiResourceId"] == described["DbiResourceId"]
    assert writer.outputs["endpoint"] == described["Endpoint"]["Address"] and writer.outputs["port"] == 5432
    members = {m["DBInstanceIdentifier"]: m for m in described_cluster(aws_ctx, cluster.id)["DBClusterMembers"]}
    assert set(members) == {writer.id, reader.id} and members[reader.id]["PromotionTier"] == 2
    assert reader.read() == {**reader.outputs, "writer": False}
    assert reader.resource.find(aws_ctx, reader.urn, reader.inputs, set())[0] == reader.id
    assert cluster.read()["clusterMembers"] == sorted([writer.id, reader.id])

    assert reader.diff(clusterIdentifier="other").replaces == ("clusterIdentifier",)
    assert reader.diff(identifier="other-name").replaces == ("identifier",)
    reader.update(instanceClass="db.r6g.xlarge", applyImmediately=True, tags={"role": "reader"})
    described = rds.describe_db_instances(DBInstanceIdentifier=reader.id)["DBInstances"][0]
    assert described["DBInstanceClass"] == "db.r6g.xlarge" and tag_map(described["TagList"])["role"] == "reader"
    assert reader.read() == reader.outputs
    reader.assert_deleted()
    writer.assert_deleted()
    cluster.assert_deleted(lambda: cluster_exists(aws_ctx, cluster.id))


def test_cluster_instance_check_requires_its_cluster_engine_and_class() -> None:
    assert set(failures(CLUSTER_INSTANCE)) == {"clusterIdentifier", "engine", "instanceClass"}
    refused = failures(CLUSTER_INSTANCE, clusterIdentifier="c", engine="aurora-mysql", instanceClass="db.r6g.large",
                       performanceInsightsEnabled=True)
    assert "Performance Insights" in refused["performanceInsightsEnabled"]


# ---- parameter groups -----------------------------------------------------------------------


@pytest.mark.parametrize(("token", "family", "describe", "parameters_of"), [
    (PARAMETER_GROUP, "postgres16", "describe_db_parameter_groups", "describe_db_parameters"),
    (CLUSTER_PARAMETER_GROUP, "aurora-postgresql15", "describe_db_cluster_parameter_groups",
     "describe_db_cluster_parameters"),
])
def test_parameter_group_lifecycle(provision: Provision, aws_ctx: AwsContext, token: str, family: str,
                                   describe: str, parameters_of: str) -> None:
    rds = aws_ctx.client("rds")
    kind = "DBParameterGroup" if token == PARAMETER_GROUP else "DBClusterParameterGroup"
    group = provision(token, "Tuned", family=family, tags={"tier": "data"},
                      parameters=[{"name": "log_min_duration_statement", "value": 500},
                                  {"name": "rds.force_ssl", "value": "1", "applyMethod": "pending-reboot"}])
    assert group.id == group.inputs["name"] and group.id.startswith("tuned-")
    assert group.inputs["description"] == "Managed by Pulumi"
    described = getattr(rds, describe)(**{f"{kind}Name": group.id})[f"{kind}s"][0]
    assert described["DBParameterGroupFamily"] == family and described[f"{kind}Arn"] == group.outputs["arn"]
    assert tag_map(rds.list_tags_for_resource(ResourceName=group.outputs["arn"])["TagList"])["tier"] == "data"
    stored = {p["ParameterName"]: p for p in getattr(rds, parameters_of)(**{f"{kind}Name": group.id})["Parameters"]}
    assert stored["log_min_duration_statement"]["ParameterValue"] == "500"
    assert stored["rds.force_ssl"]["ApplyMethod"] == "pending-reboot"
    assert group.read() == group.outputs
    assert group.resource.find(aws_ctx, group.urn, group.inputs, set())[0] == group.id

    assert not group.diff(parameters=list(reversed(group.inputs["parameters"]))).has_changes
    assert group.diff(family="postgres15").replaces == ("family",)
    assert group.diff(description="other").replaces == ("description",)
    group.update(parameters=[{"name": "log_min_duration_statement", "value": "250"},
                             {"name": "rds.force_ssl", "value": "1", "applyMethod": "pending-reboot"}],
                 tags={"tier": "db"})
    stored = {p["ParameterName"]: p for p in getattr(rds, parameters_of)(**{f"{kind}Name": group.id})["Parameters"]}
    assert stored["log_min_duration_statement"]["ParameterValue"] == "250"
    assert group.read() == group.outputs
    with pytest.raises(OperationFailed, match="cannot do"):
        group.update(parameters=[{"name": "rds.force_ssl", "value": "1", "applyMethod": "pending-reboot"}])
    group.assert_deleted()


def test_cluster_uses_its_parameter_group(provision: Provision, aws_ctx: AwsContext) -> None:
    group = provision(CLUSTER_PARAMETER_GROUP, "aurora-params", family="aurora-postgresql15",
                      parameters=[{"name": "timezone", "value": "UTC"}])
    other = provision(CLUSTER_PARAMETER_GROUP, "aurora-params-2", family="aurora-postgresql15")
    cluster = provision(CLUSTER, "tuned", **aurora_postgres(dbClusterParameterGroupName=group.id))
    assert described_cluster(aws_ctx, cluster.id)["DBClusterParameterGroup"] == group.id
    cluster.update(dbClusterParameterGroupName=other.id, applyImmediately=True)
    assert described_cluster(aws_ctx, cluster.id)["DBClusterParameterGroup"] == other.id
    assert cluster.outputs["dbClusterParameterGroupName"] == other.id


# ---- lookups --------------------------------------------------------------------------------


def test_get_subnet_group_finds_the_group(provision: Provision, aws_ctx: AwsContext, default_network: tuple) -> None:
    vpc_id, subnets = default_network
    group = provision(SUBNET_GROUP, "looked-up", subnetIds=subnets, tags={"team": "data"})
    found = invoke("aws:rds/getSubnetGroup:getSubnetGroup", aws_ctx, {"name": group.id})
    assert (found["id"], found["name"], found["arn"]) == (group.id, group.id, group.outputs["arn"])
    assert found["subnetIds"] == sorted(subnets) and found["vpcId"] == vpc_id
    assert found["status"] == "Complete" and found["region"] == aws_ctx.region
    with pytest.raises(BadInput, match="not found"):
        invoke("aws:rds/getSubnetGroup:getSubnetGroup", aws_ctx, {"name": "no-such-group"})


def test_aurora_mysql_cluster_with_backtracking_and_an_instance_parameter_group(provision: Provision,
                                                                                 aws_ctx: AwsContext) -> None:
    rds = aws_ctx.client("rds")
    params = provision(PARAMETER_GROUP, "mysql-instances", family="aurora-mysql8.0",
                       parameters=[{"name": "slow_query_log", "value": 1}])
    cluster = provision(CLUSTER, "shop", engine="aurora-mysql", engineVersion="8.0.mysql_aurora.3.05.2",
                        masterUsername="admin", masterPassword="correct-horse-battery", skipFinalSnapshot=True,
                        backtrackWindow=3600)
    described = described_cluster(aws_ctx, cluster.id)
    assert described["BacktrackWindow"] == 3600 and described["Port"] == 3306
    instance = provision(CLUSTER_INSTANCE, "shop-1", clusterIdentifier=cluster.id, engine="aurora-mysql",
                         instanceClass="db.r6g.large", dbParameterGroupName=params.id)
    [db] = rds.describe_db_instances(DBInstanceIdentifier=instance.id)["DBInstances"]
    assert db["DBParameterGroups"][0]["DBParameterGroupName"] == params.id
    assert instance.outputs["dbParameterGroupName"] == params.id and instance.outputs["port"] == 3306
    cluster.update(backtrackWindow=7200)
    assert described_cluster(aws_ctx, cluster.id)["BacktrackWindow"] == 7200
    assert cluster.read() == cluster.outputs
