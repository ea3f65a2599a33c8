"""The local cloud: it survives a restart with identical ids (its calls are recorded and replayed), `cloud reset`
wipes it, and a user's mistakes (a taken port, no confirmation) get clear messages."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from envctl.cloud.local_cloud import LocalCloud
from envctl.errors import OperationFailed

from engine_support import aws, copy_reference_project, up
from envctl_command import run_envctl


def envctl(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVCTL_")}
    return run_envctl("-C", str(project), *args, env=env)


def assert_clean_failure(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 2 and "Traceback" not in output, output
    for fragment in fragments:
        assert fragment in output, output


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The reference project with its own local cloud, shared by the tests of this module that run in one process."""
    root = copy_reference_project(tmp_path_factory.mktemp("cloud") / "project")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("ENVCTL_CLOUD_ENDPOINT", raising=False)
        yield root
        LocalCloud(root).stop()


def test_a_restarted_cloud_holds_the_environment_with_identical_ids(project: Path) -> None:
    cloud = LocalCloud(project)
    first = cloud.start()
    assert first.started and first.replayed == 0
    result = up(project, "dev", first.endpoint)
    assert result.succeeded, result.error
    outputs = result.outputs
    recorded = cloud.recording.calls()

    assert cloud.stop()
    with cloud.recording.path.open("a") as log:
        log.write('{"headers": {"Host": "127.0.0.1"}, "meth')  # a server killed while it wrote: cut off, not replayed
    again = cloud.start()
    assert again.replayed == recorded and again.endpoint == first.endpoint  # the last port, so URLs stay valid
    assert cloud.recording.calls() == recorded  # the replay is not recorded a second time

    ec2 = aws(again.endpoint, "ec2")
    assert [v["VpcId"] for v in ec2.describe_vpcs(VpcIds=[outputs["vpcId"]])["Vpcs"]] == [outputs["vpcId"]]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [outputs["vpcId"]]}])["Subnets"]
    assert sorted(s["SubnetId"] for s in subnets) == sorted(outputs["subnetIds"])
    assert ec2.describe_security_groups(GroupIds=[outputs["securityGroupId"]])["SecurityGroups"]
    role = aws(again.endpoint, "iam").get_role(RoleName=outputs["roleArn"].rsplit("/", 1)[-1])["Role"]
    assert role["Arn"] == outputs["roleArn"]
    assert aws(again.endpoint, "sqs").get_queue_url(QueueName=outputs["queueUrl"].rsplit("/", 1)[-1])["QueueUrl"] \
        == outputs["queueUrl"]
    assert aws(again.endpoint, "dynamodb").describe_table(TableName=outputs["tableName"])["Table"]
    aws(again.endpoint, "s3").head_bucket(Bucket=outputs["bucketName"])

    status = json.loads(envctl(project, "cloud", "status", "--json").stdout)
    assert status["running"] and status["endpoint"] == again.endpoint and status["replayed"] == recorded
    assert status["recording"]["calls"] > recorded and status["faults"]["injected"] == 0


def test_reset_wipes_every_resource_and_starts_newly_seeded(project: Path) -> None:
    cloud = LocalCloud(project)
    cloud.start()  # running already after the test before, unless xdist runs this test elsewhere
    seed_call = cloud.recording.path.read_text().splitlines()[0]
    assert_clean_failure(envctl(project, "cloud", "reset"), "pass --yes")
    assert cloud.recording.path.read_text().splitlines()[0] == seed_call

    reset = json.loads(envctl(project, "cloud", "reset", "--yes", "--json").stdout)
    assert reset["running"] and reset["replayed"] == 0 and reset["endpoint"] == cloud.status().endpoint
    assert aws(reset["endpoint"], "ec2").describe_vpcs(
        Filters=[{"Name": "tag:envctl:env", "Values": ["dev"]}])["Vpcs"] == []
    assert aws(reset["endpoint"], "sqs").list_queues().get("QueueUrls", []) == []
    new_seed_call = cloud.recording.path.read_text().splitlines()[0]
    assert "/moto-api/seed?a=" in cloud.recording.unsealed(json.loads(new_seed_call))["url"]
    assert new_seed_call != seed_call


def test_a_damaged_recording_fails_the_start_and_reset_recovers(project: Path) -> None:
    cloud = LocalCloud(project)
    cloud.start()
    cloud.stop()
    lines = cloud.recording.path.read_text().splitlines(keepends=True)
    cloud.recording.path.write_text("".join([lines[0], "not a call\n", *lines[1:]]))
    with pytest.raises(OperationFailed, match="line 2 .* `envctl cloud reset` starts an empty one"):
        cloud.start()

    cloud.reset()
    assert not cloud.recording.path.exists()
    started = []  # two commands starting the cloud at once share one server
    threads = [threading.Thread(target=lambda: started.append(cloud.start())) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({s.pid for s in started}) == 1 and sum(s.started for s in started) == 1


def test_a_taken_port_is_bad_input(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        LocalCloud(project).stop()
        result = envctl(project, "cloud", "start", "--port", str(port))
    assert_clean_failure(result, f"port {port} on 127.0.0.1 is in use; choose another with --port")


def test_a_state_file_left_by_a_dead_server_is_cleaned_up(tmp_path: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    cloud = LocalCloud(tmp_path)
    cloud.state_dir.mkdir()
    cloud.state_file.write_text(json.dumps({"pid": int(finished.stdout), "port": 1, "host": "127.0.0.1"}))
    assert not cloud.status().running
    assert not cloud.state_file.exists()
