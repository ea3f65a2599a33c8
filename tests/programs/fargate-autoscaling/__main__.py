"""A Fargate service whose desired count Application Auto Scaling owns: between 1 and maxTasks tasks, tracking
an average CPU utilisation of targetCpu percent."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
max_tasks = config.get_int("maxTasks") or 4
target_cpu = config.get_int("targetCpu") or 60

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])

service_sg = aws.ec2.SecurityGroup(
    "api-sg",
    vpc_id=vpc.id,
    description="HTTP to the API tasks",
    ingress=[{"protocol": "tcp", "from_port": 8080, "to_port": 8080, "cidr_blocks": [vpc.cidr_block]}],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)

execution_role = aws.iam.Role(
    "api-exec-role",
    assume_role_policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                       "Action": "sts:AssumeRole"}],
    }),
)
aws.iam.RolePolicyAttachment(
    "api-exec-policy",
    role=execution_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
)

cluster = aws.ecs.Cluster("api-cluster")

task_definition = aws.ecs.TaskDefinition(
    "api-task",
    family="api",
    cpu="512",
    memory="1024",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    execution_role_arn=execution_role.arn,
    container_definitions=json.dumps([{
        "name": "api",
        "image": "public.ecr.aws/docker/library/httpd:2.4",
        "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
    }]),
)

service = aws.ecs.Service(
    "api",
    cluster=cluster.arn,
    desired_count=1,
    launch_type="FARGATE",
    task_definition=task_definition.arn,
    network_configuration={"subnets": subnets.ids, "security_groups": [service_sg.id], "assign_public_ip": True},
    # Once it runs, the autoscaler owns the task count.
    opts=pulumi.ResourceOptions(ignore_changes=["desiredCount"]),
)

scaling_target = aws.appautoscaling.Target(
    "api-scaling-target",
    service_namespace="ecs",
    resource_id=pulumi.Output.concat("service/", cluster.name, "/", service.name),
    scalable_dimension="ecs:service:DesiredCount",
    min_capacity=1,
    max_capacity=max_tasks,
)

cpu_policy = aws.appautoscaling.Policy(
    "api-cpu-scaling",
    policy_type="TargetTrackingScaling",
    service_namespace=scaling_target.service_namespace,
    resource_id=scaling_target.resource_id,
    scalable_dimension=scaling_target.scalable_dimension,
    target_tracking_scaling_policy_configuration={
        "target_value": target_cpu,
        "scale_in_cooldown": 120,
        "scale_out_cooldown": 60,
        "predefined_metric_specification": {"predefined_metric_type": "ECSServiceAverageCPUUtilization"},
    },
)

pulumi.export("cluster_name", cluster.name)
pulumi.export("service_name", service.name)
pulumi.export("scaling_resource_id", scaling_target.resource_id)
pulumi.export("policy_name", cpu_policy.name)
pulumi.export("policy_arn", cpu_policy.arn)
