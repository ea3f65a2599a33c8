"""A web server on EC2: a VPC with a public subnet, an internet route, a security group allowing HTTP, an
instance from the latest Amazon Linux 2 AMI and an Elastic IP."""

import pulumi
import pulumi_aws as aws
from ami import get_linux_ami

config = pulumi.Config()
instance_type = config.get("instanceType") or "t2.micro"
greeting = config.require("greeting")

azs = aws.get_availability_zones(state="available")

vpc = aws.ec2.Vpc(
    "web-vpc",
    cidr_block="10.0.0.0/16",
    enable_dns_hostnames=True,
    enable_dns_support=True,
    tags={"Name": "web-vpc"},
)

gateway = aws.ec2.InternetGateway("web-igw", vpc_id=vpc.id)

subnet = aws.ec2.Subnet(
    "web-subnet",
    vpc_id=vpc.id,
    cidr_block="10.0.1.0/24",
    availability_zone=azs.names[0],
    map_public_ip_on_launch=True,
)

route_table = aws.ec2.RouteTable(
    "web-routes",
    vpc_id=vpc.id,
    routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=gateway.id)],
)

aws.ec2.RouteTableAssociation("web-subnet-routes", subnet_id=subnet.id, route_table_id=route_table.id)

group = aws.ec2.SecurityGroup(
    "web-secgrp",
    description="Enable HTTP access",
    vpc_id=vpc.id,
    ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=80, to_port=80, cidr_blocks=["0.0.0.0/0"])],
    egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])],
)

user_data = f"""#!/bin/bash
echo "{greeting}" > index.html
nohup python -m SimpleHTTPServer 80 &
"""

ami = get_linux_ami()

server = aws.ec2.Instance(
    "web-server-www",
    instance_type=instance_type,
    vpc_security_group_ids=[group.id],
    subnet_id=subnet.id,
    user_data=user_data,
    ami=ami.id,
    tags={"Name": "web-server-www"},
    # A new page means a fresh server, not a changed boot script on the running one.
    opts=pulumi.ResourceOptions(replace_on_changes=["userData"]),
)

eip = aws.ec2.Eip("web-eip", instance=server.id, domain="vpc", opts=pulumi.ResourceOptions(depends_on=[gateway]))

pulumi.export("vpc_id", vpc.id)
pulumi.export("instance_id", server.id)
pulumi.export("ami_id", ami.id)
pulumi.export("public_ip", eip.public_ip)
pulumi.export("public_dns", eip.public_dns)
