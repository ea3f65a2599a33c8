"""Scheduled ECS tasks: an EventBridge rule's target that runs a task (ecsTarget), against the session's moto
server."""

from __future__ import annotations

import json

from envctl.providers.aws.context import AwsContext

from provider_steps import Provisioner, failed_properties, provider, unique

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
        "Subnets": sorted(subnets), "AssignPublicIp": "ENABLED"}
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


def test_ecs_target_needs_its_task_definition_and_takes_tag_values_as_strings() -> None:
    target = {"rule": "r", "arn": "arn:aws:ecs:us-east-1:123456789012:cluster/jobs"}
    assert failed_properties(TARGET, {**target, "ecsTarget": {"taskCount": 2}}) == {"ecsTarget"}
    ecs = {"taskDefinitionArn": "arn:td", "tags": {"nightly": True, "shard": 3}}
    assert provider(TARGET).check("t", None, {**target, "ecsTarget": ecs}).inputs["ecsTarget"]["tags"] == {
        "nightly": "true", "shard": "3"}


# ---- EventBridge Scheduler ------------------------------------------------------------------

SCHEDULE_GROUP = "aws:scheduler/scheduleGroup:ScheduleGroup"
SCHEDULE = "aws:scheduler/schedule:Schedule"
SCHEDULER_ROLE = "arn:aws:iam::123456789012:role/scheduler"


def test_schedule_group_lifecycle(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    scheduler = aws_ctx.client("scheduler")
    group = provisioner.create(SCHEDULE_GROUP, "reports", {"tags": {"team": "data"}})
    name = group.inputs["name"]
    assert group.id == name and name.startswith("reports-")
    described = scheduler.get_schedule_group(Name=name)
    assert group.outputs["arn"] == described["Arn"] and group.outputs["state"] == "ACTIVE"
    assert group.outputs["creationDate"].endswith("Z")
    assert scheduler.list_tags_for_resource(ResourceArn=described["Arn"])["Tags"][-1] == {"Key": "team",
                                                                                           "Value": "data"}
    assert provisioner.read(group) == group.outputs
    assert provisioner.plan(group, {"name": "other"}).replaces == ("name",)
    group = provisioner.update(group, {"tags": {"team": "finance"}})
    tags = {t["Key"]: t["Value"] for t in scheduler.list_tags_for_resource(ResourceArn=described["Arn"])["Tags"]}
    assert tags["team"] == "finance"
    provisioner.assert_deleted(group)
    assert name not in {g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]}


def test_schedule_runs_an_ecs_task_and_sends_to_a_queue(provisioner: Provisioner, aws_ctx: AwsContext,
                                                        default_network: tuple) -> None:
    scheduler = aws_ctx.client("scheduler")
    _, subnets = default_network
    queue_arn = aws_ctx.client("sqs").get_queue_attributes(
        QueueUrl=aws_ctx.client("sqs").create_queue(QueueName=unique("reminders"))["QueueUrl"],
        AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    group = provisioner.create(SCHEDULE_GROUP, "jobs", {})
    cluster = provisioner.create(CLUSTER, "scheduled", {})
    ecs = {"taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/report:1",
           "launchType": "FARGATE", "tags": {"job": "report"},
           "networkConfiguration": {"subnets": subnets, "assignPublicIp": False}}
    schedule = provisioner.create(SCHEDULE, "nightly", {
        "groupName": group.id, "scheduleExpression": "cron(0 3 * * ? *)",
        "scheduleExpressionTimezone": "Europe/Paris", "flexibleTimeWindow": {"mode": "OFF"},
        "target": {"arn": cluster.id, "roleArn": SCHEDULER_ROLE, "ecsParameters": ecs,
                   "retryPolicy": {"maximumRetryAttempts": 3, "maximumEventAgeInSeconds": 3600}}})
    name = schedule.inputs["name"]
    assert schedule.id == f"{group.id}/{name}"
    described = scheduler.get_schedule(GroupName=group.id, Name=name)
    assert described["ScheduleExpressionTimezone"] == "Europe/Paris" and described["State"] == "ENABLED"
    parameters = described["Target"]["EcsParameters"]
    assert parameters["TaskDefinitionArn"] == ecs["taskDefinitionArn"] and parameters["LaunchType"] == "FARGATE"
    assert parameters["NetworkConfiguration"]["awsvpcConfiguration"]["AssignPublicIp"] == "DISABLED"
    assert parameters["Tags"] == [{"key": "job", "value": "report"}]
    assert described["Target"]["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}
    assert schedule.outputs["target"]["ecsParameters"]["tags"] == {"job": "report"}
    assert parameters["TaskCount"] == 1 and schedule.inputs["target"]["ecsParameters"]["taskCount"] == 1
    assert schedule.outputs["arn"] == described["Arn"]
    assert provisioner.read(schedule) == schedule.outputs
    assert not provisioner.plan(schedule, {}).has_changes
    assert provisioner.plan(schedule, {"groupName": "default"}).replaces == ("groupName",)

    schedule = provisioner.update(schedule, {
        "scheduleExpression": "rate(1 hour)", "state": "DISABLED", "description": "hourly reminder",
        "flexibleTimeWindow": {"mode": "FLEXIBLE", "maximumWindowInMinutes": 15},
        "target": {"arn": queue_arn, "roleArn": SCHEDULER_ROLE, "input": '{"remind": true}',
                   "deadLetterConfig": {"arn": queue_arn}}})
    described = scheduler.get_schedule(GroupName=group.id, Name=name)
    assert described["ScheduleExpression"] == "rate(1 hour)" and described["State"] == "DISABLED"
    assert described["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    assert described["Target"]["Arn"] == queue_arn and described["Target"]["Input"] == '{"remind": true}'
    assert "EcsParameters" not in described["Target"]
    assert schedule.outputs["target"]["deadLetterConfig"] == {"arn": queue_arn}
    provisioner.assert_deleted(schedule)
    assert scheduler.list_schedules(GroupName=group.id)["Schedules"] == []


def test_schedule_target_needs_a_role_and_takes_tag_values_as_strings() -> None:
    inputs = {"scheduleExpression": "rate(1 day)", "flexibleTimeWindow": {"mode": "OFF"},
              "target": {"arn": "arn:aws:sqs:us-east-1:123456789012:q"}}
    assert failed_properties(SCHEDULE, inputs) == {"target"}
    ecs = {"taskDefinitionArn": "arn:td", "tags": {"nightly": True}}
    checked = provider(SCHEDULE).check("s", None, {**inputs, "target": {
        "arn": "arn:aws:ecs:us-east-1:123456789012:cluster/jobs", "roleArn": SCHEDULER_ROLE, "ecsParameters": ecs}})
    assert checked.inputs["target"]["ecsParameters"]["tags"] == {"nightly": "true"}
