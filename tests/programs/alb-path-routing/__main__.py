"""An application load balancer in the default VPC with path-based routing: /api/* goes to the API servers,
/static/* to the web servers, and anything else gets a 404 from the listener itself."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
api_path = config.get("apiPath") or "/api/*"

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[aws.ec2.GetSubnetsFilterArgs(name="vpc-id", values=[vpc.id])])
ami = aws.ec2.get_ami(
    most_recent=True,
    owners=["amazon"],
    filters=[aws.ec2.GetAmiFilterArgs(name="name", values=["amzn2-ami-hvm-*-x86_64-gp2"])],
)

web_sg = aws.ec2.SecurityGroup(
    "web-sg",
    vpc_id=vpc.id,
    description="HTTP from anywhere",
    ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=80, to_port=80, cidr_blocks=["0.0.0.0/0"])],
    egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])],
)

alb = aws.lb.LoadBalancer(
    "frontend",
    load_balancer_type="application",
    security_groups=[web_sg.id],
    subnets=subnets.ids,
    tags={"Name": "frontend"},
)

listener = aws.lb.Listener(
    "http",
    load_balancer_arn=alb.arn,
    port=80,
    protocol="HTTP",
    default_actions=[
        aws.lb.ListenerDefaultActionArgs(
            type="fixed-response",
            fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                content_type="text/plain", message_body="Not found", status_code="404"
            ),
        )
    ],
)


def service(name: str, path: str, priority: int, port: int) -> aws.lb.TargetGroup:
    """A target group of two instances, and the rule that sends `path` to it."""
    group = aws.lb.TargetGroup(
        f"{name}-tg",
        port=port,
        protocol="HTTP",
        vpc_id=vpc.id,
        health_check=aws.lb.TargetGroupHealthCheckArgs(path="/health", matcher="200"),
    )
    for index in range(2):
        server = aws.ec2.Instance(
            f"{name}-{index}",
            ami=ami.id,
            instance_type="t3.micro",
            subnet_id=subnets.ids[index % len(subnets.ids)],
            vpc_security_group_ids=[web_sg.id],
            tags={"Name": f"{name}-{index}", "Role": name},
        )
        aws.lb.TargetGroupAttachment(f"{name}-{index}-attachment", target_group_arn=group.arn,
                                     target_id=server.id, port=port)
    aws.lb.ListenerRule(
        f"{name}-rule",
        listener_arn=listener.arn,
        priority=priority,
        actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=group.arn)],
        conditions=[
            aws.lb.ListenerRuleConditionArgs(path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=[path]))
        ],
    )
    return group


api = service("api", api_path, 10, 8080)
web = service("web", "/static/*", 20, 80)

# Looked up again by name, as another stack would find it.
looked_up = aws.lb.get_load_balancer_output(name=alb.name)

pulumi.export("url", looked_up.dns_name)
pulumi.export("listener_arn", listener.arn)
pulumi.export("api_target_group", api.arn)
pulumi.export("web_target_group", web.arn)
