"""A report job on ECS Fargate: its image repository, a cluster that prefers Fargate Spot, and a task that
EventBridge Scheduler runs every night; an EventBridge rule also runs it when a deploy finishes."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
schedule_expression = config.get("schedule") or "cron(0 2 * * ? *)"

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[aws.ec2.GetSubnetsFilterArgs(name="vpc-id", values=[vpc.id])])

repository = aws.ecr.Repository("reports", force_delete=True)
registry = aws.ecr.get_authorization_token_output(registry_id=repository.registry_id)

cluster = aws.ecs.Cluster("jobs")
aws.ecs.ClusterCapacityProviders(
    "jobs-capacity",
    cluster_name=cluster.name,
    capacity_providers=["FARGATE", "FARGATE_SPOT"],
    default_capacity_provider_strategies=[
        aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(capacity_provider="FARGATE_SPOT",
                                                                            weight=3),
        aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(capacity_provider="FARGATE", base=1,
                                                                            weight=1),
    ],
)


def assumed_by(service: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    })


execution_role = aws.iam.Role("report-execution", assume_role_policy=assumed_by("ecs-tasks.amazonaws.com"))
aws.iam.RolePolicyAttachment(
    "report-execution-policy",
    role=execution_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
)

task = aws.ecs.TaskDefinition(
    "report",
    family="nightly-report",
    cpu="256",
    memory="512",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    execution_role_arn=execution_role.arn,
    container_definitions=repository.repository_url.apply(lambda url: json.dumps([{
        "name": "report",
        "image": f"{url}:latest",
        "essential": True,
        "command": ["python", "-m", "report"],
    }])),
)

# The role EventBridge Scheduler and EventBridge assume to start the task.
runner = aws.iam.Role("report-runner", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": ["scheduler.amazonaws.com", "events.amazonaws.com"]},
                   "Action": "sts:AssumeRole"}],
}))
aws.iam.RolePolicy("report-runner-policy", role=runner.id, policy=pulumi.Output.json_dumps({
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "ecs:RunTask", "Resource": task.arn_without_revision.apply(lambda a: f"{a}:*")},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": execution_role.arn},
    ],
}))

group = aws.scheduler.ScheduleGroup("reports", tags={"team": "data"})
schedule = aws.scheduler.Schedule(
    "nightly-report",
    group_name=group.name,
    schedule_expression=schedule_expression,
    schedule_expression_timezone="Europe/Berlin",
    flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="FLEXIBLE", maximum_window_in_minutes=30),
    target=aws.scheduler.ScheduleTargetArgs(
        arn=cluster.arn,
        role_arn=runner.arn,
        ecs_parameters=aws.scheduler.ScheduleTargetEcsParametersArgs(
            task_definition_arn=task.arn,
            launch_type="FARGATE",
            network_configuration=aws.scheduler.ScheduleTargetEcsParametersNetworkConfigurationArgs(
                subnets=subnets.ids, assign_public_ip=True),
        ),
        retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(maximum_retry_attempts=2),
    ),
)

deploys = aws.cloudwatch.EventRule("after-deploy", event_pattern=json.dumps({
    "source": ["aws.codedeploy"],
    "detail-type": ["CodeDeploy Deployment State-change Notification"],
    "detail": {"state": ["SUCCESS"]},
}))
aws.cloudwatch.EventTarget(
    "report-after-deploy",
    rule=deploys.name,
    arn=cluster.arn,
    role_arn=runner.arn,
    ecs_target=aws.cloudwatch.EventTargetEcsTargetArgs(
        task_definition_arn=task.arn,
        launch_type="FARGATE",
        network_configuration=aws.cloudwatch.EventTargetEcsTargetNetworkConfigurationArgs(
            subnets=subnets.ids, assign_public_ip=True),
    ),
)

found = aws.ecs.get_cluster_output(cluster_name=cluster.name)

pulumi.export("cluster_arn", found.arn)
pulumi.export("schedule_group", group.name)
pulumi.export("schedule_name", schedule.name)
pulumi.export("deploy_rule", deploys.name)
pulumi.export("task_definition_arn", task.arn)
pulumi.export("repository_url", repository.repository_url)
pulumi.export("registry_password", registry.password)
