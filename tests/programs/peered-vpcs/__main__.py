"""Two VPCs joined by a peering connection: the application VPC reaches the database port of the data VPC and
nothing else. The data subnets' network ACL admits only the application network, the data VPC's default
security group and network ACL are locked down, and each VPC's main route table routes to its peer."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
database_port = config.get_int("databasePort") or 5432
tags = {"Project": pulumi.get_project(), "Stack": pulumi.get_stack()}

networks = {"app": "10.1.0.0/16", "data": "10.2.0.0/16"}
vpcs = {
    name: aws.ec2.Vpc(f"{name}-vpc", cidr_block=cidr, enable_dns_hostnames=True, tags={**tags, "Name": name})
    for name, cidr in networks.items()
}

peering = aws.ec2.VpcPeeringConnection(
    "app-to-data",
    vpc_id=vpcs["app"].id,
    peer_vpc_id=vpcs["data"].id,
    auto_accept=True,
    accepter=aws.ec2.VpcPeeringConnectionAccepterArgs(allow_remote_vpc_dns_resolution=True),
    requester=aws.ec2.VpcPeeringConnectionRequesterArgs(allow_remote_vpc_dns_resolution=True),
    tags={**tags, "Name": "app-to-data"},
)

# Each VPC's main route table sends the peer's range over the peering connection.
for name, peer in (("app", "data"), ("data", "app")):
    aws.ec2.DefaultRouteTable(
        f"{name}-main",
        default_route_table_id=vpcs[name].default_route_table_id,
        routes=[aws.ec2.DefaultRouteTableRouteArgs(cidr_block=networks[peer], vpc_peering_connection_id=peering.id)],
        tags={**tags, "Name": f"{name}-main"},
    )

app_subnet = aws.ec2.Subnet("app-1", vpc_id=vpcs["app"].id, cidr_block="10.1.1.0/24", tags=tags)
data_subnets = [
    aws.ec2.Subnet(f"data-{index}", vpc_id=vpcs["data"].id, cidr_block=f"10.2.{index}.0/24", tags=tags)
    for index in (1, 2)
]

data_acl = aws.ec2.NetworkAcl(
    "data",
    vpc_id=vpcs["data"].id,
    subnet_ids=[data_subnets[0].id],
    ingress=[aws.ec2.NetworkAclIngressArgs(rule_no=100, action="allow", protocol="tcp", cidr_block=networks["app"],
                                           from_port=database_port, to_port=database_port)],
    egress=[aws.ec2.NetworkAclEgressArgs(rule_no=100, action="allow", protocol="tcp", cidr_block=networks["app"],
                                         from_port=1024, to_port=65535)],
    tags={**tags, "Name": "data"},
)
# Operators may reach the data subnets over SSH from the application network too.
aws.ec2.NetworkAclRule(
    "data-ssh",
    network_acl_id=data_acl.id,
    rule_number=110,
    egress=False,
    protocol="tcp",
    rule_action="allow",
    cidr_block=networks["app"],
    from_port=22,
    to_port=22,
)
aws.ec2.NetworkAclAssociation("data-2", network_acl_id=data_acl.id, subnet_id=data_subnets[1].id)

# Nothing the program does not declare gets into the data VPC.
aws.ec2.DefaultSecurityGroup("data-default", vpc_id=vpcs["data"].id, tags={**tags, "Name": "data-default"})
aws.ec2.DefaultNetworkAcl("data-default", default_network_acl_id=vpcs["data"].default_network_acl_id,
                          tags={**tags, "Name": "data-default"})

pulumi.export("app_vpc_id", vpcs["app"].id)
pulumi.export("data_vpc_id", vpcs["data"].id)
pulumi.export("peering_id", peering.id)
pulumi.export("peering_status", peering.accept_status)
pulumi.export("data_acl_id", data_acl.id)
pulumi.export("data_subnet_ids", [subnet.id for subnet in data_subnets])
pulumi.export("app_subnet_id", app_subnet.id)
pulumi.export("data_route_table_ids", aws.ec2.get_route_tables_output(vpc_id=vpcs["data"].id).ids)
