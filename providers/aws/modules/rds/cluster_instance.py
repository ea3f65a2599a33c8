"""aws:rds/clusterInstance:ClusterInstance: a DB instance of an Aurora cluster (storage, users and backups are the
cluster's)."""

from __future__ import annotations

from typing import Any

from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found, remove
from envctl.providers.aws.modules.rds.cluster import find_cluster
from envctl.providers.aws.modules.rds.shared import (
    NO_PERFORMANCE_INSIGHTS,
    WAITER,
    Field,
    create_params,
    engine_version,
    first,
    identifier_failures,
    modify_params,
    rds_tags,
    read_fields,
    same,
    sync_rds_tags,
)
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tag_list

_GONE = ("DBInstanceNotFound", "DBInstanceNotFoundFault")

_FIELDS = (
    Field("clusterIdentifier", "DBClusterIdentifier", None, "DBClusterIdentifier"),
    same("engine", "Engine", modifiable=False),
    same("engineVersion", "EngineVersion"),
    same("instanceClass", "DBInstanceClass"),
    same("availabilityZone", "AvailabilityZone", modifiable=False),
    Field("dbSubnetGroupName", "DBSubnetGroupName", None,
          lambda db: (db.get("DBSubnetGroup") or {}).get("DBSubnetGroupName")),
    Field("dbParameterGroupName", "DBParameterGroupName", "DBParameterGroupName",
          first("DBParameterGroups", "DBParameterGroupName")),
    same("publiclyAccessible", "PubliclyAccessible"),
    same("promotionTier", "PromotionTier"),
    same("autoMinorVersionUpgrade", "AutoMinorVersionUpgrade"),
    same("copyTagsToSnapshot", "CopyTagsToSnapshot"),
    same("monitoringInterval", "MonitoringInterval"),
    same("monitoringRoleArn", "MonitoringRoleArn"),
    same("preferredBackupWindow", "PreferredBackupWindow"),
    same("preferredMaintenanceWindow", "PreferredMaintenanceWindow"),
    Field("caCertIdentifier", "CACertificateIdentifier", "CACertificateIdentifier", "CACertificateIdentifier"),
)
_UNSUPPORTED = {
    "customIamInstanceProfile": "RDS Custom is not emulated by the local cloud",
    "forceDestroy": "read replica clusters are not implemented, so there is no replica to promote before deletion",
    "performanceInsightsEnabled": NO_PERFORMANCE_INSIGHTS,
    "performanceInsightsKmsKeyId": NO_PERFORMANCE_INSIGHTS,
    "performanceInsightsRetentionPeriod": NO_PERFORMANCE_INSIGHTS,
    "warningEventCategories": "checking RDS events after a change is not implemented",
}


def _describe(rds: Any, identifier: str) -> dict | None:
    return one_found(rds.describe_db_instances, "DBInstances", _GONE, DBInstanceIdentifier=identifier)


@resource_type
class ClusterInstance(AwsResource):
    """Its id is the instance identifier, as in Terraform."""

    token = "aws:rds/clusterInstance:ClusterInstance"
    name_property = "identifier"
    id_property = "identifier"
    name_prefix_property = "identifierPrefix"
    name_max_length = 63
    name_lowercase = True
    required = ("clusterIdentifier", "engine", "instanceClass")
    defaults = {"applyImmediately": False, "autoMinorVersionUpgrade": True, "copyTagsToSnapshot": False,
                "monitoringInterval": 0, "promotionTier": 0}
    force_new = frozenset({"identifier", "identifierPrefix", "clusterIdentifier", "engine", "availabilityZone",
                           "dbSubnetGroupName", "customIamInstanceProfile"})
    handled = frozenset({*(field.wire for field in _FIELDS), "applyImmediately"})
    unsupported = _UNSUPPORTED
    outputs = frozenset({"arn", "dbiResourceId", "endpoint", "engineVersionActual", "kmsKeyId", "networkType", "port",
                         "storageEncrypted", "writer"})

    def validate(self, inputs: Props) -> list[CheckFailure]:
        return identifier_failures(inputs, "identifier", "DB instance")

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        rds = ctx.client("rds")
        identifier = self.physical_name(inputs)
        params: dict[str, Any] = {"DBInstanceIdentifier": identifier, **create_params(_FIELDS, inputs)}
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        rds.create_db_instance(**params)
        rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier, WaiterConfig=WAITER)
        state = {**inputs, "identifier": identifier}
        return identifier, {**state, **self.read_back(ctx, identifier, state)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        rds = ctx.client("rds")
        db = _describe(rds, id)
        if db is None:
            return None
        cluster = find_cluster(rds, db.get("DBClusterIdentifier", "")) or {}
        writer = any(member["DBInstanceIdentifier"] == id and member.get("IsClusterWriter")
                     for member in cluster.get("DBClusterMembers") or [])
        endpoint = db.get("Endpoint") or {}
        fields = read_fields(_FIELDS, db)
        fields["engineVersion"] = engine_version(state.get("engineVersion"), db.get("EngineVersion", ""))
        return {
            "id": db["DBInstanceIdentifier"],
            "identifier": db["DBInstanceIdentifier"],
            "identifierPrefix": state.get("identifierPrefix"),  # not stored by AWS
            "arn": db["DBInstanceArn"],
            **fields,
            "dbiResourceId": db.get("DbiResourceId", ""),
            "endpoint": endpoint.get("Address", ""),
            "port": endpoint.get("Port") or db.get("DbInstancePort"),
            "engineVersionActual": db.get("EngineVersion", ""),
            "storageEncrypted": bool(db.get("StorageEncrypted")),
            # moto reports a placeholder key for unencrypted storage, which AWS leaves out.
            "kmsKeyId": db.get("KmsKeyId", "") if db.get("StorageEncrypted") else "",
            "networkType": db.get("NetworkType") or cluster.get("NetworkType", ""),
            "writer": writer,
            "applyImmediately": state.get("applyImmediately"),
            "performanceInsightsEnabled": bool(db.get("PerformanceInsightsEnabled")),  # refused, but reported
            **rds_tags(ctx, state, db.get("TagList")),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        rds = ctx.client("rds")
        params = modify_params(_FIELDS, set(diff.changed), news)
        sync_rds_tags(rds, olds["arn"], olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        if params:
            rds.modify_db_instance(DBInstanceIdentifier=id, ApplyImmediately=bool(news.get("applyImmediately")),
                                   **params)
            rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=id, WaiterConfig=WAITER)
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        rds = ctx.client("rds")
        # A cluster's instances take no final snapshot: the cluster's backups hold the data.
        remove(rds.delete_db_instance, gone=_GONE, busy=("InvalidDBInstanceState",), DBInstanceIdentifier=id,
               SkipFinalSnapshot=True)
        rds.get_waiter("db_instance_deleted").wait(DBInstanceIdentifier=id, WaiterConfig=WAITER)
