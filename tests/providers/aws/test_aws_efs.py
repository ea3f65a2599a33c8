"""The EFS providers (file systems, mount targets, access points) and getFileSystem against the session's moto
server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from envctl.errors import BadInput, OperationFailed
from envctl.providers.aws.context import AwsContext

from provider_steps import Provision, failures, invoke, tag_map

FILE_SYSTEM = "aws:efs/fileSystem:FileSystem"
MOUNT_TARGET = "aws:efs/mountTarget:MountTarget"
ACCESS_POINT = "aws:efs/accessPoint:AccessPoint"


def exists(call: Callable[..., Any], **params: Any) -> bool:
    try:
        call(**params)
    except ClientError:
        return False
    return True


def test_file_system_lifecycle(provision: Provision, aws_ctx: AwsContext) -> None:
    efs = aws_ctx.client("efs")
    fs = provision(FILE_SYSTEM, "shared", encrypted=True, performanceMode="generalPurpose",
                   lifecyclePolicies=[{"transitionToIa": "AFTER_30_DAYS"}], tags={"Name": "shared-files"})
    described = efs.describe_file_systems(FileSystemId=fs.id)["FileSystems"][0]
    assert fs.id.startswith("fs-") and described["Encrypted"] is True and described["ThroughputMode"] == "bursting"
    assert described["CreationToken"] == fs.outputs["creationToken"] and fs.outputs["creationToken"]
    assert tag_map(described["Tags"])["Name"] == "shared-files" == fs.outputs["name"]
    assert efs.describe_lifecycle_configuration(FileSystemId=fs.id)["LifecyclePolicies"] == \
        [{"TransitionToIA": "AFTER_30_DAYS"}]
    assert fs.outputs["arn"] == described["FileSystemArn"]
    assert fs.outputs["dnsName"] == f"{fs.id}.efs.us-east-1.amazonaws.com"
    assert fs.outputs["sizeInBytes"][0]["value"] == 0 and fs.outputs["numberOfMountTargets"] == 0
    assert fs.read() == fs.outputs
    assert fs.resource.find(aws_ctx, fs.urn, fs.inputs, set())[0] == fs.id

    assert fs.diff(encrypted=False).replaces == ("encrypted",)
    assert fs.diff(performanceMode="maxIO").replaces == ("performanceMode",)
    fs.update(lifecyclePolicies=[{"transitionToIa": "AFTER_7_DAYS"},
                                 {"transitionToPrimaryStorageClass": "AFTER_1_ACCESS"}],
              tags={"Name": "shared-files", "team": "web"})
    assert efs.describe_lifecycle_configuration(FileSystemId=fs.id)["LifecyclePolicies"] == \
        [{"TransitionToIA": "AFTER_7_DAYS"}, {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"}]
    assert tag_map(efs.describe_file_systems(FileSystemId=fs.id)["FileSystems"][0]["Tags"])["team"] == "web"
    assert fs.read() == fs.outputs
    with pytest.raises(OperationFailed, match="UpdateFileSystem"):
        fs.update(throughputMode="elastic")
    fs.assert_deleted(lambda: exists(efs.describe_file_systems, FileSystemId=fs.id))


def test_mount_targets_and_access_points(provision: Provision, aws_ctx: AwsContext, default_network: tuple) -> None:
    efs, ec2 = aws_ctx.client("efs"), aws_ctx.client("ec2")
    vpc_id, subnets = default_network
    group = provision("aws:ec2/securityGroup:SecurityGroup", "nfs", vpcId=vpc_id, description="NFS")
    other = provision("aws:ec2/securityGroup:SecurityGroup", "nfs-2", vpcId=vpc_id, description="NFS too")
    fs = provision(FILE_SYSTEM, "app-data")
    target = provision(MOUNT_TARGET, "app-data-a", fileSystemId=fs.id, subnetId=subnets[0],
                       securityGroups=[group.id])
    described = efs.describe_mount_targets(MountTargetId=target.id)["MountTargets"][0]
    assert described["FileSystemId"] == fs.id and described["SubnetId"] == subnets[0]
    assert efs.describe_mount_target_security_groups(MountTargetId=target.id)["SecurityGroups"] == [group.id]
    assert target.outputs["networkInterfaceId"] == described["NetworkInterfaceId"]
    zone = described["AvailabilityZoneName"]
    assert target.outputs["mountTargetDnsName"] == f"{zone}.{fs.id}.efs.us-east-1.amazonaws.com"
    assert target.outputs["fileSystemArn"] == fs.outputs["arn"] and target.outputs["ipAddress"]
    assert ec2.describe_network_interfaces(NetworkInterfaceIds=[described["NetworkInterfaceId"]])["NetworkInterfaces"]
    assert target.read() == target.outputs
    assert target.resource.find(aws_ctx, target.urn, target.inputs, set())[0] == target.id
    assert target.diff(subnetId=subnets[1]).replaces == ("subnetId",)
    target.update(securityGroups=[other.id, group.id])
    assert sorted(efs.describe_mount_target_security_groups(MountTargetId=target.id)["SecurityGroups"]) == \
        sorted([group.id, other.id])
    assert target.read() == target.outputs

    point = provision(ACCESS_POINT, "app-root", fileSystemId=fs.id, posixUser={"uid": 1000, "gid": 1000},
                      rootDirectory={"path": "/app", "creationInfo": {"ownerUid": 1000, "ownerGid": 1000,
                                                                      "permissions": "755"}}, tags={"app": "web"})
    described = efs.describe_access_points(AccessPointId=point.id)["AccessPoints"][0]
    assert described["PosixUser"] == {"Uid": 1000, "Gid": 1000} and described["RootDirectory"]["Path"] == "/app"
    assert described["RootDirectory"]["CreationInfo"]["Permissions"] == "755"
    assert point.outputs["arn"] == described["AccessPointArn"] and point.outputs["fileSystemArn"] == fs.outputs["arn"]
    assert point.read() == point.outputs
    assert point.resource.find(aws_ctx, point.urn, point.inputs, set())[0] == point.id
    assert point.diff(posixUser={"uid": 0, "gid": 0}).replaces == ("posixUser",)
    point.update(tags={"app": "api"})
    assert tag_map(efs.describe_access_points(AccessPointId=point.id)["AccessPoints"][0]["Tags"])["app"] == "api"
    point.assert_deleted(lambda: exists(efs.describe_access_points, AccessPointId=point.id))
    target.assert_deleted(lambda: exists(efs.describe_mount_targets, MountTargetId=target.id))


def test_check_refuses_what_the_local_cloud_does_not_emulate() -> None:
    assert "UpdateFileSystemProtection" in failures(FILE_SYSTEM, protection={"replicationOverwrite": "DISABLED"})[
        "protection"]
    assert set(failures(MOUNT_TARGET)) == {"fileSystemId", "subnetId"}
    assert "IPv6" in failures(MOUNT_TARGET, fileSystemId="fs-1", subnetId="subnet-1",
                              ipAddressType="DUAL_STACK")["ipAddressType"]


def test_get_file_system_by_id_token_or_tags(provision: Provision, aws_ctx: AwsContext) -> None:
    fs = provision(FILE_SYSTEM, "looked-up", creationToken="looked-up-token", tags={"lookup": "me"})
    by_id = invoke("aws:efs/getFileSystem:getFileSystem", aws_ctx, {"fileSystemId": fs.id})
    by_token = invoke("aws:efs/getFileSystem:getFileSystem", aws_ctx, {"creationToken": "looked-up-token"})
    by_tags = invoke("aws:efs/getFileSystem:getFileSystem", aws_ctx, {"tags": {"lookup": "me"}})
    assert by_id == by_token == by_tags
    assert (by_id["id"], by_id["fileSystemId"], by_id["arn"]) == (fs.id, fs.id, fs.outputs["arn"])
    assert by_id["dnsName"] == fs.outputs["dnsName"] and by_id["tags"]["lookup"] == "me"
    with pytest.raises(BadInput, match="no EFS file system matched"):
        invoke("aws:efs/getFileSystem:getFileSystem", aws_ctx, {"creationToken": "no-such-token"})
