"""The aws:ec2 compute providers (Elastic IP, instance, security group rules) and the EC2 lookups against the
shared moto server, and a Pulumi example program that uses them through the local engine."""

from __future__ import annotations

import base64
import fnmatch
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from envctl.errors import BadInput, OperationFailed
from envctl.providers.aws.context import AwsContext
from envctl.providers.aws.package import with_region

from engine_support import aws
from provider_steps import (
    Provision,
    Provisioned,
    assert_up_again_changes_nothing_and_destroy_deletes,
    create,
    failed_properties,
    failures,
    group_of,
    invoke,
    provider,
    tags_of,
    unique,
    up_program,
    urn,
)

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
EIP = "aws:ec2/eip:Eip"
INSTANCE = "aws:ec2/instance:Instance"
RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
AMAZON_LINUX_2 = {"mostRecent": True, "owners": ["amazon"],
                  "filters": [{"name": "name", "values": ["amzn2-ami-hvm-*-x86_64-gp2"]}]}
CANONICAL = "099720109477"


def get_ami(ctx: AwsContext, args: dict[str, Any]) -> dict[str, Any]:
    return invoke("aws:ec2/getAmi:getAmi", ctx, args)


def assert_found_after_a_crash(item: Provisioned) -> None:
    """A create whose outcome a crash left unknown finds the resource again, unless state already has it."""
    found = item.resource.find(item.ctx, item.urn, item.inputs, set())
    assert found is not None and (found[0], with_region(item.resource, item.ctx, found[1])) == (item.id, item.read())
    assert item.resource.find(item.ctx, item.urn, item.inputs, {item.id}) is None


def instance_of(client: Any, instance_id: str) -> dict:
    return client.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def user_data_of(client: Any, instance_id: str) -> str:
    encoded = client.describe_instance_attribute(InstanceId=instance_id, Attribute="userData")["UserData"]["Value"]
    return base64.b64decode(encoded).decode()


def rule_of(client: Any, rule_id: str) -> dict:
    return client.describe_security_group_rules(SecurityGroupRuleIds=[rule_id])["SecurityGroupRules"][0]


def rule_exists(client: Any, group_id: str, rule_id: str) -> bool:
    rules = client.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])
    return rule_id in [r["SecurityGroupRuleId"] for r in rules["SecurityGroupRules"]]


@pytest.fixture
def amazon_linux_2(aws_ctx: AwsContext) -> str:
    return get_ami(aws_ctx, AMAZON_LINUX_2)["id"]


@pytest.fixture
def subnet(provision: Provision, vpc: Provisioned) -> Provisioned:
    return provision(SUBNET, "compute", vpcId=vpc.id, cidrBlock="10.20.8.0/24", availabilityZone="us-east-1b")


# ---- Elastic IP -----------------------------------------------------------------------------


def test_eip_lifecycle(provision: Provision, subnet: Provisioned, ec2: Any, amazon_linux_2: str) -> None:
    server = provision(INSTANCE, "eip-host", ami=amazon_linux_2, instanceType="t3.micro", subnetId=subnet.id)
    eip = provision(EIP, "ip", tags={"role": "ingress"})
    assert eip.inputs["domain"] == "vpc"

    described = ec2.describe_addresses(AllocationIds=[eip.id])["Addresses"][0]
    public_ip = described["PublicIp"]
    assert eip.id.startswith("eipalloc-") and eip.outputs["allocationId"] == eip.id
    assert eip.outputs["publicIp"] == public_ip
    assert eip.outputs["publicDns"] == f"ec2-{public_ip.replace('.', '-')}.compute-1.amazonaws.com"
    assert eip.outputs["arn"] == f"arn:aws:ec2:us-east-1:123456789012:elastic-ip/{eip.id}"
    assert tags_of(described) == {"role": "ingress", "envctl:env": "test", "envctl:urn": eip.urn}
    assert (eip.outputs["tags"], eip.outputs["associationId"], eip.outputs["instance"]) == ({"role": "ingress"}, "", "")
    assert eip.read() == eip.outputs
    assert_found_after_a_crash(eip)

    assert eip.diff(address="203.0.113.7").replaces == ("address",)
    assert eip.update(instance=server.id).changed == ("instance",)
    described = ec2.describe_addresses(AllocationIds=[eip.id])["Addresses"][0]
    assert described["InstanceId"] == server.id
    assert instance_of(ec2, server.id)["PublicIpAddress"] == public_ip
    assert (eip.outputs["instance"], eip.outputs["associationId"]) == (server.id, described["AssociationId"])
    assert (eip.outputs["privateIp"], eip.outputs["privateDns"]) == (
        server.outputs["privateIp"], server.outputs["privateDns"])
    assert eip.read() == eip.outputs

    eip.update(instance=None)
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[eip.id])["Addresses"][0]
    eip.update(instance=server.id)  # deleting an associated address disassociates it first
    eip.assert_deleted(lambda: bool(ec2.describe_addresses(
        Filters=[{"Name": "allocation-id", "Values": [eip.id]}])["Addresses"]))


