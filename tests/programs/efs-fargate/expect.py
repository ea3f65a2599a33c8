"""efs-fargate: the file system, its mount targets and access point, and the task that mounts it; then a shorter
wait before files move to infrequent access, changed in place."""

from program_cases import Cloud, Edit, Outputs, ProgramCase, set_config

FILE_SYSTEM = "aws:efs/fileSystem:FileSystem"


def verify(cloud: Cloud, out: Outputs) -> None:
    efs, ecs = cloud.client("efs"), cloud.client("ecs")
    [files] = efs.describe_file_systems(FileSystemId=out["file_system_id"])["FileSystems"]
    assert files["Encrypted"] is True and files["Name"] == "app-files"
    assert out["file_system_dns"] == f"{out['file_system_id']}.efs.us-east-1.amazonaws.com"
    policies = efs.describe_lifecycle_configuration(FileSystemId=out["file_system_id"])["LifecyclePolicies"]
    assert policies == [{"TransitionToIA": "AFTER_30_DAYS"}]
    targets = efs.describe_mount_targets(FileSystemId=out["file_system_id"])["MountTargets"]
    assert sorted(t["MountTargetId"] for t in targets) == sorted(out["mount_target_ids"])
    assert len({t["AvailabilityZoneName"] for t in targets}) == 2
    [point] = efs.describe_access_points(AccessPointId=out["access_point_id"])["AccessPoints"]
    assert point["FileSystemId"] == out["file_system_id"] and point["PosixUser"] == {"Uid": 1000, "Gid": 1000}
    assert point["RootDirectory"]["Path"] == "/app"
    task = ecs.describe_task_definition(taskDefinition=out["task_definition_arn"])["taskDefinition"]
    [volume] = task["volumes"]
    efs_volume = volume["efsVolumeConfiguration"]
    assert efs_volume["fileSystemId"] == out["file_system_id"] and efs_volume["transitEncryption"] == "ENABLED"
    assert efs_volume["authorizationConfig"]["accessPointId"] == out["access_point_id"]
    assert task["containerDefinitions"][0]["mountPoints"] == [{"sourceVolume": "app-data", "containerPath": "/data"}]


def verify_sooner_transition(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert after["file_system_id"] == before["file_system_id"]
    policies = cloud.client("efs").describe_lifecycle_configuration(FileSystemId=after["file_system_id"])
    assert policies["LifecyclePolicies"] == [{"TransitionToIA": "AFTER_7_DAYS"}]


CASE = ProgramCase("efs-fargate", verify,
                   Edit(set_config("test", infrequentAccessAfter="AFTER_7_DAYS"), (("update", FILE_SYSTEM),),
                        verify_sooner_transition))
