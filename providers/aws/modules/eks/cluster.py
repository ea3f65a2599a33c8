"""aws:eks/cluster:Cluster: an EKS control plane, as far as the local cloud (moto) emulates one: its network,
logging, encryption and tags. Moto runs no Kubernetes: the endpoint answers nothing."""

from __future__ import annotations

from typing import Any

from envctl.errors import OperationFailed
from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import found_or_none, remove
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import sync_tags, tags_from_cloud
from envctl.providers.aws.wire import timestamp

EKS_GONE = ("ResourceNotFoundException",)
_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
_VPC_FIELDS = ("subnetIds", "securityGroupIds", "endpointPrivateAccess", "endpointPublicAccess", "publicAccessCidrs")
_NO_AUTO_MODE = "EKS Auto Mode is not emulated by the local cloud"
_NO_ADDONS = "EKS add-ons are not emulated by the local cloud"
_NOT_KEPT = "the local cloud (moto) does not keep the setting"
_UNSUPPORTED = {
    "accessConfig": "EKS access configuration (authentication mode, access entries) is not emulated by the local "
                    "cloud (moto drops it)",
    "computeConfig": _NO_AUTO_MODE,
    "storageConfig": _NO_AUTO_MODE,
    "controlPlaneScalingConfig": _NOT_KEPT,
    "defaultAddonsToRemoves": _NO_ADDONS,
    "deletionProtection": _NOT_KEPT,
    "kubeApiServerConfig": _NOT_KEPT,
    "kubeControllerManagerConfig": _NOT_KEPT,
    "kubeSchedulerConfig": _NOT_KEPT,
    "outpostConfig": "EKS on Outposts is not emulated by the local cloud",
    "remoteNetworkConfig": "EKS hybrid nodes are not implemented",
    "upgradePolicy": _NOT_KEPT,
    "zonalShiftConfig": _NOT_KEPT,
}


def describe_cluster(eks: Any, name: str) -> dict | None:
    found = found_or_none(eks.describe_cluster, EKS_GONE, name=name)
    return found["cluster"] if found else None


def sync_eks_tags(eks: Any, arn: str, old: dict[str, str], new: dict[str, str]) -> None:
    sync_tags(old, new, lambda tags: eks.tag_resource(resourceArn=arn, tags=tags),
              lambda keys: eks.untag_resource(resourceArn=arn, tagKeys=keys))


def _vpc_param(vpc: Props) -> dict[str, Any]:
    return {key: vpc[key] for key in _VPC_FIELDS if vpc.get(key) is not None}


def _vpc_config(ctx: AwsContext, reported: dict) -> Props:
    subnets = sorted(reported.get("subnetIds") or [])
    vpc_id = reported.get("vpcId")
    if not vpc_id and subnets:  # EKS reports the subnets' VPC; moto does not, so it is read from the subnets
        described = ctx.client("ec2").describe_subnets(SubnetIds=subnets[:1])["Subnets"]
        vpc_id = described[0]["VpcId"] if described else ""
    return {
        "subnetIds": subnets,
        "securityGroupIds": sorted(reported.get("securityGroupIds") or []),
        "endpointPrivateAccess": bool(reported.get("endpointPrivateAccess", False)),
        "endpointPublicAccess": bool(reported.get("endpointPublicAccess", True)),
        "publicAccessCidrs": list(reported.get("publicAccessCidrs") or ["0.0.0.0/0"]),
        # EKS makes a cluster security group; moto makes none.
        "clusterSecurityGroupId": reported.get("clusterSecurityGroupId", ""),
        "vpcId": vpc_id or "",
    }


def _logging(types: list[str]) -> dict[str, Any]:
    enabled = sorted(set(types))
    disabled = [t for t in _LOG_TYPES if t not in enabled]
    return {"clusterLogging": [entry for entry in ({"types": enabled, "enabled": True},
                                                   {"types": disabled, "enabled": False}) if entry["types"]]}


def _enabled_log_types(logging: dict | None) -> list[str]:
    return sorted(t for entry in (logging or {}).get("clusterLogging") or [] if entry.get("enabled")
                  for t in entry.get("types") or [])


def _encryption(reported: list[dict]) -> Props | None:
    if not reported:
        return None
    first = reported[0]
    return {"provider": {"keyArn": (first.get("provider") or {}).get("keyArn", "")},
            "resources": sorted(first.get("resources") or [])}


