"""peered-vpcs: the peering is active and routed both ways, the data subnets admit only the database and SSH
ports from the application network, and the data VPC's defaults are locked down; moving the database to another
port changes the ACL's rules in place."""

from typing import Any

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config

NETWORK_ACL = "aws:ec2/networkAcl:NetworkAcl"


def acl_of_subnet(ec2: Any, subnet_id: str) -> dict:
    [acl] = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])["NetworkAcls"]
    return acl


def rules(acl: dict, egress: bool) -> list[tuple]:
    return sorted((e["RuleNumber"], e["RuleAction"], e["Protocol"], e.get("CidrBlock"),
                   e["PortRange"]["From"], e["PortRange"]["To"])
                  for e in acl["Entries"] if e["Egress"] is egress and e["RuleNumber"] < 32767)


def main_table(ec2: Any, vpc_id: str) -> dict:
    [table] = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                 {"Name": "association.main", "Values": ["true"]}])["RouteTables"]
    return table


def verify(cloud: Cloud, out: Outputs) -> None:
    ec2 = cloud.client("ec2")
    [peering] = ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[out["peering_id"]])[
        "VpcPeeringConnections"]
    assert peering["Status"]["Code"] == out["peering_status"] == "active"
    assert (peering["RequesterVpcInfo"]["VpcId"], peering["AccepterVpcInfo"]["VpcId"]) == (
        out["app_vpc_id"], out["data_vpc_id"])
    assert peering["AccepterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is True
    for vpc, peer_cidr in ((out["app_vpc_id"], "10.2.0.0/16"), (out["data_vpc_id"], "10.1.0.0/16")):
        routes = {r["DestinationCidrBlock"]: r.get("VpcPeeringConnectionId") for r in main_table(ec2, vpc)["Routes"]}
        assert routes[peer_cidr] == out["peering_id"]

    assert out["data_route_table_ids"] == [main_table(ec2, out["data_vpc_id"])["RouteTableId"]]
    for subnet_id in out["data_subnet_ids"]:
        acl = acl_of_subnet(ec2, subnet_id)
        assert acl["NetworkAclId"] == out["data_acl_id"]
    acl = acl_of_subnet(ec2, out["data_subnet_ids"][0])
    assert rules(acl, False) == [(100, "allow", "6", "10.1.0.0/16", 5432, 5432),
                                 (110, "allow", "6", "10.1.0.0/16", 22, 22)]
    assert rules(acl, True) == [(100, "allow", "6", "10.1.0.0/16", 1024, 65535)]
    assert acl_of_subnet(ec2, out["app_subnet_id"])["IsDefault"] is True

    [default_group] = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [out["data_vpc_id"]]}, {"Name": "group-name", "Values": ["default"]}])[
        "SecurityGroups"]
    assert default_group["IpPermissions"] == default_group["IpPermissionsEgress"] == []
    [default_acl] = ec2.describe_network_acls(Filters=[
        {"Name": "vpc-id", "Values": [out["data_vpc_id"]]}, {"Name": "default", "Values": ["true"]}])["NetworkAcls"]
    assert [e["RuleNumber"] for e in default_acl["Entries"]] in ([], [32767, 32767])


def verify_new_port(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    acl = acl_of_subnet(cloud.client("ec2"), after["data_subnet_ids"][0])
    assert acl["NetworkAclId"] == before["data_acl_id"]
    assert rules(acl, False) == [(100, "allow", "6", "10.1.0.0/16", 3306, 3306),
                                 (110, "allow", "6", "10.1.0.0/16", 22, 22)]


CASE = ProgramCase(
    "peered-vpcs", verify,
    Edit(set_config("test", databasePort="3306"), (("update", NETWORK_ACL),), verify_new_port),
)