def test_eip_stops_rather_than_record_a_private_address_it_did_not_get(
    provision: Provision, subnet: Provisioned, ec2: Any, aws_ctx: AwsContext, amazon_linux_2: str
) -> None:
    server = provision(INSTANCE, "eip-target", ami=amazon_linux_2, instanceType="t3.micro", subnetId=subnet.id)
    primary = server.outputs["privateIp"]
    eip = provision(EIP, "primary-ip", instance=server.id, associateWithPrivateIp=primary)
    assert ec2.describe_addresses(AllocationIds=[eip.id])["Addresses"][0]["PrivateIpAddress"] == primary
    assert (eip.outputs["privateIp"], eip.outputs["associateWithPrivateIp"]) == (primary, primary)

    # The local cloud associates with the primary address whatever is asked: the create stops and says so.
    with pytest.raises(OperationFailed, match=f"with {primary}, not with associateWithPrivateIp 10.20.8.250"):
        create(aws_ctx, EIP, "other-ip", {"instance": server.id, "associateWithPrivateIp": "10.20.8.250"})
    for allocation in provider(EIP).candidate_ids(aws_ctx, urn(EIP, "other-ip"), {}):
        provider(EIP).delete(aws_ctx, allocation, {})


def test_eip_domain_must_be_vpc_and_pools_are_refused() -> None:
    assert failed_properties(EIP, {"domain": "standard"}) == {"domain"}
    assert failed_properties(EIP, {"region": "eu-west-1"}) == set()  # any region: the package picks its client
    refused = failures(EIP, publicIpv4Pool="ipv4pool-ec2-012345", networkBorderGroup="us-west-2-lax-1")
    assert set(refused) == {"publicIpv4Pool", "networkBorderGroup"}
    assert "not supported by envctl's local engine for aws:ec2/eip:Eip; public IPv4 pools" in refused["publicIpv4Pool"]


# ---- Instance -------------------------------------------------------------------------------


