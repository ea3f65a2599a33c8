"""An SSH bastion host: a key pair from the operator's public key, an instance in a public subnet that only the
office network may reach, a data volume attached to it, and VPC flow logs in CloudWatch Logs."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
public_key = config.require("publicKey")
ssh_cidr = config.get("sshCidr") or "0.0.0.0/0"
data_volume_size = config.get_int("dataVolumeSize") or 10
tags = {"Project": pulumi.get_project(), "Stack": pulumi.get_stack()}

ami = aws.ec2.get_ami(
    most_recent=True,
    owners=["amazon"],
    filters=[aws.ec2.GetAmiFilterArgs(name="name", values=["amzn2-ami-hvm-*-x86_64-gp2"])],
)

vpc = aws.ec2.Vpc("bastion-vpc", cidr_block="10.30.0.0/16", enable_dns_hostnames=True, tags=tags)
igw = aws.ec2.InternetGateway("bastion-igw", vpc_id=vpc.id, tags=tags)
subnet = aws.ec2.Subnet(
    "bastion-public",
    vpc_id=vpc.id,
    cidr_block="10.30.1.0/24",
    map_public_ip_on_launch=True,
    tags={**tags, "Name": "bastion-public"},
)
routes = aws.ec2.RouteTable(
    "bastion-public",
    vpc_id=vpc.id,
    routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
    tags=tags,
)
aws.ec2.RouteTableAssociation("bastion-public", subnet_id=subnet.id, route_table_id=routes.id)

# VPC flow logs: every accepted and rejected connection, kept for a week.
log_group = aws.cloudwatch.LogGroup("vpc-flow-logs", retention_in_days=7, tags=tags)
flow_logs_role = aws.iam.Role(
    "vpc-flow-logs",
    assume_role_policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }],
    }),
    tags=tags,
)
aws.iam.RolePolicy(
    "vpc-flow-logs",
    role=flow_logs_role.id,
    policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "Resource": "*",
        }],
    }),
)
flow_log = aws.ec2.FlowLog(
    "bastion-vpc",
    vpc_id=vpc.id,
    traffic_type="ALL",
    log_destination=log_group.arn,
    iam_role_arn=flow_logs_role.arn,
    max_aggregation_interval=60,
    tags=tags,
)

key = aws.ec2.KeyPair("bastion", public_key=public_key, tags=tags)

ssh = aws.ec2.SecurityGroup(
    "bastion-ssh",
    description="SSH from the office",
    vpc_id=vpc.id,
    ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=22, to_port=22, cidr_blocks=[ssh_cidr])],
    egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])],
    tags=tags,
)

bastion = aws.ec2.Instance(
    "bastion",
    ami=ami.id,
    instance_type="t3.micro",
    subnet_id=subnet.id,
    key_name=key.key_name,
    vpc_security_group_ids=[ssh.id],
    tags={**tags, "Name": "bastion"},
)

data = aws.ebs.Volume(
    "bastion-data",
    availability_zone=bastion.availability_zone,
    size=data_volume_size,
    type="gp3",
    tags={**tags, "Name": "bastion-data"},
)
aws.ec2.VolumeAttachment("bastion-data", device_name="/dev/sdf", volume_id=data.id, instance_id=bastion.id)

# What others see of the bastion, looked up as a separate stack or script would.
registered_key = aws.ec2.get_key_pair_output(key_name=key.key_name)
looked_up = aws.ec2.get_instance_output(instance_id=bastion.id)
primary_interface = aws.ec2.get_network_interface_output(id=looked_up.network_interface_id)

pulumi.export("bastion_id", bastion.id)
pulumi.export("bastion_public_ip", bastion.public_ip)
pulumi.export("key_name", key.key_name)
pulumi.export("key_fingerprint", key.fingerprint)
pulumi.export("data_volume_id", data.id)
pulumi.export("flow_log_id", flow_log.id)
pulumi.export("flow_log_group", log_group.name)
pulumi.export("registered_key_id", registered_key.key_pair_id)
pulumi.export("bastion_private_ip", looked_up.private_ip)
pulumi.export("bastion_interface_subnet", primary_interface.subnet_id)
