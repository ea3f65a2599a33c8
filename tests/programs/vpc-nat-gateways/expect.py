"""vpc-nat-gateways: each private subnet reaches the internet through a NAT gateway in a public subnet of its own
zone; going down to one shared NAT gateway deletes the second and points the second private table at the first."""

from typing import Any

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config

NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
EIP = "aws:ec2/eip:Eip"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"


def default_route_of(ec2: Any, subnet_id: str) -> dict:
    [table] = ec2.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])["RouteTables"]
    return next(r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0")


def subnets(ec2: Any, ids: list[str]) -> list[dict]:
    found = {s["SubnetId"]: s for s in ec2.describe_subnets(SubnetIds=ids)["Subnets"]}
    return [found[subnet_id] for subnet_id in ids]


def nat_gateway(ec2: Any, gateway_id: str) -> dict:
    return ec2.describe_nat_gateways(NatGatewayIds=[gateway_id])["NatGateways"][0]


def verify(cloud: Cloud, out: Outputs) -> None:
    ec2 = cloud.client("ec2")
    public, private = subnets(ec2, out["public_subnet_ids"]), subnets(ec2, out["private_subnet_ids"])
    assert [s["CidrBlock"] for s in public + private] == [
        "10.100.0.0/24", "10.100.1.0/24", "10.100.10.0/24", "10.100.11.0/24"]
    assert len({s["AvailabilityZone"] for s in public}) == 2
    assert [s["AvailabilityZone"] for s in public] == [s["AvailabilityZone"] for s in private]
    assert all(s["MapPublicIpOnLaunch"] for s in public) and not any(s["MapPublicIpOnLaunch"] for s in private)
    for subnet in public:
        assert default_route_of(ec2, subnet["SubnetId"])["GatewayId"].startswith("igw-")
    assert len(out["nat_gateway_ids"]) == 2
    zones = zip(private, public, out["nat_gateway_ids"], out["nat_public_ips"], strict=True)
    for subnet, public_subnet, gateway_id, ip in zones:
        gateway = nat_gateway(ec2, gateway_id)
        assert (gateway["State"], gateway["SubnetId"]) == ("available", public_subnet["SubnetId"])
        assert gateway["NatGatewayAddresses"][0]["PublicIp"] == ip
        assert ec2.describe_addresses(PublicIps=[ip])["Addresses"][0]["Domain"] == "vpc"
        assert default_route_of(ec2, subnet["SubnetId"])["NatGatewayId"] == gateway_id


def verify_single_nat_gateway(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    ec2 = cloud.client("ec2")
    kept, dropped = before["nat_gateway_ids"]
    assert after["nat_gateway_ids"] == [kept]
    assert nat_gateway(ec2, dropped)["State"] == "deleted"
    assert not ec2.describe_addresses(Filters=[{"Name": "public-ip", "Values": [before["nat_public_ips"][1]]}])[
        "Addresses"]
    for subnet_id in after["private_subnet_ids"]:
        assert default_route_of(ec2, subnet_id)["NatGatewayId"] == kept


CASE = ProgramCase(
    "vpc-nat-gateways", verify,
    Edit(set_config("test", natGatewayPerAz="false"),
         (("delete", NAT_GATEWAY), ("delete", EIP), ("update", ROUTE_TABLE)), verify_single_nat_gateway),
)