def test_instance_lifecycle(provision: Provision, vpc: Provisioned, subnet: Provisioned,
                            ec2: Any, amazon_linux_2: str) -> None:
    web = provision(SECURITY_GROUP, "web", vpcId=vpc.id)
    admin = provision(SECURITY_GROUP, "admin", vpcId=vpc.id)
    script = "#!/bin/bash\necho hello > /tmp/hello\n"
    server = provision(INSTANCE, "app", ami=amazon_linux_2, instanceType="t3.micro", subnetId=subnet.id,
                       vpcSecurityGroupIds=[web.id], userData=script, tags={"Name": "app"},
                       rootBlockDevice={"volumeSize": 20, "volumeType": "gp3"},
                       metadataOptions={"httpTokens": "required"})
    assert (server.inputs["sourceDestCheck"], server.inputs["userDataReplaceOnChange"]) == (True, False)

    described = instance_of(ec2, server.id)
    assert server.id.startswith("i-")
    assert (described["ImageId"], described["InstanceType"], described["SubnetId"], described["State"]["Name"]) == (
        amazon_linux_2, "t3.micro", subnet.id, "running")
    assert [g["GroupId"] for g in described["SecurityGroups"]] == [web.id]
    assert tags_of(described) == {"Name": "app", "envctl:env": "test", "envctl:urn": server.urn}
    assert described["MetadataOptions"]["HttpTokens"] == "required"
    assert user_data_of(ec2, server.id) == script
    root = server.outputs["rootBlockDevice"]
    volume = ec2.describe_volumes(VolumeIds=[root["volumeId"]])["Volumes"][0]
    assert (volume["Size"], volume["VolumeType"], root["deviceName"], root["deleteOnTermination"]) == (
        20, "gp3", "/dev/xvda", True)

    outputs = server.outputs
    assert outputs["arn"] == f"arn:aws:ec2:us-east-1:123456789012:instance/{server.id}"
    assert outputs["privateIp"] == described["PrivateIpAddress"] and outputs["privateIp"].startswith("10.20.8.")
    assert outputs["privateDns"] == f"ip-{outputs['privateIp'].replace('.', '-')}.ec2.internal"
    assert outputs["primaryNetworkInterfaceId"] == described["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert (outputs["instanceState"], outputs["availabilityZone"], outputs["publicIp"]) == ("running", "us-east-1b", "")
    assert (outputs["userData"], outputs["vpcSecurityGroupIds"], outputs["tagsAll"]) == (
        script, [web.id], tags_of(described))
    assert server.read() == outputs
    assert_found_after_a_crash(server)

    replacing = {"ami": "ami-0123456789abcdef0", "subnetId": "subnet-0123456789abcdef0", "keyName": "ops",
                 "privateIp": "10.20.8.99", "associatePublicIpAddress": True, "availabilityZone": "us-east-1c"}
    for key, value in replacing.items():
        assert server.diff(**{key: value}).replaces == (key,)
    assert server.diff(userData="#!/bin/bash\n").replaces == ()
    assert server.diff(userData="#!/bin/bash\n", userDataReplaceOnChange=True).replaces == ("userData",)
    encrypted = {"volumeSize": 20, "volumeType": "gp3", "encrypted": True}
    assert server.diff(rootBlockDevice=encrypted).replaces == ("rootBlockDevice",)
    assert server.diff(rootBlockDevice={"volumeSize": 40, "volumeType": "gp3"}).replaces == ()

    updated = "#!/bin/bash\necho updated\n"
    diff = server.update(instanceType="t3.small", userData=updated, vpcSecurityGroupIds=[web.id, admin.id],
                         rootBlockDevice={"volumeSize": 30, "volumeType": "gp3"},
                         metadataOptions={"httpTokens": "optional"}, tags={"Name": "app", "tier": "backend"})
    assert set(diff.changed) == {"instanceType", "userData", "vpcSecurityGroupIds", "rootBlockDevice",
                                 "metadataOptions", "tags"}
    described = instance_of(ec2, server.id)
    assert (described["InstanceType"], described["State"]["Name"]) == ("t3.small", "running")
    assert sorted(g["GroupId"] for g in described["SecurityGroups"]) == sorted([web.id, admin.id])
    assert (described["MetadataOptions"]["HttpTokens"], tags_of(described)["tier"]) == ("optional", "backend")
    assert user_data_of(ec2, server.id) == updated
    assert ec2.describe_volumes(VolumeIds=[root["volumeId"]])["Volumes"][0]["Size"] == 30
    assert (server.outputs["instanceType"], server.outputs["userData"]) == ("t3.small", updated)
    assert server.outputs["rootBlockDevice"]["volumeSize"] == 30
    assert server.read() == server.outputs

    server.assert_deleted(lambda: instance_of(ec2, server.id)["State"]["Name"] != "terminated")


def instance_attribute(client: Any, instance_id: str, name: str) -> Any:
    answer = client.describe_instance_attribute(InstanceId=instance_id, Attribute=name)
    return answer[name[0].upper() + name[1:]]["Value"]


def test_instance_protections_shutdown_behaviour_and_volumes(provision: Provision, subnet: Provisioned, ec2: Any,
                                                             aws_ctx: AwsContext, amazon_linux_2: str) -> None:
    server = provision(INSTANCE, "guarded", ami=amazon_linux_2, instanceType="t3.micro", subnetId=subnet.id,
                       disableApiTermination=True, disableApiStop=True, instanceInitiatedShutdownBehavior="terminate",
                       ebsOptimized=True, hibernation=True, volumeTags={"backup": "daily"}, forceDestroy=True,
                       rootBlockDevice={"volumeSize": 16, "volumeType": "gp3", "iops": 4000, "throughput": 250})
    described = instance_of(ec2, server.id)
    assert (described["EbsOptimized"], described["HibernationOptions"]) == (True, {"Configured": True})
    assert instance_attribute(ec2, server.id, "disableApiTermination") is True
    assert instance_attribute(ec2, server.id, "disableApiStop") is True
    assert instance_attribute(ec2, server.id, "instanceInitiatedShutdownBehavior") == "terminate"
    volume = ec2.describe_volumes(VolumeIds=[server.outputs["rootBlockDevice"]["volumeId"]])["Volumes"][0]
    assert (volume["Size"], volume["Iops"], volume["Throughput"]) == (16, 4000, 250)
    assert tags_of(volume) == {"backup": "daily"}
    outputs = server.outputs
    assert (outputs["disableApiTermination"], outputs["disableApiStop"], outputs["ebsOptimized"],
            outputs["hibernation"]) == (True, True, True, True)
    assert (outputs["instanceInitiatedShutdownBehavior"], outputs["volumeTags"]) == ("terminate", {"backup": "daily"})
    assert (outputs["rootBlockDevice"]["throughput"], outputs["instanceLifecycle"]) == (250, "")
    assert server.read() == outputs

    assert server.diff(ebsOptimized=False).replaces == ("ebsOptimized",)
    assert server.diff(hibernation=False).replaces == ("hibernation",)
    diff = server.update(disableApiStop=False, instanceInitiatedShutdownBehavior="stop",
                         volumeTags={"backup": "weekly", "team": "ops"})
    assert set(diff.changed) == {"disableApiStop", "instanceInitiatedShutdownBehavior", "volumeTags"}
    assert instance_attribute(ec2, server.id, "disableApiStop") is False
    assert instance_attribute(ec2, server.id, "instanceInitiatedShutdownBehavior") == "stop"
    assert tags_of(ec2.describe_volumes(VolumeIds=[volume["VolumeId"]])["Volumes"][0]) == {
        "backup": "weekly", "team": "ops"}
    assert server.outputs["volumeTags"] == {"backup": "weekly", "team": "ops"}
    assert server.read() == server.outputs

    server.update(disableApiTermination=False)
    assert instance_attribute(ec2, server.id, "disableApiTermination") is False
    server.update(disableApiTermination=True)
    assert instance_attribute(ec2, server.id, "disableApiTermination") is True
    # Protected against termination, the instance is deleted only with forceDestroy.
    with pytest.raises(ClientError, match="disableApiTermination"):
        server.resource.delete(aws_ctx, server.id, {**server.outputs, "forceDestroy": False})
    server.assert_deleted(lambda: instance_of(ec2, server.id)["State"]["Name"] != "terminated")


@pytest.fixture
def instance_profiles(aws_ctx: AwsContext) -> Iterator[tuple[str, str]]:
    """Two instance profiles with a role each; removed after the test's instances are gone."""
    iam = aws_ctx.client("iam")
    names = (unique("worker"), unique("auditor"))
    for name in names:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}')
        iam.create_instance_profile(InstanceProfileName=name)
        iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    yield names
    for name in names:
        iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=name)
        iam.delete_instance_profile(InstanceProfileName=name)
        iam.delete_role(RoleName=name)


