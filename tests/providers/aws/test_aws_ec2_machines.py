"""The aws:ec2 types around instances, against the shared moto server: key pairs, EBS volumes and their
attachments, network interfaces, launch templates and flow logs."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from envctl.errors import BadInput
from envctl.providers.aws.context import AwsContext

from provider_steps import Provision, Provisioned, Provisioner, failures, invoke, tags_of
from recovery_steps import assert_found_after_a_crash

KEY_PAIR = "aws:ec2/keyPair:KeyPair"
ED25519_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHNFY5q1IQYrEoqmjvVz3aLp+62nouYLGsIdjb6FKYyL test1"
RSA_KEY = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCoCX4A4hs4+tQ89PnzWfMP7lGBm2E4uC0+TDCmOVxg9l70eIT4lFG/dAZmGwQn"
    "9xenCz1+sCq6GzAtz3pUetT6OMc8UPSAm+sN/bzJjBcW8RkLkIHKPNTIR+7SuRX1s12YfT4PmjzTd3lV4z4CrZrPT11Qtifpb4pJ"
    "sO+0fgUTpwoWrLKPGuhtlVwOI/YkcRWBQw6aPmxhRO3C+1XgAj65wVaUcI1fElqYxGl46qe3shy9TRdrDAnnkXGtf0bRI7cN2zoN"
    "KN8X0zujI+aPfCFmTbK3ZO8Vg7kOGtA61olRZ2eK0DwNL+KfQLZpg34CtaWG/GLmUFGpMtvdAG+7A7BT test2"
)


def key_pairs_named(ec2: Any, name: str) -> list[dict]:
    return ec2.describe_key_pairs(Filters=[{"Name": "key-name", "Values": [name]}])["KeyPairs"]


def test_key_pair_lifecycle(provisioner: Provisioner, ec2: Any, aws_ctx: AwsContext) -> None:
    pair = provisioner.create(KEY_PAIR, "deployer", {"keyName": "deployer-key", "publicKey": ED25519_KEY + "\n",
                                                     "tags": {"use": "bastion"}})
    assert pair.id == "deployer-key"
    assert pair.inputs["publicKey"] == ED25519_KEY
    [described] = key_pairs_named(ec2, "deployer-key")
    assert described["KeyType"] == "ed25519" and tags_of(described)["use"] == "bastion"
    assert pair.outputs["keyPairId"] == described["KeyPairId"]
    assert pair.outputs["fingerprint"] == described["KeyFingerprint"]
    assert pair.outputs["arn"] == "arn:aws:ec2:us-east-1:123456789012:key-pair/deployer-key"
    assert provisioner.read(pair) == pair.outputs
    assert_found_after_a_crash(pair, provisioner)
    assert not provisioner.plan(pair, {}).has_changes

    assert provisioner.plan(pair, {"publicKey": RSA_KEY}).replaces == ("publicKey",)
    pair = provisioner.update(pair, {"tags": {"use": "admin"}})
    assert tags_of(key_pairs_named(ec2, "deployer-key")[0])["use"] == "admin"

    found = invoke("aws:ec2/getKeyPair:getKeyPair", aws_ctx, {"keyName": "deployer-key", "includePublicKey": True})
    assert (found["id"], found["keyPairId"], found["keyType"]) == (described["KeyPairId"],) * 2 + ("ed25519",)
    assert found["publicKey"].startswith("ssh-ed25519 ") and found["tags"]["use"] == "admin"
    by_tag = invoke("aws:ec2/getKeyPair:getKeyPair", aws_ctx, {"filters": [{"name": "tag:use", "values": ["admin"]}]})
    assert by_tag["keyName"] == "deployer-key"

    provisioner.assert_deleted(pair)
    assert key_pairs_named(ec2, "deployer-key") == []


def test_key_pair_names_itself_from_its_prefix_or_as_terraform(provisioner: Provisioner, ec2: Any) -> None:
    prefixed = provisioner.create(KEY_PAIR, "ops", {"keyNamePrefix": "ops-", "publicKey": RSA_KEY})
    assert prefixed.id.startswith("ops-") and key_pairs_named(ec2, prefixed.id)[0]["KeyType"] == "rsa"
    unnamed = provisioner.create(KEY_PAIR, "anon", {"publicKey": ED25519_KEY})
    assert unnamed.id.startswith("terraform-") and unnamed.outputs["keyName"] == unnamed.id
    assert failures(KEY_PAIR) == {"publicKey": "missing required property 'publicKey'"}


# ---- EBS volumes and their attachments ------------------------------------------------------

VOLUME = "aws:ebs/volume:Volume"
ATTACHMENT = "aws:ec2/volumeAttachment:VolumeAttachment"
INSTANCE = "aws:ec2/instance:Instance"
AMAZON_LINUX_2 = {"mostRecent": True, "owners": ["amazon"],
                  "filters": [{"name": "name", "values": ["amzn2-ami-hvm-*-x86_64-gp2"]}]}


@pytest.fixture
def server(provision: Provision, vpc: Provisioned, aws_ctx: AwsContext) -> Provisioned:
    subnet = provision("aws:ec2/subnet:Subnet", "machines", vpcId=vpc.id, cidrBlock="10.20.9.0/24",
                       availabilityZone="us-east-1a")
    ami = invoke("aws:ec2/getAmi:getAmi", aws_ctx, AMAZON_LINUX_2)["id"]
    return provision(INSTANCE, "bastion", ami=ami, instanceType="t3.micro", subnetId=subnet.id)


def volume_of(ec2: Any, volume_id: str) -> dict:
    return ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]


def volume_exists(ec2: Any, volume_id: str) -> bool:
    return bool(ec2.describe_volumes(Filters=[{"Name": "volume-id", "Values": [volume_id]}])["Volumes"])


def test_volume_lifecycle(provision: Provision, ec2: Any) -> None:
    volume = provision(VOLUME, "data", availabilityZone="us-east-1a", size=8, type="gp3", iops=3000,
                       throughput=125, tags={"Name": "data"})
    assert volume.inputs["finalSnapshot"] is False
    described = volume_of(ec2, volume.id)
    assert volume.id.startswith("vol-")
    assert (described["Size"], described["VolumeType"], described["AvailabilityZone"]) == (8, "gp3", "us-east-1a")
    assert (described["Iops"], described["Throughput"], described["Encrypted"]) == (3000, 125, False)
    assert tags_of(described)["Name"] == "data"
    assert volume.outputs["arn"] == f"arn:aws:ec2:us-east-1:123456789012:volume/{volume.id}"
    assert volume.outputs["createTime"].endswith("Z")
    assert volume.read() == volume.outputs
    assert_found_after_a_crash(volume)

    assert volume.diff(availabilityZone="us-east-1b").replaces == ("availabilityZone",)
    assert volume.diff(encrypted=True).replaces == ("encrypted",)
    volume.update(size=16, type="io1", iops=4000)
    described = volume_of(ec2, volume.id)
    assert (described["Size"], described["VolumeType"], described["Iops"]) == (16, "io1", 4000)
    assert volume.outputs["size"] == 16

    volume.update(finalSnapshot=True)
    volume.assert_deleted(lambda: volume_exists(ec2, volume.id))
    snapshots = ec2.describe_snapshots(Filters=[{"Name": "volume-id", "Values": [volume.id]}])["Snapshots"]
    assert [tags_of(s).get("Name") for s in snapshots] == ["data"]
    ec2.delete_snapshot(SnapshotId=snapshots[0]["SnapshotId"])


def test_volume_check() -> None:
    assert set(failures(VOLUME, availabilityZone="us-east-1a")) == {"size"}
    assert "Outposts" in failures(VOLUME, availabilityZone="us-east-1a", size=1, outpostArn="arn:o")["outpostArn"]


def test_volume_attachment_lifecycle(provision: Provision, server: Provisioned, ec2: Any) -> None:
    volume = provision(VOLUME, "logs", availabilityZone="us-east-1a", size=4)
    attachment = provision(ATTACHMENT, "logs", deviceName="/dev/sdh", instanceId=server.id, volumeId=volume.id)
    assert attachment.id.startswith("vai-")
    [attached] = volume_of(ec2, volume.id)["Attachments"]
    assert (attached["InstanceId"], attached["Device"]) == (server.id, "/dev/sdh")
    assert volume_of(ec2, volume.id)["State"] == "in-use"
    assert attachment.read() == attachment.outputs
    assert attachment.diff(deviceName="/dev/sdi").replaces == ("deviceName",)
    attachment.update(stopInstanceBeforeDetaching=True)
    assert attachment.outputs["stopInstanceBeforeDetaching"] is True

    attachment.assert_deleted(lambda: bool(volume_of(ec2, volume.id)["Attachments"]))
    assert volume_of(ec2, volume.id)["State"] == "available"
    instance = ec2.describe_instances(InstanceIds=[server.id])["Reservations"][0]["Instances"][0]
    assert instance["State"]["Name"] == "stopped"  # stopped before the volume was detached, as asked


def test_volume_attachment_skip_destroy_leaves_the_volume_attached(provision: Provision, server: Provisioned,
                                                                   ec2: Any) -> None:
    volume = provision(VOLUME, "kept", availabilityZone="us-east-1a", size=4)
    attachment = provision(ATTACHMENT, "kept", deviceName="/dev/sdj", instanceId=server.id, volumeId=volume.id,
                           skipDestroy=True)
    attachment.delete()
    assert [a["InstanceId"] for a in volume_of(ec2, volume.id)["Attachments"]] == [server.id]
    ec2.detach_volume(VolumeId=volume.id, InstanceId=server.id, Device="/dev/sdj")


# ---- network interfaces ---------------------------------------------------------------------

INTERFACE = "aws:ec2/networkInterface:NetworkInterface"


def interface_of(ec2: Any, interface_id: str) -> dict:
    return ec2.describe_network_interfaces(NetworkInterfaceIds=[interface_id])["NetworkInterfaces"][0]


def test_network_interface_lifecycle(provision: Provision, vpc: Provisioned, server: Provisioned, ec2: Any) -> None:
    group = provision("aws:ec2/securityGroup:SecurityGroup", "eni", vpcId=vpc.id)
    interface = provision(INTERFACE, "appliance", subnetId=server.outputs["subnetId"],
                          privateIps=["10.20.9.10", "10.20.9.11"], securityGroups=[group.id],
                          sourceDestCheck=False, description="appliance port", tags={"Role": "router"})
    described = interface_of(ec2, interface.id)
    assert interface.id.startswith("eni-")
    assert sorted(a["PrivateIpAddress"] for a in described["PrivateIpAddresses"]) == ["10.20.9.10", "10.20.9.11"]
    assert described["PrivateIpAddress"] == interface.outputs["privateIp"] == "10.20.9.10"
    assert [g["GroupId"] for g in described["Groups"]] == [group.id]
    assert (described["SourceDestCheck"], described["Description"]) == (False, "appliance port")
    assert tags_of({"Tags": described["TagSet"]})["Role"] == "router"
    assert interface.outputs["macAddress"] == described["MacAddress"]
    assert interface.outputs["privateIpsCount"] == 1
    assert interface.read() == interface.outputs
    assert_found_after_a_crash(interface)
    assert interface.diff(subnetId="subnet-other").replaces == ("subnetId",)
    assert interface.diff(privateIps=["10.20.9.12"]).replaces == ("privateIps",)  # the primary would go

    interface.update(privateIps=["10.20.9.10", "10.20.9.12"], sourceDestCheck=True, description="router port",
                     attachments=[{"instance": server.id, "deviceIndex": 1}])
    described = interface_of(ec2, interface.id)
    assert sorted(a["PrivateIpAddress"] for a in described["PrivateIpAddresses"]) == ["10.20.9.10", "10.20.9.12"]
    assert (described["SourceDestCheck"], described["Description"]) == (True, "router port")
    assert (described["Attachment"]["InstanceId"], described["Attachment"]["DeviceIndex"]) == (server.id, 1)
    assert interface.outputs["attachments"][0]["attachmentId"] == described["Attachment"]["AttachmentId"]

    interface.assert_deleted(lambda: bool(ec2.describe_network_interfaces(
        Filters=[{"Name": "network-interface-id", "Values": [interface.id]}])["NetworkInterfaces"]))


def test_network_interface_check() -> None:
    refused = failures(INTERFACE, subnetId="subnet-1", ipv4PrefixCount=1, interfaceType="efa",
                       attachments=[{"instance": "i-1", "deviceIndex": 1, "networkCardIndex": 1}])
    assert set(refused) == {"ipv4PrefixCount", "interfaceType", "attachments"}
    assert "not emulated" in refused["ipv4PrefixCount"]


def test_network_interface_and_instance_lookups(provision: Provision, server: Provisioned, ec2: Any,
                                                aws_ctx: AwsContext) -> None:
    interface = provision(INTERFACE, "looked-up", subnetId=server.outputs["subnetId"], description="lookup",
                          tags={"Purpose": "lookup"}, attachments=[{"instance": server.id, "deviceIndex": 1}])
    found = invoke("aws:ec2/getNetworkInterface:getNetworkInterface", aws_ctx, {"id": interface.id})
    assert (found["id"], found["subnetId"], found["description"]) == (interface.id, server.outputs["subnetId"],
                                                                      "lookup")
    assert found["privateIp"] == interface.outputs["privateIp"] and found["tags"]["Purpose"] == "lookup"
    assert [(a["instanceId"], a["deviceIndex"]) for a in found["attachments"]] == [(server.id, 1)]
    assert found["availabilityZone"] == "us-east-1a" and found["vpcId"]
    by_tag = invoke("aws:ec2/getNetworkInterface:getNetworkInterface", aws_ctx,
                    {"filters": [{"name": "tag:Purpose", "values": ["lookup"]}]})
    assert by_tag["id"] == interface.id
    tagged = invoke("aws:ec2/getNetworkInterfaces:getNetworkInterfaces", aws_ctx, {"tags": {"Purpose": "lookup"}})
    assert tagged["ids"] == [interface.id]
    in_subnet = invoke("aws:ec2/getNetworkInterfaces:getNetworkInterfaces", aws_ctx,
                       {"filters": [{"name": "subnet-id", "values": [server.outputs["subnetId"]]}]})
    assert set(in_subnet["ids"]) == {interface.id, server.outputs["primaryNetworkInterfaceId"]}

    instance = invoke("aws:ec2/getInstance:getInstance", aws_ctx, {"instanceId": server.id})
    described = ec2.describe_instances(InstanceIds=[server.id])["Reservations"][0]["Instances"][0]
    assert (instance["id"], instance["ami"], instance["instanceType"]) == (server.id, described["ImageId"],
                                                                           "t3.micro")
    assert (instance["privateIp"], instance["subnetId"]) == (described["PrivateIpAddress"], described["SubnetId"])
    assert instance["instanceState"] == "running" and instance["launchTime"].endswith("Z")
    assert instance["rootBlockDevices"][0]["deviceName"] == described["RootDeviceName"]
    by_tag = invoke("aws:ec2/getInstance:getInstance", aws_ctx, {
        "filters": [{"name": "instance-id", "values": [server.id]}], "instanceTags": {"envctl:env": "test"}})
    assert by_tag["instanceId"] == server.id
    with pytest.raises(BadInput, match="no results"):
        invoke("aws:ec2/getInstance:getInstance", aws_ctx, {"instanceId": "i-0123456789abcdef0"})


# ---- launch templates -----------------------------------------------------------------------

LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
BOOT_SCRIPT = "IyEvYmluL2Jhc2gKZWNobyBoZWxsbwo="  # base64 of a two-line shell script


def template_version(ec2: Any, template_id: str, version: str) -> dict:
    return ec2.describe_launch_template_versions(LaunchTemplateId=template_id, Versions=[version])[
        "LaunchTemplateVersions"][0]


def test_launch_template_lifecycle(provisioner: Provisioner, ec2: Any, aws_ctx: AwsContext) -> None:
    ami = invoke("aws:ec2/getAmi:getAmi", aws_ctx, AMAZON_LINUX_2)["id"]
    template = provisioner.create(LAUNCH_TEMPLATE, "web", {
        "imageId": ami, "instanceType": "t3.micro", "userData": BOOT_SCRIPT, "description": "web servers",
        "ebsOptimized": "true", "monitoring": {"enabled": True},
        "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 2},
        "blockDeviceMappings": [{"deviceName": "/dev/xvda",
                                 "ebs": {"volumeSize": 20, "volumeType": "gp3", "deleteOnTermination": "true"}}],
        "networkInterfaces": [{"associatePublicIpAddress": "true", "deviceIndex": 0}],
        "tagSpecifications": [{"resourceType": "instance", "tags": {"Role": "web"}}],
        "tags": {"Team": "web"},
    })
    assert template.id.startswith("lt-") and template.inputs["name"].startswith("web-")
    [described] = ec2.describe_launch_templates(LaunchTemplateIds=[template.id])["LaunchTemplates"]
    assert described["LaunchTemplateName"] == template.inputs["name"] and tags_of(described)["Team"] == "web"
    data = template_version(ec2, template.id, "1")["LaunchTemplateData"]
    assert (data["ImageId"], data["InstanceType"], data["EbsOptimized"]) == (ami, "t3.micro", True)
    assert data["MetadataOptions"] == {"HttpTokens": "required", "HttpPutResponseHopLimit": 2}
    assert data["BlockDeviceMappings"] == [{"DeviceName": "/dev/xvda", "Ebs": {
        "VolumeSize": 20, "VolumeType": "gp3", "DeleteOnTermination": True}}]
    assert data["NetworkInterfaces"] == [{"AssociatePublicIpAddress": True, "DeviceIndex": 0}]
    assert {"ResourceType": "instance", "Tags": [{"Key": "Role", "Value": "web"}]} in data["TagSpecifications"]
    assert template.outputs["tagSpecifications"] == [{"resourceType": "instance", "tags": {"Role": "web"}}]
    assert template.outputs["arn"] == f"arn:aws:ec2:us-east-1:123456789012:launch-template/{template.id}"
    assert (template.outputs["defaultVersion"], template.outputs["latestVersion"]) == (1, 1)
    assert template.outputs["blockDeviceMappings"][0]["ebs"]["deleteOnTermination"] == "true"
    assert provisioner.read(template) == template.outputs
    assert_found_after_a_crash(template, provisioner)
    assert not provisioner.plan(template, {}).has_changes
    assert provisioner.plan(template, {"name": "other"}).replaces == ("name",)

    template = provisioner.update(template, {"instanceType": "t3.small", "updateDefaultVersion": True})
    [described] = ec2.describe_launch_templates(LaunchTemplateIds=[template.id])["LaunchTemplates"]
    assert (described["DefaultVersionNumber"], described["LatestVersionNumber"]) == (2, 2)
    assert template_version(ec2, template.id, "2")["LaunchTemplateData"]["InstanceType"] == "t3.small"
    assert template.outputs["instanceType"] == "t3.small" and template.outputs["defaultVersion"] == 2

    template = provisioner.update(template, {"keyName": "ops", "updateDefaultVersion": None})
    [described] = ec2.describe_launch_templates(LaunchTemplateIds=[template.id])["LaunchTemplates"]
    assert (described["DefaultVersionNumber"], described["LatestVersionNumber"]) == (2, 3)
    provisioner.assert_deleted(template)
    assert not ec2.describe_launch_templates(
        Filters=[{"Name": "launch-template-name", "Values": [template.inputs["name"]]}])["LaunchTemplates"]


def test_launch_template_check() -> None:
    refused = failures(LAUNCH_TEMPLATE, instanceMarketOptions={"marketType": "spot"},
                       networkInterfaces=[{"deviceIndex": 0, "ipv4PrefixCount": 2}])
    assert set(refused) == {"instanceMarketOptions", "networkInterfaces"}


# ---- launch configurations ------------------------------------------------------------------

LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"


def configuration_of(aws_ctx: AwsContext, name: str) -> list[dict]:
    return aws_ctx.client("autoscaling").describe_launch_configurations(
        LaunchConfigurationNames=[name])["LaunchConfigurations"]


def test_launch_configuration_lifecycle(provisioner: Provisioner, aws_ctx: AwsContext) -> None:
    ami = invoke("aws:ec2/getAmi:getAmi", aws_ctx, AMAZON_LINUX_2)["id"]
    configuration = provisioner.create(LAUNCH_CONFIGURATION, "workers", {
        "imageId": ami, "instanceType": "t3.micro", "userData": "#!/bin/bash\necho hello\n",
        "securityGroups": ["sg-0b", "sg-0a"], "associatePublicIpAddress": True,
        "rootBlockDevice": {"volumeSize": 16, "volumeType": "gp3"},
        "ebsBlockDevices": [{"deviceName": "/dev/sdf", "volumeSize": 50, "volumeType": "gp3"}],
        "metadataOptions": {"httpTokens": "required"},
    })
    assert configuration.id == configuration.inputs["name"] and configuration.id.startswith("workers-")
    [described] = configuration_of(aws_ctx, configuration.id)
    assert (described["ImageId"], described["InstanceType"]) == (ami, "t3.micro")
    assert sorted(described["SecurityGroups"]) == ["sg-0a", "sg-0b"]
    assert base64.b64decode(described["UserData"]).decode() == "#!/bin/bash\necho hello\n"
    assert described["InstanceMonitoring"] == {"Enabled": True}
    sizes = {m["DeviceName"]: m["Ebs"]["VolumeSize"] for m in described["BlockDeviceMappings"]}
    assert sizes == {"/dev/xvda": 16, "/dev/sdf": 50}
    assert configuration.outputs["arn"] == described["LaunchConfigurationARN"]
    assert configuration.outputs["rootBlockDevice"]["volumeSize"] == 16
    assert provisioner.read(configuration) == configuration.outputs
    assert_found_after_a_crash(configuration, provisioner)
    assert not provisioner.plan(configuration, {}).has_changes
    assert provisioner.plan(configuration, {"instanceType": "t3.small"}).replaces == ("instanceType",)
    provisioner.assert_deleted(configuration)
    assert configuration_of(aws_ctx, configuration.id) == []
