"""Scheduled ECS tasks: an EventBridge rule's target that runs a task (ecsTarget), against the session's moto
server."""

from __future__ import annotations

import json

from envctl.providers.aws.context import AwsContext

from provider_steps import Provisioner, failed_properties

RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
CLUSTER = "aws:ecs/cluster:Cluster"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
EVENTS_ROLE = "arn:aws:iam::123456789012:role/ecs-events"
REPORT_CONTAINERS = json.dumps([{"name": "report", "image": "busybox", "command": ["echo", "report"]}])


def test_event_target_runs_an_ecs_task_on_a_schedule(provisioner: Provisioner, aws_ctx: AwsContext,
                                                     default_network: tuple) -> None:
    events = aws_ctx.client("events")
    _, subnets = default_network
    cluster = provisioner.create(CLUSTER, "jobs", {})
    task = provisioner.create(TASK_DEFINITION, "report", {
        "family": "nightly-report", "containerDefinitions": REPORT_CONTAINERS, "cpu": "256", "memory": "512",
        "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"]})
    rule = provisioner.create(RULE, "nightly", {"scheduleExpression": "cron(0 3 * * ? *)"})
    ecs_target = {"taskDefinitionArn": task.outputs["arn"], "launchType": "FARGATE", "platformVersion": "LATEST",
                  "networkConfiguration": {"subnets": list(reversed(subnets)), "assignPublicIp": True},
                  "tags": {"job": "report"}}
    target = provisioner.create(TARGET, "run-report", {"rule": rule.inputs["name"], "arn": cluster.id,
                                                       "roleArn": EVENTS_ROLE, "ecsTarget": ecs_target})
    [listed] = events.list_targets_by_rule(Rule=rule.inputs["name"])["Targets"]
    parameters = listed["EcsParameters"]
    assert listed["Arn"] == cluster.id and listed["RoleArn"] == EVENTS_ROLE
    assert parameters["TaskDefinitionArn"] == task.outputs["arn"] and parameters["TaskCount"] == 1
    assert parameters["LaunchType"] == "FARGATE" and parameters["PlatformVersion"] == "LATEST"
    assert parameters["NetworkConfiguration"]["awsvpcConfiguration"] == {
        "Subnets": sorted(subnets), "SecurityGroups": [], "AssignPublicIp": "ENABLED"}
    assert parameters["Tags"] == [{"Key": "job", "Value": "report"}]
    outputs = target.outputs["ecsTarget"]
    assert outputs["taskCount"] == 1 and outputs["enableEcsManagedTags"] is False
    assert outputs["networkConfiguration"] == {"subnets": sorted(subnets), "securityGroups": [],
                                               "assignPublicIp": True}
    assert provisioner.read(target) == target.outputs
    assert not provisioner.plan(target, {"ecsTarget": {**ecs_target, "networkConfiguration": {
        "subnets": subnets, "assignPublicIp": True}}}).has_changes  # subnets are a set

    target = provisioner.update(target, {"ecsTarget": {**ecs_target, "taskCount": 2, "group": "reports",
                                                       "propagateTags": "TASK_DEFINITION"},
                                         "retryPolicy": {"maximumRetryAttempts": 2},
                                         "deadLetterConfig": {"arn": "arn:aws:sqs:us-east-1:123456789012:dlq"}})
    [listed] = events.list_targets_by_rule(Rule=rule.inputs["name"])["Targets"]
    assert listed["EcsParameters"]["TaskCount"] == 2 and listed["EcsParameters"]["Group"] == "reports"
    assert listed["EcsParameters"]["PropagateTags"] == "TASK_DEFINITION"
    assert listed["RetryPolicy"] == {"MaximumRetryAttempts": 2}
    assert listed["DeadLetterConfig"] == {"Arn": "arn:aws:sqs:us-east-1:123456789012:dlq"}
    assert target.outputs["ecsTarget"]["taskCount"] == 2
    provisioner.assert_deleted(target)
    assert events.list_targets_by_rule(Rule=rule.inputs["name"])["Targets"] == []


def test_ecs_target_needs_its_task_definition() -> None:
    target = {"rule": "r", "arn": "arn:aws:ecs:us-east-1:123456789012:cluster/jobs"}
    assert failed_properties(TARGET, {**target, "ecsTarget": {"taskCount": 2}}) == {"ecsTarget"}
    assert failed_properties(TARGET, {**target, "ecsTarget": {"taskDefinitionArn": "arn:td"}}) == set()
