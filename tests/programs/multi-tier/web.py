"""The web tier: an application load balancer in the public subnets, forwarding HTTP to a target group."""

import pulumi
import pulumi_aws as aws


class WebTier(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        vpc: aws.ec2.Vpc,
        subnet_ids: pulumi.Input[list[str]],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("multitier:web:WebTier", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=vpc.id,
            description="HTTP from anywhere",
            ingress=[{"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["0.0.0.0/0"]}],
            egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": [vpc.cidr_block]}],
            opts=child,
        )
        self.load_balancer = aws.lb.LoadBalancer(
            f"{name}-lb", security_groups=[self.security_group.id], subnets=subnet_ids, opts=child
        )
        self.target_group = aws.lb.TargetGroup(
            f"{name}-tg",
            port=8080,
            protocol="HTTP",
            target_type="ip",
            vpc_id=vpc.id,
            health_check={"path": "/health", "matcher": "200"},
            opts=child,
        )
        aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=self.load_balancer.arn,
            port=80,
            default_actions=[{"type": "forward", "target_group_arn": self.target_group.arn}],
            opts=child,
        )
        self.url = self.load_balancer.dns_name.apply(lambda dns: f"http://{dns}/")
        self.register_outputs({"url": self.url})
