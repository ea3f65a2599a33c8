"""The EKS providers (clusters and managed node groups) and lookups against the session's moto server."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from envctl.engine.properties import is_secret, reveal
from envctl.errors import OperationFailed
from envctl.providers.aws.context import AwsContext

from engine_support import destroy
from provider_steps import Provision, failures, invoke, up_program

CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
CLUSTER_ROLE = "arn:aws:iam::123456789012:role/eks-cluster"
NODE_ROLE = "arn:aws:iam::123456789012:role/eks-nodes"


def eks_cluster(provision: Provision, subnets: list[str], name: str = "Platform", **extra: object):
    return provision(CLUSTER, name, roleArn=CLUSTER_ROLE, vpcConfig={"subnetIds": list(reversed(subnets))}, **extra)


def test_cluster_lifecycle(provision: Provision, aws_ctx: AwsContext, default_network: tuple) -> None:
    eks = aws_ctx.client("eks")
    vpc_id, subnets = default_network
    cluster = eks_cluster(provision, subnets, version="1.30", enabledClusterLogTypes=["audit", "api"],
                          kubernetesNetworkConfig={"serviceIpv4Cidr": "10.100.0.0/16"}, tags={"team": "platform"})
    name = cluster.inputs["name"]
    assert name.startswith("Platform-") and cluster.id == name
    described = eks.describe_cluster(name=name)["cluster"]
    assert described["version"] == "1.30" and described["roleArn"] == CLUSTER_ROLE
    assert sorted(described["resourcesVpcConfig"]["subnetIds"]) == sorted(subnets)
    assert described["tags"]["team"] == "platform"
    assert cluster.outputs["vpcConfig"]["vpcId"] == vpc_id
    assert cluster.outputs["enabledClusterLogTypes"] == ["api", "audit"]
    assert cluster.outputs["kubernetesNetworkConfig"]["serviceIpv4Cidr"] == "10.100.0.0/16"
    assert cluster.outputs["endpoint"] == described["endpoint"] and cluster.outputs["status"] == "ACTIVE"
    assert cluster.outputs["certificateAuthority"]["data"] == described["certificateAuthority"]["data"]
    assert cluster.outputs["identities"][0]["oidcs"][0]["issuer"] == described["identity"]["oidc"]["issuer"]
    assert cluster.read() == cluster.outputs
    assert cluster.resource.find(aws_ctx, cluster.urn, cluster.inputs, set())[0] == cluster.id

    assert not cluster.diff(vpcConfig={"subnetIds": subnets}).has_changes
    assert cluster.diff(roleArn="arn:aws:iam::123456789012:role/other").replaces == ("roleArn",)
    cluster.update(enabledClusterLogTypes=["scheduler"],
                   vpcConfig={"subnetIds": subnets, "endpointPrivateAccess": True}, tags={"team": "infra"})
    described = eks.describe_cluster(name=name)["cluster"]
    enabled = [entry for entry in described["logging"]["clusterLogging"] if entry["enabled"]]
    assert enabled == [{"types": ["scheduler"], "enabled": True}]
    assert described["resourcesVpcConfig"]["endpointPrivateAccess"] is True
    assert described["tags"]["team"] == "infra"
    assert cluster.read() == cluster.outputs
    with pytest.raises(OperationFailed, match="UpdateClusterVersion"):
        cluster.update(version="1.31")
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    encrypted = {"provider": {"keyArn": key}, "resources": ["secrets"]}
    assert not cluster.diff(encryptionConfig=encrypted).needs_replace  # AssociateEncryptionConfig, in place
    with pytest.raises(OperationFailed, match="AssociateEncryptionConfig"):
        cluster.update(encryptionConfig=encrypted)
    cluster.assert_deleted(lambda: name in eks.list_clusters()["clusters"])


def test_node_group_lifecycle(provision: Provision, aws_ctx: AwsContext, default_network: tuple) -> None:
    eks = aws_ctx.client("eks")
    _, subnets = default_network
    cluster = eks_cluster(provision, subnets, name="workers")
    group = provision(NODE_GROUP, "general", clusterName=cluster.id, nodeRoleArn=NODE_ROLE, subnetIds=subnets,
                      scalingConfig={"desiredSize": 2, "maxSize": 3, "minSize": 1}, instanceTypes=["t3.large"],
                      labels={"pool": "general"}, updateConfig={"maxUnavailable": 1}, tags={"pool": "general"})
    name = group.inputs["nodeGroupName"]
    assert group.id == f"{cluster.id}:{name}" and name.startswith("general-")
    described = eks.describe_nodegroup(clusterName=cluster.id, nodegroupName=name)["nodegroup"]
    assert described["scalingConfig"] == {"desiredSize": 2, "maxSize": 3, "minSize": 1}
    assert described["instanceTypes"] == ["t3.large"] and described["labels"] == {"pool": "general"}
    assert described["nodeRole"] == NODE_ROLE and described["tags"]["pool"] == "general"
    assert described["updateConfig"] == {"maxUnavailable": 1}
    assert group.outputs["arn"] == described["nodegroupArn"] and group.outputs["status"] == "ACTIVE"
    assert group.outputs["resources"][0]["autoscalingGroups"]
    assert group.read() == group.outputs
    assert group.resource.find(aws_ctx, group.urn, group.inputs, set())[0] == group.id

    assert group.diff(instanceTypes=["m5.large"]).replaces == ("instanceTypes",)
    assert group.diff(subnetIds=subnets[:1]).replaces == ("subnetIds",)
    group.update(scalingConfig={"desiredSize": 3, "maxSize": 5, "minSize": 1}, labels={"tier": "web"},
                 taints=[{"key": "dedicated", "value": "web", "effect": "NO_SCHEDULE"}])
    described = eks.describe_nodegroup(clusterName=cluster.id, nodegroupName=name)["nodegroup"]
    assert described["scalingConfig"] == {"desiredSize": 3, "maxSize": 5, "minSize": 1}
    assert described["labels"] == {"tier": "web"}
    assert described["taints"] == [{"key": "dedicated", "value": "web", "effect": "NO_SCHEDULE"}]
    assert group.read() == group.outputs
    group.assert_deleted(lambda: name in eks.list_nodegroups(clusterName=cluster.id)["nodegroups"])


def test_check_refuses_what_the_local_cloud_does_not_emulate() -> None:
    refused = failures(CLUSTER, roleArn=CLUSTER_ROLE, vpcConfig={"subnetIds": ["subnet-1"]},
                       accessConfig={"authenticationMode": "API"}, computeConfig={"enabled": True})
    assert "access configuration" in refused["accessConfig"] and "Auto Mode" in refused["computeConfig"]
    assert set(failures(NODE_GROUP)) == {"clusterName", "nodeRoleArn", "scalingConfig", "subnetIds"}


def test_get_cluster_and_its_auth_token(provision: Provision, aws_ctx: AwsContext, default_network: tuple) -> None:
    _, subnets = default_network
    cluster = eks_cluster(provision, subnets, name="looked-up")
    found = invoke("aws:eks/getCluster:getCluster", aws_ctx, {"name": cluster.id})
    assert (found["name"], found["arn"], found["endpoint"]) == (cluster.id, cluster.outputs["arn"],
                                                               cluster.outputs["endpoint"])
    assert found["certificateAuthorities"] == [cluster.outputs["certificateAuthority"]]
    assert found["vpcConfig"]["subnetIds"] == sorted(subnets)

    auth = invoke("aws:eks/getClusterAuth:getClusterAuth", aws_ctx, {"name": cluster.id})
    assert is_secret(auth["token"]) and auth["name"] == cluster.id
    token = reveal(auth["token"])
    assert token.startswith("k8s-aws-v1.")
    encoded = token.removeprefix("k8s-aws-v1.")
    url = urlparse(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode())
    query = parse_qs(url.query)
    assert query["Action"] == ["GetCallerIdentity"] and "x-k8s-aws-id" in query["X-Amz-SignedHeaders"][0]
    assert query["X-Amz-Expires"] == ["60"]


def test_node_group_from_a_launch_template(provision: Provision, aws_ctx: AwsContext, default_network: tuple) -> None:
    _, subnets = default_network
    cluster = eks_cluster(provision, subnets, name="templated")
    template = aws_ctx.client("ec2").create_launch_template(
        LaunchTemplateName=f"{cluster.id}-nodes", LaunchTemplateData={"InstanceType": "m5.large"})["LaunchTemplate"]
    group = provision(NODE_GROUP, "templated", clusterName=cluster.id, nodeRoleArn=NODE_ROLE, subnetIds=subnets,
                      scalingConfig={"desiredSize": 1, "maxSize": 2, "minSize": 1},
                      launchTemplate={"name": template["LaunchTemplateName"], "version": "1"})
    described = aws_ctx.client("eks").describe_nodegroup(clusterName=cluster.id,
                                                         nodegroupName=group.inputs["nodeGroupName"])["nodegroup"]
    assert described["launchTemplate"]["name"] == template["LaunchTemplateName"]
    assert group.outputs["launchTemplate"] == {"id": template["LaunchTemplateId"],
                                               "name": template["LaunchTemplateName"], "version": "1"}
    assert group.read() == group.outputs
    with pytest.raises(OperationFailed, match="UpdateNodegroupVersion"):
        group.update(launchTemplate={"name": template["LaunchTemplateName"], "version": "2"})
    aws_ctx.client("ec2").delete_launch_template(LaunchTemplateId=template["LaunchTemplateId"])


# A program that hands the cluster's token on, as programs configuring a Kubernetes provider do.
AUTH_PROGRAM = """\
import pulumi
import pulumi_aws as aws

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])
cluster = aws.eks.Cluster("auth-demo", role_arn="arn:aws:iam::123456789012:role/eks-cluster",
                          vpc_config={"subnet_ids": subnets.ids})
auth = aws.eks.get_cluster_auth_output(name=cluster.name)
pulumi.export("token", auth.token)
"""


def test_the_cluster_auth_token_reaches_a_program_as_a_secret(tmp_path: Path, moto_endpoint: str) -> None:
    project, up = up_program(tmp_path, AUTH_PROGRAM, moto_endpoint, name="eks-auth")
    assert is_secret(up.outputs["token"]) and reveal(up.outputs["token"]).startswith("k8s-aws-v1.")
    destroyed = destroy(project, "test", moto_endpoint)
    assert destroyed.succeeded and destroyed.changes["delete"] == up.changes["create"]