def profile_of(client: Any, instance_id: str) -> str | None:
    associations = client.describe_iam_instance_profile_associations(
        Filters=[{"Name": "instance-id", "Values": [instance_id]}])["IamInstanceProfileAssociations"]
    live = [a for a in associations if a["State"] in ("associating", "associated")]
    return live[0]["IamInstanceProfile"]["Arn"].rsplit("/", 1)[-1] if live else None


def test_instance_profile_changes_in_place(instance_profiles: tuple[str, str], provision: Provision,
                                           subnet: Provisioned, ec2: Any, amazon_linux_2: str) -> None:
    first, second = instance_profiles
    server = provision(INSTANCE, "worker", ami=amazon_linux_2, instanceType="t3.micro", subnetId=subnet.id,
                       iamInstanceProfile=first)
    assert profile_of(ec2, server.id) == first and server.outputs["iamInstanceProfile"] == first
    assert not server.diff(iamInstanceProfile=second).needs_replace

    server.update(iamInstanceProfile=second)
    assert profile_of(ec2, server.id) == second and server.outputs["iamInstanceProfile"] == second
    server.update(iamInstanceProfile=None)
    assert profile_of(ec2, server.id) is None and server.outputs["iamInstanceProfile"] == ""


def test_instance_from_launch_template_with_public_address(provision: Provision, subnet: Provisioned,
                                                           ec2: Any, amazon_linux_2: str) -> None:
    name = unique("edge")
    template = ec2.create_launch_template(
        LaunchTemplateName=name, LaunchTemplateData={"ImageId": amazon_linux_2, "InstanceType": "t3.nano"},
    )["LaunchTemplate"]
    try:
        server = provision(INSTANCE, "edge", launchTemplate={"name": name}, subnetId=subnet.id,
                           associatePublicIpAddress=True)
        described = instance_of(ec2, server.id)
        assert (described["ImageId"], described["InstanceType"]) == (amazon_linux_2, "t3.nano")
        assert server.outputs["launchTemplate"] == {"id": template["LaunchTemplateId"], "name": name,
                                                    "version": "$Default"}
        assert server.outputs["publicIp"] == described["PublicIpAddress"] != ""
        assert server.outputs["publicDns"] == described["PublicDnsName"]
        assert server.outputs["associatePublicIpAddress"] is True
        assert server.read() == server.outputs
        assert server.diff(launchTemplate={"name": "other"}).replaces == ("launchTemplate",)
        server.delete()
    finally:
        ec2.delete_launch_template(LaunchTemplateId=template["LaunchTemplateId"])


