"""A self-healing web tier: a launch template for Amazon Linux 2 web servers and an Auto Scaling group that keeps
them running across two availability zones, with a target-tracking policy that holds average CPU near 50%."""

import base64

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
instance_type = config.get("instanceType") or "t3.micro"
min_size = config.get_int("minSize") or 2
max_size = config.get_int("maxSize") or 4

zones = aws.get_availability_zones(state="available").names[:2]
ami = aws.ec2.get_ami(
    most_recent=True,
    owners=["amazon"],
    filters=[aws.ec2.GetAmiFilterArgs(name="name", values=["amzn2-ami-hvm-*-x86_64-gp2"])],
)

vpc = aws.ec2.Vpc("web", cidr_block="10.40.0.0/16", enable_dns_hostnames=True, tags={"Name": "web"})
igw = aws.ec2.InternetGateway("web", vpc_id=vpc.id)
routes = aws.ec2.RouteTable(
    "web-public",
    vpc_id=vpc.id,
    routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
)
subnets = []
for index, zone in enumerate(zones):
    subnet = aws.ec2.Subnet(
        f"web-{zone}",
        vpc_id=vpc.id,
        cidr_block=f"10.40.{index + 1}.0/24",
        availability_zone=zone,
        map_public_ip_on_launch=True,
    )
    aws.ec2.RouteTableAssociation(f"web-{zone}", subnet_id=subnet.id, route_table_id=routes.id)
    subnets.append(subnet)

web = aws.ec2.SecurityGroup(
    "web",
    description="HTTP in, anything out",
    vpc_id=vpc.id,
    ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=80, to_port=80, cidr_blocks=["0.0.0.0/0"])],
    egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])],
)

boot = """#!/bin/bash
yum install -y httpd
echo "Hello from $(hostname -f)" > /var/www/html/index.html
systemctl enable --now httpd
"""

template = aws.ec2.LaunchTemplate(
    "web",
    name_prefix="web-",
    image_id=ami.id,
    instance_type=instance_type,
    vpc_security_group_ids=[web.id],
    user_data=base64.b64encode(boot.encode()).decode(),
    update_default_version=True,
    metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(http_tokens="required", http_endpoint="enabled"),
    tag_specifications=[aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type="instance",
                                                                   tags={"Name": "web", "Tier": "web"})],
)

group = aws.autoscaling.Group(
    "web",
    min_size=min_size,
    max_size=max_size,
    desired_capacity=min_size,
    vpc_zone_identifiers=[subnet.id for subnet in subnets],
    health_check_type="EC2",
    health_check_grace_period=120,
    launch_template=aws.autoscaling.GroupLaunchTemplateArgs(id=template.id, version="$Latest"),
    tags=[aws.autoscaling.GroupTagArgs(key="Name", value="web", propagate_at_launch=True)],
)

aws.autoscaling.Policy(
    "web-cpu",
    autoscaling_group_name=group.name,
    policy_type="TargetTrackingScaling",
    target_tracking_configuration=aws.autoscaling.PolicyTargetTrackingConfigurationArgs(
        predefined_metric_specification=aws.autoscaling.PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs(
            predefined_metric_type="ASGAverageCPUUtilization",
        ),
        target_value=50,
    ),
)

pulumi.export("group_name", group.name)
pulumi.export("launch_template_id", template.id)
pulumi.export("subnet_ids", [subnet.id for subnet in subnets])
