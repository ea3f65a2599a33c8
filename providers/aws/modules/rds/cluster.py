"""aws:rds/cluster:Cluster: an Aurora (PostgreSQL or MySQL) DB cluster, whose instances are ClusterInstances."""

from __future__ import annotations

from typing import Any

from envctl.errors import OperationFailed
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found, remove
from envctl.providers.aws.modules.rds.shared import (
    NO_DOMAIN,
    NO_PERFORMANCE_INSIGHTS,
    NOT_KEPT,
    WRITE_ONLY,
    Field,
    create_params,
    engine_version,
    identifier_failures,
    log_exports_change,
    master_user_secrets,
    modify_params,
    rds_tags,
    read_fields,
    same,
    security_group_ids,
    sync_rds_tags,
)
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tag_list
from envctl.providers.aws.waiting import wait_until

CLUSTER_GONE = ("DBClusterNotFoundFault", "DBClusterNotFound")
_LOG_EXPORTS = "enabledCloudwatchLogsExports"
_SCALING = "serverlessv2ScalingConfiguration"
_SCALING_FIELDS = {"minCapacity": "MinCapacity", "maxCapacity": "MaxCapacity",
                   "secondsUntilAutoPause": "SecondsUntilAutoPause"}


def _scaling(described: dict) -> Props | None:
    """Serverless v2 capacity, as pulumi-aws's block."""
    configured = described.get("ServerlessV2ScalingConfiguration") or {}
    if not configured:
        return None
    return {wire: configured[api] for wire, api in _SCALING_FIELDS.items() if configured.get(api) is not None}


def _scaling_param(block: Any) -> dict[str, Any]:
    block = block or {}
    return {api: block[wire] for wire, api in _SCALING_FIELDS.items() if block.get(wire) is not None}


def _kms_key(described: dict) -> str:
    """The storage key; moto reports a placeholder for unencrypted storage, which AWS leaves out."""
    return described.get("KmsKeyId", "") if described.get("StorageEncrypted") else ""


_FIELDS = (
    same("engine", "Engine", modifiable=False),
    same("engineVersion", "EngineVersion"),
    same("engineMode", "EngineMode", modifiable=False),
    same("databaseName", "DatabaseName", modifiable=False),
    same("masterUsername", "MasterUsername", modifiable=False),
    Field("masterPassword", "MasterUserPassword", "MasterUserPassword", None),  # never readable
    Field("manageMasterUserPassword", "ManageMasterUserPassword", "ManageMasterUserPassword",
          lambda c: bool(c.get("MasterUserSecret"))),
    Field("masterUserSecretKmsKeyId", "MasterUserSecretKmsKeyId", "MasterUserSecretKmsKeyId",
          lambda c: (c.get("MasterUserSecret") or {}).get("KmsKeyId")),
    same("port", "Port"),
    Field("dbSubnetGroupName", "DBSubnetGroupName", None, "DBSubnetGroup"),
    Field("dbClusterParameterGroupName", "DBClusterParameterGroupName", "DBClusterParameterGroupName",
          "DBClusterParameterGroup"),
    Field("vpcSecurityGroupIds", "VpcSecurityGroupIds", "VpcSecurityGroupIds", security_group_ids),
    Field("availabilityZones", "AvailabilityZones", None, lambda c: sorted(c.get("AvailabilityZones") or [])),
    same("backupRetentionPeriod", "BackupRetentionPeriod"),
    same("preferredBackupWindow", "PreferredBackupWindow"),
    same("preferredMaintenanceWindow", "PreferredMaintenanceWindow"),
    same("storageEncrypted", "StorageEncrypted", modifiable=False),
    Field("kmsKeyId", "KmsKeyId", None, _kms_key),
    same("storageType", "StorageType"),
    same("allocatedStorage", "AllocatedStorage"),
    same("iops", "Iops"),
    same("dbClusterInstanceClass", "DBClusterInstanceClass"),
    same("deletionProtection", "DeletionProtection"),
    same("copyTagsToSnapshot", "CopyTagsToSnapshot"),
    same("autoMinorVersionUpgrade", "AutoMinorVersionUpgrade"),
    Field("publiclyAccessible", "PubliclyAccessible", None, "PubliclyAccessible"),
    Field("iamDatabaseAuthenticationEnabled", "EnableIAMDatabaseAuthentication", "EnableIAMDatabaseAuthentication",
          "IAMDatabaseAuthenticationEnabled"),
    same("backtrackWindow", "BacktrackWindow"),
    same("networkType", "NetworkType"),
    Field(_LOG_EXPORTS, "EnableCloudwatchLogsExports", None,
          lambda c: sorted(c.get("EnabledCloudwatchLogsExports") or [])),
    Field(_SCALING, None, None, _scaling),  # sent in its API form (see _scaling_param)
    Field("allowMajorVersionUpgrade", None, "AllowMajorVersionUpgrade", None),
    Field("dbInstanceParameterGroupName", None, "DBInstanceParameterGroupName", None),  # for major upgrades only
)
# Inputs only envctl (Terraform) uses: how to apply changes and how to delete.
_OWN_SWITCHES = ("applyImmediately", "skipFinalSnapshot", "finalSnapshotIdentifier", "deleteAutomatedBackups")
_NO_SOURCE = "creating a cluster from a snapshot, a point in time or S3 is not implemented"
_NO_REPLICAS = "replicas of other clusters and global databases are not implemented"
_UNSUPPORTED = {
    "caCertificateIdentifier": NOT_KEPT,
    "clusterMembers": "a cluster's members are the ClusterInstances that name it in clusterIdentifier",
    "clusterScalabilityType": "Aurora Limitless Database is not emulated by the local cloud",
    "databaseInsightsMode": NOT_KEPT,
    "dbSystemId": "RDS Custom is not emulated by the local cloud",
    "domain": NO_DOMAIN,
    "domainIamRoleName": NO_DOMAIN,
    "enableGlobalWriteForwarding": _NO_REPLICAS,
    "enableHttpEndpoint": "the RDS Data API (HTTP endpoint) is not emulated by the local cloud",
    "enableLocalWriteForwarding": NOT_KEPT,
    "engineLifecycleSupport": NOT_KEPT,
    "globalClusterIdentifier": _NO_REPLICAS,
    "iamRoles": "the local cloud (moto) cannot take a role off a cluster (no RemoveRoleFromDBCluster)",
    "masterPasswordWo": WRITE_ONLY.format("masterPassword"),
    "masterPasswordWoVersion": WRITE_ONLY.format("masterPassword"),
    "monitoringInterval": "Enhanced Monitoring of clusters is not emulated by the local cloud (moto drops it)",
    "monitoringRoleArn": "Enhanced Monitoring of clusters is not emulated by the local cloud (moto drops it)",
    "performanceInsightsEnabled": NO_PERFORMANCE_INSIGHTS,
    "performanceInsightsKmsKeyId": NO_PERFORMANCE_INSIGHTS,
    "performanceInsightsRetentionPeriod": NO_PERFORMANCE_INSIGHTS,
    "replicationSourceIdentifier": _NO_REPLICAS,
    "restoreToPointInTime": _NO_SOURCE,
    "s3Import": _NO_SOURCE,
    "scalingConfiguration": "Aurora Serverless v1 is not implemented; use serverlessv2ScalingConfiguration",
    "snapshotIdentifier": _NO_SOURCE,
    "sourceRegion": _NO_REPLICAS,
    "warningEventCategories": "checking RDS events after a change is not implemented",
}


