"""Probes of the Aurora types: cluster, cluster instances, parameter groups."""

from probing import present

PARAMETER_GROUP_GONE = ("DBParameterGroupNotFound", "DBParameterGroupNotFoundFault")

PROBES = {
    "aws:rds/cluster:Cluster": lambda c, id, o: present(
        lambda: c("rds").describe_db_clusters(DBClusterIdentifier=id), "DBClusterNotFoundFault"),
    "aws:rds/clusterInstance:ClusterInstance": lambda c, id, o: present(
        lambda: c("rds").describe_db_instances(DBInstanceIdentifier=id), "DBInstanceNotFound"),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": lambda c, id, o: present(
        lambda: c("rds").describe_db_cluster_parameter_groups(DBClusterParameterGroupName=id), *PARAMETER_GROUP_GONE),
    "aws:rds/parameterGroup:ParameterGroup": lambda c, id, o: bool(
        c("rds").describe_db_parameter_groups(DBParameterGroupName=id)["DBParameterGroups"]),
}