def test_instance_check_failures() -> None:
    base = {"ami": "ami-0123456789abcdef0", "instanceType": "t3.micro"}
    assert failed_properties(INSTANCE, {}) == {"ami", "instanceType"}
    assert failed_properties(INSTANCE, {**base, "userData": "x", "userDataBase64": "eA=="}) == {"userDataBase64"}
    assert failed_properties(INSTANCE, {**base, "ebsBlockDevices": [{"deviceName": "/dev/sdb"}]}) == {
        "ebsBlockDevices"}
    assert failed_properties(INSTANCE, {**base, "rootBlockDevice": {"tags": {"a": "b"}}}) == {"rootBlockDevice"}
    refused = failures(INSTANCE, **base, tenancy="dedicated", getPasswordData=True,
                       creditSpecification={"cpuCredits": "unlimited"})
    assert set(refused) == {"tenancy", "getPasswordData", "creditSpecification"}
    assert "moto reports standard credits" in refused["creditSpecification"]
    assert failed_properties(INSTANCE, {"launchTemplate": {"id": "lt-1", "name": "web"}}) == {"launchTemplate"}
    assert failed_properties(INSTANCE, {"launchTemplate": {"name": "web"}, "rootBlockDevice": {"volumeSize": 9}}) == {
        "rootBlockDevice"}


# ---- Security group rules -------------------------------------------------------------------


def sgrule_id(text: str) -> str:
    return f"sgrule-{zlib.crc32(text.encode())}"


def test_security_group_rule_lifecycle(provision: Provision, vpc: Provisioned, ec2: Any) -> None:
    group = provision(SECURITY_GROUP, "rules", vpcId=vpc.id)
    peer = provision(SECURITY_GROUP, "peer", vpcId=vpc.id)
    https = provision(RULE, "https", type="ingress", protocol="tcp", fromPort=443, toPort=443,
                      cidrBlocks=["192.168.0.0/16", "10.0.0.0/8"], description="https", securityGroupId=group.id)
    assert https.id == sgrule_id(f"{group.id}-443-443-tcp-ingress-10.0.0.0/8-192.168.0.0/16-")
    [permission] = group_of(ec2, group.id)["IpPermissions"]
    assert (permission["FromPort"], sorted((r["CidrIp"], r["Description"]) for r in permission["IpRanges"])) == (
        443, [("10.0.0.0/8", "https"), ("192.168.0.0/16", "https")])
    assert (https.outputs["description"], https.outputs["self"], https.outputs["securityGroupRuleId"]) == (
        "https", False, "")  # a rule with two sources has no single sgr- id
    assert https.read() == https.outputs
    assert_found_after_a_crash(https)

    assert https.diff(cidrBlocks=["10.0.0.0/8"]).replaces == ("cidrBlocks",)
    assert https.diff(fromPort=8443, toPort=8443).replaces == ("fromPort", "toPort")
    assert https.update(description="tls").changed == ("description",)
    [permission] = group_of(ec2, group.id)["IpPermissions"]
    assert {r["Description"] for r in permission["IpRanges"]} == {"tls"}
    assert https.read() == https.outputs

    to_peer = provision(RULE, "to-peer", type="egress", protocol="all", fromPort=0, toPort=0,
                        sourceSecurityGroupId=peer.id, securityGroupId=group.id)
    assert to_peer.id == sgrule_id(f"{group.id}--1-egress-{peer.id}--")
    [permission] = group_of(ec2, group.id)["IpPermissionsEgress"]
    assert (permission["IpProtocol"], [p["GroupId"] for p in permission["UserIdGroupPairs"]]) == ("-1", [peer.id])
    assert to_peer.outputs["protocol"] == "-1"
    assert rule_of(ec2, to_peer.outputs["securityGroupRuleId"])["ReferencedGroupInfo"]["GroupId"] == peer.id

    ssh = provision(RULE, "ssh", type="ingress", protocol="6", fromPort=22, toPort=22, self=True,
                    securityGroupId=group.id)
    assert ssh.id == sgrule_id(f"{group.id}-22-22-tcp-ingress-{group.id}--")
    ssh_permission = next(p for p in group_of(ec2, group.id)["IpPermissions"] if p["FromPort"] == 22)
    assert [p["GroupId"] for p in ssh_permission["UserIdGroupPairs"]] == [group.id]

    https.assert_deleted(lambda: any(p.get("FromPort") == 443 for p in group_of(ec2, group.id)["IpPermissions"]))
    to_peer.assert_deleted(lambda: bool(group_of(ec2, group.id)["IpPermissionsEgress"]))


