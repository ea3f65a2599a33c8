"""The ECR, ECS and load balancer (lb) providers against the session's moto server, ending with a Fargate
service behind an application load balancer in the default VPC."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from envctl.providers.aws.base import Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.modules.ecs import container_definitions_equivalent

from engine_support import aws
from provider_steps import (
    Provision,
    assert_up_again_changes_nothing_and_destroy_deletes,
    failures,
    provider,
    tag_map,
    unique,
    up_program,
)

REPOSITORY = "aws:ecr/repository:Repository"
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
LIFECYCLE_POLICY = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
CLUSTER = "aws:ecs/cluster:Cluster"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"

WEB_CONTAINERS = [{"name": "web", "image": "nginx:1.27", "portMappings": [{"containerPort": 80}],
                   "environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]}]
PULL_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Sid": "pull", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::123456789012:root"]},
    "Action": ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
}]}
EXPIRE_POLICY = {"rules": [{"rulePriority": 1, "action": {"type": "expire"},
                            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5}}]}


# ---- ECR ------------------------------------------------------------------------------------


def test_repository_lifecycle(provision: Provision, aws_ctx: AwsContext) -> None:
    ecr = aws_ctx.client("ecr")
    repo = provision(REPOSITORY, "Api-Images", imageScanningConfiguration={"scanOnPush": True}, tags={"team": "web"})
    assert repo.id == repo.inputs["name"]
    assert repo.id.startswith("api-images-") and len(repo.id) == len("api-images-") + 7
    assert repo.inputs["imageTagMutability"] == "MUTABLE"

    described = ecr.describe_repositories(repositoryNames=[repo.id])["repositories"][0]
    assert described["imageScanningConfiguration"] == {"scanOnPush": True}
    assert tag_map(ecr.list_tags_for_resource(resourceArn=described["repositoryArn"])["tags"]) == {
        "team": "web", "envctl:env": "test", "envctl:urn": repo.urn,
    }
    assert repo.outputs["arn"] == described["repositoryArn"]
    assert repo.outputs["repositoryUrl"] == f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{repo.id}"
    assert repo.outputs["registryId"] == "123456789012"
    assert repo.outputs["tags"] == {"team": "web"}
    assert repo.read() == repo.outputs

    assert repo.diff(name="other").replaces == ("name",)
    assert repo.diff(encryptionConfigurations=[{"encryptionType": "KMS"}]).replaces == ("encryptionConfigurations",)
    old_id = repo.id
    diff = repo.update(imageTagMutability="IMMUTABLE", imageScanningConfiguration={"scanOnPush": False},
                       tags={"team": "platform"})
    assert set(diff.changed) == {"imageTagMutability", "imageScanningConfiguration", "tags"}
    assert repo.id == old_id
    described = ecr.describe_repositories(repositoryNames=[repo.id])["repositories"][0]
    assert described["imageTagMutability"] == "IMMUTABLE"
    assert described["imageScanningConfiguration"] == {"scanOnPush": False}
    assert repo.outputs["tagsAll"]["team"] == "platform"
    repo.assert_deleted()


def test_repository_tag_mutability_exclusions(provision: Provision, aws_ctx: AwsContext) -> None:
    ecr = aws_ctx.client("ecr")
    latest = [{"filter": "latest", "filterType": "WILDCARD"}]
    repo = provision(REPOSITORY, "releases", imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
                     imageTagMutabilityExclusionFilters=latest)
    described = ecr.describe_repositories(repositoryNames=[repo.id])["repositories"][0]
    assert described["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert described["imageTagMutabilityExclusionFilters"] == latest
    assert repo.outputs["imageTagMutabilityExclusionFilters"] == latest and repo.read() == repo.outputs

    dev = [{"filter": "dev-*", "filterType": "WILDCARD"}, *latest]
    repo.update(imageTagMutabilityExclusionFilters=dev)
    described = ecr.describe_repositories(repositoryNames=[repo.id])["repositories"][0]
    assert described["imageTagMutabilityExclusionFilters"] == dev and repo.outputs[
        "imageTagMutabilityExclusionFilters"] == dev


def test_repository_policy_lifecycle(provision: Provision, aws_ctx: AwsContext) -> None:
    ecr = aws_ctx.client("ecr")
    repo = provision(REPOSITORY, "policied")
    policy = provision(REPOSITORY_POLICY, "pull", repository=repo.id, policy=json.dumps(PULL_POLICY))
    assert policy.id == repo.id
    assert json.loads(ecr.get_repository_policy(repositoryName=repo.id)["policyText"]) == PULL_POLICY
    assert policy.outputs["registryId"] == "123456789012"
    assert policy.read() == policy.outputs

    # The same grants written differently are no change; another repository is a new policy.
    reordered = {**PULL_POLICY, "Statement": [{**PULL_POLICY["Statement"][0], "Action": [
        "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}
    assert not policy.diff(policy=json.dumps(reordered, indent=2)).has_changes
    assert policy.diff(repository="elsewhere").replaces == ("repository",)

    narrower = {**PULL_POLICY, "Statement": [{**PULL_POLICY["Statement"][0], "Action": "ecr:BatchGetImage"}]}
    policy.update(policy=json.dumps(narrower))
    assert json.loads(ecr.get_repository_policy(repositoryName=repo.id)["policyText"]) == narrower
    assert policy.id == repo.id
    policy.assert_deleted()
    assert set(failures(REPOSITORY_POLICY, repository="r", policy="{not json")) == {"policy"}


def test_lifecycle_policy_lifecycle(provision: Provision, aws_ctx: AwsContext) -> None:
    ecr = aws_ctx.client("ecr")
    repo = provision(REPOSITORY, "expiring")
    lifecycle = provision(LIFECYCLE_POLICY, "expire", repository=repo.id, policy=json.dumps(EXPIRE_POLICY))
    assert lifecycle.id == repo.id
    assert json.loads(ecr.get_lifecycle_policy(repositoryName=repo.id)["lifecyclePolicyText"]) == EXPIRE_POLICY
    assert lifecycle.read() == lifecycle.outputs

    assert not lifecycle.diff(policy=json.dumps(EXPIRE_POLICY, indent=4, sort_keys=True)).has_changes
    longer = {"rules": [{**EXPIRE_POLICY["rules"][0], "selection": {
        **EXPIRE_POLICY["rules"][0]["selection"], "countNumber": 10}}]}
    assert lifecycle.diff(policy=json.dumps(longer)).replaces == ("policy",)  # Terraform has no update for it
    lifecycle.assert_deleted()
    assert "policy" in failures(LIFECYCLE_POLICY, repository="r", policy="nope")


# ---- ECS cluster and task definition ---------------------------------------------------------


def test_cluster_lifecycle(provision: Provision, aws_ctx: AwsContext) -> None:
    ecs = aws_ctx.client("ecs")
    cluster = provision(CLUSTER, "apps", settings=[{"name": "containerInsights", "value": "enabled"}])
    assert cluster.id == f"arn:aws:ecs:us-east-1:123456789012:cluster/{cluster.inputs['name']}"
    assert cluster.inputs["name"].startswith("apps-")
    described = ecs.describe_clusters(clusters=[cluster.id], include=["SETTINGS", "TAGS"])["clusters"][0]
    assert described["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert tag_map(described["tags"], "key", "value")["envctl:urn"] == cluster.urn
    assert cluster.outputs["arn"] == cluster.id
    assert cluster.read() == cluster.outputs

    assert cluster.diff(name="renamed").replaces == ("name",)
    cluster.update(settings=[{"name": "containerInsights", "value": "disabled"}], tags={"cost": "shared"})
    described = ecs.describe_clusters(clusters=[cluster.id], include=["SETTINGS", "TAGS"])["clusters"][0]
    assert described["settings"] == [{"name": "containerInsights", "value": "disabled"}]
    assert tag_map(described["tags"], "key", "value")["cost"] == "shared"
    assert cluster.outputs["tags"] == {"cost": "shared"}
    cluster.assert_deleted()


def test_cluster_configuration_and_service_connect_defaults(provision: Provision, aws_ctx: AwsContext) -> None:
    ecs = aws_ctx.client("ecs")
    namespace = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-apps"
    exec_logs = {"executeCommandConfiguration": {"logging": "OVERRIDE", "logConfiguration": {
        "cloudWatchLogGroupName": "/ecs/exec", "cloudWatchEncryptionEnabled": True}}}
    cluster = provision(CLUSTER, "configured", configuration=exec_logs, serviceConnectDefaults={"namespace": namespace})

    def described() -> dict:
        return ecs.describe_clusters(clusters=[cluster.id], include=["CONFIGURATIONS"])["clusters"][0]

    assert described()["configuration"] == exec_logs
    assert described()["serviceConnectDefaults"] == {"namespace": namespace}
    assert cluster.outputs["configuration"] == exec_logs
    assert cluster.outputs["serviceConnectDefaults"] == {"namespace": namespace}
    assert cluster.read() == cluster.outputs

    cluster.update(configuration={"executeCommandConfiguration": {"logging": "NONE"}}, serviceConnectDefaults=None)
    assert described()["configuration"] == {"executeCommandConfiguration": {"logging": "NONE"}}
    assert not described().get("serviceConnectDefaults", {}).get("namespace")
    assert cluster.outputs["serviceConnectDefaults"] is None
    cluster.update(configuration=None)  # back to AWS's default logging
    assert described()["configuration"] == {"executeCommandConfiguration": {"logging": "DEFAULT"}}
    assert cluster.read() == cluster.outputs


def test_container_definitions_compare_as_terraform_does() -> None:
    written = json.dumps(WEB_CONTAINERS)
    as_ecs_returns = json.dumps([{
        "name": "web", "image": "nginx:1.27", "cpu": 0, "essential": True, "mountPoints": [], "volumesFrom": [],
        "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
        "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
    }])
    assert container_definitions_equivalent(written, as_ecs_returns, awsvpc=True)
    assert not container_definitions_equivalent(written, json.dumps([{**WEB_CONTAINERS[0], "image": "nginx:1.28"}]))
    assert not container_definitions_equivalent(written, json.dumps([{**WEB_CONTAINERS[0], "essential": False}]))


def fargate_task(family: str, **extra: Any) -> Props:
    return {"family": family, "containerDefinitions": json.dumps(WEB_CONTAINERS), "cpu": "256", "memory": "512",
            "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], **extra}


def test_task_definition_lifecycle(provision: Provision, aws_ctx: AwsContext) -> None:
    ecs = aws_ctx.client("ecs")
    family = unique("web")
    task = provision(TASK_DEFINITION, "web", **fargate_task(family, tags={"app": "web"}))
    assert task.id == family
    arn = task.outputs["arn"]
    described = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
    assert described["taskDefinition"]["status"] == "ACTIVE"
    assert described["taskDefinition"]["containerDefinitions"][0]["image"] == "nginx:1.27"
    assert described["taskDefinition"]["cpu"] == "256"
    assert tag_map(described["tags"], "key", "value")["app"] == "web"
    assert task.outputs["arnWithoutRevision"] == arn.rpartition(":")[0]
    assert task.outputs["revision"] == described["taskDefinition"]["revision"]
    # ECS adds its defaults to the containers; the configured text stays, so there is no drift.
    assert task.outputs["containerDefinitions"] == task.inputs["containerDefinitions"]
    assert task.read() == task.outputs

    assert not task.diff(containerDefinitions=json.dumps(WEB_CONTAINERS, indent=2)).has_changes
    assert task.diff(cpu="512").replaces == ("cpu",)
    assert task.diff(requiresCompatibilities=["FARGATE", "EC2"]).replaces == ("requiresCompatibilities",)
    assert not task.diff(tags={"app": "web"}).has_changes

    task.update(tags={"app": "web", "tier": "front"})
    assert task.id == family and task.outputs["arn"] == arn
    assert tag_map(ecs.list_tags_for_resource(resourceArn=arn)["tags"], "key", "value")["tier"] == "front"

    # A replacement registers the next revision; deleting the old one deregisters only it.
    resource = provider(TASK_DEFINITION)
    new_id, newer = resource.create(aws_ctx, task.urn, task.checked(cpu="512"))
    assert new_id == family and newer["revision"] == task.outputs["revision"] + 1
    task.assert_deleted()
    assert ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]["status"] == "INACTIVE"
    assert resource.read(aws_ctx, new_id, newer) == newer
    resource.delete(aws_ctx, new_id, newer)
    assert resource.read(aws_ctx, new_id, newer) is None


def test_task_definition_with_proxy_and_ephemeral_storage(provision: Provision, aws_ctx: AwsContext) -> None:
    ecs = aws_ctx.client("ecs")
    proxy = {"type": "APPMESH", "containerName": "web", "properties": {"AppPorts": "80", "IgnoredUID": "1337"}}
    task = provision(TASK_DEFINITION, "meshed", **fargate_task(unique("meshed"), proxyConfiguration=proxy,
                                                                 ephemeralStorage={"sizeInGib": 30}))
    described = ecs.describe_task_definition(taskDefinition=task.outputs["arn"])["taskDefinition"]
    assert described["ephemeralStorage"] == {"sizeInGiB": 30}
    assert described["proxyConfiguration"]["containerName"] == "web"
    assert sorted((p["name"], p["value"]) for p in described["proxyConfiguration"]["properties"]) == [
        ("AppPorts", "80"), ("IgnoredUID", "1337")]
    assert task.outputs["proxyConfiguration"] == proxy and task.outputs["ephemeralStorage"] == {"sizeInGib": 30}
    assert task.read() == task.outputs
    assert task.diff(ephemeralStorage={"sizeInGib": 40}).replaces == ("ephemeralStorage",)
    assert task.diff(proxyConfiguration={**proxy, "properties": {"AppPorts": "8080"}}).replaces == (
        "proxyConfiguration",)


def test_task_definition_check_requires_family_and_json_containers() -> None:
    assert set(failures(TASK_DEFINITION, containerDefinitions="[")) == {"family", "containerDefinitions"}
    assert "moto does not keep" in failures(TASK_DEFINITION, family="f", containerDefinitions="[]",
                                            enableFaultInjection=True)["enableFaultInjection"]


# ---- Load balancing ---------------------------------------------------------------------------


def test_load_balancer_lifecycle(provision: Provision, aws_ctx: AwsContext, default_network: tuple) -> None:
    elb = aws_ctx.client("elbv2")
    vpc_id, subnets = default_network
    lb = provision(LOAD_BALANCER, "public-web-entry-point-balancer", subnets=list(reversed(subnets)),
                   idleTimeout=120, tags={"tier": "edge"})
    name = lb.inputs["name"]
    assert len(name) == 32 and name.startswith("public-web-entry-point-b")  # pulumi-aws: 24 + "-" + 7
    assert lb.inputs["loadBalancerType"] == "application" and lb.inputs["enableHttp2"] is True
    described = elb.describe_load_balancers(LoadBalancerArns=[lb.id])["LoadBalancers"][0]
    assert described["LoadBalancerName"] == name and described["Scheme"] == "internet-facing"
    attributes = tag_map(elb.describe_load_balancer_attributes(LoadBalancerArn=lb.id)["Attributes"])
    assert attributes["idle_timeout.timeout_seconds"] == "120"
    assert attributes["routing.http2.enabled"] == "true"
    assert lb.outputs["dnsName"] == described["DNSName"] and lb.outputs["vpcId"] == vpc_id
    assert lb.outputs["arnSuffix"] == lb.id.split(":loadbalancer/")[1]
    assert lb.outputs["subnets"] == sorted(subnets)
    assert lb.read() == lb.outputs

    assert not lb.diff(subnets=subnets).has_changes  # a set: order does not matter
    assert lb.diff(internal=True).replaces == ("internal",)
    lb.update(idleTimeout=30, enableDeletionProtection=True, tags={"tier": "edge", "owner": "web"})
    attributes = tag_map(elb.describe_load_balancer_attributes(LoadBalancerArn=lb.id)["Attributes"])
    assert attributes["idle_timeout.timeout_seconds"] == "30"
    assert attributes["deletion_protection.enabled"] == "true"
    assert lb.outputs["idleTimeout"] == 30 and lb.outputs["tags"]["owner"] == "web"
    lb.update(enableDeletionProtection=False)
    lb.assert_deleted()


def test_load_balancer_logs_and_secondary_addresses(provision: Provision, aws_ctx: AwsContext,
                                                    default_network: tuple) -> None:
    elb = aws_ctx.client("elbv2")
    _, subnets = default_network
    access = {"bucket": "lb-logs", "prefix": "web", "enabled": True}
    lb = provision(LOAD_BALANCER, "logged", subnets=subnets, accessLogs=access,
                   connectionLogs={"bucket": "lb-logs", "prefix": "connections", "enabled": True})
    attributes = tag_map(elb.describe_load_balancer_attributes(LoadBalancerArn=lb.id)["Attributes"])
    assert (attributes["access_logs.s3.enabled"], attributes["access_logs.s3.bucket"],
            attributes["access_logs.s3.prefix"]) == ("true", "lb-logs", "web")
    assert attributes["connection_logs.s3.prefix"] == "connections"
    assert lb.outputs["accessLogs"] == access and lb.read() == lb.outputs

    lb.update(accessLogs={**access, "prefix": "edge"}, connectionLogs=None)
    attributes = tag_map(elb.describe_load_balancer_attributes(LoadBalancerArn=lb.id)["Attributes"])
    assert (attributes["access_logs.s3.prefix"], attributes["connection_logs.s3.enabled"]) == ("edge", "false")
    assert lb.outputs["accessLogs"]["prefix"] == "edge" and lb.outputs["connectionLogs"]["enabled"] is False

    nlb = provision(LOAD_BALANCER, "network", loadBalancerType="network", subnets=subnets,
                    secondaryIpsAutoAssignedPerSubnet=2)
    attributes = tag_map(elb.describe_load_balancer_attributes(LoadBalancerArn=nlb.id)["Attributes"])
    assert attributes["secondary_ips.auto_assigned.per_subnet"] == "2"
    assert nlb.diff(secondaryIpsAutoAssignedPerSubnet=1).replaces == ("secondaryIpsAutoAssignedPerSubnet",)
    nlb.update(secondaryIpsAutoAssignedPerSubnet=3)
    attributes = tag_map(elb.describe_load_balancer_attributes(LoadBalancerArn=nlb.id)["Attributes"])
    assert attributes["secondary_ips.auto_assigned.per_subnet"] == "3"
    assert nlb.outputs["secondaryIpsAutoAssignedPerSubnet"] == 3 and nlb.read() == nlb.outputs


def test_load_balancer_check_refuses_what_the_local_cloud_drops() -> None:
    refused = failures(LOAD_BALANCER, subnetMappings=[{"subnetId": "subnet-1", "allocationId": "eipalloc-1"}],
                       healthCheckLogs={"bucket": "logs", "enabled": True})
    assert set(refused) == {"subnetMappings", "healthCheckLogs"}
    assert "keeps no Elastic IP" in refused["subnetMappings"]


def test_network_load_balancer_cannot_lose_subnets_in_place() -> None:
    resource = provider(LOAD_BALANCER)
    olds = resource.check("nlb", None, {"loadBalancerType": "network", "subnets": ["subnet-a", "subnet-b"]}).inputs
    fewer = resource.check("nlb", olds, {"loadBalancerType": "network", "subnets": ["subnet-a"]}).inputs
    more = resource.check("nlb", olds, {"loadBalancerType": "network", "subnets": ["subnet-a", "subnet-b", "c"]})
    assert resource.diff(olds, fewer).replaces == ("subnets",)
    assert resource.diff(olds, more.inputs).changed == ("subnets",) and not resource.diff(olds, more.inputs).replaces


def test_target_group_lifecycle(provision: Provision, aws_ctx: AwsContext, default_network: tuple) -> None:
    elb = aws_ctx.client("elbv2")
    vpc_id, _ = default_network
    group = provision(TARGET_GROUP, "web", port=8080, protocol="HTTP", targetType="ip", vpcId=vpc_id,
                      healthCheck={"path": "/healthz", "matcher": "200-299", "interval": 15})
    described = elb.describe_target_groups(TargetGroupArns=[group.id])["TargetGroups"][0]
    assert described["HealthCheckPath"] == "/healthz" and described["Matcher"] == {"HttpCode": "200-299"}
    assert described["HealthCheckIntervalSeconds"] == 15 and described["TargetType"] == "ip"
    assert group.outputs["arnSuffix"] == "targetgroup/" + group.id.split(":targetgroup/")[1]
    assert group.outputs["healthCheck"]["path"] == "/healthz"
    assert group.outputs["deregistrationDelay"] == 300
    assert group.read() == group.outputs

    assert group.diff(port=9090).replaces == ("port",)
    group.update(deregistrationDelay=30, healthCheck={"path": "/ready", "matcher": "200", "interval": 10})
    attributes = tag_map(elb.describe_target_group_attributes(TargetGroupArn=group.id)["Attributes"])
    assert attributes["deregistration_delay.timeout_seconds"] == "30"
    assert elb.describe_target_groups(TargetGroupArns=[group.id])["TargetGroups"][0]["HealthCheckPath"] == "/ready"
    assert group.outputs["deregistrationDelay"] == 30
    group.assert_deleted()


def test_target_group_stickiness_and_client_addresses(provision: Provision, aws_ctx: AwsContext,
                                                       default_network: tuple) -> None:
    elb = aws_ctx.client("elbv2")
    vpc_id, _ = default_network
    web = provision(TARGET_GROUP, "sticky", port=80, protocol="HTTP", vpcId=vpc_id,
                    loadBalancingAlgorithmType="weighted_random", loadBalancingAnomalyMitigation="on",
                    stickiness={"type": "lb_cookie", "cookieDuration": 3600})
    attributes = tag_map(elb.describe_target_group_attributes(TargetGroupArn=web.id)["Attributes"])
    assert (attributes["stickiness.enabled"], attributes["stickiness.type"]) == ("true", "lb_cookie")
    assert attributes["stickiness.lb_cookie.duration_seconds"] == "3600"
    assert attributes["load_balancing.algorithm.anomaly_mitigation"] == "on"
    assert web.outputs["stickiness"] == {"enabled": True, "type": "lb_cookie", "cookieDuration": 3600}
    assert web.read() == web.outputs

    web.update(stickiness={"type": "app_cookie", "cookieName": "session", "cookieDuration": 600},
               loadBalancingAnomalyMitigation="off")
    attributes = tag_map(elb.describe_target_group_attributes(TargetGroupArn=web.id)["Attributes"])
    assert attributes["load_balancing.algorithm.anomaly_mitigation"] == "off"
    assert (attributes["stickiness.type"], attributes["stickiness.app_cookie.cookie_name"],
            attributes["stickiness.app_cookie.duration_seconds"]) == ("app_cookie", "session", "600")
    assert web.outputs["stickiness"] == {"enabled": True, "type": "app_cookie", "cookieName": "session",
                                         "cookieDuration": 600}
    web.update(stickiness=None)
    attributes = tag_map(elb.describe_target_group_attributes(TargetGroupArn=web.id)["Attributes"])
    assert attributes["stickiness.enabled"] == "false" and web.outputs["stickiness"]["enabled"] is False

    tcp = provision(TARGET_GROUP, "tcp", port=5432, protocol="TCP", targetType="ip", vpcId=vpc_id,
                    preserveClientIp="true")
    attributes = tag_map(elb.describe_target_group_attributes(TargetGroupArn=tcp.id)["Attributes"])
    assert attributes["preserve_client_ip.enabled"] == "true" and tcp.outputs["preserveClientIp"] == "true"
    tcp.update(preserveClientIp="false")
    attributes = tag_map(elb.describe_target_group_attributes(TargetGroupArn=tcp.id)["Attributes"])
    assert attributes["preserve_client_ip.enabled"] == "false" and tcp.read() == tcp.outputs
    assert "targetFailovers" in failures(TARGET_GROUP, targetFailovers=[{"onDeregistration": "rebalance",
                                                                          "onUnhealthy": "rebalance"}])


def test_listener_attributes(provision: Provision, aws_ctx: AwsContext, default_network: tuple) -> None:
    elb = aws_ctx.client("elbv2")
    vpc_id, subnets = default_network
    lb = provision(LOAD_BALANCER, "headers", subnets=subnets)
    group = provision(TARGET_GROUP, "headers", port=80, protocol="HTTP", vpcId=vpc_id)
    forward = [{"type": "forward", "targetGroupArn": group.id}]
    listener = provision(LISTENER, "http", loadBalancerArn=lb.id, port=80, defaultActions=forward,
                         routingHttpResponseServerEnabled=False,
                         routingHttpResponseXFrameOptionsHeaderValue="DENY")
    attributes = tag_map(elb.describe_listener_attributes(ListenerArn=listener.id)["Attributes"])
    assert attributes["routing.http.response.server.enabled"] == "false"
    assert attributes["routing.http.response.x_frame_options.header_value"] == "DENY"
    assert listener.outputs["routingHttpResponseServerEnabled"] is False
    assert listener.read() == listener.outputs

    listener.update(routingHttpResponseXFrameOptionsHeaderValue="SAMEORIGIN",
                    routingHttpResponseAccessControlAllowOriginHeaderValue="https://example.com")
    attributes = tag_map(elb.describe_listener_attributes(ListenerArn=listener.id)["Attributes"])
    assert attributes["routing.http.response.x_frame_options.header_value"] == "SAMEORIGIN"
    assert attributes["routing.http.response.access_control_allow_origin.header_value"] == "https://example.com"
    assert listener.outputs["routingHttpResponseXFrameOptionsHeaderValue"] == "SAMEORIGIN"

    nlb = provision(LOAD_BALANCER, "tcp-front", loadBalancerType="network", subnets=subnets)
    tcp_group = provision(TARGET_GROUP, "tcp-back", port=5432, protocol="TCP", vpcId=vpc_id)
    tcp = provision(LISTENER, "tcp", loadBalancerArn=nlb.id, port=5432, protocol="TCP", tcpIdleTimeoutSeconds=600,
                    defaultActions=[{"type": "forward", "targetGroupArn": tcp_group.id}])
    attributes = tag_map(elb.describe_listener_attributes(ListenerArn=tcp.id)["Attributes"])
    assert attributes["tcp.idle_timeout.seconds"] == "600" and tcp.outputs["tcpIdleTimeoutSeconds"] == 600
    tcp.update(tcpIdleTimeoutSeconds=120)
    assert tag_map(elb.describe_listener_attributes(ListenerArn=tcp.id)["Attributes"])[
        "tcp.idle_timeout.seconds"] == "120"
    assert tcp.read() == tcp.outputs
    assert "mutualAuthentication" in failures(LISTENER, loadBalancerArn="arn", defaultActions=forward,
                                              mutualAuthentication={"mode": "verify"})


def test_listener_lifecycle(provision: Provision, aws_ctx: AwsContext, default_network: tuple) -> None:
    elb = aws_ctx.client("elbv2")
    vpc_id, subnets = default_network
    lb = provision(LOAD_BALANCER, "listening", subnets=subnets)
    group = provision(TARGET_GROUP, "app", port=80, protocol="HTTP", vpcId=vpc_id)
    listener = provision(LISTENER, "http", loadBalancerArn=lb.id, port=80, protocol="HTTP",
                         defaultActions=[{"type": "forward", "targetGroupArn": group.id}])
    described = elb.describe_listeners(ListenerArns=[listener.id])["Listeners"][0]
    assert described["DefaultActions"] == [{"Type": "forward", "TargetGroupArn": group.id}]
    assert listener.outputs["defaultActions"] == [{"type": "forward", "targetGroupArn": group.id}]
    assert listener.read() == listener.outputs

    assert listener.diff(loadBalancerArn="arn:aws:elasticloadbalancing:x").replaces == ("loadBalancerArn",)
    not_found = {"type": "fixed-response",
                 "fixedResponse": {"contentType": "text/plain", "messageBody": "gone", "statusCode": "404"}}
    listener.update(port=8080, defaultActions=[not_found])
    described = elb.describe_listeners(ListenerArns=[listener.id])["Listeners"][0]
    assert described["Port"] == 8080
    assert described["DefaultActions"][0]["FixedResponseConfig"]["MessageBody"] == "gone"
    assert listener.outputs["defaultActions"] == [not_found]
    listener.assert_deleted()
    assert "defaultActions" in failures(LISTENER, loadBalancerArn="arn", defaultActions=[{"type": "authenticate-oidc"}])


# ---- A Fargate service behind an ALB, end to end ------------------------------------------------


def test_fargate_service_behind_an_alb_in_the_default_vpc(
    provision: Provision, aws_ctx: AwsContext, default_network: tuple
) -> None:
    ecs, elb = aws_ctx.client("ecs"), aws_ctx.client("elbv2")
    vpc_id, subnets = default_network
    web_sg = provision(SECURITY_GROUP, "web-sg", vpcId=vpc_id,
                       ingress=[{"protocol": "tcp", "fromPort": 80, "toPort": 80, "cidrBlocks": ["0.0.0.0/0"]}],
                       egress=[{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}])
    alb = provision(LOAD_BALANCER, "app-lb", securityGroups=[web_sg.id], subnets=subnets)
    group = provision(TARGET_GROUP, "app-tg", port=80, protocol="HTTP", targetType="ip", vpcId=vpc_id)
    provision(LISTENER, "web", loadBalancerArn=alb.id, port=80,
              defaultActions=[{"type": "forward", "targetGroupArn": group.id}])
    cluster = provision(CLUSTER, "cluster")
    task = provision(TASK_DEFINITION, "app-task", **fargate_task(unique("app")))
    service = provision(
        SERVICE, "app-svc", cluster=cluster.id, taskDefinition=task.outputs["arn"], desiredCount=1,
        launchType="FARGATE",
        networkConfiguration={"assignPublicIp": True, "subnets": subnets, "securityGroups": [web_sg.id]},
        loadBalancers=[{"targetGroupArn": group.id, "containerName": "web", "containerPort": 80}],
    )

    assert service.id == f"arn:aws:ecs:us-east-1:123456789012:service/{cluster.inputs['name']}/" \
                         f"{service.inputs['name']}"
    described = ecs.describe_services(cluster=cluster.id, services=[service.id], include=["TAGS"])["services"][0]
    assert described["status"] == "ACTIVE" and described["launchType"] == "FARGATE"
    assert described["desiredCount"] == 1 and described["taskDefinition"] == task.outputs["arn"]
    assert described["loadBalancers"] == [{"targetGroupArn": group.id, "containerName": "web", "containerPort": 80}]
    assert described["networkConfiguration"]["awsvpcConfiguration"] == {
        "subnets": sorted(subnets), "securityGroups": [web_sg.id], "assignPublicIp": "ENABLED"}
    assert tag_map(described["tags"], "key", "value")["envctl:urn"] == service.urn
    assert elb.describe_target_groups(TargetGroupArns=[group.id])["TargetGroups"][0]["LoadBalancerArns"] == [alb.id]
    assert service.outputs["cluster"] == cluster.id
    assert service.outputs["deploymentMaximumPercent"] == 200
    assert service.read() == service.outputs

    assert service.diff(launchType="EC2").replaces == ("launchType",)
    assert service.diff(cluster="other").replaces == ("cluster",)
    next_task = provision(TASK_DEFINITION, "app-task-2", **fargate_task(task.id, memory="1024"))
    diff = service.update(desiredCount=3, taskDefinition=next_task.outputs["arn"],
                          networkConfiguration={"assignPublicIp": False, "subnets": subnets[:1],
                                                "securityGroups": [web_sg.id]})
    assert set(diff.changed) == {"desiredCount", "taskDefinition", "networkConfiguration"}
    described = ecs.describe_services(cluster=cluster.id, services=[service.id])["services"][0]
    assert described["desiredCount"] == 3 and described["taskDefinition"] == next_task.outputs["arn"]
    assert described["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "DISABLED"
    assert service.outputs["networkConfiguration"]["subnets"] == subnets[:1]

    service.assert_deleted()
    assert ecs.describe_services(cluster=cluster.id, services=[service.id])["services"][0]["status"] == "INACTIVE"


def test_service_placement_capacity_and_deployment_settings(provision: Provision, aws_ctx: AwsContext) -> None:
    ecs = aws_ctx.client("ecs")
    cluster = provision(CLUSTER, "placed")
    task = provision(TASK_DEFINITION, "placed-task", family=unique("placed"), containerDefinitions=json.dumps(
        [{"name": "worker", "image": "busybox", "memory": 128}]))
    registry = "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-workers"
    settings = {
        "capacityProviderStrategies": [{"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 1}],
        "orderedPlacementStrategies": [{"type": "spread", "field": "attribute:ecs.availability-zone"}],
        "placementConstraints": [{"type": "distinctInstance"}],
        "serviceRegistries": {"registryArn": registry, "port": 8080},
        "alarms": {"alarmNames": ["worker-errors"], "enable": True, "rollback": True},
        "healthCheckGracePeriodSeconds": 45, "enableExecuteCommand": True, "enableEcsManagedTags": True,
        "availabilityZoneRebalancing": "ENABLED",
    }
    service = provision(SERVICE, "placed-svc", cluster=cluster.id, taskDefinition=task.outputs["arn"],
                        desiredCount=2, forceNewDeployment=True, triggers={"release": "1"}, **settings)

    def described() -> dict:
        return ecs.describe_services(cluster=cluster.id, services=[service.id])["services"][0]

    aws = described()
    assert aws["capacityProviderStrategy"] == settings["capacityProviderStrategies"]
    assert aws["placementStrategy"] == settings["orderedPlacementStrategies"]
    assert aws["placementConstraints"] == settings["placementConstraints"]
    assert aws["serviceRegistries"] == [settings["serviceRegistries"]]
    assert aws["deploymentConfiguration"]["alarms"] == settings["alarms"]
    assert aws["deploymentConfiguration"]["maximumPercent"] == 200
    assert (aws["healthCheckGracePeriodSeconds"], aws["enableExecuteCommand"], aws["enableECSManagedTags"],
            aws["availabilityZoneRebalancing"]) == (45, True, True, "ENABLED")
    assert {key: service.outputs[key] for key in settings} == settings
    assert service.read() == service.outputs

    deployment = aws["deployments"][0]["id"]
    service.update(triggers={"release": "2"})  # with forceNewDeployment, a new trigger redeploys
    assert described()["deployments"][0]["id"] != deployment
    changes = {
        "orderedPlacementStrategies": [{"type": "binpack", "field": "memory"}], "placementConstraints": None,
        "capacityProviderStrategies": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        "serviceRegistries": {"registryArn": registry, "port": 9090}, "availabilityZoneRebalancing": "DISABLED",
        "healthCheckGracePeriodSeconds": 90, "enableExecuteCommand": False, "enableEcsManagedTags": False,
        "alarms": {"alarmNames": ["worker-errors"], "enable": False, "rollback": False},
    }
    assert not service.update(**changes).needs_replace
    aws = described()
    assert aws["capacityProviderStrategy"] == changes["capacityProviderStrategies"]
    assert aws["serviceRegistries"] == [{"registryArn": registry, "port": 9090}]
    assert (aws["availabilityZoneRebalancing"], aws["enableExecuteCommand"], aws["enableECSManagedTags"]) == (
        "DISABLED", False, False)
    assert aws["placementStrategy"] == [{"type": "binpack", "field": "memory"}] and aws["placementConstraints"] == []
    assert aws["healthCheckGracePeriodSeconds"] == 90
    assert aws["deploymentConfiguration"]["alarms"] == {"alarmNames": ["worker-errors"], "enable": False,
                                                        "rollback": False}
    assert service.outputs["healthCheckGracePeriodSeconds"] == 90 and service.read() == service.outputs


def test_service_check_refuses_what_the_local_cloud_does_not_emulate() -> None:
    lb = {"targetGroupArn": "arn:tg", "containerName": "web", "containerPort": 80,
          "advancedConfiguration": {"alternateTargetGroupArn": "arn:tg2", "productionListenerRule": "arn:r",
                                    "roleArn": "arn:role"}}
    refused = failures(SERVICE, taskDefinition="web", loadBalancers=[lb],
                       deploymentConfiguration={"strategy": "BLUE_GREEN"})
    assert set(refused) == {"loadBalancers", "deploymentConfiguration"}
    assert "'loadBalancers[0].advancedConfiguration' is not supported" in refused["loadBalancers"]


def test_service_waits_for_steady_state(
    provision: Provision, aws_ctx: AwsContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # moto starts a service's tasks at once only when told how many run (its server shares this process).
    monkeypatch.setenv("MOTO_ECS_SERVICE_RUNNING", "1")
    cluster = provision(CLUSTER, "steady")
    task = provision(TASK_DEFINITION, "steady-task", **fargate_task(unique("steady")))
    service = provision(SERVICE, "steady-svc", cluster=cluster.id, taskDefinition=task.outputs["arn"],
                        desiredCount=1, waitForSteadyState=True)
    assert service.outputs["waitForSteadyState"] is True
    assert service.outputs["taskDefinition"] == task.outputs["arn"]


# Pulumi's own Fargate example (pulumi/examples aws-py-fargate), with get_subnets for the deprecated get_subnet_ids.
FARGATE_PROGRAM = """\
import json

