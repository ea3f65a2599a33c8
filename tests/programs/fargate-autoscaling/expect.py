"""fargate-autoscaling: the service's scalable target and its CPU target-tracking policy; then a lower CPU target,
changed in place."""

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config

POLICY = "aws:appautoscaling/policy:Policy"


def cpu_policy(cloud: Cloud, out: Outputs) -> dict:
    policies = cloud.client("application-autoscaling").describe_scaling_policies(
        ServiceNamespace="ecs", ResourceId=out["scaling_resource_id"])["ScalingPolicies"]
    [policy] = [p for p in policies if p["PolicyName"] == out["policy_name"]]
    return policy


def verify(cloud: Cloud, out: Outputs) -> None:
    autoscaling = cloud.client("application-autoscaling")
    assert out["scaling_resource_id"] == f"service/{out['cluster_name']}/{out['service_name']}"
    [target] = autoscaling.describe_scalable_targets(ServiceNamespace="ecs",
                                                     ResourceIds=[out["scaling_resource_id"]])["ScalableTargets"]
    assert (target["ScalableDimension"], target["MinCapacity"], target["MaxCapacity"]) == \
        ("ecs:service:DesiredCount", 1, 4)
    policy = cpu_policy(cloud, out)
    assert policy["PolicyType"] == "TargetTrackingScaling" and policy["PolicyARN"] == out["policy_arn"]
    configuration = policy["TargetTrackingScalingPolicyConfiguration"]
    assert configuration["TargetValue"] == 60 and configuration["ScaleInCooldown"] == 120
    assert configuration["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ECSServiceAverageCPUUtilization"
    [service] = cloud.client("ecs").describe_services(cluster=out["cluster_name"],
                                                      services=[out["service_name"]])["services"]
    assert service["launchType"] == "FARGATE"


def verify_lower_target(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert cpu_policy(cloud, after)["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 45


CASE = ProgramCase("fargate-autoscaling", verify,
                   Edit(set_config("test", targetCpu=45), (("update", POLICY),), verify_lower_target))