def test_security_group_rule_checks() -> None:
    rule = {"type": "ingress", "protocol": "tcp", "fromPort": 80, "toPort": 80, "securityGroupId": "sg-1"}
    assert failed_properties(RULE, {**rule, "cidrBlocks": ["0.0.0.0/0"]}) == set()
    assert failed_properties(RULE, {**rule, "type": "inbound", "cidrBlocks": ["0.0.0.0/0"]}) == {"type"}
    assert failed_properties(RULE, rule) == {"cidrBlocks"}
    assert failed_properties(RULE, {**rule, "self": True, "cidrBlocks": ["0.0.0.0/0"]}) == {"sourceSecurityGroupId"}
    assert failed_properties(RULE, {**rule, "sourceSecurityGroupId": "sg-2", "prefixListIds": ["pl-1"]}) == set()
    assert failed_properties(RULE, {**rule, "fromPort": None, "cidrBlocks": ["0.0.0.0/0"]}) == {"fromPort"}


def test_vpc_ingress_and_egress_rules(provision: Provision, vpc: Provisioned, ec2: Any,
                                      aws_ctx: AwsContext) -> None:
    group = provision(SECURITY_GROUP, "svc", vpcId=vpc.id)
    peer = provision(SECURITY_GROUP, "svc-peer", vpcId=vpc.id)
    http = provision(INGRESS, "http", securityGroupId=group.id, ipProtocol="tcp", fromPort=80, toPort=80,
                     cidrIpv4="10.0.0.0/8", description="http", tags={"port": "80"})
    assert http.id.startswith("sgr-") and http.outputs["securityGroupRuleId"] == http.id
    rule = rule_of(ec2, http.id)
    assert (rule["IsEgress"], rule["IpProtocol"], rule["FromPort"], rule["ToPort"], rule["CidrIpv4"],
            rule["Description"]) == (False, "tcp", 80, 80, "10.0.0.0/8", "http")
    assert tags_of(rule) == {"port": "80", "envctl:env": "test", "envctl:urn": http.urn}
    assert http.outputs["arn"] == f"arn:aws:ec2:us-east-1:123456789012:security-group-rule/{http.id}"
    assert http.read() == http.outputs
    assert_found_after_a_crash(http)

    assert http.diff(securityGroupId=peer.id).replaces == ("securityGroupId",)
    assert http.diff(cidrIpv4=None, cidrIpv6="::/0").replaces == ("cidrIpv4", "cidrIpv6")
    diff = http.update(fromPort=8080, toPort=8080, cidrIpv4="172.16.0.0/12", description="alt http",
                       tags={"port": "8080"})
    assert set(diff.changed) == {"fromPort", "toPort", "cidrIpv4", "description", "tags"}
    rule = rule_of(ec2, http.id)
    assert (rule["FromPort"], rule["ToPort"], rule["CidrIpv4"], rule["Description"], tags_of(rule)["port"]) == (
        8080, 8080, "172.16.0.0/12", "alt http", "8080")
    assert http.read() == http.outputs

    out = provision(EGRESS, "to-peer", securityGroupId=group.id, ipProtocol="-1", referencedSecurityGroupId=peer.id)
    rule = rule_of(ec2, out.id)
    assert (rule["IsEgress"], rule["IpProtocol"], rule["ReferencedGroupInfo"]["GroupId"]) == (True, "-1", peer.id)
    assert (out.outputs["fromPort"], out.outputs["toPort"], out.outputs["referencedSecurityGroupId"]) == (
        None, None, peer.id)
    assert out.read() == out.outputs
    assert provider(INGRESS).read(aws_ctx, out.id, out.outputs) is None  # egress is not ingress

    http.assert_deleted(lambda: rule_exists(ec2, group.id, http.id))
    out.assert_deleted(lambda: rule_exists(ec2, group.id, out.id))


def test_vpc_rule_needs_exactly_one_source() -> None:
    rule = {"ipProtocol": "tcp", "fromPort": 80, "toPort": 80, "securityGroupId": "sg-1"}
    assert failed_properties(INGRESS, {**rule, "cidrIpv4": "10.0.0.0/8"}) == set()
    assert failed_properties(INGRESS, rule) == {"cidrIpv4"}
    assert failed_properties(EGRESS, {**rule, "cidrIpv4": "10.0.0.0/8", "prefixListId": "pl-1"}) == {"cidrIpv4"}


# ---- Lookups --------------------------------------------------------------------------------


