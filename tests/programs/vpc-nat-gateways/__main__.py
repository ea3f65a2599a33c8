"""A two-tier VPC: public subnets behind an internet gateway and private subnets that reach out through NAT
gateways, one per availability zone (or a single shared one, to save money outside production)."""

import ipaddress

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
vpc_cidr = config.get("vpcCidr") or "10.0.0.0/16"
nat_per_az = config.get_bool("natGatewayPerAz")
if nat_per_az is None:
    nat_per_az = True
stack = pulumi.get_stack()
base_tags = {"Project": pulumi.get_project(), "Stack": stack}

zones = aws.get_availability_zones(state="available").names[:2]
blocks = list(ipaddress.ip_network(vpc_cidr).subnets(new_prefix=24))

vpc = aws.ec2.Vpc(
    "main",
    cidr_block=vpc_cidr,
    enable_dns_hostnames=True,
    enable_dns_support=True,
    tags={**base_tags, "Name": f"{stack}-vpc"},
)

igw = aws.ec2.InternetGateway("main-igw", vpc_id=vpc.id, tags={**base_tags, "Name": f"{stack}-igw"})

public_routes = aws.ec2.RouteTable(
    "public",
    vpc_id=vpc.id,
    routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
    tags={**base_tags, "Name": f"{stack}-public"},
)

public_subnets = []
private_subnets = []
for index, zone in enumerate(zones):
    public = aws.ec2.Subnet(
        f"public-{index + 1}",
        vpc_id=vpc.id,
        cidr_block=str(blocks[index]),
        availability_zone=zone,
        map_public_ip_on_launch=True,
        tags={**base_tags, "Name": f"{stack}-public-{zone}", "Tier": "public"},
    )
    aws.ec2.RouteTableAssociation(f"public-{index + 1}", subnet_id=public.id, route_table_id=public_routes.id)
    public_subnets.append(public)

    private = aws.ec2.Subnet(
        f"private-{index + 1}",
        vpc_id=vpc.id,
        cidr_block=str(blocks[10 + index]),
        availability_zone=zone,
        tags={**base_tags, "Name": f"{stack}-private-{zone}", "Tier": "private"},
    )
    private_subnets.append(private)

nat_gateways = []
for index in range(len(zones) if nat_per_az else 1):
    address = aws.ec2.Eip(f"nat-{index + 1}", domain="vpc", tags={**base_tags, "Name": f"{stack}-nat-{index + 1}"})
    nat_gateways.append(aws.ec2.NatGateway(
        f"nat-{index + 1}",
        allocation_id=address.id,
        subnet_id=public_subnets[index].id,
        tags={**base_tags, "Name": f"{stack}-nat-{index + 1}"},
        opts=pulumi.ResourceOptions(depends_on=[igw]),
    ))

for index, private in enumerate(private_subnets):
    nat = nat_gateways[index % len(nat_gateways)]
    routes = aws.ec2.RouteTable(
        f"private-{index + 1}",
        vpc_id=vpc.id,
        routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)],
        tags={**base_tags, "Name": f"{stack}-private-{index + 1}"},
    )
    aws.ec2.RouteTableAssociation(f"private-{index + 1}", subnet_id=private.id, route_table_id=routes.id)

pulumi.export("vpc_id", vpc.id)
pulumi.export("public_subnet_ids", [subnet.id for subnet in public_subnets])
pulumi.export("private_subnet_ids", [subnet.id for subnet in private_subnets])
pulumi.export("nat_gateway_ids", [nat.id for nat in nat_gateways])
pulumi.export("nat_public_ips", [nat.public_ip for nat in nat_gateways])