import pulumi
import pulumi_aws as aws

cluster = aws.ecs.Cluster("cluster")

default_vpc = aws.ec2.get_vpc(default=True)
default_vpc_subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [default_vpc.id]}])

group = aws.ec2.SecurityGroup(
    "web-secgrp",
    vpc_id=default_vpc.id,
    description="Enable HTTP access",
    ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=80, to_port=80, cidr_blocks=["0.0.0.0/0"])],
    egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])],
)

alb = aws.lb.LoadBalancer("app-lb", security_groups=[group.id], subnets=default_vpc_subnets.ids)

atg = aws.lb.TargetGroup("app-tg", port=80, protocol="HTTP", target_type="ip", vpc_id=default_vpc.id)

wl = aws.lb.Listener(
    "web",
    load_balancer_arn=alb.arn,
    port=80,
    default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=atg.arn)],
)

role = aws.iam.Role(
    "task-exec-role",
    assume_role_policy=json.dumps({
        "Version": "2008-10-17",
        "Statement": [{
            "Sid": "",
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }],
    }),
)

rpa = aws.iam.RolePolicyAttachment(
    "task-exec-policy",
    role=role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
)

task_definition = aws.ecs.TaskDefinition(
    "app-task",
    family="fargate-task-definition",
    cpu="256",
    memory="512",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    execution_role_arn=role.arn,
    container_definitions=json.dumps([{
        "name": "my-app",
        "image": "nginx",
        "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
    }]),
)