def test_get_ami_most_recent_amazon_linux_2(aws_ctx: AwsContext, ec2: Any) -> None:
    """The lookup of Pulumi's EC2 examples: the most recent Amazon Linux 2 image owned by amazon."""
    image = get_ami(aws_ctx, AMAZON_LINUX_2)
    candidates = ec2.describe_images(Owners=["amazon"], Filters=[
        {"Name": "name", "Values": ["amzn2-ami-hvm-*-x86_64-gp2"]}])["Images"]
    newest = max(c["CreationDate"] for c in candidates)
    assert len(candidates) > 1
    assert image["name"] == max(c["Name"] for c in candidates if c["CreationDate"] == newest)
    assert fnmatch.fnmatch(image["name"], "amzn2-ami-hvm-*-x86_64-gp2")
    assert image["id"] == image["imageId"] and image["id"].startswith("ami-")
    assert (image["ownerId"], image["architecture"], image["rootDeviceName"], image["virtualizationType"]) == (
        "137112412989", "x86_64", "/dev/xvda", "hvm")
    assert image["arn"] == f"arn:aws:ec2:us-east-1::image/{image['id']}"
    assert image["rootSnapshotId"].startswith("snap-")
    assert (image["mostRecent"], image["owners"]) == (True, ["amazon"])  # the arguments come back too

    al2023 = get_ami(aws_ctx, {"mostRecent": True, "owners": ["137112412989"], "nameRegex": r"-kernel-6\.1-",
                               "filters": [{"name": "name", "values": ["al2023-ami-2023.*-x86_64"]},
                                           {"name": "architecture", "values": ["x86_64"]}]})
    assert re.fullmatch(r"al2023-ami-2023\..*-kernel-6\.1-x86_64", al2023["name"])


def test_get_ami_failures(aws_ctx: AwsContext) -> None:
    named = {"owners": ["amazon"], "filters": [{"name": "name", "values": ["amzn2-ami-hvm-*-x86_64-gp2"]}]}
    with pytest.raises(BadInput, match="Your query returned no results"):
        get_ami(aws_ctx, {"owners": ["amazon"], "filters": [{"name": "name", "values": ["no-such-image-*"]}]})
    with pytest.raises(BadInput, match="more than one result"):
        get_ami(aws_ctx, named)
    with pytest.raises(BadInput, match="allowUnsafeFilter"):
        get_ami(aws_ctx, {"mostRecent": True, "filters": named["filters"]})
    assert get_ami(aws_ctx, {"mostRecent": True, "allowUnsafeFilter": True, "filters": named["filters"]})["id"]
    with pytest.raises(BadInput, match="nameRegex"):
        get_ami(aws_ctx, {**named, "nameRegex": "amzn2-("})


def test_get_ami_finds_ubuntu_lts(aws_ctx: AwsContext) -> None:
    """Ubuntu images come from envctl's local_amis.json, which the local cloud adds to moto's own."""

    def newest(pattern: str) -> dict[str, Any]:
        return get_ami(aws_ctx, {"mostRecent": True, "owners": [CANONICAL], "filters": [
            {"name": "name", "values": [pattern]}, {"name": "virtualization-type", "values": ["hvm"]}]})

    jammy = newest("ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*")
    assert jammy["name"] == "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240301"  # the later build
    assert (jammy["ownerId"], jammy["architecture"]) == (CANONICAL, "x86_64")
    noble = newest("ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*")
    assert noble["name"] == "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20251022"
    assert newest("ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-*")["architecture"] == "arm64"
    # Every LTS real programs ask for, 16.04 (moto's own image) to 24.04.
    for release in ("xenial-16.04", "bionic-18.04", "focal-20.04", "jammy-22.04", "noble-24.04"):
        found = newest(f"ubuntu/images/*/ubuntu-{release}-amd64-server-*")
        assert found["name"].startswith("ubuntu/images/") and release in found["name"], release


def test_lookups_in_the_default_vpc(aws_ctx: AwsContext, ec2: Any) -> None:
    default = invoke("aws:ec2/getVpc:getVpc", aws_ctx, {"default": True})
    described = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    assert (default["id"], default["cidrBlock"], default["default"], default["state"]) == (
        described["VpcId"], described["CidrBlock"], True, "available")
    assert default["arn"] == f"arn:aws:ec2:us-east-1:123456789012:vpc/{default['id']}"
    assert default["mainRouteTableId"].startswith("rtb-")
    assert [a["cidrBlock"] for a in default["cidrBlockAssociations"]] == [described["CidrBlock"]]

    in_default = [{"name": "vpc-id", "values": [default["id"]]}]
    subnets = invoke("aws:ec2/getSubnets:getSubnets", aws_ctx, {"filters": in_default})
    expected = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default["id"]]}])["Subnets"]
    assert sorted(subnets["ids"]) == sorted(s["SubnetId"] for s in expected) and subnets["id"] == "us-east-1"

    first = invoke("aws:ec2/getSubnet:getSubnet", aws_ctx,
                 {"vpcId": default["id"], "availabilityZone": "us-east-1a", "defaultForAz": True})
    assert first["id"] in subnets["ids"]
    assert (first["vpcId"], first["availabilityZone"], first["defaultForAz"]) == (default["id"], "us-east-1a", True)
    assert invoke("aws:ec2/getSubnet:getSubnet", aws_ctx, {"id": first["id"]})["cidrBlock"] == first["cidrBlock"]

    group = invoke("aws:ec2/getSecurityGroup:getSecurityGroup", aws_ctx, {"name": "default", "vpcId": default["id"]})
    assert group["id"] == ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [default["id"]]}, {"Name": "group-name", "Values": ["default"]},
    ])["SecurityGroups"][0]["GroupId"]
    assert (group["name"], group["vpcId"]) == ("default", default["id"])


