"""autoscaling-web: the group keeps its minimum of instances in service from the launch template, in both zones,
with a CPU target-tracking policy; a bigger instance type is a new default version of the template."""

from typing import Any

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config, user_data

LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"


def group(cloud: Cloud, name: str) -> dict[str, Any]:
    return cloud.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])[
        "AutoScalingGroups"][0]


def template(cloud: Cloud, template_id: str) -> dict[str, Any]:
    return cloud.client("ec2").describe_launch_templates(LaunchTemplateIds=[template_id])["LaunchTemplates"][0]


def version_data(cloud: Cloud, template_id: str, version: str) -> dict[str, Any]:
    return cloud.client("ec2").describe_launch_template_versions(LaunchTemplateId=template_id, Versions=[version])[
        "LaunchTemplateVersions"][0]["LaunchTemplateData"]


def verify(cloud: Cloud, out: Outputs) -> None:
    web = group(cloud, out["group_name"])
    assert (web["MinSize"], web["MaxSize"], web["DesiredCapacity"]) == (2, 4, 2)
    assert sorted(web["VPCZoneIdentifier"].split(",")) == sorted(out["subnet_ids"])
    assert web["LaunchTemplate"]["LaunchTemplateId"] == out["launch_template_id"]
    in_service = [i for i in web["Instances"] if i["LifecycleState"] == "InService"]
    assert len(in_service) == 2
    data = version_data(cloud, out["launch_template_id"], "$Default")
    assert data["InstanceType"] == "t3.micro"
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    ec2 = cloud.client("ec2")
    server = ec2.describe_instances(InstanceIds=[in_service[0]["InstanceId"]])["Reservations"][0]["Instances"][0]
    assert server["ImageId"] == data["ImageId"] and server["SubnetId"] in out["subnet_ids"]
    assert "systemctl enable --now httpd" in user_data(ec2, server["InstanceId"])
    [policy] = cloud.client("autoscaling").describe_policies(AutoScalingGroupName=out["group_name"])[
        "ScalingPolicies"]
    assert policy["PolicyType"] == "TargetTrackingScaling"
    tracking = policy["TargetTrackingConfiguration"]
    assert tracking["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ASGAverageCPUUtilization"
    assert tracking["TargetValue"] == 50


def verify_bigger_instances(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert after["launch_template_id"] == before["launch_template_id"]
    described = template(cloud, after["launch_template_id"])
    assert (described["DefaultVersionNumber"], described["LatestVersionNumber"]) == (2, 2)
    assert version_data(cloud, after["launch_template_id"], "$Default")["InstanceType"] == "t3.small"


CASE = ProgramCase(
    "autoscaling-web", verify,
    Edit(set_config("test", instanceType="t3.small"), (("update", LAUNCH_TEMPLATE),), verify_bigger_instances),
)
