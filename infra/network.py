"""A VPC with two public subnets in two availability zones, an internet route and an HTTPS security group."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from itertools import islice

import pulumi
import pulumi_aws as aws

SUBNET_COUNT = 2
HTTPS_PORT = 443


@dataclass(frozen=True)
class NetworkArgs:
    cidr_block: str


def subnet_cidrs(vpc_cidr: str, count: int) -> list[str]:
    """The first `count` sixteenths of the VPC range, leaving the rest free for later tiers."""
    blocks = ipaddress.ip_network(vpc_cidr).subnets(prefixlen_diff=4)
    return [str(block) for block in islice(blocks, count)]


class Network(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: NetworkArgs, tags: dict[str, str], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("envctl:reference:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        zones = aws.get_availability_zones(state="available").names[:SUBNET_COUNT]

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr_block,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=tags,
            opts=child,
        )
        # Logical names use the index, not the zone, so a change in zone availability is an update.
        subnets = [
            aws.ec2.Subnet(
                f"{name}-subnet-{index}",
                vpc_id=vpc.id,
                cidr_block=cidr,
                availability_zone=zone,
                tags=tags,
                opts=child,
            )
            for index, (zone, cidr) in enumerate(zip(zones, subnet_cidrs(args.cidr_block, SUBNET_COUNT), strict=True))
        ]
        gateway = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags=tags, opts=child)
        route_table = aws.ec2.RouteTable(
            f"{name}-public",
            vpc_id=vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=gateway.id)],
            tags=tags,
            opts=child,
        )
        for index, subnet in enumerate(subnets):
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{index}", route_table_id=route_table.id, subnet_id=subnet.id, opts=child
            )
        security_group = aws.ec2.SecurityGroup(
            f"{name}-https",
            description="HTTPS from inside the VPC",
            vpc_id=vpc.id,
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(
                    protocol="tcp", from_port=HTTPS_PORT, to_port=HTTPS_PORT, cidr_blocks=[args.cidr_block]
                )
            ],
            egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])],
            tags=tags,
            opts=child,
        )

        self.vpc_id: pulumi.Output[str] = vpc.id
        self.subnet_ids: list[pulumi.Output[str]] = [subnet.id for subnet in subnets]
        self.security_group_id: pulumi.Output[str] = security_group.id
        self.register_outputs(
            {"vpcId": self.vpc_id, "subnetIds": self.subnet_ids, "securityGroupId": self.security_group_id}
        )
