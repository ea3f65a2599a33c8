"""scheduled-task: the scheduler and an EventBridge rule both run the report task on the Spot-preferring cluster;
editing the schedule changes it in place."""

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config

SCHEDULE = "aws:scheduler/schedule:Schedule"


def _schedule(cloud: Cloud, out: Outputs) -> dict:
    return cloud.client("scheduler").get_schedule(GroupName=out["schedule_group"], Name=out["schedule_name"])


def verify(cloud: Cloud, out: Outputs) -> None:
    ecs, events = cloud.client("ecs"), cloud.client("events")
    schedule = _schedule(cloud, out)
    assert schedule["ScheduleExpression"] == "cron(0 2 * * ? *)"
    assert schedule["ScheduleExpressionTimezone"] == "Europe/Berlin"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 30}
    target = schedule["Target"]
    assert target["Arn"] == out["cluster_arn"] and target["RetryPolicy"]["MaximumRetryAttempts"] == 2
    assert target["EcsParameters"]["TaskDefinitionArn"] == out["task_definition_arn"]
    assert target["EcsParameters"]["NetworkConfiguration"]["awsvpcConfiguration"]["AssignPublicIp"] == "ENABLED"
    runner = target["RoleArn"].split("/")[-1]
    trust = cloud.client("iam").get_role(RoleName=runner)["Role"]["AssumeRolePolicyDocument"]
    assert "scheduler.amazonaws.com" in trust["Statement"][0]["Principal"]["Service"]

    [rule_target] = events.list_targets_by_rule(Rule=out["deploy_rule"])["Targets"]
    assert rule_target["Arn"] == out["cluster_arn"] and rule_target["RoleArn"] == target["RoleArn"]
    assert rule_target["EcsParameters"]["TaskDefinitionArn"] == out["task_definition_arn"]
    assert rule_target["EcsParameters"]["LaunchType"] == "FARGATE"

    [cluster] = ecs.describe_clusters(clusters=[out["cluster_arn"]])["clusters"]
    assert sorted(cluster["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    strategy = {s["capacityProvider"]: (s["base"], s["weight"]) for s in cluster["defaultCapacityProviderStrategy"]}
    assert strategy == {"FARGATE_SPOT": (0, 3), "FARGATE": (1, 1)}
    task = ecs.describe_task_definition(taskDefinition=out["task_definition_arn"])["taskDefinition"]
    assert task["containerDefinitions"][0]["image"] == f"{out['repository_url']}:latest"
    assert out["registry_password"]


def verify_new_schedule(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert _schedule(cloud, after)["ScheduleExpression"] == "rate(6 hours)"
    assert after["schedule_name"] == before["schedule_name"]


CASE = ProgramCase("scheduled-task", verify,
                   Edit(set_config("test", schedule="rate(6 hours)"), (("update", SCHEDULE),), verify_new_schedule),
                   secret_outputs=("registry_password",))
