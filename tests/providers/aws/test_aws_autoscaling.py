"""The aws:autoscaling types against the shared moto server: groups from launch templates or configurations,
and their scaling policies."""

from __future__ import annotations

from typing import Any

import pytest

from envctl.errors import OperationFailed
from envctl.providers.aws.context import AwsContext

from provider_steps import Provision, Provisioned, Provisioner, failures, invoke
from recovery_steps import assert_found_after_a_crash

GROUP = "aws:autoscaling/group:Group"
POLICY = "aws:autoscaling/policy:Policy"
AMAZON_LINUX_2 = {"mostRecent": True, "owners": ["amazon"],
                  "filters": [{"name": "name", "values": ["amzn2-ami-hvm-*-x86_64-gp2"]}]}


@pytest.fixture
def subnets(provision: Provision, vpc: Provisioned) -> list[str]:
    return [provision("aws:ec2/subnet:Subnet", f"asg-{zone}", vpcId=vpc.id, cidrBlock=f"10.20.{10 + i}.0/24",
                      availabilityZone=f"us-east-1{zone}").id for i, zone in enumerate("ab")]


@pytest.fixture
def template(provision: Provision, aws_ctx: AwsContext) -> Provisioned:
    ami = invoke("aws:ec2/getAmi:getAmi", aws_ctx, AMAZON_LINUX_2)["id"]
    return provision("aws:ec2/launchTemplate:LaunchTemplate", "asg", imageId=ami, instanceType="t3.micro")


def group_of(aws_ctx: AwsContext, name: str) -> dict[str, Any]:
    groups = aws_ctx.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])
    return groups["AutoScalingGroups"][0] if groups["AutoScalingGroups"] else {}


def test_group_lifecycle(provisioner: Provisioner, subnets: list[str], template: Provisioned,
                         aws_ctx: AwsContext) -> None:
    group = provisioner.create(GROUP, "web", {
        "minSize": 1, "maxSize": 3, "desiredCapacity": 2, "vpcZoneIdentifiers": subnets,
        "launchTemplate": {"id": template.id, "version": "$Latest"}, "healthCheckType": "EC2",
        "tags": [{"key": "Name", "value": "web", "propagateAtLaunch": True}],
        "suspendedProcesses": ["AZRebalance"],
    })
    assert group.id == group.inputs["name"] and group.id.startswith("web-")
    described = group_of(aws_ctx, group.id)
    assert (described["MinSize"], described["MaxSize"], described["DesiredCapacity"]) == (1, 3, 2)
    assert sorted(described["VPCZoneIdentifier"].split(",")) == sorted(subnets)
    assert described["LaunchTemplate"]["LaunchTemplateId"] == template.id
    assert len([i for i in described["Instances"] if i["LifecycleState"] == "InService"]) == 2
    assert [(t["Key"], t["Value"], t["PropagateAtLaunch"]) for t in described["Tags"]] == [("Name", "web", True)]
    assert [p["ProcessName"] for p in described["SuspendedProcesses"]] == ["AZRebalance"]
    assert group.outputs["arn"] == described["AutoScalingGroupARN"]
    assert provisioner.read(group) == group.outputs
    assert_found_after_a_crash(group, provisioner)
    assert not provisioner.plan(group, {}).has_changes
    assert provisioner.plan(group, {"name": "other"}).replaces == ("name",)

    group = provisioner.update(group, {"desiredCapacity": 3, "maxSize": 4, "suspendedProcesses": None,
                                       "tags": [{"key": "Name", "value": "web-v2", "propagateAtLaunch": False}]})
    described = group_of(aws_ctx, group.id)
    assert (described["MaxSize"], described["DesiredCapacity"], len(described["Instances"])) == (4, 3, 3)
    assert [(t["Value"], t["PropagateAtLaunch"]) for t in described["Tags"]] == [("web-v2", False)]
    assert described["SuspendedProcesses"] == []
    with pytest.raises(OperationFailed, match="defaultCooldown"):
        provisioner.update(group, {"defaultCooldown": 60})

    policy = provisioner.create(POLICY, "scale-out", {
        "autoscalingGroupName": group.id, "adjustmentType": "ChangeInCapacity", "scalingAdjustment": 1,
        "cooldown": 120})
    [described_policy] = aws_ctx.client("autoscaling").describe_policies(
        AutoScalingGroupName=group.id)["ScalingPolicies"]
    assert (described_policy["PolicyName"], described_policy["ScalingAdjustment"]) == (policy.id, 1)
    assert (described_policy["PolicyType"], described_policy["Cooldown"]) == ("SimpleScaling", 120)
    assert policy.outputs["arn"] == described_policy["PolicyARN"]
    assert provisioner.read(policy) == policy.outputs
    assert provisioner.plan(policy, {"autoscalingGroupName": "other"}).replaces == ("autoscalingGroupName",)
    policy = provisioner.update(policy, {"scalingAdjustment": 2})
    assert aws_ctx.client("autoscaling").describe_policies(
        AutoScalingGroupName=group.id)["ScalingPolicies"][0]["ScalingAdjustment"] == 2
    provisioner.assert_deleted(policy)

    found = invoke("aws:autoscaling/getGroup:getGroup", aws_ctx, {"name": group.id})
    assert (found["arn"], found["desiredCapacity"], found["maxSize"]) == (group.outputs["arn"], 3, 4)
    assert found["launchTemplates"][0]["id"] == template.id
    assert sorted(found["vpcZoneIdentifier"].split(",")) == sorted(subnets)
    assert found["tags"] == [{"key": "Name", "value": "web-v2", "propagateAtLaunch": False}]

    instances = [i["InstanceId"] for i in group_of(aws_ctx, group.id)["Instances"]]
    provisioner.assert_deleted(group)
    assert group_of(aws_ctx, group.id) == {}
    states = aws_ctx.client("ec2").describe_instances(InstanceIds=instances)["Reservations"]
    assert {i["State"]["Name"] for r in states for i in r["Instances"]} <= {"terminated", "shutting-down"}


