"""Aurora PostgreSQL in the default VPC: a cluster with its own parameter group, one writer and one reader."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
password = config.require_secret("dbPassword")
instance_class = config.get("instanceClass") or "db.r6g.large"
backup_retention_days = config.get_int("backupRetentionDays") or 7

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])

db_security_group = aws.ec2.SecurityGroup(
    "aurora-sg",
    vpc_id=vpc.id,
    description="PostgreSQL from inside the VPC",
    ingress=[{"protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_blocks": [vpc.cidr_block]}],
)

subnet_group = aws.rds.SubnetGroup("aurora-subnets", subnet_ids=subnets.ids, tags={"Name": "aurora-subnets"})

cluster_parameters = aws.rds.ClusterParameterGroup(
    "aurora-params",
    family="aurora-postgresql15",
    description="Aurora PostgreSQL 15 with query logging",
    parameters=[
        {"name": "log_min_duration_statement", "value": "500"},
        {"name": "rds.force_ssl", "value": "1", "apply_method": "pending-reboot"},
    ],
)

cluster = aws.rds.Cluster(
    "aurora",
    engine="aurora-postgresql",
    engine_version="15.4",
    database_name="orders",
    master_username="orders_admin",
    master_password=password,
    db_subnet_group_name=subnet_group.name,
    db_cluster_parameter_group_name=cluster_parameters.name,
    vpc_security_group_ids=[db_security_group.id],
    backup_retention_period=backup_retention_days,
    preferred_backup_window="07:00-09:00",
    storage_encrypted=True,
    skip_final_snapshot=True,
    apply_immediately=True,
    tags={"app": "orders"},
)

instances = [
    aws.rds.ClusterInstance(
        f"aurora-{index}",
        cluster_identifier=cluster.id,
        engine=cluster.engine,
        engine_version=cluster.engine_version,
        instance_class=instance_class,
        db_subnet_group_name=subnet_group.name,
        promotion_tier=index,
        publicly_accessible=False,
    )
    for index in range(2)
]

looked_up = aws.rds.get_subnet_group_output(name=subnet_group.name)

pulumi.export("cluster_id", cluster.id)
pulumi.export("writer_endpoint", cluster.endpoint)
pulumi.export("reader_endpoint", cluster.reader_endpoint)
pulumi.export("instance_ids", [instance.id for instance in instances])
pulumi.export("subnet_group_vpc", looked_up.vpc_id)
pulumi.export(
    "connection_url",
    pulumi.Output.format("postgresql://orders_admin:{0}@{1}:5432/orders", password, cluster.endpoint),
)
