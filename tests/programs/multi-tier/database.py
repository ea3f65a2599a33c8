"""The data tier: a PostgreSQL instance in the private subnets, reachable only from the web tier, and its
connection settings in Secrets Manager."""


import pulumi
import pulumi_aws as aws


class Database(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        vpc: aws.ec2.Vpc,
        subnet_ids: pulumi.Input[list[str]],
        clients: aws.ec2.SecurityGroup,
        password: pulumi.Input[str],
        instance_class: str,
        protect: bool,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("multitier:database:Database", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=vpc.id,
            description="PostgreSQL from the web tier",
            ingress=[{"protocol": "tcp", "from_port": 5432, "to_port": 5432, "security_groups": [clients.id]}],
            opts=child,
        )
        subnet_group = aws.rds.SubnetGroup(f"{name}-subnets", subnet_ids=subnet_ids, opts=child)
        self.instance = aws.rds.Instance(
            f"{name}-instance",
            engine="postgres",
            engine_version="16.3",
            instance_class=instance_class,
            allocated_storage=20,
            db_name="app",
            username="app",
            password=password,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[security_group.id],
            skip_final_snapshot=True,
            apply_immediately=True,
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=protect)),
        )
        self.connection_secret = aws.secretsmanager.Secret(f"{name}-connection", recovery_window_in_days=0, opts=child)
        aws.secretsmanager.SecretVersion(
            f"{name}-connection",
            secret_id=self.connection_secret.id,
            secret_string=pulumi.Output.json_dumps(
                {
                    "host": self.instance.address,
                    "port": self.instance.port,
                    "dbname": "app",
                    "username": "app",
                    "password": password,
                }
            ),
            opts=child,
        )
        self.register_outputs({"endpoint": self.instance.endpoint, "connectionSecretArn": self.connection_secret.arn})
