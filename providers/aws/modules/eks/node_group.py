"""aws:eks/nodeGroup:NodeGroup: a managed node group of an EKS cluster, as far as the local cloud (moto) emulates
one: its settings and scaling are kept, but no EC2 instances or Auto Scaling group are started."""

from __future__ import annotations

from typing import Any

from envctl.errors import OperationFailed
from envctl.providers.aws.base import AwsResource, DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import remove
from envctl.providers.aws.modules.eks.cluster import EKS_GONE, sync_eks_tags
from envctl.providers.aws.naming import prefixed_unique_id
from envctl.providers.aws.registry import resource_type
from envctl.providers.aws.tags import tags_from_cloud

_WAITER = {"Delay": 10, "MaxAttempts": 360}  # Terraform's 60 minutes
_NOT_KEPT = "the local cloud (moto) does not keep the setting"
_UNSUPPORTED = {
    "nodeRepairConfig": _NOT_KEPT,
    "warmPoolConfig": _NOT_KEPT,
}
# Inputs EKS takes on create as they are; each a top-level CreateNodegroup parameter.
_CREATE_AS_IS = {"amiType": "amiType", "capacityType": "capacityType", "diskSize": "diskSize",
                 "instanceTypes": "instanceTypes", "labels": "labels", "taints": "taints",
                 "releaseVersion": "releaseVersion", "version": "version"}


def _id(cluster: str, group: str) -> str:
    """Terraform's id (and import id): `<cluster name>:<node group name>`."""
    return f"{cluster}:{group}"


def _names(id: str) -> tuple[str, str]:
    cluster, _, group = id.partition(":")
    return cluster, group


def _taint_key(taint: Props) -> tuple[str, str]:
    return str(taint.get("key")), str(taint.get("effect"))


def _remote_access(block: Props) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if block.get("ec2SshKey"):
        params["ec2SshKey"] = block["ec2SshKey"]
    if block.get("sourceSecurityGroupIds"):
        params["sourceSecurityGroups"] = list(block["sourceSecurityGroupIds"])
    return params


def _label_changes(olds: Props, news: Props) -> dict[str, Any]:
    """UpdateNodegroupConfig's labels: those to add or change, and those to remove."""
    old, new = olds.get("labels") or {}, news.get("labels") or {}
    added = {k: v for k, v in new.items() if old.get(k) != v}
    removed = sorted(set(old) - set(new))
    return {**({"addOrUpdateLabels": added} if added else {}), **({"removeLabels": removed} if removed else {})}


def _taint_changes(olds: Props, news: Props) -> dict[str, Any]:
    """UpdateNodegroupConfig's taints (one per key and effect): those to add or change, and those to remove."""
    old = {_taint_key(t): t for t in olds.get("taints") or []}
    new = {_taint_key(t): t for t in news.get("taints") or []}
    added = [t for key, t in new.items() if old.get(key) != t]
    removed = [old[key] for key in sorted(set(old) - set(new))]
    return {**({"addOrUpdateTaints": added} if added else {}), **({"removeTaints": removed} if removed else {})}


