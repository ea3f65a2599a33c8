"""bastion-host: the instance has the key pair and the data volume, SSH is open to the office only, and the VPC's
traffic goes to the log group; a bigger data volume is resized in place."""

from typing import Any

from program_cases import Cloud, Edit, Outputs, ProgramCase, instance, set_config

VOLUME = "aws:ebs/volume:Volume"


def volume(ec2: Any, volume_id: str) -> dict:
    return ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]


def verify(cloud: Cloud, out: Outputs) -> None:
    ec2 = cloud.client("ec2")
    bastion = instance(ec2, out["bastion_id"])
    assert (bastion["State"]["Name"], bastion["KeyName"]) == ("running", out["key_name"])
    assert bastion["PublicIpAddress"] == out["bastion_public_ip"]
    [pair] = ec2.describe_key_pairs(KeyNames=[out["key_name"]])["KeyPairs"]
    assert (pair["KeyType"], pair["KeyFingerprint"]) == ("ed25519", out["key_fingerprint"])
    assert out["registered_key_id"] == pair["KeyPairId"]
    assert out["bastion_private_ip"] == bastion["PrivateIpAddress"]
    assert out["bastion_interface_subnet"] == bastion["SubnetId"]
    [group] = ec2.describe_security_groups(GroupIds=[g["GroupId"] for g in bastion["SecurityGroups"]])[
        "SecurityGroups"]
    assert [(p["FromPort"], [r["CidrIp"] for r in p["IpRanges"]]) for p in group["IpPermissions"]] == [
        (22, ["203.0.113.0/24"])]

    data = volume(ec2, out["data_volume_id"])
    assert (data["Size"], data["VolumeType"], data["State"]) == (10, "gp3", "in-use")
    assert data["AvailabilityZone"] == bastion["Placement"]["AvailabilityZone"]
    assert [(a["InstanceId"], a["Device"]) for a in data["Attachments"]] == [(out["bastion_id"], "/dev/sdf")]

    [flow_log] = ec2.describe_flow_logs(FlowLogIds=[out["flow_log_id"]])["FlowLogs"]
    assert (flow_log["ResourceId"], flow_log["TrafficType"]) == (bastion["VpcId"], "ALL")
    assert flow_log["LogDestination"].endswith(f":log-group:{out['flow_log_group']}")
    assert flow_log["MaxAggregationInterval"] == 60
    role = flow_log["DeliverLogsPermissionArn"].rsplit("/", 1)[1]
    trust = cloud.client("iam").get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}


def verify_bigger_volume(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    assert after["data_volume_id"] == before["data_volume_id"]
    data = volume(cloud.client("ec2"), after["data_volume_id"])
    assert (data["Size"], data["State"]) == (50, "in-use")


CASE = ProgramCase(
    "bastion-host", verify,
    Edit(set_config("test", dataVolumeSize="50"), (("update", VOLUME),), verify_bigger_volume),
)
