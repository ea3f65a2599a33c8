"""Hub and spoke: a transit gateway that every spoke VPC attaches to, each spoke's route table sending the other
spokes' traffic to the hub, and a blackhole route in the hub's default table for a range nobody may reach."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
blocked_cidr = config.require("blockedCidr")

hub = aws.ec2transitgateway.TransitGateway(
    "hub",
    description="spoke-to-spoke hub",
    amazon_side_asn=64512,
    dns_support="enable",
    tags={"Name": "hub"},
)

spokes = {"shared": "10.10.0.0/16", "workloads": "10.20.0.0/16"}
attachments = {}
for name, cidr in spokes.items():
    vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block=cidr, tags={"Name": name})
    subnet = aws.ec2.Subnet(f"{name}-tgw", vpc_id=vpc.id, cidr_block=cidr.replace(".0.0/16", ".0.0/28"))
    attachment = aws.ec2transitgateway.VpcAttachment(
        f"{name}-attachment",
        transit_gateway_id=hub.id,
        vpc_id=vpc.id,
        subnet_ids=[subnet.id],
        tags={"Name": name},
    )
    attachments[name] = attachment
    # Everything in the private 10/8 that is not this spoke goes to the hub.
    aws.ec2.Route(
        f"{name}-to-hub",
        route_table_id=vpc.main_route_table_id,
        destination_cidr_block="10.0.0.0/8",
        transit_gateway_id=hub.id,
        opts=pulumi.ResourceOptions(depends_on=[attachment]),
    )

aws.ec2transitgateway.Route(
    "blocked",
    transit_gateway_route_table_id=hub.association_default_route_table_id,
    destination_cidr_block=blocked_cidr,
    blackhole=True,
)

pulumi.export("hub_id", hub.id)
pulumi.export("hub_route_table_id", hub.association_default_route_table_id)
pulumi.export("attachment_ids", {name: attachment.id for name, attachment in attachments.items()})
