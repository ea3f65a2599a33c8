"""Probes of the EFS types: file systems, mount targets and access points."""

from probing import present

PROBES = {
    "aws:efs/fileSystem:FileSystem": lambda c, id, o: present(
        lambda: c("efs").describe_file_systems(FileSystemId=id), "FileSystemNotFound"),
    "aws:efs/mountTarget:MountTarget": lambda c, id, o: present(
        lambda: c("efs").describe_mount_targets(MountTargetId=id), "MountTargetNotFound"),
    "aws:efs/accessPoint:AccessPoint": lambda c, id, o: present(
        lambda: c("efs").describe_access_points(AccessPointId=id), "AccessPointNotFound"),
}