@resource_type
class NodeGroup(AwsResource):
    token = "aws:eks/nodeGroup:NodeGroup"
    name_property = "nodeGroupName"
    name_prefix_property = "nodeGroupNamePrefix"
    name_max_length = 63
    required = ("clusterName", "nodeRoleArn", "scalingConfig", "subnetIds")
    force_new = frozenset({"clusterName", "nodeGroupName", "nodeGroupNamePrefix", "nodeRoleArn", "subnetIds",
                           "amiType", "capacityType", "diskSize", "instanceTypes", "remoteAccess"})
    handled = frozenset({*_CREATE_AS_IS, "remoteAccess", "updateConfig", "forceUpdateVersion", "launchTemplate"})
    unsupported = _UNSUPPORTED
    outputs = frozenset({"arn", "resources", "status"})
    set_properties = ("subnetIds", "remoteAccess.sourceSecurityGroupIds")
    gone_codes = EKS_GONE

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        eks = ctx.client("eks")
        cluster = inputs["clusterName"]
        name = inputs.get("nodeGroupName") or prefixed_unique_id(inputs["nodeGroupNamePrefix"])
        params: dict[str, Any] = {
            "clusterName": cluster, "nodegroupName": name, "nodeRole": inputs["nodeRoleArn"],
            "subnets": list(inputs["subnetIds"]), "scalingConfig": dict(inputs["scalingConfig"]),
            **{api: inputs[wire] for wire, api in _CREATE_AS_IS.items() if inputs.get(wire) not in (None, "", [], {})},
        }
        if inputs.get("remoteAccess"):
            params["remoteAccess"] = _remote_access(inputs["remoteAccess"])
        if inputs.get("launchTemplate"):
            params["launchTemplate"] = {k: v for k, v in inputs["launchTemplate"].items() if v}
        tags = self.tags_all(ctx, urn, inputs)
        if tags:
            params["tags"] = tags
        eks.create_nodegroup(**params)
        eks.get_waiter("nodegroup_active").wait(clusterName=cluster, nodegroupName=name, WaiterConfig=_WAITER)
        if inputs.get("updateConfig"):  # moto's CreateNodegroup drops it; UpdateNodegroupConfig keeps it
            eks.update_nodegroup_config(clusterName=cluster, nodegroupName=name,
                                        updateConfig=dict(inputs["updateConfig"]))
        id = _id(cluster, name)
        state = {**inputs, "nodeGroupName": name}
        return id, {**state, **self.read_back(ctx, id, state)}

    def candidate_ids(self, ctx: AwsContext, urn: str, inputs: Props) -> list[str]:
        name = inputs.get("nodeGroupName")
        return [_id(inputs["clusterName"], name)] if name else []

    def describe(self, ctx: AwsContext, id: str, state: Props) -> Props:
        cluster, name = _names(id)
        group = ctx.client("eks").describe_nodegroup(clusterName=cluster, nodegroupName=name)["nodegroup"]
        resources = group.get("resources") or {}
        return {
            "id": id,
            "clusterName": group["clusterName"],
            "nodeGroupName": group["nodegroupName"],
            "nodeGroupNamePrefix": state.get("nodeGroupNamePrefix"),  # not stored by AWS
            "arn": group["nodegroupArn"],
            "nodeRoleArn": group["nodeRole"],
            "subnetIds": sorted(group.get("subnets") or []),
            "scalingConfig": {k: (group.get("scalingConfig") or {}).get(k) for k in ("desiredSize", "maxSize",
                                                                                     "minSize")},
            "amiType": group.get("amiType", ""),
            "capacityType": group.get("capacityType", ""),
            "diskSize": int(group.get("diskSize") or 0),
            "instanceTypes": list(group.get("instanceTypes") or []),
            "labels": dict(group.get("labels") or {}),
            "taints": sorted(group.get("taints") or [], key=_taint_key),
            "releaseVersion": group.get("releaseVersion", ""),
            "version": group.get("version", ""),
            # moto invents an SSH key for a group that asked for none; the configured block is what holds.
            "remoteAccess": state.get("remoteAccess"),
            "updateConfig": _update_config(group.get("updateConfig")),
            "launchTemplate": _launch_template(group.get("launchTemplate")),
            "resources": [{"autoscalingGroups": [{"name": asg["name"]} for asg in resources.get("autoScalingGroups")
                                                 or []],
                           "remoteAccessSecurityGroupId": resources.get("remoteAccessSecurityGroup", "")}],
            "status": group.get("status", ""),
            "forceUpdateVersion": state.get("forceUpdateVersion"),
            **tags_from_cloud(ctx, state, group.get("tags") or {}),
        }

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        eks = ctx.client("eks")
        cluster, name = _names(id)
        changed = set(diff.changed)
        if {"version", "releaseVersion", "launchTemplate"} & changed:
            raise OperationFailed(f"EKS node group {id}: changing its Kubernetes or AMI release version or its launch "
                                  "template is not emulated by the local cloud (moto has no UpdateNodegroupVersion); "
                                  "replace the node group to change it")
        params: dict[str, Any] = {}
        if "scalingConfig" in changed:
            params["scalingConfig"] = dict(news["scalingConfig"])
        if "updateConfig" in changed and news.get("updateConfig"):
            params["updateConfig"] = dict(news["updateConfig"])
        for key, changes in (("labels", _label_changes), ("taints", _taint_changes)):
            if key in changed and changes(olds, news):
                params[key] = changes(olds, news)
        if params:
            eks.update_nodegroup_config(clusterName=cluster, nodegroupName=name, **params)
            eks.get_waiter("nodegroup_active").wait(clusterName=cluster, nodegroupName=name, WaiterConfig=_WAITER)
        sync_eks_tags(eks, olds["arn"], olds.get("tagsAll") or {}, self.tags_all(ctx, urn, news))
        return {**news, **self.read_back(ctx, id, news)}

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        eks = ctx.client("eks")
        cluster, name = _names(id)
        remove(eks.delete_nodegroup, gone=EKS_GONE, clusterName=cluster, nodegroupName=name)
        eks.get_waiter("nodegroup_deleted").wait(clusterName=cluster, nodegroupName=name, WaiterConfig=_WAITER)


def _update_config(reported: dict | None) -> Props | None:
    if not reported:
        return None
    return {"maxUnavailable": reported.get("maxUnavailable"),
            "maxUnavailablePercentage": reported.get("maxUnavailablePercentage"),
            "updateStrategy": reported.get("updateStrategy")}


def _launch_template(reported: dict | None) -> Props | None:
    if not reported:
        return None
    return {"id": reported.get("id", ""), "name": reported.get("name", ""), "version": str(reported.get("version", ""))}
