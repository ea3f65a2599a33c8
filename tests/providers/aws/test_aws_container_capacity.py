"""ECS capacity providers and a cluster's capacity providers, and the ECR and ECS lookups, against the session's
moto server."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest

from envctl.engine import properties
from envctl.errors import BadInput
from envctl.providers.aws.context import AwsContext

from provider_steps import Provision, failures, invoke, tag_map

CLUSTER = "aws:ecs/cluster:Cluster"
CAPACITY_PROVIDER = "aws:ecs/capacityProvider:CapacityProvider"
CLUSTER_CAPACITY_PROVIDERS = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
REPOSITORY = "aws:ecr/repository:Repository"
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json"})


def _auto_scaling_group(aws_ctx: AwsContext, subnets: list[str]) -> str:
    """An Auto Scaling group made with boto3 (envctl has no autoscaling types), as a capacity provider's group."""
    autoscaling = aws_ctx.client("autoscaling")
    name = f"ecs-hosts-{uuid.uuid4().hex[:8]}"
    autoscaling.create_launch_configuration(LaunchConfigurationName=name, ImageId="ami-12c6146b",
                                            InstanceType="t3.micro")
    autoscaling.create_auto_scaling_group(AutoScalingGroupName=name, LaunchConfigurationName=name, MinSize=0,
                                          MaxSize=2, DesiredCapacity=0, VPCZoneIdentifier=",".join(subnets))
    return autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0][
        "AutoScalingGroupARN"]


@pytest.fixture
def group_arn(aws_ctx: AwsContext, default_network: tuple) -> Any:
    arn = _auto_scaling_group(aws_ctx, default_network[1])
    yield arn
    name = arn.rpartition("/")[2]
    aws_ctx.client("autoscaling").delete_auto_scaling_group(AutoScalingGroupName=name, ForceDelete=True)
    aws_ctx.client("autoscaling").delete_launch_configuration(LaunchConfigurationName=name)


def _described(aws_ctx: AwsContext, name: str) -> dict[str, Any] | None:
    found = aws_ctx.client("ecs").describe_capacity_providers(capacityProviders=[name], include=["TAGS"])
    return next(iter(found["capacityProviders"]), None)


def test_capacity_provider_lifecycle(provision: Provision, aws_ctx: AwsContext, group_arn: str) -> None:
    provider = provision(CAPACITY_PROVIDER, "hosts", tags={"pool": "general"}, autoScalingGroupProvider={
        "autoScalingGroupArn": group_arn, "managedTerminationProtection": "DISABLED",
        "managedScaling": {"status": "ENABLED", "targetCapacity": 80, "maximumScalingStepSize": 2}})
    name = provider.inputs["name"]
    assert name.startswith("hosts-") and provider.id == provider.outputs["arn"]
    assert provider.id == f"arn:aws:ecs:us-east-1:123456789012:capacity-provider/{name}"
    described = _described(aws_ctx, name)
    assert described["autoScalingGroupProvider"]["autoScalingGroupArn"] == group_arn
    assert described["autoScalingGroupProvider"]["managedScaling"]["targetCapacity"] == 80
    assert tag_map(described["tags"], "key", "value")["pool"] == "general"
    assert provider.outputs["autoScalingGroupProvider"]["managedScaling"]["status"] == "ENABLED"
    assert provider.outputs["tags"] == {"pool": "general"}
    assert provider.read() == provider.outputs
    assert not provider.diff().has_changes
    moved = {**provider.inputs["autoScalingGroupProvider"], "autoScalingGroupArn": group_arn + "-other"}
    assert provider.diff(autoScalingGroupProvider=moved).replaces == ("autoScalingGroupProvider",)
    assert provider.diff(name="other").replaces == ("name",)

    provider.update(tags={"pool": "burst"}, autoScalingGroupProvider={
        "autoScalingGroupArn": group_arn, "managedTerminationProtection": "DISABLED",
        "managedScaling": {"status": "ENABLED", "targetCapacity": 60, "maximumScalingStepSize": 2}})
    described = _described(aws_ctx, name)
    assert described["autoScalingGroupProvider"]["managedScaling"]["targetCapacity"] == 60
    assert tag_map(described["tags"], "key", "value")["pool"] == "burst"
    assert provider.outputs["autoScalingGroupProvider"]["managedScaling"]["targetCapacity"] == 60
    provider.assert_deleted(lambda: _described(aws_ctx, name) is not None)


def test_capacity_provider_check_refuses_managed_instances() -> None:
    refused = failures(CAPACITY_PROVIDER, cluster="c", managedInstancesProvider={"infrastructureRoleArn": "arn"})
    assert "not emulated" in refused["managedInstancesProvider"] and "cluster" in refused
    assert "autoScalingGroupProvider" in refused