def test_group_from_launch_configuration_and_step_policy(provisioner: Provisioner, subnets: list[str],
                                                         aws_ctx: AwsContext) -> None:
    ami = invoke("aws:ec2/getAmi:getAmi", aws_ctx, AMAZON_LINUX_2)["id"]
    configuration = provisioner.create("aws:ec2/launchConfiguration:LaunchConfiguration", "workers",
                                       {"imageId": ami, "instanceType": "t3.micro"})
    group = provisioner.create(GROUP, "workers", {
        "minSize": 0, "maxSize": 2, "vpcZoneIdentifiers": subnets[:1], "launchConfiguration": configuration.id,
        "waitForCapacityTimeout": "0"})
    assert group_of(aws_ctx, group.id)["LaunchConfigurationName"] == configuration.id
    steps = provisioner.create(POLICY, "steps", {
        "autoscalingGroupName": group.id, "policyType": "StepScaling", "adjustmentType": "ChangeInCapacity",
        "stepAdjustments": [{"scalingAdjustment": 1, "metricIntervalLowerBound": "0",
                             "metricIntervalUpperBound": "10"},
                            {"scalingAdjustment": 2, "metricIntervalLowerBound": "10"}]})
    [described] = aws_ctx.client("autoscaling").describe_policies(AutoScalingGroupName=group.id)["ScalingPolicies"]
    assert [s["ScalingAdjustment"] for s in described["StepAdjustments"]] == [1, 2]
    assert steps.outputs["stepAdjustments"][1] == {"scalingAdjustment": 2, "metricIntervalLowerBound": "10",
                                                   "metricIntervalUpperBound": ""}
    assert provisioner.read(steps) == steps.outputs


def test_group_and_policy_check() -> None:
    assert set(failures(GROUP, minSize=0, maxSize=1)) == {"launchConfiguration"}
    refused = failures(GROUP, minSize=0, maxSize=1, launchConfiguration="lc", warmPool={"minSize": 1})
    assert "not implemented" in refused["warmPool"]
    assert set(failures(POLICY, autoscalingGroupName="g")) == {"scalingAdjustment"}
    assert "not emulated" in failures(POLICY, autoscalingGroupName="g", policyType="PredictiveScaling")[
        "policyType"]


def test_group_target_groups_and_metrics(provision: Provision, provisioner: Provisioner, vpc: Provisioned,
                                         subnets: list[str], template: Provisioned, aws_ctx: AwsContext) -> None:
    web = provision("aws:lb/targetGroup:TargetGroup", "asg-web", port=80, protocol="HTTP", vpcId=vpc.id)
    api = provision("aws:lb/targetGroup:TargetGroup", "asg-api", port=8080, protocol="HTTP", vpcId=vpc.id)
    group = provisioner.create(GROUP, "served", {
        "minSize": 1, "maxSize": 1, "vpcZoneIdentifiers": subnets, "launchTemplate": {"id": template.id},
        "targetGroupArns": [web.id], "enabledMetrics": ["GroupInServiceInstances"]})
    described = group_of(aws_ctx, group.id)
    assert described["TargetGroupARNs"] == [web.id]
    assert [m["Metric"] for m in described["EnabledMetrics"]] == ["GroupInServiceInstances"]
    assert provisioner.read(group) == group.outputs
    # Protection applies to instances launched from now on; the one running stays unprotected and can drain.
    group = provisioner.update(group, {"targetGroupArns": [api.id], "protectFromScaleIn": True})
    described = group_of(aws_ctx, group.id)
    assert described["TargetGroupARNs"] == [api.id] and described["NewInstancesProtectedFromScaleIn"] is True
    provisioner.assert_deleted(group)
