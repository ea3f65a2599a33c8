"""aurora-postgres: the cluster, its parameters and its two instances as a user checks them; then a longer backup
retention, changed in place."""

from program_cases import DB_PASSWORD, Cloud, Edit, Outputs, ProgramCase, set_config

CLUSTER = "aws:rds/cluster:Cluster"


def cluster_of(cloud: Cloud, out: Outputs) -> dict:
    return cloud.client("rds").describe_db_clusters(DBClusterIdentifier=out["cluster_id"])["DBClusters"][0]


def verify(cloud: Cloud, out: Outputs) -> None:
    rds = cloud.client("rds")
    cluster = cluster_of(cloud, out)
    assert (cluster["Engine"], cluster["EngineVersion"], cluster["DatabaseName"]) == ("aurora-postgresql", "15.4",
                                                                                     "orders")
    assert cluster["MasterUsername"] == "orders_admin" and cluster["StorageEncrypted"] is True
    assert cluster["BackupRetentionPeriod"] == 7 and cluster["PreferredBackupWindow"] == "07:00-09:00"
    assert out["writer_endpoint"] == cluster["Endpoint"] and out["reader_endpoint"] == cluster["ReaderEndpoint"]
    parameters = {p["ParameterName"]: p["ParameterValue"] for p in rds.describe_db_cluster_parameters(
        DBClusterParameterGroupName=cluster["DBClusterParameterGroup"])["Parameters"]}
    assert parameters == {"log_min_duration_statement": "500", "rds.force_ssl": "1"}
    members = {m["DBInstanceIdentifier"]: m for m in cluster["DBClusterMembers"]}
    assert sorted(members) == sorted(out["instance_ids"])
    assert [m["IsClusterWriter"] for m in members.values()].count(True) == 1
    for identifier in out["instance_ids"]:
        [instance] = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"]
        assert instance["DBInstanceClass"] == "db.r6g.large" and instance["DBClusterIdentifier"] == out["cluster_id"]
    group = rds.describe_db_subnet_groups(DBSubnetGroupName=cluster["DBSubnetGroup"])["DBSubnetGroups"][0]
    assert out["subnet_group_vpc"] == group["VpcId"]
    assert out["connection_url"] == f"postgresql://orders_admin:{DB_PASSWORD}@{cluster['Endpoint']}:5432/orders"


def verify_longer_retention(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert after["cluster_id"] == before["cluster_id"]
    assert cluster_of(cloud, after)["BackupRetentionPeriod"] == 14


CASE = ProgramCase("aurora-postgres", verify,
                   Edit(set_config("test", backupRetentionDays=14), (("update", CLUSTER),), verify_longer_retention),
                   secret_outputs=("connection_url",))
