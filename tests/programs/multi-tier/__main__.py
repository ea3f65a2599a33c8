"""A multi-tier application. The `shared` stack owns the network; each application stack (its config names the
network stack) adds a web tier and a database to that network, found through a StackReference."""

import pulumi
import pulumi_aws as aws
from database import Database
from network import Network
from web import WebTier

config = pulumi.Config()
network_stack = config.get("networkStack")

if network_stack is None:
    network = Network("shared", cidr_block=config.require("vpcCidr"))
    pulumi.export("vpcId", network.vpc.id)
    pulumi.export("publicSubnetIds", network.public_subnet_ids)
    pulumi.export("privateSubnetIds", network.private_subnet_ids)
else:
    shared = pulumi.StackReference(f"{pulumi.get_organization()}/{pulumi.get_project()}/{network_stack}")
    vpc = aws.ec2.Vpc.get("shared-vpc", shared.require_output("vpcId"))

    web = WebTier("web", vpc=vpc, subnet_ids=shared.require_output("publicSubnetIds"))
    database = Database(
        "db",
        vpc=vpc,
        subnet_ids=shared.require_output("privateSubnetIds"),
        clients=web.security_group,
        password=config.require_secret("dbPassword"),
        instance_class=config.require("dbInstanceClass"),
        protect=config.require_bool("protectDatabase"),
    )

    pulumi.export("url", web.url)
    pulumi.export("database", database.instance)
    pulumi.export("connectionSecretArn", database.connection_secret.arn)