def test_cluster_capacity_providers_lifecycle(provision: Provision, aws_ctx: AwsContext, group_arn: str) -> None:
    ecs = aws_ctx.client("ecs")
    cluster = provision(CLUSTER, "capacity")
    hosts = provision(CAPACITY_PROVIDER, "hosts", autoScalingGroupProvider={"autoScalingGroupArn": group_arn})
    name = cluster.inputs["name"]
    providers = provision(CLUSTER_CAPACITY_PROVIDERS, "capacity", clusterName=name,
                          capacityProviders=["FARGATE_SPOT", "FARGATE"],
                          defaultCapacityProviderStrategies=[{"capacityProvider": "FARGATE", "weight": 1}])
    assert providers.id == name
    described = ecs.describe_clusters(clusters=[name])["clusters"][0]
    assert sorted(described["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    assert described["defaultCapacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}]
    assert providers.outputs["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert providers.outputs["defaultCapacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE", "weight": 1, "base": 0}]
    assert providers.read() == providers.outputs
    assert not providers.diff(capacityProviders=["FARGATE", "FARGATE_SPOT"]).has_changes  # a set
    assert providers.diff(clusterName="other").replaces == ("clusterName",)

    own = hosts.inputs["name"]
    providers.update(capacityProviders=[own, "FARGATE"], defaultCapacityProviderStrategies=[
        {"capacityProvider": own, "base": 1, "weight": 3}, {"capacityProvider": "FARGATE", "weight": 1}])
    described = ecs.describe_clusters(clusters=[name])["clusters"][0]
    assert sorted(described["capacityProviders"]) == sorted([own, "FARGATE"])
    assert {s["capacityProvider"]: (s["base"], s["weight"]) for s in described["defaultCapacityProviderStrategy"]} \
        == {own: (1, 3), "FARGATE": (0, 1)}
    providers.delete()
    described = ecs.describe_clusters(clusters=[name])["clusters"][0]
    assert described["status"] == "ACTIVE" and not described.get("capacityProviders")  # the cluster stays


def test_get_cluster(provision: Provision, aws_ctx: AwsContext) -> None:
    cluster = provision(CLUSTER, "looked-up", tags={"team": "jobs"},
                        settings=[{"name": "containerInsights", "value": "enabled"}])
    found = invoke("aws:ecs/getCluster:getCluster", aws_ctx, {"clusterName": cluster.inputs["name"]})
    assert found["id"] == found["arn"] == cluster.id
    assert found["status"] == "ACTIVE" and found["runningTasksCount"] == 0
    assert found["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert found["tags"]["team"] == "jobs" and found["region"] == "us-east-1"
    with pytest.raises(BadInput, match="was not found"):
        invoke("aws:ecs/getCluster:getCluster", aws_ctx, {"clusterName": "no-such-cluster"})


def test_get_authorization_token_gives_a_docker_login_as_secrets(aws_ctx: AwsContext) -> None:
    found = invoke("aws:ecr/getAuthorizationToken:getAuthorizationToken", aws_ctx, {})
    assert properties.is_secret(found["password"]) and properties.is_secret(found["authorizationToken"])
    token, password = properties.reveal(found["authorizationToken"]), properties.reveal(found["password"])
    assert base64.b64decode(token).decode() == f"{found['userName']}:{password}"
    assert found["userName"] == "AWS" and password
    assert found["proxyEndpoint"] == "https://123456789012.dkr.ecr.us-east-1.amazonaws.com"
    assert found["id"] == "us-east-1" and found["expiresAt"].endswith("Z")
    login = invoke("aws:ecr/getCredentials:getCredentials", aws_ctx, {"registryId": "123456789012"})
    assert login["id"] == "123456789012" and properties.is_secret(login["authorizationToken"])
    assert login["proxyEndpoint"] == found["proxyEndpoint"]


def test_get_repository(provision: Provision, aws_ctx: AwsContext) -> None:
    repository = provision(REPOSITORY, "images", tags={"app": "web"}, forceDelete=True,
                           imageScanningConfiguration={"scanOnPush": True})
    name = repository.inputs["name"]
    aws_ctx.client("ecr").put_image(repositoryName=name, imageTag="v1", imageManifest=MANIFEST)
    found = invoke("aws:ecr/getRepository:getRepository", aws_ctx, {"name": name})
    assert found["id"] == name and found["arn"] == repository.outputs["arn"]
    assert found["repositoryUrl"] == repository.outputs["repositoryUrl"]
    assert found["imageScanningConfigurations"] == [{"scanOnPush": True}]
    assert found["mostRecentImageTags"] == ["v1"]
    assert found["tags"]["app"] == "web"
    with pytest.raises(BadInput, match="was not found"):
        invoke("aws:ecr/getRepository:getRepository", aws_ctx, {"name": "no-such-repository"})
