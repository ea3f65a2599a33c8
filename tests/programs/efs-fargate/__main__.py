"""Persistent storage for Fargate: an EFS file system with a mount target in each default subnet, an access point
for the app's user, and a service whose task mounts it at /data."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
infrequent_access_after = config.get("infrequentAccessAfter") or "AFTER_30_DAYS"

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])

app_sg = aws.ec2.SecurityGroup(
    "app-sg",
    vpc_id=vpc.id,
    description="The app's tasks",
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
nfs_sg = aws.ec2.SecurityGroup(
    "nfs-sg",
    vpc_id=vpc.id,
    description="NFS from the app's tasks",
    ingress=[{"protocol": "tcp", "from_port": 2049, "to_port": 2049, "security_groups": [app_sg.id]}],
)

files = aws.efs.FileSystem(
    "app-files",
    encrypted=True,
    performance_mode="generalPurpose",
    throughput_mode="bursting",
    lifecycle_policies=[{"transition_to_ia": infrequent_access_after}],
    tags={"Name": "app-files"},
)

mount_targets = [
    aws.efs.MountTarget(f"app-files-{index}", file_system_id=files.id, subnet_id=subnet_id,
                        security_groups=[nfs_sg.id])
    for index, subnet_id in enumerate(subnets.ids[:2])
]

access_point = aws.efs.AccessPoint(
    "app-files-ap",
    file_system_id=files.id,
    posix_user={"uid": 1000, "gid": 1000},
    root_directory={"path": "/app", "creation_info": {"owner_uid": 1000, "owner_gid": 1000, "permissions": "750"}},
)

execution_role = aws.iam.Role(
    "task-exec-role",
    assume_role_policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                       "Action": "sts:AssumeRole"}],
    }),
)
aws.iam.RolePolicyAttachment(
    "task-exec-policy",
    role=execution_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
)

cluster = aws.ecs.Cluster("app-cluster")

task_definition = aws.ecs.TaskDefinition(
    "app-task",
    family="app-with-efs",
    cpu="256",
    memory="512",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    execution_role_arn=execution_role.arn,
    volumes=[{
        "name": "app-data",
        "efs_volume_configuration": {
            "file_system_id": files.id,
            "transit_encryption": "ENABLED",
            "authorization_config": {"access_point_id": access_point.id, "iam": "DISABLED"},
        },
    }],
    container_definitions=json.dumps([{
        "name": "app",
        "image": "nginx",
        "essential": True,
        "mountPoints": [{"sourceVolume": "app-data", "containerPath": "/data"}],
    }]),
)

service = aws.ecs.Service(
    "app-svc",
    cluster=cluster.arn,
    desired_count=1,
    launch_type="FARGATE",
    task_definition=task_definition.arn,
    network_configuration={"subnets": subnets.ids[:2], "security_groups": [app_sg.id], "assign_public_ip": True},
    opts=pulumi.ResourceOptions(depends_on=mount_targets),
)

found = aws.efs.get_file_system_output(file_system_id=files.id)

pulumi.export("file_system_id", files.id)
pulumi.export("file_system_dns", found.dns_name)
pulumi.export("access_point_id", access_point.id)
pulumi.export("mount_target_ids", [target.id for target in mount_targets])
pulumi.export("task_definition_arn", task_definition.arn)
pulumi.export("service_name", service.name)