service = aws.ecs.Service(
    "app-svc",
    cluster=cluster.arn,
    desired_count=3,
    launch_type="FARGATE",
    task_definition=task_definition.arn,
    network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
        assign_public_ip=True,
        subnets=default_vpc_subnets.ids,
        security_groups=[group.id],
    ),
    load_balancers=[aws.ecs.ServiceLoadBalancerArgs(
        target_group_arn=atg.arn,
        container_name="my-app",
        container_port=80,
    )],
    opts=pulumi.ResourceOptions(depends_on=[wl]),
)

pulumi.export("url", alb.dns_name)
pulumi.export("service", service.id)
pulumi.export("cluster", cluster.arn)
"""


def test_pulumis_fargate_example_runs_unmodified_through_the_local_engine(tmp_path: Path, moto_endpoint: str) -> None:
    project, up = up_program(tmp_path, FARGATE_PROGRAM, moto_endpoint, name="aws-py-fargate")
    ecs, elb = aws(moto_endpoint, "ecs"), aws(moto_endpoint, "elbv2")
    service = ecs.describe_services(cluster=up.outputs["cluster"], services=[up.outputs["service"]])["services"][0]
    assert service["status"] == "ACTIVE" and service["desiredCount"] == 3 and service["launchType"] == "FARGATE"
    group_arn = service["loadBalancers"][0]["targetGroupArn"]
    (balancer,) = elb.describe_target_groups(TargetGroupArns=[group_arn])["TargetGroups"][0]["LoadBalancerArns"]
    assert elb.describe_load_balancers(LoadBalancerArns=[balancer])["LoadBalancers"][0]["DNSName"] == up.outputs["url"]
    assert elb.describe_listeners(LoadBalancerArn=balancer)["Listeners"][0]["DefaultActions"][0]["TargetGroupArn"] \
        == group_arn

    assert_up_again_changes_nothing_and_destroy_deletes(project, moto_endpoint, up.changes["create"])
    assert ecs.describe_services(cluster=up.outputs["cluster"], services=[up.outputs["service"]])["services"][0][
        "status"] == "INACTIVE"
    with pytest.raises(ClientError, match="LoadBalancerNotFound"):
        elb.describe_load_balancers(LoadBalancerArns=[balancer])
