"""The Application Auto Scaling providers (scalable targets and scaling policies) against the session's moto
server."""

from __future__ import annotations

import pytest

from envctl.providers.aws.context import AwsContext

from provider_steps import Provision, Provisioned, failures

TARGET = "aws:appautoscaling/target:Target"
POLICY = "aws:appautoscaling/policy:Policy"
READS = "dynamodb:table:ReadCapacityUnits"


@pytest.fixture
def table(provision: Provision) -> Provisioned:
    return provision("aws:dynamodb/table:Table", "scaled", hashKey="id", attributes=[{"name": "id", "type": "S"}],
                     billingMode="PROVISIONED", readCapacity=5, writeCapacity=5)


def scalable_target(aws_ctx: AwsContext, resource_id: str) -> dict:
    [target] = aws_ctx.client("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="dynamodb", ResourceIds=[resource_id], ScalableDimension=READS)["ScalableTargets"]
    return target


def test_target_lifecycle(provision: Provision, aws_ctx: AwsContext, table: Provisioned) -> None:
    client = aws_ctx.client("application-autoscaling")
    resource_id = f"table/{table.id}"
    target = provision(TARGET, "reads", serviceNamespace="dynamodb", resourceId=resource_id,
                       scalableDimension=READS, minCapacity=5, maxCapacity=50)
    assert target.id == resource_id
    described = scalable_target(aws_ctx, resource_id)
    assert (described["MinCapacity"], described["MaxCapacity"]) == (5, 50)
    assert target.outputs["arn"] == described["ScalableTargetARN"]
    assert target.read() == target.outputs
    assert target.resource.find(aws_ctx, target.urn, target.inputs, set())[0] == target.id

    assert target.diff(scalableDimension="dynamodb:table:WriteCapacityUnits").replaces == ("scalableDimension",)
    target.update(maxCapacity=100, suspendedState={"dynamicScalingInSuspended": True})
    described = scalable_target(aws_ctx, resource_id)
    assert described["MaxCapacity"] == 100 and described["SuspendedState"]["DynamicScalingInSuspended"] is True
    assert target.read() == target.outputs
    target.assert_deleted(lambda: bool(client.describe_scalable_targets(
        ServiceNamespace="dynamodb", ResourceIds=[resource_id])["ScalableTargets"]))


def test_target_tracking_and_step_policies(provision: Provision, aws_ctx: AwsContext, table: Provisioned) -> None:
    client = aws_ctx.client("application-autoscaling")
    resource_id = f"table/{table.id}"
    provision(TARGET, "reads", serviceNamespace="dynamodb", resourceId=resource_id, scalableDimension=READS,
              minCapacity=5, maxCapacity=50)
    keys = {"serviceNamespace": "dynamodb", "resourceId": resource_id, "scalableDimension": READS}
    tracking = provision(POLICY, "reads-70", **keys, policyType="TargetTrackingScaling",
                         targetTrackingScalingPolicyConfiguration={
                             "targetValue": 70, "scaleInCooldown": 60,
                             "predefinedMetricSpecification": {
                                 "predefinedMetricType": "DynamoDBReadCapacityUtilization"}})
    assert tracking.id == tracking.inputs["name"] and tracking.id.startswith("reads-70-")
    [described] = [p for p in client.describe_scaling_policies(ServiceNamespace="dynamodb")["ScalingPolicies"]
                   if p["PolicyName"] == tracking.id]
    configuration = described["TargetTrackingScalingPolicyConfiguration"]
    assert configuration["TargetValue"] == 70 and configuration["ScaleInCooldown"] == 60
    assert configuration["PredefinedMetricSpecification"] == {"PredefinedMetricType": "DynamoDBReadCapacityUtilization"}
    assert tracking.outputs["arn"] == described["PolicyARN"]
    assert tracking.outputs["alarmArns"] == [alarm["AlarmARN"] for alarm in described["Alarms"]]
    assert tracking.read() == tracking.outputs
    assert tracking.resource.find(aws_ctx, tracking.urn, tracking.inputs, set())[0] == tracking.id
    assert tracking.diff(name="other").replaces == ("name",)
    tracking.update(targetTrackingScalingPolicyConfiguration={
        "targetValue": 50,
        "predefinedMetricSpecification": {"predefinedMetricType": "DynamoDBReadCapacityUtilization"}})
    [described] = [p for p in client.describe_scaling_policies(ServiceNamespace="dynamodb")["ScalingPolicies"]
                   if p["PolicyName"] == tracking.id]
    assert described["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 50
    assert tracking.read() == tracking.outputs

    steps = provision(POLICY, "reads-steps", **keys, stepScalingPolicyConfiguration={
        "adjustmentType": "ChangeInCapacity", "cooldown": 60, "metricAggregationType": "Average",
        "stepAdjustments": [{"metricIntervalLowerBound": "0", "scalingAdjustment": 2}]})
    assert steps.inputs["policyType"] == "StepScaling"
    [described] = [p for p in client.describe_scaling_policies(ServiceNamespace="dynamodb")["ScalingPolicies"]
                   if p["PolicyName"] == steps.id]
    assert described["StepScalingPolicyConfiguration"]["StepAdjustments"] == [
        {"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 2}]
    assert steps.read() == steps.outputs
    steps.assert_deleted()
    tracking.assert_deleted()


def test_check_refuses_what_the_local_cloud_does_not_emulate() -> None:
    keys = {"serviceNamespace": "ecs", "resourceId": "service/c/s", "scalableDimension": "ecs:service:DesiredCount"}
    assert "TagResource" in failures(TARGET, **keys, minCapacity=1, maxCapacity=2, tags={"a": "b"})["tags"]
    assert "predictive" in failures(POLICY, **keys, policyType="PredictiveScaling")["policyType"]
    assert "stepScalingPolicyConfiguration" in failures(POLICY, **keys)