def test_lookups_by_tag_and_their_failures(provision: Provision, aws_ctx: AwsContext) -> None:
    marker = unique("lookup")
    network = provision(VPC, "tagged", cidrBlock="10.30.0.0/16", tags={"lookup": marker})
    for index in (1, 2):
        provision(SUBNET, f"tagged-{index}", vpcId=network.id, cidrBlock=f"10.30.{index}.0/24", tags={"lookup": marker})

    found = invoke("aws:ec2/getVpc:getVpc", aws_ctx, {"tags": {"lookup": marker}})
    assert found["id"] == network.id and found["tags"]["lookup"] == marker
    assert len(invoke("aws:ec2/getSubnets:getSubnets", aws_ctx, {"tags": {"lookup": marker}})["ids"]) == 2

    with pytest.raises(BadInput, match="no matching EC2 VPC found"):
        invoke("aws:ec2/getVpc:getVpc", aws_ctx, {"id": "vpc-0123456789abcdef0"})
    with pytest.raises(BadInput, match="multiple EC2 Subnets matched"):
        invoke("aws:ec2/getSubnet:getSubnet", aws_ctx, {"vpcId": network.id})
    with pytest.raises(BadInput, match="region eu-west-1 is not supported"):
        invoke("aws:ec2/getSubnets:getSubnets", aws_ctx, {"region": "eu-west-1"})


# ---- an unmodified Pulumi example through the local engine -------------------------------

WEBSERVER_PROGRAM = """
import pulumi
import pulumi_aws as aws

ami = aws.ec2.get_ami(most_recent=True, owners=["amazon"],
                      filters=[{"name": "name", "values": ["amzn2-ami-hvm-*-x86_64-gp2"]}])
vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])
group = aws.ec2.SecurityGroup("web-secgrp", description="Enable HTTP access", vpc_id=vpc.id,
                              ingress=[{"protocol": "tcp", "from_port": 80, "to_port": 80,
                                        "cidr_blocks": ["0.0.0.0/0"]}])
aws.ec2.SecurityGroupRule("ssh", type="ingress", protocol="tcp", from_port=22, to_port=22,
                          cidr_blocks=["10.0.0.0/8"], security_group_id=group.id)
aws.vpc.SecurityGroupEgressRule("all-out", security_group_id=group.id, ip_protocol="-1", cidr_ipv4="0.0.0.0/0")
server = aws.ec2.Instance("web-server-www", instance_type="t2.micro", ami=ami.id, subnet_id=subnets.ids[0],
                          vpc_security_group_ids=[group.id], tags={"Name": "web-server-www"},
                          user_data="#!/bin/bash\\necho 'Hello, World!' > index.html\\n"
                                    "nohup python -m SimpleHTTPServer 80 &")
ip = aws.ec2.Eip("web-ip", instance=server.id, domain="vpc")
pulumi.export("amiName", ami.name)
pulumi.export("instanceId", server.id)
pulumi.export("publicIp", ip.public_ip)
pulumi.export("publicHostName", ip.public_dns)
"""


def test_the_webserver_example_runs_unmodified(tmp_path: Path, moto_endpoint: str) -> None:
    project, result = up_program(tmp_path, WEBSERVER_PROGRAM, moto_endpoint)
    assert result.changes["create"] == 5 + 1  # and the stack
    out = result.outputs
    assert fnmatch.fnmatch(out["amiName"], "amzn2-ami-hvm-*-x86_64-gp2")
    client = aws(moto_endpoint, "ec2")
    described = instance_of(client, out["instanceId"])
    assert (described["State"]["Name"], described["PublicIpAddress"]) == ("running", out["publicIp"])
    assert out["publicHostName"] == f"ec2-{out['publicIp'].replace('.', '-')}.compute-1.amazonaws.com"

    assert_up_again_changes_nothing_and_destroy_deletes(project, moto_endpoint, 5 + 1)
    assert instance_of(client, out["instanceId"])["State"]["Name"] == "terminated"
