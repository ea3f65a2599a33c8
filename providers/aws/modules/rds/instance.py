"""aws:rds resource types: SubnetGroup and Instance (a DB instance)."""

from __future__ import annotations

import re
from typing import Any

from envctl.engine.properties import contains_unknown
from envctl.errors import OperationFailed
from envctl.providers.aws.base import AwsResource, CheckFailure, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import items_found, one_found, remove
from envctl.providers.aws.modules.rds.shared import (
    NO_DOMAIN,
    NO_PERFORMANCE_INSIGHTS,
    NOT_KEPT,
    WAITER,
    WRITE_ONLY,
    Field,
    create_params,
    engine_version,
    first,
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
from envctl.providers.aws.naming import prefixed_unique_id
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tag_list
from envctl.providers.aws.wire import timestamp

_SUBNET_GROUP_GONE = ("DBSubnetGroupNotFoundFault",)
_INSTANCE_GONE = ("DBInstanceNotFound", "DBInstanceNotFoundFault")
_SUBNET_GROUP_NAME = re.compile(r"^[ .0-9a-z_-]+$")  # Terraform's validSubnetGroupName
_RESOURCE_ID = re.compile(r"^db-[0-9A-Za-z]{2,255}$")


# ---- SubnetGroup ----------------------------------------------------------------------------


@resource_type
class SubnetGroup(AwsResource):
    token = "aws:rds/subnetGroup:SubnetGroup"
    name_property = "name"
    name_prefix_property = "namePrefix"
    name_lowercase = True  # RDS keeps subnet group names in lowercase
    required = ("subnetIds",)
    defaults = {"description": "Managed by Pulumi"}
    force_new = frozenset({"name", "namePrefix"})
    handled = frozenset({"description"})
    outputs = frozenset({"arn", "supportedNetworkTypes", "vpcId"})
    set_properties = ("subnetIds",)

    def validate(self, inputs: Props) -> list[CheckFailure]:
        name = inputs.get("name")
        if isinstance(name, str) and not contains_unknown(name) and not _SUBNET_GROUP_NAME.match(name):
            return [CheckFailure(
                "name", f"invalid subnet group name '{name}': only lowercase letters, digits, spaces, '.', '_', '-'"
            )]
        return []

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        name = self._create_group(ctx, urn, self.physical_name(inputs), inputs)
        return name, {**inputs, **self.read_back(ctx, name, inputs)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        rds = ctx.client("rds")
        group = one_found(rds.describe_db_subnet_groups, "DBSubnetGroups", _SUBNET_GROUP_GONE, DBSubnetGroupName=id)
        if group is None:
            return None
        arn = group["DBSubnetGroupArn"]
        return {
            "id": group["DBSubnetGroupName"],
            "name": group["DBSubnetGroupName"],
            "namePrefix": state.get("namePrefix"),  # not stored by AWS
            "arn": arn,
            "description": group["DBSubnetGroupDescription"],
            "subnetIds": sorted(subnet["SubnetIdentifier"] for subnet in group.get("Subnets") or []),
            "vpcId": group.get("VpcId"),
            "supportedNetworkTypes": group.get("SupportedNetworkTypes") or [],
            **rds_tags(ctx, state, rds.list_tags_for_resource(ResourceName=arn).get("TagList")),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        rds = ctx.client("rds")
        if {"description", "subnetIds"} & set(diff.changed):
            rds.modify_db_subnet_group(
                DBSubnetGroupName=id, DBSubnetGroupDescription=news["description"], SubnetIds=list(news["subnetIds"])
            )
            if self.read(ctx, id, news) is None:
                # moto 5.2.5 loses the group on modify (its backend pops it and never stores it again).
                self._create_group(ctx, urn, id, news)
        sync_rds_tags(rds, olds["arn"], olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return {**news, **self.read_back(ctx, id, news)}

    def _create_group(self, ctx: AwsContext, urn: str, name: str, inputs: Props) -> str:
        params: dict[str, Any] = {
            "DBSubnetGroupName": name,
            "DBSubnetGroupDescription": inputs["description"],
            "SubnetIds": list(inputs["subnetIds"]),
        }
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        return ctx.client("rds").create_db_subnet_group(**params)["DBSubnetGroup"]["DBSubnetGroupName"]

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        # An instance being deleted holds its subnet group until it is gone.
        remove(ctx.client("rds").delete_db_subnet_group, gone=_SUBNET_GROUP_GONE,
               busy=("InvalidDBSubnetGroupStateFault",), DBSubnetGroupName=id)


# ---- Instance -------------------------------------------------------------------------------


_FIELDS = (
    same("instanceClass", "DBInstanceClass"),
    same("engine", "Engine", modifiable=False),
    same("engineVersion", "EngineVersion"),
    same("allocatedStorage", "AllocatedStorage"),
    same("maxAllocatedStorage", "MaxAllocatedStorage"),
    same("storageType", "StorageType"),
    same("iops", "Iops"),
    same("storageThroughput", "StorageThroughput"),
    same("storageEncrypted", "StorageEncrypted", modifiable=False),
    same("kmsKeyId", "KmsKeyId", modifiable=False),
    same("dbName", "DBName", modifiable=False),
    same("username", "MasterUsername", modifiable=False),
    Field("password", "MasterUserPassword", "MasterUserPassword", None),  # never readable
    Field("port", "Port", "DBPortNumber",
           lambda db: db.get("DbInstancePort") or (db.get("Endpoint") or {}).get("Port")),
    Field("dbSubnetGroupName", "DBSubnetGroupName", "DBSubnetGroupName",
           lambda db: (db.get("DBSubnetGroup") or {}).get("DBSubnetGroupName")),
    Field("vpcSecurityGroupIds", "VpcSecurityGroupIds", "VpcSecurityGroupIds",
           security_group_ids),
    Field("parameterGroupName", "DBParameterGroupName", "DBParameterGroupName",
           first("DBParameterGroups", "DBParameterGroupName")),
    Field("optionGroupName", "OptionGroupName", "OptionGroupName",
           first("OptionGroupMemberships", "OptionGroupName")),
    same("publiclyAccessible", "PubliclyAccessible"),
    same("multiAz", "MultiAZ"),
    same("availabilityZone", "AvailabilityZone", modifiable=False),
    same("networkType", "NetworkType"),
    same("backupRetentionPeriod", "BackupRetentionPeriod"),
    Field("backupWindow", "PreferredBackupWindow", "PreferredBackupWindow", "PreferredBackupWindow"),
    Field("maintenanceWindow", "PreferredMaintenanceWindow", "PreferredMaintenanceWindow",
           "PreferredMaintenanceWindow"),
    same("deletionProtection", "DeletionProtection"),
    same("autoMinorVersionUpgrade", "AutoMinorVersionUpgrade"),
    same("copyTagsToSnapshot", "CopyTagsToSnapshot"),
    same("monitoringInterval", "MonitoringInterval"),
    same("monitoringRoleArn", "MonitoringRoleArn"),
    Field("iamDatabaseAuthenticationEnabled", "EnableIAMDatabaseAuthentication",
           "EnableIAMDatabaseAuthentication", "IAMDatabaseAuthenticationEnabled"),
    same("caCertIdentifier", "CACertificateIdentifier"),
    same("licenseModel", "LicenseModel"),
    same("characterSetName", "CharacterSetName", modifiable=False),
    Field("manageMasterUserPassword", "ManageMasterUserPassword", "ManageMasterUserPassword",
           lambda db: bool(db.get("MasterUserSecret"))),
    Field("masterUserSecretKmsKeyId", "MasterUserSecretKmsKeyId", "MasterUserSecretKmsKeyId",
           lambda db: (db.get("MasterUserSecret") or {}).get("KmsKeyId")),
    Field("allowMajorVersionUpgrade", None, "AllowMajorVersionUpgrade", None),
)
_LOG_EXPORTS = "enabledCloudwatchLogsExports"
_NO_OUTPOSTS = "RDS on Outposts is not emulated by the local cloud"
_NO_SOURCE = "creating an instance from a snapshot, a backup or S3 is not implemented"
_NO_REPLICAS = "read replicas are not implemented"
_INSTANCE_UNSUPPORTED = {
    "backupTarget": _NO_OUTPOSTS,
    "customerOwnedIpEnabled": _NO_OUTPOSTS,
    "blueGreenUpdate": "blue/green deployments are not emulated by the local cloud",
    "customIamInstanceProfile": "RDS Custom is not emulated by the local cloud",
    "databaseInsightsMode": NOT_KEPT,
    "dedicatedLogVolume": NOT_KEPT,
    "engineLifecycleSupport": NOT_KEPT,
    "ncharCharacterSetName": NOT_KEPT,
    "timezone": NOT_KEPT,
    **dict.fromkeys(("domain", "domainAuthSecretArn", "domainDnsIps", "domainFqdn", "domainIamRoleName", "domainOu"),
                    NO_DOMAIN),
    "passwordWo": WRITE_ONLY.format("password"),
    "passwordWoVersion": WRITE_ONLY.format("password"),
    "performanceInsightsEnabled": NO_PERFORMANCE_INSIGHTS,
    "performanceInsightsKmsKeyId": NO_PERFORMANCE_INSIGHTS,
    "performanceInsightsRetentionPeriod": NO_PERFORMANCE_INSIGHTS,
    "replicateSourceDb": _NO_REPLICAS,
    "replicaMode": _NO_REPLICAS,
    "upgradeStorageConfig": _NO_REPLICAS,
    "restoreToPointInTime": _NO_SOURCE,
    "s3Import": _NO_SOURCE,
    "snapshotIdentifier": _NO_SOURCE,
    "warningEventCategories": "checking RDS events after a change is not implemented",
}
# Inputs only envctl (Terraform) uses: how to apply changes and how to delete.
_OWN_SWITCHES = ("applyImmediately", "skipFinalSnapshot", "finalSnapshotIdentifier", "deleteAutomatedBackups")


def _endpoints(endpoint: dict | None) -> list[Props]:
    """The SQL Server Always On listener endpoint, as pulumi-aws's list."""
    if not endpoint:
        return []
    return [{"address": endpoint.get("Address", ""), "hostedZoneId": endpoint.get("HostedZoneId", ""),
             "port": endpoint.get("Port")}]



@resource_type
class Instance(AwsResource):
    """A DB instance. Its id is AWS's resource id (db-...), as in Terraform 5+, so the identifier can change
    in place. envctl finds it by identifier: moto gives every instance the same resource id."""

    token = "aws:rds/instance:Instance"
    name_property = "identifier"
    name_prefix_property = "identifierPrefix"
    name_max_length = 63
    name_lowercase = True
    required = ("instanceClass",)
    defaults = {
        "applyImmediately": False,
        "autoMinorVersionUpgrade": True,
        "copyTagsToSnapshot": False,
        "deleteAutomatedBackups": True,
        "monitoringInterval": 0,
        "performanceInsightsEnabled": False,
        "publiclyAccessible": False,
        "skipFinalSnapshot": False,
    }
    force_new = frozenset(field.wire for field in _FIELDS if field.modify is None) - {"allowMajorVersionUpgrade"} | {
        "timezone", "ncharCharacterSetName", "customIamInstanceProfile", "replicateSourceDb", "restoreToPointInTime",
        "s3Import", "snapshotIdentifier", "backupTarget", "dedicatedLogVolume"}
    handled = frozenset({*(field.wire for field in _FIELDS), *_OWN_SWITCHES, _LOG_EXPORTS})
    unsupported = _INSTANCE_UNSUPPORTED
    outputs = frozenset({"address", "arn", "endpoint", "engineVersionActual", "hostedZoneId", "latestRestorableTime",
                         "listenerEndpoints", "masterUserSecrets", "replicas", "resourceId", "status",
                         "upgradeRolloutOrder"})
    secret = frozenset({"password", "passwordWo"})
    set_properties = ("vpcSecurityGroupIds", _LOG_EXPORTS)

    def validate(self, inputs: Props) -> list[CheckFailure]:
        failures = identifier_failures(inputs, "identifier", "DB instance")
        if inputs.get("engine") is None:  # no snapshot, restore or replica sources here: the engine is needed
            failures.append(CheckFailure("engine", "missing required property 'engine'"))
        if inputs.get("password") and inputs.get("manageMasterUserPassword"):
            failures.append(CheckFailure("manageMasterUserPassword", "set password or manageMasterUserPassword, not "
                                                                     "both"))
        return failures

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        rds = ctx.client("rds")
        identifier = self.physical_name(inputs)
        params: dict[str, Any] = {
            "DBInstanceIdentifier": identifier,
            **create_params(_FIELDS, inputs),
        }
        if inputs.get(_LOG_EXPORTS):
            params["EnableCloudwatchLogsExports"] = list(inputs[_LOG_EXPORTS])
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["Tags"] = tag_list(tags)
        created = rds.create_db_instance(**params)["DBInstance"]
        rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier, WaiterConfig=WAITER)
        state = {**inputs, "identifier": identifier}
        # moto's CreateDBInstance drops some settings (the network type) that ModifyDBInstance keeps.
        kept = self.read_back(ctx, created["DbiResourceId"], state)
        dropped = {f.modify: inputs[f.wire] for f in _FIELDS if f.modify and f.read and inputs.get(f.wire)
                   and kept.get(f.wire) in (None, False, "", [])}
        if dropped:
            rds.modify_db_instance(DBInstanceIdentifier=identifier, ApplyImmediately=True, **dropped)
            rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier, WaiterConfig=WAITER)
        return created["DbiResourceId"], {**state, **self.read_back(ctx, created["DbiResourceId"], state)}

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        db = _find_instance(ctx.client("rds"), id, state)
        if db is None:
            return None
        endpoint = db.get("Endpoint") or {}
        address = endpoint.get("Address", "")
        fields = read_fields(_FIELDS, db)
        fields["engineVersion"] = engine_version(state.get("engineVersion"), db.get("EngineVersion", ""))
        restorable = db.get("LatestRestorableTime")
        return {
            "id": db["DbiResourceId"],
            "resourceId": db["DbiResourceId"],
            "identifier": db["DBInstanceIdentifier"],
            "identifierPrefix": state.get("identifierPrefix"),  # not stored by AWS
            "arn": db["DBInstanceArn"],
            **fields,
            "engineVersionActual": db.get("EngineVersion"),
            "address": address,
            "endpoint": f"{address}:{fields['port']}" if address else "",
            "hostedZoneId": endpoint.get("HostedZoneId", ""),
            "status": db.get("DBInstanceStatus"),
            "latestRestorableTime": timestamp(restorable) if restorable else "",
            _LOG_EXPORTS: sorted(db.get("EnabledCloudwatchLogsExports") or []),
            "performanceInsightsEnabled": bool(db.get("PerformanceInsightsEnabled")),  # refused, but reported
            "listenerEndpoints": _endpoints(db.get("ListenerEndpoint")),
            "masterUserSecrets": master_user_secrets(db.get("MasterUserSecret")),
            "replicas": list(db.get("ReadReplicaDBInstanceIdentifiers") or []),
            "upgradeRolloutOrder": db.get("UpgradeRolloutOrder", ""),
            # Never readable, or envctl's own switches.
            **{key: state.get(key) for key in ("password", "allowMajorVersionUpgrade", *_OWN_SWITCHES)},
            **rds_tags(ctx, state, db.get("TagList")),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        rds = ctx.client("rds")
        changed = set(diff.changed)
        identifier = olds["identifier"]
        params = modify_params(_FIELDS, changed, news)
        renamed = news.get("identifier") or (
            prefixed_unique_id(news["identifierPrefix"]) if "identifierPrefix" in changed else identifier
        )
        if renamed != identifier:
            params["NewDBInstanceIdentifier"] = renamed
        if _LOG_EXPORTS in changed:
            params["CloudwatchLogsExportConfiguration"] = log_exports_change(olds, news, _LOG_EXPORTS)
        # Tags first: a rename changes the ARN.
        sync_rds_tags(rds, olds["arn"], olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        if params:
            # A rename applies at once: until it does, envctl could not find the instance by its new name.
            apply_now = bool(news.get("applyImmediately")) or "NewDBInstanceIdentifier" in params
            rds.modify_db_instance(DBInstanceIdentifier=identifier, ApplyImmediately=apply_now, **params)
            rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=renamed, WaiterConfig=WAITER)
        state = {**news, "identifier": renamed}
        outputs = {**state, **self.read_back(ctx, id, state)}
        if "DBPortNumber" in params and outputs.get("port") != news["port"]:
            # AWS changes the port at once, whatever applyImmediately says; moto keeps the old one.
            raise OperationFailed(f"DB instance {renamed} still listens on port {outputs.get('port')}: the change of "
                                  f"port to {news['port']} was not applied (the local cloud does not change ports)")
        return outputs

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        rds = ctx.client("rds")
        current = _find_instance(rds, id, state)
        if current is None:
            return
        identifier = current["DBInstanceIdentifier"]
        params: dict[str, Any] = {
            "DBInstanceIdentifier": identifier,
            "DeleteAutomatedBackups": state.get("deleteAutomatedBackups") is not False,
        }
        if state.get("skipFinalSnapshot"):
            params["SkipFinalSnapshot"] = True
        elif state.get("finalSnapshotIdentifier"):
            params["FinalDBSnapshotIdentifier"] = state["finalSnapshotIdentifier"]
        else:
            raise OperationFailed(
                f"DB instance {identifier} needs a final snapshot: set finalSnapshotIdentifier, or set "
                "skipFinalSnapshot=True to delete it without one; run up with the change, then delete again"
            )
        # An instance still being modified or backed up refuses deletion for a while.
        remove(rds.delete_db_instance, gone=_INSTANCE_GONE, busy=("InvalidDBInstanceState",), **params)
        rds.get_waiter("db_instance_deleted").wait(DBInstanceIdentifier=identifier, WaiterConfig=WAITER)


def _find_instance(rds: Any, id: str, state: Props) -> dict | None:
    """By the identifier in state when it still has this resource id; else by resource id (one renamed
    outside envctl); else by identifier (an import, whose id is the identifier)."""
    describe = rds.describe_db_instances
    if state.get("identifier"):
        found = one_found(describe, "DBInstances", _INSTANCE_GONE, DBInstanceIdentifier=state["identifier"])
        if found and found["DbiResourceId"] == id:
            return found
    if _RESOURCE_ID.match(id):
        found = items_found(describe, "DBInstances", _INSTANCE_GONE,
                          Filters=[{"Name": "dbi-resource-id", "Values": [id]}])
        return found[0] if len(found) == 1 else None
    return one_found(describe, "DBInstances", _INSTANCE_GONE, DBInstanceIdentifier=id)