@resource_type
class Cluster(AwsResource):
    """Its id is the cluster name, as in Terraform."""

    token = "aws:eks/cluster:Cluster"
    name_property = "name"
    id_property = "name"
    name_max_length = 100
    required = ("roleArn", "vpcConfig")
    defaults = {"bootstrapSelfManagedAddons": True}
    force_new = frozenset({"name", "roleArn", "encryptionConfig", "kubernetesNetworkConfig",
                           "bootstrapSelfManagedAddons", "outpostConfig"})
    # bootstrapSelfManagedAddons says whether EKS installs its default add-ons at creation; the local cloud has
    # no add-ons, so either value leaves the cluster as moto makes it.
    handled = frozenset({"version", "enabledClusterLogTypes", "encryptionConfig", "kubernetesNetworkConfig",
                         "bootstrapSelfManagedAddons", "forceUpdateVersion"})
    unsupported = _UNSUPPORTED
    outputs = frozenset({"arn", "certificateAuthority", "clusterId", "createdAt", "endpoint", "identities",
                         "platformVersion", "status"})
    set_properties = ("enabledClusterLogTypes", "vpcConfig.subnetIds", "vpcConfig.securityGroupIds",
                      "encryptionConfig.resources")
    gone_codes = EKS_GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        eks = ctx.client("eks")
        name = inputs["name"]
        params: dict[str, Any] = {"name": name, "roleArn": inputs["roleArn"],
                                  "resourcesVpcConfig": _vpc_param(inputs["vpcConfig"])}
        if inputs.get("version"):
            params["version"] = inputs["version"]
        if inputs.get("enabledClusterLogTypes"):
            params["logging"] = _logging(inputs["enabledClusterLogTypes"])
        if inputs.get("encryptionConfig"):
            block = inputs["encryptionConfig"]
            params["encryptionConfig"] = [{"provider": {"keyArn": block["provider"]["keyArn"]},
                                           "resources": list(block["resources"])}]
        if inputs.get("kubernetesNetworkConfig"):
            params["kubernetesNetworkConfig"] = {k: v for k, v in inputs["kubernetesNetworkConfig"].items()
                                                 if v is not None and k != "serviceIpv6Cidr"}
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["tags"] = tags
        eks.create_cluster(**params)
        eks.get_waiter("cluster_active").wait(name=name, WaiterConfig={"Delay": 10, "MaxAttempts": 180})
        return name, {**inputs, **self.read_back(ctx, name, inputs)}

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        cluster = ctx.client("eks").describe_cluster(name=id)["cluster"]
        created = cluster.get("createdAt")
        return {
            "id": cluster["name"],
            "name": cluster["name"],
            "arn": cluster["arn"],
            "roleArn": cluster["roleArn"],
            "version": cluster.get("version", ""),
            "vpcConfig": _vpc_config(ctx, cluster.get("resourcesVpcConfig") or {}),
            "enabledClusterLogTypes": _enabled_log_types(cluster.get("logging")),
            "encryptionConfig": _encryption(cluster.get("encryptionConfig") or []),
            "kubernetesNetworkConfig": {"serviceIpv4Cidr": "", "ipFamily": "ipv4", "serviceIpv6Cidr": "",
                                        **(cluster.get("kubernetesNetworkConfig") or {})},
            "certificateAuthority": {"data": (cluster.get("certificateAuthority") or {}).get("data", "")},
            "identities": [{"oidcs": [{"issuer": ((cluster.get("identity") or {}).get("oidc") or {}).get("issuer",
                                                                                                         "")}]}],
            "endpoint": cluster.get("endpoint", ""),
            "platformVersion": cluster.get("platformVersion", ""),
            "status": cluster.get("status", ""),
            "createdAt": timestamp(created) if created else "",
            "clusterId": cluster.get("id", ""),  # only clusters on Outposts have one
            **{key: state.get(key) for key in ("bootstrapSelfManagedAddons", "forceUpdateVersion")},
            **tags_from_cloud(ctx, state, cluster.get("tags") or {}),
        }

    def amend_diff(self, olds: Props, news: Props, diff: DiffResult) -> DiffResult:
        """Encryption added to a cluster without it is an update (AssociateEncryptionConfig), as in Terraform."""
        if "encryptionConfig" in diff.replaces and not olds.get("encryptionConfig"):
            return DiffResult(diff.changed, tuple(k for k in diff.replaces if k != "encryptionConfig"))
        return diff

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        eks = ctx.client("eks")
        changed = set(diff.changed)
        if "encryptionConfig" in changed:
            raise OperationFailed(f"EKS cluster {id}: adding secrets encryption is not emulated by the local cloud "
                                  "(moto has no AssociateEncryptionConfig); replace the cluster to encrypt it")
        if "version" in changed:
            raise OperationFailed(f"EKS cluster {id}: upgrading Kubernetes from {olds.get('version')} to "
                                  f"{news.get('version')} is not emulated by the local cloud (moto has no "
                                  "UpdateClusterVersion); replace the cluster to change its version")
        params: dict[str, Any] = {}
        if "vpcConfig" in changed:
            params["resourcesVpcConfig"] = _vpc_param(news["vpcConfig"])
        if "enabledClusterLogTypes" in changed:
            params["logging"] = _logging(news.get("enabledClusterLogTypes") or [])
        if params:
            eks.update_cluster_config(name=id, **params)
        sync_eks_tags(eks, olds["arn"], olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        eks = ctx.client("eks")
        # Node groups being deleted hold the cluster for a while.
        remove(eks.delete_cluster, gone=EKS_GONE, busy=("ResourceInUseException",), name=id)
        eks.get_waiter("cluster_deleted").wait(name=id, WaiterConfig={"Delay": 10, "MaxAttempts": 90})