def find_cluster(rds: Any, identifier: str) -> dict | None:
    return one_found(rds.describe_db_clusters, "DBClusters", CLUSTER_GONE, DBClusterIdentifier=identifier)


def _wait_available(rds: Any, identifier: str) -> None:
    wait_until(lambda: (find_cluster(rds, identifier) or {}).get("Status") == "available",
               f"DB cluster {identifier} to be available")


@resource_type
class Cluster(AwsResource):
    """A DB cluster; its id is the cluster identifier, as in Terraform."""

    token = "aws:rds/cluster:Cluster"
    name_property = "clusterIdentifier"
    id_property = "clusterIdentifier"
    name_prefix_property = "clusterIdentifierPrefix"
    name_max_length = 63
    name_lowercase = True
    required = ("engine",)
    defaults = {
        "copyTagsToSnapshot": False,
        "deleteAutomatedBackups": True,
        "enableGlobalWriteForwarding": False,
        "enableHttpEndpoint": False,
        "enableLocalWriteForwarding": False,
        "engineMode": "provisioned",
        "skipFinalSnapshot": False,
    }
    force_new = frozenset({field.wire for field in _FIELDS if field.modify is None and field.create} | {
        "clusterIdentifier", "clusterIdentifierPrefix", "clusterScalabilityType", "dbSystemId", "restoreToPointInTime",
        "snapshotIdentifier", "sourceRegion"}) - {_LOG_EXPORTS}
    handled = frozenset({*(field.wire for field in _FIELDS), *_OWN_SWITCHES})
    unsupported = _UNSUPPORTED
    outputs = frozenset({"arn", "caCertificateValidTill", "clusterResourceId", "endpoint", "engineVersionActual",
                         "hostedZoneId", "masterUserSecrets", "readerEndpoint", "upgradeRolloutOrder"})
    secret = frozenset({"masterPassword", "masterPasswordWo"})
    set_properties = ("availabilityZones", "vpcSecurityGroupIds", _LOG_EXPORTS)

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = identifier_failures(inputs, "clusterIdentifier", "DB cluster")
        if inputs.get("masterPassword") and inputs.get("manageMasterUserPassword"):
            failures.append(CheckFailure("manageMasterUserPassword",
                                         "set masterPassword or manageMasterUserPassword, not both"))
        if not inputs.get("masterUsername"):  # no snapshot or global sources here: the user is needed
            failures.append(CheckFailure("masterUsername", "missing required property 'masterUsername'"))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        rds = ctx.client("rds")
        identifier = self.physical_name(inputs)
        params: dict[str, Any] = {"DBClusterIdentifier": identifier, **create_params(_FIELDS, inputs)}
        if inputs.get(_SCALING):
            params["ServerlessV2ScalingConfiguration"] = _scaling_param(inputs[_SCALING])
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        rds.create_db_cluster(**params)
        _wait_available(rds, identifier)
        state = {**inputs, "clusterIdentifier": identifier}
        return identifier, {**state, **self.read_back(ctx, identifier, state)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        described = find_cluster(ctx.client("rds"), id)
        if described is None:
            return None
        fields = read_fields(_FIELDS, described)
        fields["engineVersion"] = engine_version(state.get("engineVersion"), described.get("EngineVersion", ""))
        return {
            "id": described["DBClusterIdentifier"],
            "clusterIdentifier": described["DBClusterIdentifier"],
            "clusterIdentifierPrefix": state.get("clusterIdentifierPrefix"),  # not stored by AWS
            "arn": described["DBClusterArn"],
            **fields,
            "clusterResourceId": described.get("DbClusterResourceId", ""),
            "clusterMembers": sorted(m["DBInstanceIdentifier"] for m in described.get("DBClusterMembers") or []),
            "endpoint": described.get("Endpoint", ""),
            "readerEndpoint": described.get("ReaderEndpoint", ""),
            "hostedZoneId": described.get("HostedZoneId", ""),
            "engineVersionActual": described.get("EngineVersion", ""),
            "masterUserSecrets": master_user_secrets(described.get("MasterUserSecret")),
            "caCertificateValidTill": "",  # moto keeps no CA certificate for clusters
            "upgradeRolloutOrder": described.get("UpgradeRolloutOrder", ""),
            # Never readable, or envctl's own switches.
            **{key: state.get(key) for key in ("masterPassword", "allowMajorVersionUpgrade",
                                               "dbInstanceParameterGroupName", *_OWN_SWITCHES)},
            **{key: state.get(key) for key in self.defaults if key not in fields and key not in _OWN_SWITCHES},
            **rds_tags(ctx, state, described.get("TagList")),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        rds = ctx.client("rds")
        changed = set(diff.changed)
        params = modify_params(_FIELDS, changed, news)
        if "engineVersion" not in changed:  # these two go with a version upgrade only
            params.pop("AllowMajorVersionUpgrade", None)
            params.pop("DBInstanceParameterGroupName", None)
        if _SCALING in changed:
            params["ServerlessV2ScalingConfiguration"] = _scaling_param(news.get(_SCALING))
        if _LOG_EXPORTS in changed:
            params["CloudwatchLogsExportConfiguration"] = log_exports_change(olds, news, _LOG_EXPORTS)
        sync_rds_tags(rds, olds["arn"], olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        if params:
            rds.modify_db_cluster(DBClusterIdentifier=id, ApplyImmediately=bool(news.get("applyImmediately")),
                                  **params)
            _wait_available(rds, id)
        outputs = {**news, **self.read_back(ctx, id, news)}
        if _LOG_EXPORTS in changed and outputs.get(_LOG_EXPORTS) != sorted(news.get(_LOG_EXPORTS) or []):
            raise OperationFailed(f"DB cluster {id} still exports logs {outputs.get(_LOG_EXPORTS)}: the local cloud "
                                  "(moto) does not change a cluster's log exports; replace the cluster to change them")
        return outputs

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        rds = ctx.client("rds")
        if find_cluster(rds, id) is None:
            return
        params: dict[str, Any] = {"DBClusterIdentifier": id,
                                  "DeleteAutomatedBackups": state.get("deleteAutomatedBackups") is not False}
        if state.get("skipFinalSnapshot"):
            params["SkipFinalSnapshot"] = True
        elif state.get("finalSnapshotIdentifier"):
            params["FinalDBSnapshotIdentifier"] = state["finalSnapshotIdentifier"]
        else:
            raise OperationFailed(
                f"DB cluster {id} needs a final snapshot: set finalSnapshotIdentifier, or set skipFinalSnapshot=True "
                "to delete it without one; run up with the change, then delete again")
        # A cluster whose instances are still being deleted refuses deletion for a while.
        remove(rds.delete_db_cluster, gone=CLUSTER_GONE,
               busy=("InvalidDBClusterStateFault",), **params)
        wait_until(lambda: find_cluster(rds, id) is None, f"DB cluster {id} to be deleted")
