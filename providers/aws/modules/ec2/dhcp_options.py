"""aws:ec2 DHCP option sets and which one a VPC uses."""

from __future__ import annotations

from envctl.providers.aws.base import DiffResult, Props
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.errors import one_found
from envctl.providers.aws.modules.ec2.shared import EC2_GONE, Ec2Resource, ec2_remove, ec2_tags, sync_ec2_tags
from envctl.providers.aws.registry import resource_type

# Input -> DHCP option key, and whether the option has several values.
_OPTIONS = {"domainName": ("domain-name", False), "domainNameServers": ("domain-name-servers", True),
            "ntpServers": ("ntp-servers", True), "netbiosNameServers": ("netbios-name-servers", True),
            "netbiosNodeType": ("netbios-node-type", False)}


@resource_type
class VpcDhcpOptions(Ec2Resource):
    token = "aws:ec2/vpcDhcpOptions:VpcDhcpOptions"
    tagged_type = "dhcp-options"
    force_new = frozenset({*_OPTIONS, "ipv6AddressPreferredLeaseTime"})
    handled = frozenset(_OPTIONS)
    unsupported = {"ipv6AddressPreferredLeaseTime": "the local cloud (moto) does not keep the IPv6 lease time"}
    outputs = frozenset({"arn", "ownerId"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        configurations = [{"Key": key, "Values": list(inputs[name]) if several else [str(inputs[name])]}
                          for name, (key, several) in _OPTIONS.items() if inputs.get(name)]
        options_id = ctx.client("ec2").create_dhcp_options(
            DhcpConfigurations=configurations,
        )["DhcpOptions"]["DhcpOptionsId"]
        # Tagged afterwards: moto's CreateDhcpOptions drops its TagSpecifications.
        sync_ec2_tags(ctx, options_id, {}, self.tags_all(ctx, urn, inputs))
        return options_id, self.read_back(ctx, options_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        options = one_found(ctx.client("ec2").describe_dhcp_options, "DhcpOptions", EC2_GONE, DhcpOptionsIds=[id])
        if options is None:
            return None
        values = {c["Key"]: [v["Value"] for v in c.get("Values", [])] for c in options.get("DhcpConfigurations", [])}
        return {
            "id": id,
            "arn": ctx.arn("ec2", f"dhcp-options/{id}", account=options.get("OwnerId")),
            **{name: values.get(key, []) if several else next(iter(values.get(key, [])), "")
               for name, (key, several) in _OPTIONS.items()},
            "ipv6AddressPreferredLeaseTime": "",
            "ownerId": options.get("OwnerId") or ctx.account_id,
            **ec2_tags(ctx, options.get("Tags"), state),
        }

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        ec2_remove(ctx.client("ec2").delete_dhcp_options, DhcpOptionsId=id)


@resource_type
class VpcDhcpOptionsAssociation(Ec2Resource):
    """Which option set a VPC uses; delete puts the VPC back on AWS's "default" set, as Terraform does. The id is
    Terraform's `<options id>-<vpc id>`."""

    token = "aws:ec2/vpcDhcpOptionsAssociation:VpcDhcpOptionsAssociation"
    taggable = False
    required = ("dhcpOptionsId", "vpcId")
    force_new = frozenset({"vpcId"})

    def create(self, ctx: AwsContext, urn: str, inputs: Props) -> tuple[str, Props]:
        ctx.client("ec2").associate_dhcp_options(DhcpOptionsId=inputs["dhcpOptionsId"], VpcId=inputs["vpcId"])
        association_id = f"{inputs['dhcpOptionsId']}-{inputs['vpcId']}"
        return association_id, self.read_back(ctx, association_id, inputs)

    def read(self, ctx: AwsContext, id: str, state: Props) -> Props | None:
        vpc = one_found(ctx.client("ec2").describe_vpcs, "Vpcs", EC2_GONE, VpcIds=[state["vpcId"]])
        if vpc is None or vpc.get("DhcpOptionsId") in (None, "", "default"):
            return None
        return {"id": f"{vpc['DhcpOptionsId']}-{vpc['VpcId']}", "dhcpOptionsId": vpc["DhcpOptionsId"],
                "vpcId": vpc["VpcId"]}

    def update(self, ctx: AwsContext, urn: str, id: str, olds: Props, news: Props, diff: DiffResult) -> Props:
        """Another option set for the VPC: a new association id, returned as outputs['id']."""
        ctx.client("ec2").associate_dhcp_options(DhcpOptionsId=news["dhcpOptionsId"], VpcId=news["vpcId"])
        return self.read_back(ctx, f"{news['dhcpOptionsId']}-{news['vpcId']}", news)

    def delete(self, ctx: AwsContext, id: str, state: Props) -> None:
        if self.read(ctx, id, state) is not None:
            ctx.client("ec2").associate_dhcp_options(DhcpOptionsId="default", VpcId=state["vpcId"])
